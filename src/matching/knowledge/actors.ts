// Threat actors and the states behind them, from the MISP galaxy's threat-actor cluster (CC0 1.0 or
// 2-clause BSD; config/threat-actors.NOTICE.md). One record per actor: its name, aliases, suspected state
// sponsor (CFR) and country of origin. Loading turns each alias into a pattern with a case rule and a
// context rule (aliasRule below), so "Turla" counts in a story about hacking, "Mercury" only as
// "Mercury hackers" or "tracked as Mercury", and nothing counts in lower case.
import { readFile } from 'node:fs/promises';
import { canonicalState } from './states.ts';
import { ORDINARY_WORDS } from './ordinary-words.ts';

export interface ThreatActor {
  name: string;
  aliases: string[];
  /** Suspected state sponsor (MISP cfr-suspected-state-sponsor), canonical state name. */
  stateSponsor: string | null;
  /** Country of origin (MISP country), canonical state name. */
  origin: string | null;
}

/** Bounds on what one actors file may hold: a real galaxy file has about 900 actors. */
export const MAX_ACTORS = 20_000;
export const MAX_ALIAS_LENGTH = 80;
export const MAX_ACTORS_FILE_BYTES = 20 * 1024 * 1024;

/** The state an actor counts for: its sponsor, else its origin. */
export function actorState(a: ThreatActor): string | null {
  return a.stateSponsor ?? a.origin;
}

/**
 * The reason a story naming an actor gets: "FamousSparrow: China-linked group (MISP galaxy)" for a group
 * of that origin, "APT28: Russia-sponsored group (MISP galaxy)" when MISP names a suspected state sponsor.
 */
export function actorReason(a: ThreatActor, alias: string): string {
  if (a.stateSponsor) return `${alias}: ${a.stateSponsor}-sponsored group (MISP galaxy)`;
  return `${alias}: ${a.origin}-linked group (MISP galaxy)`;
}

function cleanText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  // Control and invisible format characters never belong in a name.
  const s = v.replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}

function cleanState(v: unknown): string | null {
  const first = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
  const s = cleanText(first);
  return s && s.length <= 60 ? canonicalState(s) : null;
}

function cleanAliases(name: string, values: unknown): string[] {
  const list = Array.isArray(values) ? values : [];
  const seen = new Set([name.toLowerCase()]);
  const out: string[] = [];
  for (const v of list) {
    const s = cleanText(v);
    if (!s || s.length > MAX_ALIAS_LENGTH || seen.has(s.toLowerCase())) continue;
    seen.add(s.toLowerCase());
    out.push(s);
  }
  return out;
}

function actorFrom(name: unknown, aliases: unknown, sponsor: unknown, origin: unknown): ThreatActor | null {
  const n = cleanText(name);
  if (!n || n.length > MAX_ALIAS_LENGTH) return null;
  const stateSponsor = cleanState(sponsor);
  const originState = cleanState(origin);
  if (!stateSponsor && !originState) return null;
  return { name: n, aliases: cleanAliases(n, aliases), stateSponsor, origin: originState };
}

/**
 * Parses the project's actors file: JSON Lines of {name, aliases, state_sponsor, origin}. Throws an Error
 * naming the line when a line is not such a record.
 */
export function parseActorsJsonl(text: string, where: string): ThreatActor[] {
  const out: ThreatActor[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`actors: ${where}:${i + 1} is not valid JSON; expected {"name", "aliases", "state_sponsor", "origin"}.`);
    }
    if (typeof v !== 'object' || v === null || typeof v.name !== 'string') {
      throw new Error(`actors: ${where}:${i + 1} needs a string "name" (and "aliases", "state_sponsor", "origin").`);
    }
    const a = actorFrom(v.name, v.aliases, v.state_sponsor, v.origin);
    if (a) out.push(a);
    if (out.length > MAX_ACTORS) throw new Error(`actors: ${where} holds more than ${MAX_ACTORS} actors; is it the right file?`);
  }
  return out;
}

/**
 * Parses a MISP galaxy cluster file (clusters/threat-actor.json: {"values": [{"value", "meta": {"synonyms",
 * "cfr-suspected-state-sponsor", "country"}}]}). Actors with neither a sponsor nor a country are left out:
 * they give a story no state angle. Throws an Error saying what the file lacks.
 */
export function parseMispGalaxy(text: string, where: string): ThreatActor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`actors: ${where} is not valid JSON (${(err as Error).message}); expected a MISP galaxy threat-actor.json.`);
  }
  const values = (doc as { values?: unknown })?.values;
  if (!Array.isArray(values)) throw new Error(`actors: ${where} has no "values" list; expected a MISP galaxy cluster file such as threat-actor.json.`);
  if (values.length > MAX_ACTORS) throw new Error(`actors: ${where} holds more than ${MAX_ACTORS} actors; is it the right file?`);
  const out: ThreatActor[] = [];
  for (const v of values) {
    if (typeof v !== 'object' || v === null) continue;
    const o = v as { value?: unknown; meta?: Record<string, unknown> };
    const meta = o.meta ?? {};
    const a = actorFrom(o.value, meta.synonyms, meta['cfr-suspected-state-sponsor'], meta.country);
    if (a) out.push(a);
  }
  if (out.length === 0) throw new Error(`actors: ${where} has no actor with a state sponsor or country; nothing to load.`);
  return out;
}

/** The actors file as the project writes it: one JSON object per line, sorted by name. */
export function renderActorsJsonl(actors: readonly ThreatActor[]): string {
  return [...actors]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => JSON.stringify({ name: a.name, aliases: a.aliases, state_sponsor: a.stateSponsor, origin: a.origin }))
    .join('\n')
    .concat('\n');
}

export async function loadActorsFile(file: string): Promise<ThreatActor[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`actors: cannot read ${file} (${code ?? (err as Error).message}); check matching.actors_file or run cyberbrief actors import.`, { cause: err });
  }
  if (text.length > MAX_ACTORS_FILE_BYTES) throw new Error(`actors: ${file} is larger than ${MAX_ACTORS_FILE_BYTES} bytes.`);
  return parseActorsJsonl(text, file);
}

/** How an alias is recognised in text. */
export interface AliasRule {
  /** `distinctive`: counts wherever it appears in the right case (APT28, BlueNoroff); `cyber`: needs a cyber
   * word in the story (Kimsuky, Fancy Bear); `cue`: needs an actor cue next to it (Mercury hackers). */
  context: 'distinctive' | 'cyber' | 'cue';
}

/** Words that say nothing by themselves: an alias made only of these and numbers is dropped ("Group 3"). */
const GENERIC = new Set(['group', 'team', 'unit', 'operation', 'the', 'threat', 'actor', 'apt', 'gang', 'crew', 'cluster', 'temp', 'tmp', 'campaign']);

/** The recognition rule of an alias, or null when it is too generic to recognise at all. */
export function aliasRule(alias: string): AliasRule | null {
  const words = alias.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  if (words.length === 0) return null;
  const letters = words.filter((w) => /\p{L}/u.test(w));
  if (letters.every((w) => GENERIC.has(w.toLowerCase()))) return null;
  if (alias.replace(/[^\p{L}\p{N}]/gu, '').length < 3) return null;
  const hasDigit = /\d/.test(alias) && /\p{L}/u.test(alias);
  const camel = words.some((w) => /\p{Ll}\p{Lu}/u.test(w));
  if (hasDigit || camel) return { context: 'distinctive' };
  if (words.length === 1 && ORDINARY_WORDS.has(words[0]!.toLowerCase())) return { context: 'cue' };
  if (words.length === 1 && words[0]!.length <= 3) return { context: 'cue' };
  return { context: 'cyber' };
}
