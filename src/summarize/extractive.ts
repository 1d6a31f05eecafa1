// Extractive summary: score each sentence, pick the best without repeating ourselves, keep the original
// order, fit a character budget at word boundaries. Scores combine a position prior (news puts the point
// first), similarity to the document's TF-IDF centroid, overlap with the title and with the matched topic's
// terms, and a length prior; junk (bylines, "Scroll down for video", captions, fragments) never qualifies.
// Selection is maximal marginal relevance (MMR) against what is already chosen.
import { splitSentences } from './sentences.ts';
import { contentTokens } from './tokens.ts';
import { fitToBudget } from './budget.ts';

export interface ExtractiveOptions {
  title?: string;
  /** The matched topic's terms; sentences that mention them gain weight. */
  topicTerms?: string[];
  /** Character budget for the whole summary; default 400 unless `sentences` is given alone. */
  maxChars?: number;
  /** Most sentences to keep; default 3 (bounded by the budget too). */
  sentences?: number;
}

export const DEFAULT_MAX_CHARS = 400;

/** Weights of the sentence score; exported for evaluation scripts, not for callers to tune per item. */
export interface ScoreWeights {
  position: number;
  /** Position prior decay: prior = 1 / (1 + index / positionScale)^positionPower. */
  positionScale: number;
  positionPower: number;
  centroid: number;
  title: number;
  topic: number;
  /** Ideal sentence length in words; longer and shorter sentences lose `lengthPenalty` per unit of ratio. */
  idealWords: number;
  lengthPenalty: number;
  /** MMR trade-off: score - redundancy * max similarity to a chosen sentence. */
  redundancy: number;
  minWords: number;
  maxWords: number;
}

export const DEFAULT_WEIGHTS: ScoreWeights = {
  position: 1,
  positionScale: 1,
  positionPower: 2,
  centroid: 1,
  title: 0.3,
  topic: 0.6,
  idealWords: 12,
  lengthPenalty: 0.1,
  redundancy: 0.3,
  minWords: 5,
  maxWords: 70,
};

interface Candidate {
  index: number;
  text: string;
  words: number;
  terms: Map<string, number>;
  junk: boolean;
}

const JUNK = [
  /^by\s+[\p{Lu}.]/iu,
  /^(?:published|updated|last updated|posted|modified)\s*:/i,
  /scroll down for (?:video|more)/i,
  /^(?:click|tap) here\b/i,
  /^(?:read|see) (?:more|also)\b/i,
  /^(?:follow|like) (?:us|@|him|her|them)\b/i,
  /^(?:image|photo|picture|video) (?:copyright|caption|credit|source)/i,
  /^(?:copyright|©|all rights reserved)/i,
  /\b(?:sign up|subscribe) (?:for|to) (?:our|the) /i,
  /^(?:share|tweet|email) (?:this|on)\b/i,
  /^(?:advertisement|related:|related articles|more:)/i,
  /^(?:getty images|ap photo|reuters)\b/i,
];

/**
 * Datelines: "Moscow (CNN)Russian...", "(The Hollywood Reporter)It...", "WASHINGTON (Reuters) - ...", "LONDON — ".
 * The parenthesis must close straight onto the next word or onto a dash, so "Google Threat Intelligence
 * Group (GTIG) described..." is left alone.
 */
const DATELINE =
  /^(?:[\p{Lu}][\p{L}.'-]*(?:[ ,]+[\p{Lu}][\p{L}.'-]*){0,4}\s*)?\([\p{Lu}][\p{L}&.'-]*(?: [\p{L}&.'-]+){0,3}\)(?:(?=["“‘'\p{Lu}])|\s*[-–—]+\s+)|^[\p{Lu}][\p{Lu} ,.'-]{2,40}\s+[-–—]{1,2}\s+/u;

export function stripDateline(sentence: string): string {
  const stripped = sentence.replace(DATELINE, '');
  return stripped.length >= 20 ? stripped : sentence;
}

function isHeading(sentence: string): boolean {
  return !/[.!?…"'”’)]$/u.test(sentence) && sentence.split(/\s+/).length <= 20;
}

function prepare(text: string, title: string | undefined, w: ScoreWeights): { candidates: Candidate[]; title: string } {
  const sentences = splitSentences(text);
  let heading = '';
  if (sentences.length > 1 && isHeading(sentences[0] as string)) heading = sentences.shift() as string;
  const candidates = sentences.map((raw, index): Candidate => {
    const unbulleted = raw.replace(/^[•·▪◦‣*–—-]\s+/u, '');
    const s = index < 3 ? stripDateline(unbulleted) : unbulleted;
    const words = s.split(/\s+/).length;
    const terms = new Map<string, number>();
    for (const t of contentTokens(s)) terms.set(t, (terms.get(t) ?? 0) + 1);
    // A last sentence without end punctuation was cut off by the publisher ("...within the regional and").
    const cutOff = index === sentences.length - 1 && index > 0 && !/[.!?…"'”’)]$/u.test(s);
    const junk =
      words < w.minWords || words > w.maxWords || JUNK.some((re) => re.test(s)) || isHeading(s) || cutOff || terms.size === 0;
    return { index, text: s, words, terms, junk };
  });
  return { candidates, title: title?.trim() || heading };
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, v] of a) {
    na += v * v;
    const o = b.get(t);
    if (o !== undefined) dot += v * o;
  }
  for (const v of b.values()) nb += v * v;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function weigh(terms: Map<string, number>, idf: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [t, tf] of terms) out.set(t, (1 + Math.log(tf)) * (idf.get(t) ?? 1));
  return out;
}

function termSet(text: string): Set<string> {
  return new Set(contentTokens(text));
}

interface Scored {
  candidates: Candidate[];
  vectors: Array<Map<string, number>>;
  /** Relevance of each candidate; -Infinity for junk. */
  base: number[];
}

function scoreSentences(text: string, opts: { title?: string; topicTerms?: string[] }, w: ScoreWeights): Scored {
  const { candidates, title } = prepare(text, opts.title, w);
  const n = candidates.length;
  const df = new Map<string, number>();
  for (const c of candidates) for (const t of c.terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log((n + 1) / d) + 1);
  const vectors = candidates.map((c) => weigh(c.terms, idf));
  const centroid = new Map<string, number>();
  for (const v of vectors) for (const [t, x] of v) centroid.set(t, (centroid.get(t) ?? 0) + x);

  const titleTerms = termSet(title);
  const topicTerms = (opts.topicTerms ?? []).map((t) => contentTokens(t)).filter((t) => t.length > 0);

  // Position counts only real sentences: a byline or timestamp on top does not push the lead down.
  let rank = 0;
  const base = candidates.map((c, i) => {
    if (c.junk) return -Infinity;
    const pos = 1 / Math.pow(1 + rank++ / w.positionScale, w.positionPower);
    const cen = cosine(vectors[i] as Map<string, number>, centroid);
    let tit = 0;
    if (titleTerms.size) {
      let hit = 0;
      for (const t of titleTerms) if (c.terms.has(t)) hit++;
      tit = hit / titleTerms.size;
    }
    let top = 0;
    if (topicTerms.length) {
      let hit = 0;
      for (const phrase of topicTerms) if (phrase.every((t) => c.terms.has(t))) hit++;
      top = Math.min(1, hit / Math.min(2, topicTerms.length));
    }
    const ratio = c.words / w.idealWords;
    const len = ratio > 1 ? ratio - 1 : 1 / ratio - 1;
    return w.position * pos + w.centroid * cen + w.title * tit + w.topic * top - w.lengthPenalty * len;
  });
  return { candidates, vectors, base };
}

export function extractiveSummaryWith(text: string, opts: ExtractiveOptions, w: ScoreWeights): string {
  const maxSentences = opts.sentences ?? 3;
  const maxChars = opts.maxChars ?? (opts.sentences === undefined ? DEFAULT_MAX_CHARS : Infinity);
  const { candidates, vectors, base } = scoreSentences(text, opts, w);
  const remaining = new Set(candidates.map((_, i) => i).filter((i) => base[i] !== -Infinity));
  if (remaining.size === 0) {
    // Nothing qualifies (a one-line excerpt, a fragment): fall back to the cleaned text itself.
    return fitToBudget(candidates.map((c) => c.text).join(' '), maxChars);
  }
  // Maximal marginal relevance: the next pick is the most relevant sentence least like those chosen.
  // A sentence too long for the remaining budget is passed over; the next best may still fit.
  const chosen: number[] = [];
  let first = -1;
  let used = 0;
  while (chosen.length < maxSentences && remaining.size) {
    let best = -1;
    let bestScore = -Infinity;
    for (const i of remaining) {
      let red = 0;
      for (const j of chosen) red = Math.max(red, cosine(vectors[i] as Map<string, number>, vectors[j] as Map<string, number>));
      const s = (base[i] as number) - w.redundancy * red;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    remaining.delete(best);
    if (first < 0) first = best;
    const len = (candidates[best] as Candidate).text.length + (chosen.length ? 1 : 0);
    if (used + len <= maxChars) {
      chosen.push(best);
      used += len;
    }
  }
  if (chosen.length === 0) return fitToBudget((candidates[first] as Candidate).text, maxChars);
  chosen.sort((a, b) => a - b);
  let out = '';
  for (const i of chosen) {
    const t = (candidates[i] as Candidate).text;
    // A standfirst or list item has no full stop; give it one when another sentence follows (fits: the
    // separating space was counted).
    out = out ? `${out}${/[.!?…]["'”’)\]]*$/u.test(out) ? '' : '.'} ${t}` : t;
  }
  return out.length <= maxChars ? out : fitToBudget(out, maxChars);
}

export function extractiveSummary(text: string, opts: ExtractiveOptions = {}): string {
  return extractiveSummaryWith(text, opts, DEFAULT_WEIGHTS);
}

/** The baseline: the first three sentences, as split by splitSentences, untouched. */
export function lead3(text: string): string {
  return splitSentences(text).slice(0, 3).join(' ');
}
