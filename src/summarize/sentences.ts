// Sentence splitting for news text. A boundary is terminal punctuation (. ! ? …), optionally followed by
// closing quotes or brackets, then whitespace, then something that can start a sentence. It is not a
// boundary after a title or other abbreviation (Dr., Gen., Sen., Jan. 5, No. 1), after an initial
// (J. Smith, T.J. Maxx), or inside a number (3.5, $1.13bn: no whitespace follows the dot). Acronyms
// that can end a sentence (U.S., Inc., a.m.) end one only when a typical sentence opener follows.
// Paragraph breaks always end a sentence; a single newline does when the line ends with punctuation.
import { cleanText } from './text.ts';

/** Abbreviations that precede a name or number: never a sentence end. */
const NEVER_END = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'gen', 'col', 'lt', 'sgt', 'capt', 'cmdr', 'adm', 'maj', 'cpl', 'pvt',
  'gov', 'sen', 'rep', 'rev', 'hon', 'pres', 'supt', 'insp', 'det', 'atty', 'fr', 'st', 'mt', 'ft', 'ave', 'blvd',
  'vs', 'v', 'approx', 'est', 'dept',
  'univ', 'assn', 'bros', 'e.g', 'i.e', 'cf', 'al', 'ca', 'op', 'gens', 'reps', 'sens', 'govs', 'messrs',
]);

/** Abbreviations before a number (No. 1, p. 12, fig. 3); before anything else the word itself ("said no."). */
const BEFORE_NUMBER = new Set(['no', 'nos', 'vol', 'vols', 'fig', 'figs', 'p', 'pp', 'ch', 'art', 'sec']);

/** Months: not an end before a number ("Jan. 5"), otherwise like any acronym. */
const MONTHS = new Set(['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/** Abbreviations that often end a sentence too: an end only before a typical sentence opener. */
const MAYBE_END = new Set(['inc', 'corp', 'co', 'ltd', 'llc', 'plc', 'jr', 'sr', 'etc', 'a.m', 'p.m', 'u.s', 'u.k', 'u.n', 'e.u', 'd.c']);

/** Words that typically open a sentence; used to decide after an ambiguous abbreviation. */
const OPENERS = new Set([
  'the', 'a', 'an', 'he', 'she', 'it', 'they', 'we', 'i', 'you', 'his', 'her', 'its', 'their', 'our', 'this',
  'that', 'these', 'those', 'there', 'but', 'and', 'so', 'yet', 'however', 'in', 'on', 'at', 'for', 'after',
  'before', 'when', 'while', 'if', 'as', 'since', 'although', 'meanwhile', 'officials', 'some', 'many', 'most',
  'one', 'two', 'three', 'no', 'not', 'what', 'who', 'why', 'how', 'where', 'last', 'earlier', 'later', 'now',
  'still', 'also', 'then', 'both', 'other', 'such', 'each', 'all', 'to', 'from', 'with', 'by', 'according',
]);

const OPENING = /^["'“‘([]*[\p{Lu}\p{N}]/u;
const TERMINAL_LINE = /[.!?…:;"'”’)\]]$/u;

export function splitSentences(text: string): string[] {
  const cleaned = cleanText(text);
  const out: string[] = [];
  for (const para of cleaned.split(/\n\s*\n/)) {
    for (const block of joinWrappedLines(para)) {
      for (const s of splitBlock(block)) {
        const t = s.trim();
        if (t && /[\p{L}\p{N}]/u.test(t)) out.push(t);
      }
    }
  }
  return out;
}

/** Lines ending in punctuation stand alone; other single newlines are hard wraps, joined with a space. */
function joinWrappedLines(para: string): string[] {
  const blocks: string[] = [];
  let current = '';
  for (const raw of para.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    current = current ? `${current} ${line}` : line;
    if (TERMINAL_LINE.test(line)) {
      blocks.push(current);
      current = '';
    }
  }
  if (current) blocks.push(current);
  return blocks;
}

// A candidate starts where a run of end punctuation starts (the lookbehind) and takes the whole run and
// the whole closer run at once (a lookahead captures them; lookaheads never backtrack), so 100 KB of dots
// costs one pass. `([.!?…]+)(["'”’)\]]*)(\s+)` retried every shorter run from every dot: 23 s.
const CANDIDATE = /(?<![.!?…])(?=([.!?…]+))\1(?=(["'”’)\]]*))\2(\s+)/gu;
/** Longest word looked at before a period (abbreviations are short; dotted ones like U.S.A. too). */
const MAX_WORD_BEFORE = 64;

function splitBlock(block: string): string[] {
  const parts: string[] = [];
  let start = 0;
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(block); m; m = CANDIDATE.exec(block)) {
    const punct = m[1] ?? '';
    const closers = m[2] ?? '';
    const endOfSentence = m.index + punct.length + closers.length;
    const rest = block.slice(m.index + m[0].length);
    if (!OPENING.test(rest)) continue;
    // Only the word before the dot matters: look at a bounded tail, so a long run without a boundary
    // ("U.S. U.S. ...") costs linear time, not a rescan of the whole run at every dot.
    const before = block.slice(Math.max(start, m.index - MAX_WORD_BEFORE), m.index);
    if (punct === '.' && !closers && !isBoundaryAfterPeriod(before, rest)) continue;
    parts.push(block.slice(start, endOfSentence));
    start = m.index + m[0].length;
  }
  parts.push(block.slice(start));
  return parts;
}

/** Decide whether "<before>. <rest>" ends a sentence, looking at the word before the dot. */
function isBoundaryAfterPeriod(before: string, rest: string): boolean {
  // eslint-disable-next-line regexp/no-super-linear-move -- `before` is at most MAX_WORD_BEFORE characters
  const wordMatch = /([\p{L}\p{N}.'’-]+)$/u.exec(before);
  if (!wordMatch) return true;
  const word = wordMatch[1] ?? '';
  const lower = word.toLowerCase().replace(/^[.'’-]+/, '');
  const nextWord = (/^["'“‘([]*([\p{L}\p{N}]+)/u.exec(rest)?.[1] ?? '').toLowerCase();
  const nextIsNumber = /^\d/.test(nextWord);
  if (NEVER_END.has(lower)) return false;
  if (BEFORE_NUMBER.has(lower) && nextIsNumber) return false;
  if (MONTHS.has(lower)) return !nextIsNumber && OPENERS.has(nextWord);
  // A single capital letter is an initial (J. Smith); "T.J" or "U.S" style acronyms are dotted initials.
  if (/^\p{Lu}$/u.test(word)) return false;
  const dotted = /^(?:\p{L}\.)+\p{L}$/u.test(word);
  if (MAYBE_END.has(lower) || dotted) return OPENERS.has(nextWord) || (!nextIsNumber && isLikelyNewSentence(rest));
  return true;
}

/** After an ambiguous acronym: a new sentence if a capitalised word is followed by a lowercase verb-ish word. */
function isLikelyNewSentence(rest: string): boolean {
  // "U.S. President Obama" continues; "U.S. Officials said" is caught by OPENERS. Keep it conservative.
  return /^["'“‘]/.test(rest);
}
