import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFingerprint, storySignature } from '../../src/delivery/cluster.ts';
import { ClusterWindow, type ClusterWindowStore } from '../../src/delivery/cluster-window.ts';
import type { FeedAudience } from '../../src/domain/tenancy.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedFeed } from './fixtures.ts';

notePostgresSkip();

const hour = 3600_000;
const W = 72 * hour;
const t0 = Date.parse('2026-03-01T00:00:00Z');
const GLOBAL: FeedAudience = { global: true, tenants: [] };
const story = storySignature({ title: 'Regulator bans new foreign-made routers over espionage risk', summary: 'The regulator said the routers pose a national security risk.' });
const same = storySignature({ title: 'New foreign-made routers banned by regulator citing espionage risk', summary: 'Routers made abroad pose a security risk, the regulator said.' });

interface Ctx {
  storage: Storage;
  /** A second instance on the same database. */
  other: Storage;
  window: ClusterWindow;
  /** Moves the window's clock (ms). */
  advance(ms: number): void;
  feedId: number;
  itemIds: number[];
  make(s: Storage, at: number, signature?: string): Promise<number>;
  /** What the index ranks for the same story at `at`. */
  ranked(at: number): number[];
  /** Clusters the window skipped because their fingerprints cannot be read, as it reported them. */
  skipped: number[];
}

// The pipeline's window of clusters over real storage: what enters, moves and leaves, and when another
// instance's work shows (its new clusters at the next item, its touches at the next whole read).
describe.each(testDatabases)('ClusterWindow on $name', (database) => {
  let storage: Storage;
  let other: Storage;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, cleanup, url } = await freshStorage(database));
    other = await openStorage(url);
  });
  afterEach(async () => {
    await other.close();
    await cleanup();
  });

  async function context(): Promise<Ctx> {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, Array.from({ length: 6 }, (_, i) => ({ key: `a${i}`, title: `Story ${i}` })), new Date(t0));
    let clock = 0;
    const skipped: number[] = [];
    const onUnreadable = (id: number) => void skipped.push(id);
    const window = new ClusterWindow(storage.clusters, { windowMs: W, rereadMs: 60_000, lookbackMs: 24 * hour, now: () => clock, clock: () => t0, onUnreadable });
    window.index.setAudiences(await storage.feeds.audiences()); // on the kept index directly: a past window takes them from it
    let n = 0;
    return {
      storage,
      other,
      window,
      advance: (ms) => (clock += ms),
      feedId: a.feedId,
      itemIds: a.itemIds,
      make: async (s, at, signature = story) => (await s.clusters.create({ signature, title: 'S', firstItemId: a.itemIds[n++ % a.itemIds.length]!, at: new Date(at), createdAt: new Date(t0) })).id,
      ranked: (at) => window.index.rank({ fingerprint: decodeFingerprint(same), at, audience: GLOBAL }, { threshold: 0.22, windowMs: W }).map((r) => r.clusterId),
      skipped,
    };
  }

  it.each<{ name: string; run: (c: Ctx) => Promise<void> }>([
    {
      name: 'enter: the clusters of the window are read whole at first, with their fingerprints',
      run: async (c) => {
        const inside = await c.make(c.storage, t0 - 10 * hour);
        await c.make(c.storage, t0 - 200 * hour);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([inside]);
        expect(c.window.index.size).toBe(1);
      },
    },
    {
      name: 'enter: a cluster another instance made shows at the next item',
      run: async (c) => {
        await c.window.prepare(t0);
        const made = await c.make(c.other, t0 - hour);
        expect(c.ranked(t0)).toEqual([]);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([made]);
      },
    },
    {
      name: 'update: this instance\'s touch moves a kept cluster at once',
      run: async (c) => {
        const id = await c.make(c.storage, t0 - 80 * hour);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([]);
        await c.storage.clusters.touch(id, new Date(t0 - hour));
        await c.window.touched(id, t0 - hour);
        expect(c.ranked(t0)).toEqual([id]);
      },
    },
    {
      name: 'update: a cluster touched back into the window from before what is kept is read and enters',
      run: async (c) => {
        const id = await c.make(c.storage, t0 - 500 * hour);
        await c.window.prepare(t0);
        expect(c.window.index.has(id)).toBe(false);
        await c.storage.clusters.touch(id, new Date(t0));
        await c.window.touched(id, t0);
        expect(c.ranked(t0)).toEqual([id]);
      },
    },
    {
      name: 'refresh: another instance\'s touch shows at the next whole read, a minute on',
      run: async (c) => {
        const id = await c.make(c.storage, t0 - 80 * hour);
        await c.window.prepare(t0);
        await c.other.clusters.touch(id, new Date(t0 - 2 * hour));
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([]);
        c.advance(60_000);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([id]);
      },
    },
    {
      name: 'leave: a whole read drops the clusters that fell out of the window',
      run: async (c) => {
        const early = await c.make(c.storage, t0 - 60 * hour);
        const late = await c.make(c.storage, t0);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([early, late]);
        c.advance(60_000);
        // An item 70 hours later: its window (and the day read before it) starts after the early cluster.
        await c.window.prepare(t0 + 70 * hour);
        expect(c.window.index.has(early)).toBe(false);
        expect(c.ranked(t0 + 70 * hour)).toEqual([late]);
      },
    },
    {
      name: 'an item a little older than what is kept reads the window whole from further back',
      run: async (c) => {
        const old = await c.make(c.storage, t0 - 120 * hour);
        await c.window.prepare(t0);
        expect(c.window.index.has(old)).toBe(false);
        // Its window (72 hours back from 110 hours ago) overlaps what is kept (from 96 hours ago).
        expect(await c.window.indexFor(t0 - 110 * hour)).toBe(c.window.index);
        expect(c.ranked(t0 - 110 * hour)).toEqual([old]);
      },
    },
    {
      name: 'an item whose whole window lies before what is kept gets an index of that window alone',
      run: async (c) => {
        const old = await c.make(c.storage, t0 - 300 * hour);
        const older = await c.make(c.storage, t0 - 600 * hour);
        const recent = [await c.make(c.storage, t0 - hour), await c.make(c.storage, t0 - 2 * hour)];
        await c.window.prepare(t0);
        const reads: string[] = [];
        const counting = c.window as unknown as { store: ClusterWindowStore };
        const store = counting.store;
        counting.store = {
          clustersSince: async (from, until) => (reads.push(`since ${until ? 'bounded' : 'open'}`), store.clustersSince(from, until)),
          clustersAfter: async (id) => (reads.push('after'), store.clustersAfter(id)),
          clusterRows: async (ids) => (reads.push(`rows ${ids.length}`), store.clusterRows(ids)),
        };
        const past = await c.window.indexFor(t0 - 290 * hour);
        expect(past).not.toBe(c.window.index);
        expect(past.rank({ fingerprint: decodeFingerprint(same), at: t0 - 290 * hour, audience: GLOBAL }, { threshold: 0.22, windowMs: W }).map((r) => r.clusterId)).toEqual([old]);
        // Only that window was read, fingerprints and all; the kept index is as it was.
        expect(reads).toEqual(['since bounded', 'rows 1']);
        expect([...c.window.index.ids()].sort((x, y) => x - y)).toEqual(recent.sort((x, y) => x - y));
        // A cluster the pipeline then makes there shows to the next item of that window, read from the same index.
        const made = await c.make(c.storage, t0 - 289 * hour);
        reads.length = 0;
        expect(await c.window.indexFor(t0 - 288 * hour)).toBe(past);
        expect(reads).toEqual(['after']);
        expect(past.has(made)).toBe(true);
        // A cluster from before that window, touched into it by the pipeline, is a candidate there at once.
        expect(past.has(older)).toBe(false);
        await c.storage.clusters.touch(older, new Date(t0 - 289 * hour));
        await c.window.touched(older, t0 - 289 * hour);
        expect(past.lastItemAt(older)).toBe(t0 - 289 * hour);
        // A minute on, it is read again.
        c.advance(60_000);
        expect(await c.window.indexFor(t0 - 288 * hour)).not.toBe(past);
      },
    },
    {
      name: 'before anything is kept, an item older than the last week by the clock gets a window of its own too',
      run: async (c) => {
        const old = await c.make(c.storage, t0 - 300 * hour);
        const recent = await c.make(c.storage, t0 - hour);
        const past = await c.window.indexFor(t0 - 290 * hour);
        expect(past).not.toBe(c.window.index);
        expect([...past.ids()]).toEqual([old]);
        expect(c.window.index.size).toBe(0);
        // An item of the last week is placed in the kept window, read whole as before.
        expect(await c.window.indexFor(t0 - 100 * hour)).toBe(c.window.index);
        expect([...c.window.index.ids()]).toEqual([recent]);
      },
    },
    {
      name: 'a cluster whose first item is gone is nobody\'s to join',
      run: async (c) => {
        const id = await c.make(c.storage, t0);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([id]);
        // Its first item deleted (items are removed with their feed): the next whole read says so.
        expect(await c.storage.feeds.remove(c.feedId)).toBe(true);
        c.advance(60_000);
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([]);
      },
    },
    {
      name: 'a cluster whose fingerprint cannot be read is skipped and reported once, however it is read',
      run: async (c) => {
        const good = await c.make(c.storage, t0 - hour);
        const cut = await c.make(c.storage, t0 - hour, story.slice(0, -3)); // its words cut short
        await c.window.prepare(t0);
        expect(c.ranked(t0)).toEqual([good]);
        // Made by another instance (read as new), with a signature that is not hex.
        const junk = await c.make(c.other, t0, 'z'.repeat(1024));
        await c.window.prepare(t0);
        expect(c.skipped).toEqual([cut, junk]);
        // Whole reads, a touch that brings one back: no second report, and nothing else changes.
        c.advance(60_000);
        await c.window.prepare(t0);
        await c.storage.clusters.touch(cut, new Date(t0));
        await c.window.touched(cut, t0);
        c.advance(60_000);
        await c.window.prepare(t0);
        expect(c.skipped).toEqual([cut, junk]);
        expect(c.ranked(t0)).toEqual([good]);
        expect(c.window.index.size).toBe(1);
      },
    },
  ])('$name', async ({ run }) => {
    await run(await context());
  });
});
