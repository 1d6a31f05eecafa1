import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { newItem, seedFeed } from '../delivery/fixtures.ts';

notePostgresSkip();

describe.each(testDatabases)('ClustersRepo on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-03-01T00:00:00Z');
  const at = (h: number) => new Date(t0.getTime() + h * 3600_000);
  const sig = (c: string) => c.repeat(1024);

  beforeEach(async () => {
    ({ storage, cleanup, url } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('lists recent clusters with the feeds already in them, and moves last_item_at forward only', async () => {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One' }, { key: 'a2', title: 'Two' }], t0);
    const b = await seedFeed(storage, { url: 'https://b.example/rss', title: 'B' }, [{ key: 'b1', title: 'One again' }], t0);
    const old = await storage.clusters.create({ signature: sig('1'), title: 'Old', firstItemId: a.itemIds[1]!, at: at(-100), createdAt: t0 });
    const c = await storage.clusters.create({ signature: sig('a'), title: 'One', firstItemId: a.itemIds[0]!, at: at(0), createdAt: t0 });
    await storage.clusters.assignCluster(a.itemIds[0]!, c.id);
    await storage.clusters.assignCluster(b.itemIds[0]!, c.id);
    await storage.clusters.assignCluster(a.itemIds[1]!, old.id);
    await storage.clusters.touch(c.id, at(5));
    await storage.clusters.touch(c.id, at(2));
    // Each feed asks whether it is in a cluster already: a and b are in c; a third feed is in none.
    const other = await seedFeed(storage, { url: 'https://c.example/rss', title: 'C' }, [{ key: 'c1', title: 'Elsewhere' }], t0);
    for (const [feedId, expected] of [[a.feedId, [a.feedId]], [b.feedId, [b.feedId]], [other.feedId, []]] as const) {
      const recent = await storage.clusters.recent(feedId, at(-72));
      expect(recent.map((r) => [r.id, r.signature, r.lastItemAt.toISOString(), r.feedIds, r.firstFeedId])).toEqual([[c.id, sig('a'), at(5).toISOString(), expected, a.feedId]]);
    }
    // The window bounds both what is listed and what membership is looked for in.
    expect((await storage.clusters.recent(a.feedId, at(-200), at(-72))).map((r) => [r.id, r.feedIds])).toEqual([[old.id, [a.feedId]]]);
    expect((await storage.clusters.recent(b.feedId, at(-200), at(-72))).map((r) => [r.id, r.feedIds])).toEqual([[old.id, []]]);
    expect(await storage.clusters.itemIds(c.id)).toEqual([a.itemIds[0], b.itemIds[0]]);
    expect((await storage.clusters.get(c.id))!).toMatchObject({ title: 'One', firstItemId: a.itemIds[0] });
  });

  it('reads each fingerprint once, in batches, and lists what another instance adds and drops what leaves the window', async () => {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One' }], t0);
    // More clusters than one fingerprint query reads (500), each with a fingerprint of its own.
    const fingerprint = (i: number) => i.toString(16).padStart(8, '0').repeat(128);
    const made: number[] = [];
    for (let i = 0; i < 620; i++) made.push((await storage.clusters.create({ signature: fingerprint(i), title: `S${i}`, firstItemId: a.itemIds[0]!, at: at(-(i % 48)), createdAt: t0 })).id);
    const byId = async (s: Storage) => new Map((await s.clusters.recent(a.feedId, at(-72), at(72))).map((r) => [r.id, r.signature]));
    const first = await byId(storage);
    expect(first.size).toBe(620);
    made.forEach((id, i) => expect(first.get(id)).toBe(fingerprint(i)));
    // Another instance adds one and the window moves: the new one is listed with its own fingerprint, the
    // ones that left the window are not.
    const other = await openStorage(url);
    try {
      const added = await other.clusters.create({ signature: fingerprint(9999), title: 'New', firstItemId: a.itemIds[0]!, at: at(1), createdAt: t0 });
      const second = await storage.clusters.recent(a.feedId, at(-24), at(72));
      expect(second.find((r) => r.id === added.id)?.signature).toBe(fingerprint(9999));
      expect(second.length).toBe(1 + made.filter((_, i) => i % 48 <= 24).length);
      expect(second.every((r) => r.signature === (r.id === added.id ? fingerprint(9999) : fingerprint(made.indexOf(r.id))))).toBe(true);
    } finally {
      await other.close();
    }
    if (database.name === 'sqlite') {
      // The window's rows come from the index alone, never from the clusters' rows with their fingerprints.
      const db = new Database(url);
      try {
        // A fingerprint is read once: written behind the repo's back (nothing in cyberbrief rewrites one), the
        // listed one stays what was read.
        db.prepare('update clusters set signature = ? where id = ?').run(fingerprint(4242), made[0]);
        expect((await byId(storage)).get(made[0]!)).toBe(fingerprint(0));
        const plan = db.prepare('explain query plan select c.id, c.last_item_at, c.first_item_id from clusters c where c.last_item_at >= ? and c.last_item_at <= ?').all(0, 1) as { detail: string }[];
        expect(plan.map((r) => r.detail).join(' ')).toMatch(/COVERING INDEX clusters_window/);
      } finally {
        db.close();
      }
    }
  });

  it('keeps the window between calls: its own touches show at once, and a cluster touched back into the window is listed', async () => {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One' }, { key: 'a2', title: 'Two' }, { key: 'a3', title: 'Three' }], t0);
    const recentOne = await storage.clusters.create({ signature: sig('a'), title: 'Recent', firstItemId: a.itemIds[0]!, at: at(-10), createdAt: t0 });
    const edge = await storage.clusters.create({ signature: sig('b'), title: 'Edge', firstItemId: a.itemIds[1]!, at: at(-80), createdAt: t0 });
    const old = await storage.clusters.create({ signature: sig('c'), title: 'Old', firstItemId: a.itemIds[2]!, at: at(-150), createdAt: t0 });
    // In no particular order (the clusterer does not depend on one): by id here.
    const byId = <T extends { id: number }>(rows: T[]) => rows.sort((x, y) => x.id - y.id);
    const listed = async () => byId(await storage.clusters.recent(a.feedId, at(-72), at(72))).map((r) => [r.id, r.lastItemAt.toISOString()]);
    expect(await listed()).toEqual([[recentOne.id, at(-10).toISOString()]]);
    // Kept clusters move with this repo's touches: one already listed, one the window read but did not list.
    await storage.clusters.touch(recentOne.id, at(3));
    await storage.clusters.touch(edge.id, at(-1));
    expect(await listed()).toEqual([
      [recentOne.id, at(3).toISOString()],
      [edge.id, at(-1).toISOString()],
    ]);
    // One older than anything the window read comes back into it: listed too, with its first feed.
    await storage.clusters.touch(old.id, at(1));
    const again = byId(await storage.clusters.recent(a.feedId, at(-72), at(72)));
    expect(again.map((r) => [r.id, r.lastItemAt.toISOString(), r.firstFeedId])).toEqual([
      [recentOne.id, at(3).toISOString(), a.feedId],
      [edge.id, at(-1).toISOString(), a.feedId],
      [old.id, at(1).toISOString(), a.feedId],
    ]);
    // Asking about an older window reads it: what lies before the kept one is listed.
    expect((await storage.clusters.recent(a.feedId, at(-300), at(-100))).map((r) => r.id)).toEqual([]);
    const older = await storage.clusters.create({ signature: sig('d'), title: 'Older', firstItemId: a.itemIds[2]!, at: at(-200), createdAt: t0 });
    expect((await storage.clusters.recent(a.feedId, at(-300), at(-100))).map((r) => r.id)).toEqual([older.id]);
  });

  it('reads unprocessed items and marks them processed unless they changed meanwhile', async () => {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One', summary: 'First.' }, { key: 'a2', title: 'Two' }], t0);
    const items = await storage.clusters.unprocessedItems(10);
    expect(items.map((i) => [i.id, i.title, i.summary, i.feedTitle, i.clusterId])).toEqual([
      [a.itemIds[0], 'One', 'First.', 'A', null],
      [a.itemIds[1], 'Two', '', 'A', null],
    ]);
    const first = items[0]!;
    // The feed changes item one after we read it: marking the old version does nothing.
    await storage.items.storeForFeed(a.feedId, [newItem(a.feedId, { key: 'a1', title: 'One (updated)', summary: 'First, corrected.' })], { fetchedAt: at(1) });
    expect(await storage.clusters.markProcessed(first.id, first.contentHash)).toBe(false);
    expect(await storage.clusters.markProcessed(items[1]!.id, items[1]!.contentHash)).toBe(true);
    const left = await storage.clusters.unprocessedItems(10);
    expect(left.map((i) => [i.id, i.title])).toEqual([[first.id, 'One (updated)']]);
  });

  it('lets one instance at a time run the pipeline on PostgreSQL', async () => {
    const other = await openStorage(url);
    try {
      let inner: string | null | undefined;
      const outer = await storage.clusters.withPipelineLock(async () => {
        inner = await other.clusters.withPipelineLock(async () => 'second');
        return 'first';
      });
      expect(outer).toBe('first');
      // SQLite has a single writer process, so there is nothing to exclude.
      expect(inner).toBe(database.name === 'postgres' ? null : 'second');
      expect(await other.clusters.withPipelineLock(async () => 'after')).toBe('after');
    } finally {
      await other.close();
    }
  });

  it('replaces an item\'s topics and stores its digest', async () => {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One' }], t0);
    const id = a.itemIds[0]!;
    await storage.clusters.setItemTopics(id, [{ topicId: 'espionage', score: 3, reasons: ['r1'] }, { topicId: 'talks', score: 5, reasons: ['r2', 'r3'] }]);
    await storage.clusters.setItemTopics(id, [{ topicId: 'talks', score: 6, reasons: ['r4'] }]);
    expect(await storage.clusters.itemTopics(id)).toEqual([{ topicId: 'talks', score: 6, reasons: ['r4'] }]);
    await storage.clusters.setItemTopics(id, []);
    expect(await storage.clusters.itemTopics(id)).toEqual([]);
    await storage.clusters.saveDigest(id, { digest: 'Digest.', fromExcerpt: false });
    expect((await storage.items.get(id))!).toMatchObject({ digest: 'Digest.', digestFromExcerpt: false });
  });
});
