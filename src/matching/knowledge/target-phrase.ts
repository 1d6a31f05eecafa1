// Whether the words after a state's name make it what is attacked ("Russian government networks", "Israeli water
// treatment plants") or who acts ("Russian government hackers"). One reading, shared by the relevance scorer's
// features (scorer/features.ts) and the topics' rules (a term with `not_before_target`, term-index.ts), so the
// two never disagree on who the state is in such a phrase.
import { STOP_WORDS } from '../stopwords.ts';
import { stemSet } from '../text.ts';


/** Words right after any name of a state that make it the actor ("China-linked", "Iran targets"), as written:
 * finite verbs only, since "... in Mexico targeting banks" or "the United States used" say nothing of it. */
export const AGENT_AFTER = new Set(`linked backed sponsored nexus aligned affiliated tied connected directed funded supported run
  hacked hacks targets targeted uses deploys deployed exploits exploited breached attacks attacked launches launched
  steals stole spies spied infiltrated compromised hits accused blamed`.split(/\s+/).filter((w) => w !== ''));
/** Nouns right after a demonym that make the state the actor: "Russian hackers", "Chinese espionage" (but
 * "Mexico campaign" is a campaign in Mexico, so not after a country's own name or capital). */
export const AGENT_NOUN = stemSet(`hackers APT APTs actor actors group groups spies spy operatives intelligence military army regime
  cyberattack cyberattacks cyberspies cyberespionage espionage campaign campaigns operation operations attacks`);
/** "a Romanian hacker", "a Chinese hacker": one person of that nationality, not the state (stems make "hacker"
 * and "hackers" one word, so these are compared as written). */
export const ONE_PERSON = new Set(['hacker', 'cybercriminal', 'attacker']);
/** Words right after a state that make it the place or the victim: "Ukrainian organizations". */
export const VICTIM_AFTER = stemSet(`organizations organisations orgs companies company firms firm entities users banks businesses victims
  customers citizens residents clinics hospitals schools universities retailers manufacturers networks sites`);
/** What is attacked, as the head of a noun phrase a demonym describes: "Israeli water treatment plants". Not
 * "targets": after a state's words it is mostly the verb ("Russian military units target diplomats"). */
const TARGET_NOUN = new Set([...VICTIM_AFTER, ...stemSet('systems servers computers devices websites plants facilities infrastructure utilities grids ministries')]);
/** State bodies that can also describe a target ("Ukrainian military networks", "Russian government servers"). */
const BODY_MODIFIER = stemSet('intelligence military army navy regime government state');
/** Words a state's noun phrase is read over: "Israeli water treatment and desalination plants". */
const PHRASE_WORDS = 5;

/** A field's tokens as the reading needs them; token k is text.slice(starts[k], ends[k]). */
export interface PhraseTokens {
  readonly text: string;
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
  /** Number of tokens. */
  readonly count: number;
  lower(k: number): string;
  stem(k: number): string;
}

/**
 * "Israeli water treatment plants", "Ukrainian military networks": the token index of what is attacked when
 * the words from token `from` on (those right after a state's name) describe it, else -1. Reads at most
 * PHRASE_WORDS words, not across punctuation or a stop word other than "and"; an actor noun ("hackers",
 * "group"; not a state body, which can describe a target) ends it, and so does one of AGENT_AFTER right after
 * the state ("Vietnamese-linked").
 */
export function targetAfterState(tokens: PhraseTokens, from: number): number {
  if (from <= 0) return -1;
  for (let k = from; k < tokens.count && k < from + PHRASE_WORDS; k++) {
    if (!/^[\s-]*$/.test(tokens.text.slice(tokens.ends[k - 1], tokens.starts[k]))) return -1;
    const lower = tokens.lower(k);
    const s = tokens.stem(k);
    if (k === from && AGENT_AFTER.has(lower)) return -1;
    if (TARGET_NOUN.has(s)) return k;
    if ((AGENT_NOUN.has(s) && !BODY_MODIFIER.has(s)) || ONE_PERSON.has(lower)) return -1;
    if (lower !== 'and' && STOP_WORDS.has(lower)) return -1;
  }
  return -1;
}

/** Tokens of a field as arrays (knowledge/tokens.ts FieldTokens has this shape). */
export function arrayTokens(t: { text: string; starts: ArrayLike<number>; ends: ArrayLike<number>; lower: readonly string[]; stem: readonly string[] }): PhraseTokens {
  return { text: t.text, starts: t.starts, ends: t.ends, count: t.stem.length, lower: (k) => t.lower[k] ?? '', stem: (k) => t.stem[k] ?? '' };
}
