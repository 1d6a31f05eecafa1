// Story clusters: items from different feeds about the same story share one cluster, so a channel gets one
// alert per story. A story's fingerprint is a MinHash signature over its word shingles (content-word
// unigrams of title and summary, plus title bigrams); two fingerprints agree in about the same fraction of
// positions as the two shingle sets overlap (Jaccard). MinHash weighs every word alike, so two stories that
// share only the vocabulary of the beat ("critical", "flaw", "patch", "exploited", a month) can pass it;
// a wrong merge costs a channel the second story. So the fingerprint also carries the story's words
// (hashed), and a candidate that passes MinHash must also share a distinctive word with the story: one
// outside a fixed list of the beat's common words (and years, small numbers) that at most a quarter of the
// recent stories in the window use: a name, a product, a CVE number.
//
// Outlets tell one story in their own words: on real news most same-story pairs score under that threshold
// (docs/cluster-check). So a second, looser rule: a lower similarity suffices when the two share several
// specific words, each used by at most two other stories of the window (a malware's name, a victim, a CVE
// number and the product's name together). It needs a window of RARE_MIN_WINDOW stories, like word
// frequencies do.
//
// A third rule holds between two stories the relevance scorer let in (the few a channel sees): a lower similarity
// and fewer specific words suffice when the story came within a day of the cluster's first one. Outlets cover
// one piece of news within about a day; what comes later with the same actor and words is mostly news that
// follows it (a warning after an incident, a second campaign), so the rule ends there (docs/cluster-check,
// session 29). Pure: no I/O, no clock.

/** Number of hash functions in a signature; each is 8 hex characters in the stored form. */
export const SIGNATURE_SIZE = 128;

export interface ClusterOptions {
  /** Estimated Jaccard similarity at or above which two stories are the same (0..1). */
  threshold: number;
  /**
   * Distinctive words two stories must also share (0 turns the check off): words outside the beat's common
   * vocabulary that at most a quarter of the window's other stories use.
   */
  minSharedRare: number;
  /** Only clusters whose newest item is this recent (relative to the item's time) are candidates. */
  windowMs: number;
  /** Words of the summary that count (the lead carries the story; the rest drifts). */
  summaryWords: number;
  /**
   * The looser rule: similarity at or above this (and under `threshold`) is the same story when the two share
   * `minSharedSpecific` specific words (0 turns the rule off).
   */
  looseThreshold: number;
  minSharedSpecific: number;
  /** A specific word: a distinctive word that at most this many of the window's other stories use. */
  specificMaxStories: number;
  /**
   * The rule between two stories in scope (the story and the cluster's first one): similarity at or above this
   * and `scopeMinSpecific` specific words shared, the story's time within `scopeWithinMs` of the first one's
   * (0 specific words turns the rule off).
   */
  scopeThreshold: number;
  scopeMinSpecific: number;
  scopeWithinMs: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  threshold: 0.22,
  minSharedRare: 1,
  windowMs: 72 * 3600_000,
  summaryWords: 40,
  looseThreshold: 0.12,
  minSharedSpecific: 3,
  specificMaxStories: 2,
  scopeThreshold: 0.08,
  scopeMinSpecific: 2,
  scopeWithinMs: 24 * 3600_000,
};

/** What decides whether an item joins a cluster (ClusterIndex.rank, clusterStream). */
export type SameStoryRules = Pick<ClusterOptions, 'threshold' | 'minSharedRare' | 'looseThreshold' | 'minSharedSpecific' | 'specificMaxStories'>;

/** What decides whether a story in scope joins a cluster whose first story was in scope too. */
export type InScopeRules = Pick<ClusterOptions, 'scopeThreshold' | 'scopeMinSpecific' | 'scopeWithinMs' | 'specificMaxStories'>;

export interface StoryText {
  title: string;
  summary: string;
}

const STOPWORDS = new Set(
  (
    'a about after again against all also am an and any are as at be because been before being between both but by can ' +
    'could did do does doing down during each few for from further had has have having he her here hers him his how i if ' +
    'in into is it its itself just me more most my no nor not now of off on once only or other our out over own same she ' +
    'should so some such than that the their them then there these they this those through to too under until up very was ' +
    'we were what when where which while who whom why will with would you your new says said say report reports via amid ' +
    'over after read more update updated here how why what'
  ).split(' '),
);

/** Lower-case content words: letters and digits, accents folded, stopwords dropped, plural/-ing/-ed trimmed. */
export function contentWords(text: string, limit = Infinity): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/<[^<>]*>/g, ' ') // not [^>]*: from every unclosed '<' that rescans to the end
    .replace(/\b([A-Za-z])\.([A-Za-z])\.(?:([A-Za-z])\.)?/g, '$1$2$3')
    .replace(/['\u2019]s\b/g, '')
    .toLowerCase();
  const out: string[] = [];
  for (const m of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    if (STOPWORDS.has(w) || (w.length < 2 && !/\d/.test(w))) continue;
    out.push(trim(w));
    if (out.length >= limit) break;
  }
  return out;
}

function trim(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('es') && /(?:ss|sh|ch|x)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

/**
 * Characters of a summary read for its lead words. Over the 25,556 texts of news_items.jsonl and
 * summaries.jsonl the 40 lead words never lie further than 4,000 characters in; a 100 KB summary would
 * otherwise be folded whole (tens of milliseconds of the event loop) for 40 words.
 */
export const SUMMARY_SCAN_CHARS = 8_000;

/** The summary words that count: its first `n` content words, from a bounded prefix. */
function leadWords(summary: string, n: number): string[] {
  return contentWords(summary.length > SUMMARY_SCAN_CHARS ? summary.slice(0, SUMMARY_SCAN_CHARS) : summary, n);
}

/** The shingle set of a story: content-word unigrams of title and summary lead, and title bigrams. */
export function shingles(story: StoryText, summaryWords = DEFAULT_CLUSTER_OPTIONS.summaryWords): Set<string> {
  const title = contentWords(story.title);
  const summary = leadWords(story.summary, summaryWords);
  const set = new Set<string>();
  for (const w of title) set.add(w);
  for (const w of summary) set.add(w);
  for (let i = 0; i + 1 < title.length; i++) set.add(`${title[i]} ${title[i + 1]}`);
  return set;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: spreads the bits of a 32-bit value. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Array.from({ length: SIGNATURE_SIZE }, (_, i) => fmix32(0x9e3779b9 * (i + 1)));

/** MinHash of a shingle set, as SIGNATURE_SIZE unsigned 32-bit values. An empty set gives all 0xffffffff. */
export function minhash(set: ReadonlySet<string>): Uint32Array {
  const sig = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  for (const s of set) {
    const base = fnv1a(s);
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      const v = fmix32(base ^ (SEEDS[i] ?? 0));
      if (v < (sig[i] ?? 0)) sig[i] = v;
    }
  }
  return sig;
}

export function encodeSignature(sig: Uint32Array): string {
  let out = '';
  for (const v of sig) out += v.toString(16).padStart(8, '0');
  return out;
}

/** At most this many words of a story are kept (hashed) in its fingerprint for the rare-word check. */
export const WORDS_MAX = 64;

/**
 * Words any story on the beat may use: never distinctive, even while the window is too small for word
 * frequencies to tell (a fresh install, a quiet weekend).
 */
const COMMON = new Set(
  (
    'patch fix update release issue warn warning alert urge order flag add confirm disclose discover find found ' +
    'critical high severity max maximum flaw bug vulnerability exploit exploitation actively active ' +
    'wild attack attacker hacker hack hacking threat actor group gang campaign target targeting malware ransomware backdoor ' +
    'botnet phishing breach data theft stolen steal leak expose exposed exposing user customer people individual account hit ' +
    'disrupt disruption affect impact ' +
    'million thousand hundred security cyber cybersecurity cyberattack agency government federal company firm researcher ' +
    'zero day zeroday remote code execution rce vulnerable server device system network software service ' +
    'new first one two three four five six seven eight nine ten year month week today ' +
    'january february march april may june july august september october november december'
  )
    .split(' ')
    .map((w) => trim(w)),
);

/** A word of the beat's common vocabulary, a year or a small number ("2 zero-days", "2026"). */
function isCommon(w: string): boolean {
  if (COMMON.has(w)) return true;
  if (/^\d+$/.test(w)) return w.length < 3 || /^(?:19|20)\d\d$/.test(w);
  return false;
}

/** The hashed words of a story: content words of the title and the summary lead, distinct, sorted. */
export function storyWords(story: StoryText, summaryWords = DEFAULT_CLUSTER_OPTIONS.summaryWords): Uint32Array {
  const words = new Set<string>();
  for (const w of contentWords(story.title)) words.add(w);
  for (const w of leadWords(story.summary, summaryWords)) words.add(w);
  const hashes = new Set<number>();
  for (const w of words) {
    if (hashes.size >= WORDS_MAX) break;
    hashes.add(wordHash(w));
  }
  return Uint32Array.from([...hashes].sort((a, b) => a - b));
}

/** A word's hash; the common words of the beat get odd hashes, the rest even ones (so a hash tells which). */
function wordHash(w: string): number {
  const h = fmix32(fnv1a(w));
  return isCommon(w) ? (h | 1) >>> 0 : (h & ~1) >>> 0;
}

/** A story's fingerprint: its MinHash signature and, for fingerprints made since the rare-word check, its words. */
export interface Fingerprint {
  sig: Uint32Array;
  /** Sorted word hashes; null for a fingerprint stored before words were kept (MinHash alone decides). */
  words: Uint32Array | null;
}

/** The stored fingerprint of a story: the MinHash signature in hex, then '.' and the word hashes in hex. */
export function storySignature(story: StoryText, summaryWords = DEFAULT_CLUSTER_OPTIONS.summaryWords): string {
  return `${encodeSignature(minhash(shingles(story, summaryWords)))}.${encodeSignature(storyWords(story, summaryWords))}`;
}

function decodeHex32(hex: string): Uint32Array {
  const out = new Uint32Array(hex.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return out;
}

/** Reads a stored fingerprint (with or without words). */
export function decodeFingerprint(stored: string): Fingerprint {
  const dot = stored.indexOf('.');
  const sig = decodeSignature(dot < 0 ? stored : stored.slice(0, dot));
  if (dot < 0) return { sig, words: null };
  const hex = stored.slice(dot + 1);
  if (hex.length % 8 !== 0 || hex.length > WORDS_MAX * 8 || !/^[0-9a-f]*$/.test(hex)) {
    throw new Error(`cluster: the words of a signature must be up to ${WORDS_MAX} hashes of 8 hex characters, got ${hex.length} characters`);
  }
  return { sig, words: decodeHex32(hex) };
}

/** Reads the MinHash part of a stored signature (the words, if any, are ignored). */
export function decodeSignature(hex: string): Uint32Array {
  const dot = hex.indexOf('.');
  if (dot >= 0) hex = hex.slice(0, dot);
  if (hex.length !== SIGNATURE_SIZE * 8 || !/^[0-9a-f]+$/.test(hex)) {
    throw new Error(`cluster: signature must be ${SIGNATURE_SIZE * 8} hex characters, got ${hex.length}`);
  }
  return decodeHex32(hex);
}

const EMPTY = 0xffffffff;

/** Estimated Jaccard similarity of two signatures: the fraction of positions that agree. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  let empty = true;
  for (let i = 0; i < SIGNATURE_SIZE; i++) {
    if (a[i] !== EMPTY || b[i] !== EMPTY) empty = false;
    if (a[i] === b[i]) same++;
  }
  // Two stories with no words at all are not the same story.
  return empty ? 0 : same / SIGNATURE_SIZE;
}

/** How many of the window's stories use each word (document frequency), and how many stories there are. */
export class WordCounts {
  private readonly df = new Map<number, number>();
  size = 0;
  /** `by` more stories in the window hold `w` (the stories themselves are counted in `size` by the caller). */
  bump(w: number, by = 1): void {
    this.df.set(w, (this.df.get(w) ?? 0) + by);
  }
  add(words: Uint32Array): void {
    this.size++;
    for (const w of words) this.df.set(w, (this.df.get(w) ?? 0) + 1);
  }
  remove(words: Uint32Array): void {
    this.size--;
    for (const w of words) {
      const n = (this.df.get(w) ?? 0) - 1;
      if (n > 0) this.df.set(w, n);
      else this.df.delete(w);
    }
  }
  /**
   * A distinctive word: outside the beat's common vocabulary (odd hashes) and, once the window holds
   * RARE_MIN_WINDOW stories, used by at most a quarter of them ("microsoft" in a Patch Tuesday week).
   */
  isRare(w: number): boolean {
    if (w & 1) return false;
    return this.size < RARE_MIN_WINDOW || (this.df.get(w) ?? 0) <= this.size / 4;
  }
  /** How many of the window's stories hold `w`. */
  stories(w: number): number {
    return this.df.get(w) ?? 0;
  }
}

/** Below this many stories in the window, word frequencies say too little: only the fixed list counts. */
const RARE_MIN_WINDOW = 20;

/**
 * The distinctive words two sorted word-hash lists share (`rare`), and of those the ones at most
 * `specificMaxStories` of the window's other stories use (`specific`; none while the window holds fewer than
 * RARE_MIN_WINDOW stories). `counts` holds the window's stories other than these two.
 */
export function sharedWords(a: Uint32Array, b: Uint32Array, counts: WordCounts, specificMaxStories: number): { rare: number; specific: number } {
  let rare = 0;
  let specific = 0;
  const frequencies = counts.size >= RARE_MIN_WINDOW && specificMaxStories >= 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      if (counts.isRare(x)) {
        rare++;
        if (frequencies && counts.stories(x) <= specificMaxStories) specific++;
      }
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return { rare, specific };
}

/** The similarity under which `sameStory` is false whatever the words: callers skip the word counts below it. */
export function lowestSimilarity(rules: SameStoryRules): number {
  return rules.minSharedSpecific > 0 && rules.minSharedRare > 0 ? Math.min(rules.looseThreshold, rules.threshold) : rules.threshold;
}

/**
 * Whether a story and a cluster (MinHash similarity `sim`, word hashes of each, null for a fingerprint stored
 * before words were kept) are the same story under `rules`. `counts` holds the window's stories other than the
 * cluster's; the caller takes the cluster's words out of it while asking (null: MinHash alone decides).
 */
export function sameStory(sim: number, a: Uint32Array | null, b: Uint32Array | null, counts: WordCounts | null, rules: SameStoryRules): boolean {
  if (sim < lowestSimilarity(rules)) return false;
  if (!counts || !a || !b || rules.minSharedRare <= 0) return sim >= rules.threshold;
  const shared = sharedWords(a, b, counts, rules.minSharedSpecific > 0 ? rules.specificMaxStories : -1);
  if (sim >= rules.threshold && shared.rare >= rules.minSharedRare) return true;
  return rules.minSharedSpecific > 0 && shared.specific >= rules.minSharedSpecific;
}

/** The similarity under which `sameStoryInScope` is false whatever the words and times. */
export function lowestInScopeSimilarity(rules: InScopeRules): number {
  return rules.scopeMinSpecific > 0 ? rules.scopeThreshold : Infinity;
}

/**
 * Whether a story and a cluster, both in scope (the story, and the cluster's first story, let in by the relevance
 * scorer), are the same story by the in-scope rule: similarity at or above `scopeThreshold`, `scopeMinSpecific`
 * specific words shared, and `gapMs` (between the story's time and the first story's) within `scopeWithinMs`.
 * Asked only where `sameStory` said no; `counts` as for `sameStory`.
 */
export function sameStoryInScope(sim: number, a: Uint32Array | null, b: Uint32Array | null, counts: WordCounts | null, gapMs: number, rules: InScopeRules): boolean {
  if (sim < lowestInScopeSimilarity(rules) || Math.abs(gapMs) > rules.scopeWithinMs) return false;
  if (!counts || !a || !b) return false;
  return sharedWords(a, b, counts, rules.specificMaxStories).specific >= rules.scopeMinSpecific;
}

/**
 * An in-memory clusterer over a stream of stories in time order, for measurement and benches; the pipeline
 * does the same through storage (ClusterIndex, kept by ClusterWindow). A story marked `inScope` (the relevance
 * scorer let it in) may also join, by `sameStoryInScope`, a cluster whose first story was marked so. Returns each
 * story's cluster index.
 */
export function clusterStream(
  stories: readonly (StoryText & { feedId: number; at: Date; inScope?: boolean })[],
  opts: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
): number[] {
  interface Live {
    id: number;
    f: Fingerprint;
    lastItemAt: number;
    feedIds: number[];
    /** The first story's time, and whether the relevance scorer let it in. */
    firstAt: number;
    firstInScope: boolean;
  }
  let live: Live[] = [];
  const counts = new WordCounts();
  const out: number[] = [];
  let nextId = 0;
  const lowestAll = lowestSimilarity(opts);
  const lowestInScope = Math.min(lowestAll, lowestInScopeSimilarity(opts));
  for (const s of stories) {
    const f: Fingerprint = { sig: minhash(shingles(s, opts.summaryWords)), words: storyWords(s, opts.summaryWords) };
    const at = s.at.getTime();
    const inScope = s.inScope === true;
    const lowest = inScope ? lowestInScope : lowestAll;
    // Input is in time order: clusters whose newest item fell out of the window leave the live set and the
    // word counts (ClusterIndex counts the clusters in the window the same way).
    if (live.some((c) => at - c.lastItemAt > opts.windowMs)) {
      live = live.filter((c) => {
        const keep = at - c.lastItemAt <= opts.windowMs;
        if (!keep && c.f.words) counts.remove(c.f.words);
        return keep;
      });
    }
    let best: Live | null = null;
    let bestSim = 0;
    for (const c of live) {
      if (c.feedIds.includes(s.feedId)) continue;
      const sim = similarity(f.sig, c.f.sig);
      if (sim <= bestSim || sim < lowest) continue;
      if (c.f.words) counts.remove(c.f.words);
      const same = sameStory(sim, f.words, c.f.words, counts, opts) || (inScope && c.firstInScope && sameStoryInScope(sim, f.words, c.f.words, counts, at - c.firstAt, opts));
      if (c.f.words) counts.add(c.f.words);
      if (!same) continue;
      best = c;
      bestSim = sim;
    }
    if (best) {
      best.feedIds.push(s.feedId);
      if (at > best.lastItemAt) best.lastItemAt = at;
      out.push(best.id);
    } else {
      const id = nextId++;
      live.push({ id, f, lastItemAt: at, feedIds: [s.feedId], firstAt: at, firstInScope: inScope });
      if (f.words) counts.add(f.words);
      out.push(id);
    }
  }
  return out;
}
