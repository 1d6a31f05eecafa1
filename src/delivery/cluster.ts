// Story clusters: items from different feeds about the same story share one cluster, so a channel gets one
// alert per story. A story's fingerprint is a MinHash signature over its word shingles (content-word
// unigrams of title and summary, plus title bigrams); two fingerprints agree in about the same fraction of
// positions as the two shingle sets overlap (Jaccard). Pure: no I/O, no clock.

/** Number of hash functions in a signature; each is 8 hex characters in the stored form. */
export const SIGNATURE_SIZE = 128;

export interface ClusterOptions {
  /** Estimated Jaccard similarity at or above which two stories are the same (0..1). */
  threshold: number;
  /** Only clusters whose newest item is this recent (relative to the item's time) are candidates. */
  windowMs: number;
  /** Words of the summary that count (the lead carries the story; the rest drifts). */
  summaryWords: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { threshold: 0.25, windowMs: 72 * 3600_000, summaryWords: 40 };

export interface StoryText {
  title: string;
  summary: string;
}

/** A recent cluster as the matcher needs it. */
export interface ClusterCandidate {
  id: number;
  signature: string;
  lastItemAt: Date;
  /** Feeds that already have an item in the cluster: a feed never joins its own story twice. */
  feedIds: readonly number[];
}

export interface ClusterChoice {
  clusterId: number;
  similarity: number;
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
    .replace(/<[^>]*>/g, ' ')
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

/** The shingle set of a story: content-word unigrams of title and summary lead, and title bigrams. */
export function shingles(story: StoryText, summaryWords = DEFAULT_CLUSTER_OPTIONS.summaryWords): Set<string> {
  const title = contentWords(story.title);
  const summary = contentWords(story.summary, summaryWords);
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

const decoded = new Map<string, Uint32Array>();
const DECODED_MAX = 20_000;

/** decodeSignature with a bounded cache: the pipeline compares each item with the same recent clusters. */
function cachedSignature(hex: string): Uint32Array {
  let sig = decoded.get(hex);
  if (!sig) {
    sig = decodeSignature(hex);
    if (decoded.size >= DECODED_MAX) decoded.clear();
    decoded.set(hex, sig);
  }
  return sig;
}

export function decodeSignature(hex: string): Uint32Array {
  if (hex.length !== SIGNATURE_SIZE * 8 || !/^[0-9a-f]+$/.test(hex)) {
    throw new Error(`cluster: signature must be ${SIGNATURE_SIZE * 8} hex characters, got ${hex.length}`);
  }
  const sig = new Uint32Array(SIGNATURE_SIZE);
  for (let i = 0; i < SIGNATURE_SIZE; i++) sig[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return sig;
}

/** The stored signature of a story (hex). */
export function storySignature(story: StoryText, summaryWords = DEFAULT_CLUSTER_OPTIONS.summaryWords): string {
  return encodeSignature(minhash(shingles(story, summaryWords)));
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

/**
 * The cluster an item belongs to among `candidates`, or null when it starts a new one: the most similar
 * cluster at or above the threshold whose newest item lies within the window of `at`, excluding clusters
 * that already hold an item from the item's own feed.
 */
export function findCluster(
  item: { signature: string; feedId: number; at: Date },
  candidates: readonly ClusterCandidate[],
  opts: Pick<ClusterOptions, 'threshold' | 'windowMs'>,
): ClusterChoice | null {
  const sig = decodeSignature(item.signature);
  const at = item.at.getTime();
  let best: ClusterChoice | null = null;
  for (const c of candidates) {
    if (Math.abs(at - c.lastItemAt.getTime()) > opts.windowMs) continue;
    if (c.feedIds.includes(item.feedId)) continue;
    const s = similarity(sig, cachedSignature(c.signature));
    if (s >= opts.threshold && (!best || s > best.similarity || (s === best.similarity && c.id < best.clusterId))) {
      best = { clusterId: c.id, similarity: s };
    }
  }
  return best;
}

/**
 * An in-memory clusterer over a stream of stories in time order, for measurement and benches; the pipeline
 * does the same through storage. Returns each story's cluster index.
 */
export function clusterStream(
  stories: readonly (StoryText & { feedId: number; at: Date })[],
  opts: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
): number[] {
  interface Live {
    id: number;
    sig: Uint32Array;
    signature: string;
    lastItemAt: Date;
    feedIds: number[];
  }
  let live: Live[] = [];
  const out: number[] = [];
  let nextId = 0;
  for (const s of stories) {
    const signature = storySignature(s, opts.summaryWords);
    const sig = decodeSignature(signature);
    const at = s.at.getTime();
    // Drop clusters that fell out of the window (input is in time order).
    if (out.length % 256 === 0) live = live.filter((c) => at - c.lastItemAt.getTime() <= opts.windowMs);
    let best: Live | null = null;
    let bestSim = 0;
    for (const c of live) {
      if (c.feedIds.includes(s.feedId) || Math.abs(at - c.lastItemAt.getTime()) > opts.windowMs) continue;
      const sim = similarity(sig, c.sig);
      if (sim >= opts.threshold && sim > bestSim) {
        best = c;
        bestSim = sim;
      }
    }
    if (best) {
      best.feedIds.push(s.feedId);
      if (at > best.lastItemAt.getTime()) best.lastItemAt = s.at;
      out.push(best.id);
    } else {
      const id = nextId++;
      live.push({ id, sig, signature, lastItemAt: s.at, feedIds: [s.feedId] });
      out.push(id);
    }
  }
  return out;
}
