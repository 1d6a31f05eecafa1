// The window's story clusters, kept by the pipeline between items so that placing one costs in proportion
// to the clusters sharing a distinctive word with it, not to the window. Each cluster's fingerprint is
// decoded once, when it enters; for each distinctive word (even hash) the clusters holding it are listed
// (postings); clusters are grouped by the audience of their first item's feed (tenancy: who may join
// them), and each group keeps the newest-item times of its clusters with words in a TimeCounts, so the
// window's size (the denominator of "used by at most a quarter of the window") is counted, not walked.
//
// An item's choice is the one the plain rules give over every joinable cluster in its window (see
// `rank`): the rare-word check needs a shared distinctive word, so only the clusters on the item's words'
// postings can pass it; clusters stored without words (before the check existed) are judged by MinHash
// alone and are all compared (none is made any more: they leave once their stories go quiet for a
// window). An item the relevance scorer let in may also join, by the in-scope rule (cluster.ts), a cluster whose
// first item was let in; the clusters that rule can pass share specific words with the item, so they are on its
// postings too. Pure: no I/O, no clock; ClusterWindow keeps it up to date from storage.
import { mayJoinCluster, NO_AUDIENCE, type FeedAudience } from '../domain/tenancy.ts';
import type { ClusterEntryRow, ClusterWindowRow } from '../domain/types.ts';
import {
  decodeFingerprint,
  DEFAULT_CLUSTER_OPTIONS,
  lowestInScopeSimilarity,
  lowestSimilarity,
  sameStory,
  sameStoryInScope,
  similarity,
  WordCounts,
  type ClusterOptions,
  type Fingerprint,
  type InScopeRules,
  type SameStoryRules,
} from './cluster.ts';
import { TimeCounts } from './time-counts.ts';

/** What one `rank` call visited: postings entries walked, clusters compared by MinHash (for benches). */
export interface RankWork {
  visited: number;
  compared: number;
}

/** A cluster that passes the rules for an item, best first (see `rank`). */
export interface RankedCluster {
  clusterId: number;
  similarity: number;
}

/** Clusters whose first feeds share one audience: all joinable by an item, or none. */
interface Group {
  /** Null for clusters whose first item is gone: nobody joins them. */
  audience: FeedAudience | null;
  /** Newest-item times of the group's clusters stored with words. */
  times: TimeCounts;
  /** The `rank` call that found the group joinable. */
  mark: number;
}

interface Entry {
  id: number;
  f: Fingerprint;
  lastItemAt: number;
  firstFeedId: number | null;
  /** The first item's story time, and whether the relevance scorer let it in (the in-scope rule). */
  firstAt: number | null;
  firstInScope: boolean;
  group: Group;
  /** The `rank` call that queued it for comparison (an entry is on several of an item's words). */
  sharedIn: number;
  /** Left the index: its postings are skipped until they are compacted. */
  gone: boolean;
}

const ORPHAN = '\u0000orphan';

/** Groups by what mayJoinCluster reads of an audience: global, or the set of tenants. */
function groupKey(a: FeedAudience): string {
  if (a.global) return 'global';
  return `tenants:${[...a.tenants].sort().join('\u0000')}`;
}

/** Distinctive (even) word hashes of a fingerprint. */
function evenWords(f: Fingerprint): number {
  let n = 0;
  for (const w of f.words ?? []) if (!(w & 1)) n++;
  return n;
}

export class ClusterIndex {
  private readonly entries = new Map<number, Entry>();
  private readonly postings = new Map<number, Entry[]>();
  /** Postings of entries that left, still in their lists (compacted once they outnumber the live ones). */
  private stalePostings = 0;
  private livePostings = 0;
  private readonly withoutWords = new Set<Entry>();
  private readonly groups = new Map<string, Group>();
  /** Each first feed's clusters and group key, so an audience change moves them. */
  private readonly byFeed = new Map<number, { key: string; entries: Set<Entry> }>();
  private audiences: ReadonlyMap<number, FeedAudience> = new Map();
  private pass = 0;

  get size(): number {
    return this.entries.size;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  ids(): IterableIterator<number> {
    return this.entries.keys();
  }

  /** The kept newest-item time of a cluster (undefined when it is not kept). */
  lastItemAt(id: number): number | undefined {
    return this.entries.get(id)?.lastItemAt;
  }

  /** Who each feed's items reach, as last set. */
  get feedAudiences(): ReadonlyMap<number, FeedAudience> {
    return this.audiences;
  }

  /**
   * Who each feed's items reach (read once per batch by the pipeline): clusters whose first feed's audience
   * changed move to the group of the new one. A feed missing here reaches nobody (NO_AUDIENCE).
   */
  setAudiences(audiences: ReadonlyMap<number, FeedAudience>): void {
    if (audiences === this.audiences) return;
    this.audiences = audiences;
    for (const [feedId, kept] of this.byFeed) {
      const audience = audiences.get(feedId) ?? NO_AUDIENCE;
      const key = groupKey(audience);
      if (key === kept.key) continue;
      kept.key = key;
      const group = this.group(key, audience);
      for (const e of kept.entries) this.move(e, group);
    }
  }

  /** Adds a cluster; one already kept is updated instead (its fingerprint never changes). */
  enter(row: ClusterEntryRow): void {
    if (this.entries.has(row.id)) {
      this.update(row);
      return;
    }
    const f = decodeFingerprint(row.signature);
    const e: Entry = {
      id: row.id,
      f,
      lastItemAt: row.lastItemAt,
      firstFeedId: row.firstFeedId,
      firstAt: row.firstAt ?? null,
      firstInScope: row.firstInScope === true && row.firstAt != null,
      group: this.groupOfFeed(row.firstFeedId),
      sharedIn: 0,
      gone: false,
    };
    this.entries.set(e.id, e);
    this.link(e);
    if (f.words) e.group.times.add(e.lastItemAt);
    else this.withoutWords.add(e);
    for (const w of f.words ?? []) {
      if (w & 1) continue; // the beat's common words never count
      const list = this.postings.get(w);
      if (list) list.push(e);
      else this.postings.set(w, [e]);
      this.livePostings++;
    }
  }

  /** Sets a kept cluster's newest-item time and first feed as storage has them; false when it is not kept. */
  update(row: ClusterWindowRow): boolean {
    const e = this.entries.get(row.id);
    if (!e) return false;
    if (e.firstFeedId !== row.firstFeedId) {
      this.unlink(e);
      e.firstFeedId = row.firstFeedId;
      this.link(e);
      this.move(e, this.groupOfFeed(row.firstFeedId));
    }
    this.setTime(e, row.lastItemAt);
    return true;
  }

  /** Moves a kept cluster's newest-item time forward to `at` (never back); false when it is not kept. */
  touch(id: number, at: number): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    if (e.lastItemAt < at) this.setTime(e, at);
    return true;
  }

  /** Drops a cluster (it left the window). */
  leave(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.unlink(e);
    if (e.f.words) e.group.times.remove(e.lastItemAt);
    else this.withoutWords.delete(e);
    e.gone = true;
    const n = evenWords(e.f);
    this.livePostings -= n;
    this.stalePostings += n;
    if (this.stalePostings > 1024 && this.stalePostings > this.livePostings) this.compact();
  }

  /**
   * The clusters an item may join, best first (highest similarity, then lower id): of the clusters whose
   * newest item lies within `windowMs` of the item's time and whose first feed's audience the item may join
   * (mayJoinCluster), those the same story by `sameStory` (at or above the MinHash threshold and sharing
   * `minSharedRare` distinctive words, or at or above the loose threshold and sharing `minSharedSpecific`
   * specific words), word frequencies counted over those same clusters (a cluster stored without words is
   * judged by MinHash alone). An item `inScope` (the relevance scorer let it in) also passes a cluster whose first
   * item was in scope by `sameStoryInScope`. Whether a feed already has an item in a cluster is storage's to say:
   * the pipeline takes the first one its feed is not in.
   */
  rank(
    item: { fingerprint: Fingerprint; at: number; audience: FeedAudience; inScope?: boolean },
    opts: Pick<ClusterOptions, 'threshold' | 'windowMs'> & Partial<Omit<SameStoryRules, 'threshold'>> & Partial<Omit<InScopeRules, 'specificMaxStories'>>,
    work?: RankWork,
  ): RankedCluster[] {
    const current = ++this.pass;
    const lo = item.at - opts.windowMs;
    const hi = item.at + opts.windowMs;
    // The window's stories with words, for the word frequencies: counted per joinable group.
    let size = 0;
    for (const g of this.groups.values()) {
      if (g.audience === null || !mayJoinCluster(item.audience, g.audience)) continue;
      g.mark = current;
      size += g.times.count(lo, hi);
    }
    const inWindow = (e: Entry) => e.group.mark === current && e.lastItemAt >= lo && e.lastItemAt <= hi;
    const self = item.fingerprint;
    const rules: SameStoryRules = {
      threshold: opts.threshold,
      minSharedRare: opts.minSharedRare ?? DEFAULT_CLUSTER_OPTIONS.minSharedRare,
      looseThreshold: opts.looseThreshold ?? DEFAULT_CLUSTER_OPTIONS.looseThreshold,
      minSharedSpecific: opts.minSharedSpecific ?? DEFAULT_CLUSTER_OPTIONS.minSharedSpecific,
      specificMaxStories: opts.specificMaxStories ?? DEFAULT_CLUSTER_OPTIONS.specificMaxStories,
    };
    const scopeRules: InScopeRules | null =
      item.inScope === true
        ? {
            scopeThreshold: opts.scopeThreshold ?? DEFAULT_CLUSTER_OPTIONS.scopeThreshold,
            scopeMinSpecific: opts.scopeMinSpecific ?? DEFAULT_CLUSTER_OPTIONS.scopeMinSpecific,
            scopeWithinMs: opts.scopeWithinMs ?? DEFAULT_CLUSTER_OPTIONS.scopeWithinMs,
            specificMaxStories: rules.specificMaxStories,
          }
        : null;
    const words = rules.minSharedRare > 0 ? self.words : null;
    const compared: Entry[] = [];
    let counts: WordCounts | null = null;
    if (words) {
      counts = new WordCounts();
      counts.size = size;
      for (const w of words) {
        if (w & 1) continue;
        const list = this.postings.get(w);
        if (!list) continue;
        let df = 0;
        if (work) work.visited += list.length;
        for (const e of list) {
          if (e.gone || !inWindow(e)) continue;
          df++;
          if (e.sharedIn !== current) {
            e.sharedIn = current;
            compared.push(e);
          }
        }
        if (df) counts.bump(w, df);
      }
      for (const e of this.withoutWords) if (inWindow(e)) compared.push(e);
    } else {
      // The check is off, or the story has no words (a fingerprint from before words were kept): MinHash
      // alone decides, so every cluster in the window is compared. The pipeline never asks this.
      for (const e of this.entries.values()) if (inWindow(e)) compared.push(e);
    }
    if (work) work.compared += compared.length;
    const out: RankedCluster[] = [];
    const lowestAll = lowestSimilarity(rules);
    const lowestInScope = scopeRules ? Math.min(lowestAll, lowestInScopeSimilarity(scopeRules)) : lowestAll;
    for (const e of compared) {
      const s = similarity(self.sig, e.f.sig);
      if (s < (e.firstInScope ? lowestInScope : lowestAll)) continue;
      // The frequencies of the window's other stories: this one's own words taken out while it is judged.
      if (counts && e.f.words) counts.remove(e.f.words);
      const same =
        sameStory(s, words, e.f.words, counts, rules) ||
        (scopeRules !== null && e.firstInScope && sameStoryInScope(s, words, e.f.words, counts, item.at - e.firstAt!, scopeRules));
      if (counts && e.f.words) counts.add(e.f.words);
      if (same) out.push({ clusterId: e.id, similarity: s });
    }
    return out.sort((a, b) => b.similarity - a.similarity || a.clusterId - b.clusterId);
  }

  private setTime(e: Entry, at: number): void {
    if (e.lastItemAt === at) return;
    if (e.f.words) {
      e.group.times.remove(e.lastItemAt);
      e.group.times.add(at);
    }
    e.lastItemAt = at;
  }

  private move(e: Entry, group: Group): void {
    if (e.group === group) return;
    if (e.f.words) {
      e.group.times.remove(e.lastItemAt);
      group.times.add(e.lastItemAt);
    }
    e.group = group;
  }

  private group(key: string, audience: FeedAudience | null): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { audience, times: new TimeCounts(), mark: 0 };
      this.groups.set(key, g);
    }
    return g;
  }

  private groupOfFeed(feedId: number | null): Group {
    if (feedId === null) return this.group(ORPHAN, null);
    const audience = this.audiences.get(feedId) ?? NO_AUDIENCE;
    return this.group(groupKey(audience), audience);
  }

  private link(e: Entry): void {
    if (e.firstFeedId === null) return;
    let kept = this.byFeed.get(e.firstFeedId);
    if (!kept) {
      kept = { key: groupKey(this.audiences.get(e.firstFeedId) ?? NO_AUDIENCE), entries: new Set() };
      this.byFeed.set(e.firstFeedId, kept);
    }
    kept.entries.add(e);
  }

  private unlink(e: Entry): void {
    if (e.firstFeedId === null) return;
    const kept = this.byFeed.get(e.firstFeedId);
    if (!kept) return;
    kept.entries.delete(e);
    if (kept.entries.size === 0) this.byFeed.delete(e.firstFeedId);
  }

  /** Drops the postings of entries that left. */
  private compact(): void {
    for (const [w, list] of this.postings) {
      const live = list.filter((e) => !e.gone);
      if (live.length) this.postings.set(w, live);
      else this.postings.delete(w);
    }
    this.stalePostings = 0;
  }
}
