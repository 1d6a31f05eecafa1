import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { UNPROCESSED_WINDOW } from '../../src/storage/clusters-repo.ts';
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

  it('lists the window\'s clusters, those made since an id, given ones with fingerprints, and the feed\'s memberships', async () => {
    // a1 published before it was fetched, a2 "published" after (its fetch time counts), b1 undated (the same).
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One', publishedAt: at(-3) }, { key: 'a2', title: 'Two', publishedAt: at(9) }], t0);
    const b = await seedFeed(storage, { url: 'https://b.example/rss', title: 'B' }, [{ key: 'b1', title: 'One again' }], t0);
    // The relevance scorer let a1 in (it was filed under a topic); b1 and a2 are out of scope.
    await storage.clusters.setItemTopics(a.itemIds[0]!, [{ topicId: 'state-cyber-operations', score: 1, reasons: [] }, { topicId: 'cyber-strategy', score: 1, reasons: [] }], 0.9);
    const old = await storage.clusters.create({ signature: sig('1'), title: 'Old', firstItemId: a.itemIds[1]!, at: at(-100), createdAt: t0 });
    const c = await storage.clusters.create({ signature: sig('a'), title: 'One', firstItemId: a.itemIds[0]!, at: at(0), createdAt: t0 });
    const d = await storage.clusters.create({ signature: sig('b'), title: 'Other', firstItemId: b.itemIds[0]!, at: at(-1), createdAt: t0 });
    await storage.clusters.assignCluster(a.itemIds[0]!, c.id);
    await storage.clusters.assignCluster(b.itemIds[0]!, c.id);
    await storage.clusters.assignCluster(a.itemIds[1]!, old.id);
    await storage.clusters.touch(c.id, at(5));
    await storage.clusters.touch(c.id, at(2)); // never back
    const byId = <T extends { id: number }>(rows: T[]) => rows.sort((x, y) => x.id - y.id);
    expect(byId(await storage.clusters.clustersSince(at(-72)))).toEqual([
      { id: c.id, lastItemAt: at(5).getTime(), firstFeedId: a.feedId },
      { id: d.id, lastItemAt: at(-1).getTime(), firstFeedId: b.feedId },
    ]);
    expect((await storage.clusters.clustersSince(at(-200))).map((r) => r.id).sort((x, y) => x - y)).toEqual([old.id, c.id, d.id]);
    // With fingerprints, and the first item's story time and scope (the in-scope rule of placement).
    expect(await storage.clusters.clustersAfter(old.id)).toEqual([
      { id: c.id, lastItemAt: at(5).getTime(), firstFeedId: a.feedId, signature: sig('a'), firstAt: at(-3).getTime(), firstInScope: true },
      { id: d.id, lastItemAt: at(-1).getTime(), firstFeedId: b.feedId, signature: sig('b'), firstAt: t0.getTime(), firstInScope: false },
    ]);
    expect(await storage.clusters.clustersAfter(d.id)).toEqual([]);
    expect(byId(await storage.clusters.clusterRows([d.id, old.id, 999_999]))).toEqual([
      { id: old.id, lastItemAt: at(-100).getTime(), firstFeedId: a.feedId, signature: sig('1'), firstAt: t0.getTime(), firstInScope: false },
      { id: d.id, lastItemAt: at(-1).getTime(), firstFeedId: b.feedId, signature: sig('b'), firstAt: t0.getTime(), firstInScope: false },
    ]);
    // Which clusters already hold an item of a feed: a is in c and old, b in c, a third feed in none.
    const other = await seedFeed(storage, { url: 'https://c.example/rss', title: 'C' }, [{ key: 'c1', title: 'Elsewhere' }], t0);
    for (const [feedId, expected] of [[a.feedId, [old.id, c.id]], [b.feedId, [c.id]], [other.feedId, []]] as const) {
      expect([...(await storage.clusters.feedClusters(feedId, [old.id, c.id, d.id]))].sort((x, y) => x - y)).toEqual(expected);
    }
    expect(await storage.clusters.feedClusters(a.feedId, [])).toEqual(new Set());
    expect(await storage.clusters.itemIds(c.id)).toEqual([a.itemIds[0], b.itemIds[0]]);
    expect((await storage.clusters.get(c.id))!).toMatchObject({ title: 'One', firstItemId: a.itemIds[0] });
  });

  it('reads fingerprints and memberships of more clusters than one query takes, and lists the window from its index alone', async () => {
    const a = await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a1', title: 'One' }], t0);
    // More clusters than one query reads (500), each with a fingerprint of its own.
    const fingerprint = (i: number) => i.toString(16).padStart(8, '0').repeat(128);
    const made: number[] = [];
    for (let i = 0; i < 620; i++) made.push((await storage.clusters.create({ signature: fingerprint(i), title: `S${i}`, firstItemId: a.itemIds[0]!, at: at(-(i % 48)), createdAt: t0 })).id);
    const rows = await storage.clusters.clusterRows(made);
    expect(rows.length).toBe(620);
    expect(rows.every((r) => r.signature === fingerprint(made.indexOf(r.id)))).toBe(true);
    for (const id of made) await storage.clusters.assignCluster(a.itemIds[0]!, id);
    // The item is in the last cluster it was assigned to; the query is asked in batches.
    expect([...(await storage.clusters.feedClusters(a.feedId, made))]).toEqual([made[619]]);
    expect((await storage.clusters.clustersAfter(made[99]!)).length).toBe(520);
    if (database.name === 'sqlite') {
      const db = new Database(url);
      try {
        // The window's rows come from the index alone, never from the clusters' rows with their fingerprints.
        const plan = db.prepare('explain query plan select c.id, c.last_item_at, c.first_item_id from clusters c where c.last_item_at >= ?').all(0) as { detail: string }[];
        expect(plan.map((r) => r.detail).join(' ')).toMatch(/COVERING INDEX clusters_window/);
        // A feed's membership in one cluster or several is one index lookup each, never a read of the
        // cluster's items (a story carried by thousands of feeds).
        for (const ids of [[made[0]], made.slice(0, 50)]) {
          const q = `explain query plan select distinct cluster_id from items where feed_id = ? and cluster_id in (${ids.map(() => '?').join(', ')})`;
          const membership = (db.prepare(q).all(a.feedId, ...ids) as { detail: string }[]).map((r) => r.detail).join(' ');
          expect(membership).toMatch(/SEARCH items USING COVERING INDEX items_cluster_feed \(cluster_id=\? AND feed_id=\?\)/);
        }
      } finally {
        db.close();
      }
    }
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

  it('hands the pipeline the items that happened first among those waiting, across feeds, within a bounded window', async () => {
    const on = (h: number) => new Date(t0.getTime() + h * 3600_000);
    // Stored feed by feed, each newest first; an undated item counts at its fetch time, and so does one dated
    // after its fetch.
    await seedFeed(storage, { url: 'https://a.example/rss', title: 'A' }, [{ key: 'a-5', title: 'A five', publishedAt: on(5) }, { key: 'a-1', title: 'A one', publishedAt: on(1) }], on(10));
    await seedFeed(storage, { url: 'https://b.example/rss', title: 'B' }, [{ key: 'b-undated', title: 'B undated', publishedAt: null }], on(3));
    await seedFeed(storage, { url: 'https://c.example/rss', title: 'C' }, [{ key: 'c-future', title: 'C future', publishedAt: on(50) }, { key: 'c-2', title: 'C two', publishedAt: on(2) }], on(4));
    const titles = async (n: number) => (await storage.clusters.unprocessedItems(n)).map((i) => i.title);
    expect(await titles(10)).toEqual(['A one', 'C two', 'B undated', 'C future', 'A five']);
    expect(await titles(2)).toEqual(['A one', 'C two']);
    // Beyond the first UNPROCESSED_WINDOW stored, an earlier story waits for the next window.
    const many = Array.from({ length: UNPROCESSED_WINDOW }, (_, k) => ({ key: `m-${k}`, title: `M ${k}`, publishedAt: on(20 + k / 1000) }));
    const d = await seedFeed(storage, { url: 'https://d.example/rss', title: 'D' }, many, on(30));
    await seedFeed(storage, { url: 'https://e.example/rss', title: 'E' }, [{ key: 'e-0', title: 'E zero', publishedAt: on(0) }], on(30));
    expect(d.itemIds).toHaveLength(UNPROCESSED_WINDOW);
    expect(await titles(6)).toEqual(['A one', 'C two', 'B undated', 'C future', 'A five', 'M 0']);
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
