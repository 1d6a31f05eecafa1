// Finds states and threat actors in a field's tokens: a dictionary of token sequences looked up by first
// token, longest match first, with a case rule per token and, for actors, a context rule (actors.ts).
import { actorReason, actorState, aliasRule, type AliasRule, type ThreatActor } from './actors.ts';
import { STATES } from './states.ts';
import { spanText, type FieldTokens } from './tokens.ts';

export interface EntityHit {
  kind: 'state' | 'actor';
  /** State name, or the actor's name. */
  key: string;
  /** The state this hit speaks for (the actor's sponsor or origin for actors). */
  state: string;
  /** What was found, as written in the list. */
  alias: string;
  /** What was found, as the story wrote it (for reasons). */
  written: string;
  /** Token span [start, end) in the field. */
  start: number;
  end: number;
  /** For actors: a one-line reason ("FamousSparrow: China-linked group (MISP galaxy)"). */
  reason: string;
  /** For actors: suspected state sponsor (true) or origin only (false). */
  sponsored: boolean;
  /** For states: written as an adjective or demonym ("Russian"), not the country's name or capital. */
  demonym: boolean;
}

interface Entry {
  kind: 'state' | 'actor';
  key: string;
  state: string;
  alias: string;
  lower: string[];
  cases: TokenCase[];
  rule: AliasRule;
  reason: string;
  sponsored: boolean;
  demonym: boolean;
}

/** How a token of an entry must be written in the text. */
type TokenCase = 'any' | 'capital' | 'upper' | 'upper-or-title';

function tokenCase(form: string): TokenCase {
  if (/\d/.test(form)) return 'any';
  if (!/\p{Lu}/u.test(form)) return 'any';
  if (!/\p{Ll}/u.test(form)) return form.length <= 3 ? 'upper' : 'upper-or-title';
  return 'capital';
}

function caseOk(want: TokenCase, form: string): boolean {
  switch (want) {
    case 'any':
      return true;
    case 'capital': {
      const f = form[0];
      return f !== undefined && (f !== f.toLowerCase() || (f >= '0' && f <= '9'));
    }
    case 'upper':
      return form === form.toUpperCase();
    case 'upper-or-title':
      return form === form.toUpperCase() || (form[0] === form[0]?.toUpperCase() && form.slice(1) === form.slice(1).toLowerCase());
  }
}

const LANGUAGE_NEXT = new Set(['speaking', 'language', 'speaker', 'speakers']);

/** Actor cues: words after or before a one-word alias that make it an actor's name. */
const CUE_AFTER = [['hacker'], ['hackers'], ['apt'], ['gang'], ['operators'], ['threat', 'actor'], ['threat', 'actors'], ['threat', 'group'], ['hacking', 'group'], ['hacker', 'group'], ['espionage', 'group'], ['cyberespionage', 'group'], ['cyber', 'espionage', 'group'], ['state', 'sponsored'], ['intrusion', 'set'], ['apt', 'group']];
const CUE_BEFORE = [['tracked', 'as'], ['known', 'as'], ['dubbed'], ['codenamed'], ['aka'], ['a', 'k', 'a'], ['also', 'known', 'as'], ['named'], ['called']];

function followedBy(tokens: FieldTokens, end: number, cue: string[]): boolean {
  for (let j = 0; j < cue.length; j++) if (tokens.lower[end + j] !== cue[j]) return false;
  return true;
}

function precededBy(tokens: FieldTokens, start: number, cue: string[]): boolean {
  const from = start - cue.length;
  if (from < 0) return false;
  for (let j = 0; j < cue.length; j++) if (tokens.lower[from + j] !== cue[j]) return false;
  return true;
}

export class EntityMatcher {
  private readonly byFirst = new Map<string, Entry[]>();
  readonly actorCount: number;
  readonly aliasCount: number;
  /** Per state, how many known actors it sponsors or hosts. */
  readonly actorsPerState = new Map<string, number>();

  constructor(actors: readonly ThreatActor[], tokenize: (text: string) => { form: string; lower: string }[]) {
    const add = (e: Omit<Entry, 'lower' | 'cases'>) => {
      const toks = tokenize(e.alias);
      if (toks.length === 0) return;
      const entry: Entry = { ...e, lower: toks.map((t) => t.lower), cases: toks.map((t) => tokenCase(t.form)) };
      const first = entry.lower[0]!;
      const list = this.byFirst.get(first) ?? [];
      // One entry per (kind, key, token sequence); states before actors at equal length, longest first.
      if (list.some((x) => x.kind === entry.kind && x.key === entry.key && x.lower.join(' ') === entry.lower.join(' '))) return;
      list.push(entry);
      list.sort((a, b) => b.lower.length - a.lower.length || (a.kind === b.kind ? 0 : a.kind === 'state' ? -1 : 1));
      this.byFirst.set(first, list);
    };
    for (const s of STATES) {
      for (const name of s.names) add({ kind: 'state', key: s.name, state: s.name, alias: name, rule: { context: 'distinctive' }, reason: '', sponsored: false, demonym: false });
      for (const name of s.demonyms) add({ kind: 'state', key: s.name, state: s.name, alias: name, rule: { context: 'distinctive' }, reason: '', sponsored: false, demonym: true });
    }
    let aliases = 0;
    for (const a of actors) {
      const state = actorState(a);
      if (!state) continue;
      this.actorsPerState.set(state, (this.actorsPerState.get(state) ?? 0) + 1);
      for (const alias of [a.name, ...a.aliases]) {
        const rule = aliasRule(alias);
        if (!rule) continue;
        aliases++;
        add({ kind: 'actor', key: a.name, state, alias, rule, reason: actorReason(a, alias), sponsored: a.stateSponsor !== null, demonym: false });
      }
    }
    this.actorCount = actors.length;
    this.aliasCount = aliases;
  }

  /**
   * Entities in one field, left to right, longest first, not overlapping. `cyber` says whether the story
   * has a cyber word (an actor alias of rule `cyber` needs one).
   */
  find(tokens: FieldTokens, cyber: boolean): EntityHit[] {
    const hits: EntityHit[] = [];
    const n = tokens.lower.length;
    let i = 0;
    while (i < n) {
      const list = this.byFirst.get(tokens.lower[i]!);
      let taken = 0;
      if (list) {
        for (const e of list) {
          const len = e.lower.length;
          if (i + len > n) continue;
          let ok = true;
          for (let j = 0; j < len && ok; j++) ok = tokens.lower[i + j] === e.lower[j] && caseOk(e.cases[j]!, tokens.form[i + j]!);
          if (!ok) continue;
          if (e.kind === 'actor' && !this.contextOk(e.rule, tokens, i, i + len, cyber)) continue;
          // "Chinese-speaking", "Russian-language": a language, not a state.
          if (e.kind === 'state' && LANGUAGE_NEXT.has(tokens.lower[i + len] ?? '')) continue;
          hits.push({ kind: e.kind, key: e.key, state: e.state, alias: e.alias, written: spanText(tokens, i, i + len), start: i, end: i + len, reason: e.reason, sponsored: e.sponsored, demonym: e.demonym });
          taken = len;
          break;
        }
      }
      i += taken > 0 ? taken : 1;
    }
    return hits;
  }

  private contextOk(rule: AliasRule, tokens: FieldTokens, start: number, end: number, cyber: boolean): boolean {
    if (rule.context === 'distinctive') return true;
    if (rule.context === 'cyber') return cyber;
    return CUE_AFTER.some((c) => followedBy(tokens, end, c)) || CUE_BEFORE.some((c) => precededBy(tokens, start, c));
  }
}
