// Keeps a ClusterIndex up to date with storage for the pipeline, at a constant cost per item: before each
// item it reads only the clusters made since the last read (ids only grow; on PostgreSQL clustering runs
// under the pipeline lock, one instance at a time, so none commits out of order meanwhile, and each
// instance sees the others' new clusters at its next item). The pipeline's own touches move a kept time at
// once (a cluster touched back into the window from before it is read and enters). The window is read
// whole (ids, times and first feeds from a covering index; fingerprints only for clusters not kept) when an
// item's window starts before what is kept, and once it is `rereadMs` old: that is when clusters that fell
// out of the window leave, a first item that is gone shows, and another instance's touches show (the only
// thing that can be late, by at most `rereadMs`). A cluster whose stored fingerprint cannot be read (a
// damaged row) is left out of placement and reported once, not read again at every whole read; placement
// goes on with the rest.
//
// An item whose whole window lies before what is kept (a feed that posts an archive piece, or dates its entries
// years back), or, before anything is kept, before the last week by the clock, is placed in an index of its own
// window alone (`indexFor`), read with its bounds and kept for the next such item: reading the window whole from
// its time would read every cluster stored since, fingerprints and all, and keep them (30,000 clusters: 5 s with
// the event loop held and 46 MB; `npm run bench -- placement`). After a restart the pipeline takes the oldest
// waiting item first, so that item may be the first one placed.
import type { FeedAudience } from '../domain/tenancy.ts';
import type { ClusterEntryRow, ClusterWindowRow } from '../domain/types.ts';
import { errorMessage } from '../lib/errors.ts';
import { ClusterIndex } from './cluster-index.ts';

/** The storage a ClusterWindow reads (ClustersRepo satisfies it). */
export interface ClusterWindowStore {
  /** Clusters whose newest item is at or after `from` (and at or before `until`): id, newest item's time, first item's feed. */
  clustersSince(from: Date, until?: Date): Promise<ClusterWindowRow[]>;
  /** Clusters with an id above `id` (made since it), with their fingerprints and first items' time and scope. */
  clustersAfter(id: number): Promise<ClusterEntryRow[]>;
  /** These clusters, as `clustersAfter` gives them (missing ones are left out). */
  clusterRows(ids: readonly number[]): Promise<ClusterEntryRow[]>;
}

export interface ClusterWindowOptions {
  /** Clusters whose newest item lies this close to an item's time are its candidates. */
  windowMs: number;
  /** How long the kept window serves before it is read whole again (default a minute). */
  rereadMs?: number;
  /** A whole read reaches this much further back than asked, so slightly older items do not each read it (default a day). */
  lookbackMs?: number;
  /** Monotonic milliseconds (default performance.now). */
  now?: () => number;
  /** Wall-clock milliseconds (default Date.now): where the current window lies before anything is kept. */
  clock?: () => number;
  /** Told once about each cluster left out because its stored fingerprint cannot be read, and why. */
  onUnreadable?: (clusterId: number, reason: string) => void;
}

export class ClusterWindow {
  readonly index = new ClusterIndex();
  /** Clusters whose newest item is at or after this are all kept (Infinity: nothing read yet). */
  private from = Infinity;
  private readAt = -Infinity;
  private maxId = 0;
  /** Clusters in the window whose fingerprints cannot be read (reported, not read again while they stay). */
  private readonly unreadable = new Set<number>();
  /** The index of a window before what is kept (see indexFor): its bounds, when it was read, the newest id in it. */
  private past: { index: ClusterIndex; lo: number; hi: number; readAt: number; maxId: number } | null = null;
  /** As `setAudiences` last set them (null: set on the kept index directly, if at all). */
  private audiences: ReadonlyMap<number, FeedAudience> | null = null;
  private readonly rereadMs: number;
  private readonly lookbackMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ClusterWindowStore,
    private readonly opts: ClusterWindowOptions,
  ) {
    this.rereadMs = opts.rereadMs ?? 60_000;
    this.lookbackMs = opts.lookbackMs ?? 24 * 3600_000;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Who each feed's items reach, for the kept index and any index of a past window. */
  setAudiences(audiences: ReadonlyMap<number, FeedAudience>): void {
    this.audiences = audiences;
    this.index.setAudiences(audiences);
    this.past?.index.setAudiences(audiences);
  }

  /**
   * The index to place an item whose story time is `at` (ms) in, up to date: the kept one (see `prepare`), or,
   * when the item's whole window lies before what is kept, one of that window alone.
   */
  async indexFor(at: number): Promise<ClusterIndex> {
    const w = this.opts.windowMs;
    const kept = this.from !== Infinity ? this.from : (this.opts.clock ?? Date.now)() - 2 * w - this.lookbackMs;
    if (at + w < kept) return this.pastIndex(at);
    await this.prepare(at);
    return this.index;
  }

  /** Brings the kept index up to date for placing an item whose story time is `at` (ms). */
  async prepare(at: number): Promise<void> {
    const from = at - this.opts.windowMs;
    const now = this.now();
    if (from >= this.from && now - this.readAt < this.rereadMs) {
      for (const r of await this.store.clustersAfter(this.maxId)) this.enter(r);
      return;
    }
    const start = from - this.lookbackMs;
    const rows = await this.store.clustersSince(new Date(start));
    const listed = new Set<number>();
    const missing: number[] = [];
    for (const r of rows) {
      listed.add(r.id);
      if (r.id > this.maxId) this.maxId = r.id;
      if (!this.index.update(r) && !this.unreadable.has(r.id)) missing.push(r.id);
    }
    const left: number[] = [];
    for (const id of this.index.ids()) if (!listed.has(id)) left.push(id);
    for (const id of left) this.index.leave(id);
    for (const id of this.unreadable) if (!listed.has(id)) this.unreadable.delete(id);
    for (const r of await this.store.clusterRows(missing)) this.enter(r);
    this.from = start;
    this.readAt = now;
  }

  /**
   * An index of the clusters whose newest item lies within a window (and a lookback) of `at`, reused for the next
   * item whose window it covers while it is under `rereadMs` old (clusters made since are read into it, as into
   * the kept one).
   */
  private async pastIndex(at: number): Promise<ClusterIndex> {
    const w = this.opts.windowMs;
    const now = this.now();
    const p = this.past;
    if (p && at - w >= p.lo && at + w <= p.hi && now - p.readAt < this.rereadMs) {
      for (const r of await this.store.clustersAfter(p.maxId)) {
        if (r.id > p.maxId) p.maxId = r.id;
        this.enter(r, p.index);
      }
      return p.index;
    }
    const lo = at - w - this.lookbackMs;
    const hi = at + w + this.lookbackMs;
    const index = new ClusterIndex();
    // As set here, or on the kept index directly.
    index.setAudiences(this.audiences ?? this.index.feedAudiences);
    const rows = await this.store.clustersSince(new Date(lo), new Date(hi));
    const ids = rows.filter((r) => r.lastItemAt <= hi && !this.unreadable.has(r.id)).map((r) => r.id);
    let maxId = this.maxId;
    for (const r of await this.store.clusterRows(ids)) {
      if (r.id > maxId) maxId = r.id;
      this.enter(r, index);
    }
    this.past = { index, lo, hi, readAt: now, maxId };
    return index;
  }

  /** After the pipeline moved cluster `id`'s newest-item time to `at` in storage. */
  async touched(id: number, at: number): Promise<void> {
    const p = this.past;
    if (p && !p.index.touch(id, at) && at >= p.lo && at <= p.hi) {
      // Touched into the past window from before it: it is a candidate there now.
      for (const r of await this.store.clusterRows([id])) this.enter(r, p.index);
    }
    if (this.index.touch(id, at) || at < this.from) return;
    // Kept from before the window: it is back in it now.
    for (const r of await this.store.clusterRows([id])) this.enter(r);
  }

  private enter(r: ClusterEntryRow, index = this.index): void {
    if (index === this.index && r.id > this.maxId) this.maxId = r.id;
    if (this.unreadable.has(r.id)) return;
    try {
      index.enter(r);
    } catch (err) {
      // Only decoding throws in enter, before the index changes.
      this.unreadable.add(r.id);
      this.opts.onUnreadable?.(r.id, errorMessage(err));
    }
  }
}
