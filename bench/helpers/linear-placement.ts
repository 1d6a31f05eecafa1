// The placement path the pipeline ran before the cluster index (session 13), kept as the reference the
// index is tested and benched against, not used by src/: for each item, storage listed every cluster in the
// item's window (ids, times and first feeds kept between calls, fingerprints cached by id, the feed's own
// memberships read) and findCluster stamped every candidate, decoded new fingerprints once and compared
// those sharing a distinctive word. Copied from src/delivery/cluster.ts and src/storage/clusters-repo.ts at
// dfde216 with only the names changed (findCluster -> linearFindCluster, ClustersRepo.recent ->
// LinearClusterListing.recent); linear in the window.
import type { Kysely } from 'kysely';
import { decodeFingerprint, DEFAULT_CLUSTER_OPTIONS, lowestSimilarity, sameStory, similarity, WordCounts, type ClusterOptions, type Fingerprint } from '../../src/delivery/cluster.ts';
import type { Database } from '../../src/storage/schema.ts';

/** A recent cluster as the matcher needs it. */
export interface ClusterCandidate {
  id: number;
  signature: string;
  lastItemAt: Date;
  /**
   * Feeds that already have an item in the cluster (a feed never joins its own story twice); from storage,
   * only the feed of the story being placed, when it is one of them.
   */
  feedIds: readonly number[];
}

export interface ClusterChoice {
  clusterId: number;
  similarity: number;
}

/**
 * Decoded fingerprints of the clusters the pipeline compares against, by cluster id (a cluster's fingerprint
 * never changes and ids are never reused; the stored text is kept to tell if one ever did), and for each
 * distinctive word (even hash) the fingerprints holding it. Every item is compared with the same recent
 * clusters, so each is decoded and indexed once, not once per item; an item then visits only the clusters
 * sharing one of its distinctive words (the others cannot pass the rare-word check). The cache holds the
 * clusters of the last window asked about and a quarter more; past that it is emptied, before an item's
 * pass, never during one (a quarter of the window new since it was filled).
 */
interface Indexed {
  id: number;
  stored: string;
  f: Fingerprint;
  /** The findCluster call that last found it in its window (see `pass`). */
  listedIn: number;
  /** The candidate it was listed as then (an entry is only made for a candidate, so there always is one). */
  c: ClusterCandidate;
  /** The call that counted it as sharing a word with its story. */
  sharedIn: number;
}
const indexed = new Map<number, Indexed>();
const postings = new Map<number, Indexed[]>();
const INDEXED_MIN = 20_000;
let pass = 0;

/** The cache entry of candidate `c`, marked as listed by the findCluster call `current`. */
function listedFingerprint(c: ClusterCandidate, current: number): Indexed {
  const { id, signature: stored } = c;
  const hit = indexed.get(id);
  if (hit && hit.stored === stored) {
    hit.listedIn = current;
    hit.c = c;
    return hit;
  }
  // A replaced entry stays in its postings but is never listed again (only the entry in `indexed` is).
  const e: Indexed = { id, stored, f: decodeFingerprint(stored), listedIn: current, c, sharedIn: 0 };
  indexed.set(id, e);
  for (const w of e.f.words ?? []) {
    if (w & 1) continue; // common words never count
    const list = postings.get(w);
    if (list) list.push(e);
    else postings.set(w, [e]);
  }
  return e;
}

/**
 * The cluster an item belongs to among `candidates`, or null when it starts a new one: the most similar
 * cluster whose newest item lies within the window of `at`, excluding clusters that already hold an item
 * from the item's own feed, among those at or above the MinHash threshold that also share at least
 * `minSharedRare` distinctive words (word frequencies from the candidates in the window; a cluster stored
 * without words is judged by MinHash alone).
 */
export function linearFindCluster(
  item: { signature: string; feedId: number; at: Date },
  candidates: readonly ClusterCandidate[],
  opts: Pick<ClusterOptions, 'threshold' | 'windowMs'> & Partial<Pick<ClusterOptions, 'minSharedRare'>>,
): ClusterChoice | null {
  const self = decodeFingerprint(item.signature);
  const at = item.at.getTime();
  const minShared = opts.minSharedRare ?? DEFAULT_CLUSTER_OPTIONS.minSharedRare;
  if (indexed.size > Math.max(INDEXED_MIN, candidates.length + Math.ceil(candidates.length / 4))) {
    indexed.clear();
    postings.clear();
  }
  const current = ++pass;
  // The rare-word check asks only about words this story has, so only theirs are counted in the window (the
  // same figures a count of every word gives): how many of the window's fingerprints hold each, from the
  // word's postings. A cluster sharing none of the story's distinctive words cannot pass that check: only
  // those sharing one are compared, and those stored without words (MinHash alone decides for them).
  const words = minShared > 0 ? self.words : null;
  const compared: Indexed[] = [];
  let withWords = 0;
  for (const c of candidates) {
    if (Math.abs(at - c.lastItemAt.getTime()) > opts.windowMs) continue;
    const e = listedFingerprint(c, current);
    if (e.f.words) withWords++;
    if (!words || !e.f.words) compared.push(e);
  }
  let counts: WordCounts | null = null;
  if (words) {
    counts = new WordCounts();
    counts.size = withWords;
    for (const w of words) {
      if (w & 1) continue;
      for (const e of postings.get(w) ?? []) {
        if (e.listedIn !== current) continue;
        counts.bump(w);
        if (e.sharedIn !== current) {
          e.sharedIn = current;
          compared.push(e);
        }
      }
    }
  }
  let best: ClusterChoice | null = null;
  const rules = { ...DEFAULT_CLUSTER_OPTIONS, ...opts, minSharedRare: minShared };
  const lowest = lowestSimilarity(rules);
  for (const { c, f } of compared) {
    if (c.feedIds.includes(item.feedId)) continue;
    const s = similarity(self.sig, f.sig);
    if (s < lowest) continue;
    if (counts && f.words) counts.remove(f.words);
    const same = sameStory(s, words, f.words, counts, rules);
    if (counts && f.words) counts.add(f.words);
    if (!same) continue;
    // Equal similarity: the older cluster (lower id), whatever order storage listed them in.
    if (!best || s > best.similarity || (s === best.similarity && c.id < best.clusterId)) best = { clusterId: c.id, similarity: s };
  }
  return best;
}


const NO_FEEDS: readonly number[] = Object.freeze([]);
/** Fingerprints a LinearClusterListing keeps at least (recent). */
const SIGNATURES_MIN = 20_000;
/** Cluster ids per query when reading fingerprints (well under SQLite's 32,766 parameters). */
const SIGNATURE_BATCH = 500;

export interface ClusterCandidateRow extends ClusterCandidate {
  /** The feed of the cluster's first item; null once that item is gone. */
  firstFeedId: number | null;
}

/** How long the kept window of clusters serves before it is read whole again (see currentWindow). */
const WINDOW_REREAD_MS = 60_000;
/** A whole read of the window reaches this much further back than asked. */
const WINDOW_LOOKBACK_MS = 24 * 3600_000;

/** Clusters with their newest item's time and their first item's feed. */
const windowQuery = (db: Kysely<Database>) =>
  db.selectFrom('clusters as c').leftJoin('items as first', 'first.id', 'c.first_item_id').select(['c.id', 'c.last_item_at', 'first.feed_id as first_feed_id']);
type WindowQuery = ReturnType<typeof windowQuery>;

/** The clusters of a window: id, newest item's time, first item's feed; and the largest id read. */
class ClusterWindow {
  /** By id; `listed` is the row `recent` hands out, made once its fingerprint is read (shared: never changed). */
  readonly rows = new Map<number, { lastItemAt: number; firstFeedId: number | null; listed: ClusterCandidateRow | null }>();
  maxId = 0;
  constructor(
    /** Clusters whose newest item is at or after this are all here. */
    readonly from: number,
    /** When it was read whole (performance.now()). */
    readonly readAt: number,
  ) {}

  add(r: { id: number | bigint | string; last_item_at: number | bigint | string; first_feed_id: number | bigint | string | null }): void {
    const id = Number(r.id);
    this.rows.set(id, { lastItemAt: Number(r.last_item_at), firstFeedId: r.first_feed_id === null ? null : Number(r.first_feed_id), listed: null });
    if (id > this.maxId) this.maxId = id;
  }

  /** Moves a kept time forward; false when the cluster is not kept but now belongs (the window is then out of date). */
  touch(id: number, at: number): boolean {
    const r = this.rows.get(id);
    if (r) {
      if (r.lastItemAt < at) {
        r.lastItemAt = at;
        r.listed = null;
      }
      return true;
    }
    return at < this.from;
  }
}

/** ClustersRepo.recent as it was: every cluster of the window, for each item. */
export class LinearClusterListing {
  private readonly signatures = new Map<number, string>();
  private window: ClusterWindow | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Clusters whose newest item is at or after `since` (and not after `until`), each with the feed of its first
   * item and, in `feedIds`, `feedId` when that feed already has an item in it (the only membership the
   * clusterer asks about: a feed never joins its own story twice). Read for each new item, so it reads little:
   * the feed's own items in the window, the clusters made since the last call, and fingerprints this repo has
   * not read before (a fingerprint never changes and ids are never reused). The window's ids and times are
   * kept between calls (see currentWindow), each cluster's row made once: read and built for every item, at
   * 24,000 clusters they were half of placing it (placement bench, README).
   */
  async recent(feedId: number, since: Date, until?: Date): Promise<ClusterCandidateRow[]> {
    const from = since.getTime();
    const to = until?.getTime() ?? Infinity;
    const window = await this.currentWindow(from);
    let joined = this.db
      .selectFrom('items as i')
      .innerJoin('clusters as c', 'c.id', 'i.cluster_id')
      .select('i.cluster_id')
      .distinct()
      .where('i.feed_id', '=', feedId)
      .where('c.last_item_at', '>=', from);
    if (until) joined = joined.where('c.last_item_at', '<=', to);
    const has = new Set((await joined.execute()).map((r) => Number(r.cluster_id)));
    const ids: number[] = [];
    for (const [id, r] of window.rows) if (r.lastItemAt >= from && r.lastItemAt <= to) ids.push(id);
    await this.readSignatures(ids);
    const out: ClusterCandidateRow[] = [];
    for (const id of ids) {
      const r = window.rows.get(id)!;
      if (!r.listed) {
        const signature = this.signatures.get(id);
        // Not found when its fingerprint was read: not a candidate.
        if (signature === undefined) continue;
        r.listed = { id, signature, lastItemAt: new Date(r.lastItemAt), feedIds: NO_FEEDS, firstFeedId: r.firstFeedId };
      }
      out.push(has.has(id) ? { ...r.listed, feedIds: [feedId] } : r.listed);
    }
    return out;
  }

  /**
   * The window's clusters as of now, from `from` on: read whole when there is none yet, when `from` is older
   * than what it holds, or once it is WINDOW_REREAD_MS old; otherwise brought up to date with the clusters
   * made since (ids only grow; on PostgreSQL clustering runs under the pipeline lock, one instance at a time,
   * so none commits out of order meanwhile). This repo's own `touch` moves a kept time forward at once; a
   * touch by another process shows at the next whole read.
   */
  private async currentWindow(from: number): Promise<ClusterWindow> {
    const now = performance.now();
    const w = this.window;
    if (w && from >= w.from && now - w.readAt < WINDOW_REREAD_MS) {
      for (const r of await this.windowRows((q) => q.where('c.id', '>', w.maxId))) w.add(r);
      return w;
    }
    // Read from a day earlier than asked: items a little older than this one do not each read it again.
    const start = from - WINDOW_LOOKBACK_MS;
    const fresh = new ClusterWindow(start, now);
    for (const r of await this.windowRows((q) => q.where('c.last_item_at', '>=', start))) fresh.add(r);
    this.window = fresh;
    return fresh;
  }

  private windowRows(where: (q: WindowQuery) => WindowQuery) {
    return where(windowQuery(this.db)).execute();
  }

  /** Reads the fingerprints of `ids` this repo has not read yet, a few hundred ids a query. */
  private async readSignatures(ids: readonly number[]): Promise<void> {
    const missing = ids.filter((id) => !this.signatures.has(id));
    if (missing.length === 0) return;
    if (this.signatures.size + missing.length > Math.max(SIGNATURES_MIN, ids.length + Math.ceil(ids.length / 4))) {
      // Keep the window's; drop the rest (clusters that left the window, or another window's).
      const keep = new Set(ids);
      for (const id of this.signatures.keys()) if (!keep.has(id)) this.signatures.delete(id);
    }
    for (let i = 0; i < missing.length; i += SIGNATURE_BATCH) {
      const rows = await this.db.selectFrom('clusters').select(['id', 'signature']).where('id', 'in', missing.slice(i, i + SIGNATURE_BATCH)).execute();
      for (const r of rows) this.signatures.set(Number(r.id), r.signature);
    }
  }

  /** What ClustersRepo.touch did to the kept window after its update. */
  touched(id: number, at: Date): void {
    if (this.window && !this.window.touch(id, at.getTime())) this.window = null;
  }
}
