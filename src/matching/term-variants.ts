// Turns one written term into the token sequences that should match it: alternatives expanded,
// hyphen/space/joined spellings, exact-case tokens for acronyms.
import { caseForm, looksLikeAcronym, stem, tokenize } from './text.ts';

export type CaseMode = 'auto' | 'exact' | 'fold';

export interface TermVariant {
  /** The phrase this variant was made from, alternatives resolved ("China-linked"). */
  phrase: string;
  /** Stems, one per token. */
  stems: string[];
  /** Per token: the exact case form required, or null when any case matches. */
  exact: (string | null)[];
}

export const MAX_ALTERNATIVES_PER_TERM = 1000;

/** Prefixes after which a joined word is also matched split: "cyberespionage" ~ "cyber espionage". */
const SPLIT_PREFIXES = [
  'cyber', 'counter', 'anti', 'nation', 'state', 'info', 'inter', 'cross', 'multi', 'non', 'pre', 'post',
  'sub', 'super', 'hyper', 'micro', 'tele', 'crypto', 'bio', 'geo',
];

/**
 * Expands `(a|b|c)` alternatives into every combination: `(Chinese|Russian) (hackers|APT)` gives four
 * phrases. Groups do not nest. Throws an Error whose message ("has a ...") follows the term.
 */
export function expandAlternatives(term: string): string[] {
  let results = [''];
  let i = 0;
  while (i < term.length) {
    const open = term.indexOf('(', i);
    const close = term.indexOf(')', i);
    if (open < 0) {
      if (close >= 0) throw new Error('has a ")" without "("');
      results = results.map((r) => r + term.slice(i));
      break;
    }
    if (close >= 0 && close < open) throw new Error('has a ")" without "("');
    const end = term.indexOf(')', open);
    if (end < 0) throw new Error('has a "(" without ")"');
    const inner = term.slice(open + 1, end);
    if (inner.includes('(')) throw new Error('nests alternatives, which is not supported');
    const options = inner.split('|').map((o) => o.trim());
    if (options.some((o) => o === '')) throw new Error('has an empty alternative');
    const prefix = term.slice(i, open);
    const next: string[] = [];
    for (const r of results) for (const o of options) next.push(r + prefix + o);
    if (next.length > MAX_ALTERNATIVES_PER_TERM) {
      throw new Error(`expands to more than ${MAX_ALTERNATIVES_PER_TERM} phrases`);
    }
    results = next;
    i = end + 1;
  }
  if (term.includes('|') && !term.includes('(')) throw new Error('uses "|" outside "( )"');
  return results.map((r) => r.trim()).filter((r) => r !== '');
}

/** Every token sequence that matches `term`. Throws when the term has no letter or digit. */
export function termVariants(term: string, mode: CaseMode = 'auto'): TermVariant[] {
  const out = new Map<string, TermVariant>();
  const add = (v: TermVariant) => {
    out.set(v.stems.join(' ') + '\u0000' + v.exact.join('\u0001'), v);
  };
  for (const phrase of expandAlternatives(term)) {
    const tokens = tokenize(phrase);
    if (tokens.length === 0) throw new Error('has no letter or digit to match');
    const exact = tokens.map((t) =>
      mode === 'exact' || (mode === 'auto' && looksLikeAcronym(t.form)) ? caseForm(t.form) : null,
    );
    add({ phrase, stems: tokens.map((t) => t.stem), exact });
    // Joined spellings of a phrase: "cyber espionage" also matches "cyberespionage"; with three or four
    // words every way of joining neighbours ("nation-state hackers" ~ "nationstate hackers").
    if (tokens.length >= 2 && tokens.length <= 4) {
      const gaps = tokens.length - 1;
      for (let mask = 1; mask < 1 << gaps; mask++) {
        const stems: string[] = [];
        const ex: (string | null)[] = [];
        let lower = tokens[0]?.lower ?? '';
        let form = tokens[0]?.form ?? '';
        let anyExact = exact[0] !== null;
        for (let g = 0; g < gaps; g++) {
          const t = tokens[g + 1];
          if (!t) break;
          if (mask & (1 << g)) {
            lower += t.lower;
            form += t.form;
            anyExact ||= exact[g + 1] !== null;
          } else {
            stems.push(stem(lower));
            ex.push(anyExact ? caseForm(form) : null);
            lower = t.lower;
            form = t.form;
            anyExact = exact[g + 1] !== null;
          }
        }
        stems.push(stem(lower));
        ex.push(anyExact ? caseForm(form) : null);
        add({ phrase, stems, exact: ex });
      }
    }
    // Split spellings of a joined word: after a known prefix, or where letters meet digits (APT28 ~ APT 28).
    const only = tokens.length === 1 ? tokens[0] : undefined;
    if (only) {
      for (const cut of splitPoints(only.lower)) {
        const a = only.lower.slice(0, cut);
        const b = only.lower.slice(cut);
        const e = exact[0] !== null;
        add({
          phrase,
          stems: [stem(a), stem(b)],
          exact: e ? [caseForm(only.form.slice(0, cut)), caseForm(only.form.slice(cut))] : [null, null],
        });
      }
    }
  }
  return [...out.values()];
}

function splitPoints(lower: string): number[] {
  const cuts = new Set<number>();
  for (const p of SPLIT_PREFIXES) {
    if (lower.length >= p.length + 3 && lower.startsWith(p)) cuts.add(p.length);
  }
  for (let i = 1; i < lower.length; i++) {
    const a = lower.charCodeAt(i - 1);
    const b = lower.charCodeAt(i);
    const digitA = a >= 48 && a <= 57;
    const digitB = b >= 48 && b <= 57;
    if (digitA !== digitB) cuts.add(i);
  }
  return [...cuts];
}
