import { statSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewItem } from '../../src/domain/types.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const DAY = 86_400_000;

function item(key: string, body = 'Body text of the story.'): NewItem {
  return {
    feedId: 0,
    key,
    guid: key,
    url: `https://news.example/${key}`,
    title: `Title ${key}`,
    summary: `Summary of ${key}`,
    content: body,
    html: `<p>${body}</p>`,
    author: null,
    publishedAt: new Date('2026-01-01T10:00:00Z'),
    contentHash: `hash-${key}`,
  };
}

describe.each(testDatabases)('CompactionRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let url: string;
  let feedId: number;
  const old = new Date('2026-01-01T12:00:00Z');
  const now = new Date(old.getTime() + 40 * DAY);
  const cutoff = new Date(now.getTime() - 30 * DAY);

  beforeEach(async () => {
    ({ storage, cleanup, url } = await freshStorage(database));
    feedId = (await storage.feeds.add({ url: 'https://feed.example/rss', source: 'cli' }, old)).feed.id;
  });
  afterEach(async () => cleanup());

  /** Stores items fetched at `at`, processed, each with an alert in `status` (none when null). */
  async function seed(keys: string[], at: Date, status: 'pending' | 'sending' | 'sent' | 'dead' | null): Promise<number[]> {
    const r = await storage.items.storeForFeed(feedId, keys.map((k) => item(k)), { fetchedAt: at });
    await storage.items.markProcessed(r.inserted);
    if (status === null) return r.inserted;
    // A channel per call: an unsent row at the head of a channel's queue holds the rest back.
    const channel = (await storage.channels.upsert({ platform: 'console', externalId: `ch-${keys[0]}`, workspaceId: '', name: 'console' }, at)).id;
    for (const id of r.inserted) {
      const c = await storage.clusters.create({ signature: 'sig', title: 't', firstItemId: id, at, createdAt: at });
      await storage.clusters.assignCluster(id, c.id);
      await storage.clusters.saveDigest(id, { digest: `digest ${id}`, fromExcerpt: false, articleText: 'Full article text.' });
      await storage.alerts.enqueue({ channelId: channel, clusterId: c.id, itemId: id, at });
    }
    if (status !== 'pending') {
      const claimed = await storage.alerts.claimDue({ now: at, limit: 100, owner: 'me', leaseUntil: new Date(at.getTime() + 60_000), platforms: ['console'] });
      for (const a of claimed.filter((x) => r.inserted.includes(x.itemId))) {
        await storage.alerts.markSending(a.id, 'me', at);
        if (status === 'sent') await storage.alerts.markSent(a.id, 'me', { messageId: `m${a.id}`, at, inDigest: false, updateCount: 0 });
        if (status === 'dead') await storage.alerts.recordFailure(a.id, 'me', { error: 'permanent: refused', at, retryAt: at, countAttempt: true, maxAttempts: 0 });
      }
    }
    return r.inserted;
  }

  it('empties an old finished item but keeps its identity, digest and cluster; recent and unprocessed items are untouched', async () => {
    const [sent] = await seed(['old-sent'], old, 'sent');
    const [dead] = await seed(['old-dead'], old, 'dead');
    const [quiet] = await seed(['old-quiet'], old, null);
    const unprocessed = (await storage.items.storeForFeed(feedId, [item('old-unprocessed')], { fetchedAt: old })).inserted[0]!;
    const [recent] = await seed(['recent'], new Date(now.getTime() - DAY), 'sent');
    const before = await storage.items.get(sent!);

    expect(await storage.compaction.compact({ before: cutoff, dryRun: true })).toEqual({ items: 3, articleCache: 0 });
    expect((await storage.items.get(sent!))!.content).toBe(before!.content);
    expect(await storage.compaction.compact({ before: cutoff })).toEqual({ items: 3, articleCache: 0 });

    const after = await storage.items.get(sent!);
    expect(after).toMatchObject({ html: null, content: '', summary: '', articleText: null });
    const keep = ['feedId', 'key', 'guid', 'url', 'title', 'contentHash', 'publishedAt', 'fetchedAt', 'clusterId', 'digest'] as const;
    for (const k of keep) expect(after![k], k).toEqual(before![k]);
    expect(after!.digest).toBe(`digest ${sent}`);
    for (const id of [dead!, quiet!]) expect(await storage.items.get(id)).toMatchObject({ html: null, content: '', summary: '' });
    for (const id of [unprocessed, recent!]) expect((await storage.items.get(id))!.content).toBe('Body text of the story.');
    expect((await storage.items.get(recent!))!.articleText).toBe('Full article text.');
    // Nothing left to do: a second run changes nothing.
    expect(await storage.compaction.compact({ before: cutoff })).toEqual({ items: 0, articleCache: 0 });
  });

  it('a compacted item polled again is recognised: not stored again, not handed to the pipeline, no new alert', async () => {
    const [id] = await seed(['still-in-feed'], old, 'sent');
    const alertsBefore = await storage.alerts.counts();
    await storage.compaction.compact({ before: cutoff });
    // The feed still carries it (same guid, URL and text); a sibling arrives under a new guid but the
    // same canonical URL, and one with a changed guid and URL but the same text.
    const again = await storage.items.storeForFeed(feedId, [item('still-in-feed')], { fetchedAt: now });
    expect(again).toEqual({ inserted: [], updated: [], unchanged: 1 });
    const moved = await storage.items.storeForFeed(feedId, [{ ...item('still-in-feed'), key: 'new-guid', guid: 'new-guid' }], { fetchedAt: now });
    expect(moved).toEqual({ inserted: [], updated: [], unchanged: 1 });
    expect(await storage.items.countByFeed(feedId)).toBe(1);
    expect(await storage.items.listUnprocessed(10)).toEqual([]);
    expect(await storage.alerts.counts()).toEqual(alertsBefore);
    expect((await storage.items.get(id!))!.content).toBe('');
  });

  it('leaves items with a pending, sending or edit-requested alert untouched', async () => {
    const [pending] = await seed(['pending'], old, 'pending');
    const [sending] = await seed(['sending'], old, 'sending');
    const [edited] = await seed(['edited'], old, 'sent');
    const a = (await storage.alerts.list({ status: 'sent' })).find((r) => r.itemId === edited)!;
    expect(await storage.alerts.requestUpdate(a.channelId, a.clusterId, now)).toBe(true);
    expect(await storage.compaction.compact({ before: cutoff })).toEqual({ items: 0, articleCache: 0 });
    for (const id of [pending!, sending!, edited!]) {
      expect(await storage.items.get(id)).toMatchObject({ content: 'Body text of the story.', summary: expect.stringContaining('Summary of'), articleText: 'Full article text.' });
    }
  });

  it('deletes article-cache rows older than the cut-off only', async () => {
    await storage.articles.put('https://news.example/old', 'old text', old);
    await storage.articles.put('https://news.example/empty', null, old);
    await storage.articles.put('https://news.example/new', 'new text', now);
    expect(await storage.compaction.compact({ before: cutoff, dryRun: true })).toEqual({ items: 0, articleCache: 2 });
    expect(await storage.articles.get('https://news.example/old')).toBe('old text');
    expect(await storage.compaction.compact({ before: cutoff, batchSize: 1 })).toEqual({ items: 0, articleCache: 2 });
    expect(await storage.articles.get('https://news.example/old')).toBeUndefined();
    expect(await storage.articles.get('https://news.example/empty')).toBeUndefined();
    expect(await storage.articles.get('https://news.example/new')).toBe('new text');
  });

  it('works through more rows than one batch', async () => {
    const keys = Array.from({ length: 23 }, (_, i) => `bulk-${i}`);
    await seed(keys, old, null);
    expect(await storage.compaction.compact({ before: cutoff, batchSize: 5 })).toEqual({ items: 23, articleCache: 0 });
    expect((await storage.items.listByFeed(feedId, 50)).every((i) => i.content === '' && i.html === null)).toBe(true);
  });

  it.runIf(database.name === 'sqlite')('the SQLite file stops growing: space freed by compaction is reused by new items', async () => {
    const big = 'x'.repeat(20_000);
    const pages = () => {
      const raw = new SqliteDatabase(url, { readonly: true });
      try {
        return Number(raw.pragma('page_count', { simple: true })) * Number(raw.pragma('page_size', { simple: true }));
      } finally {
        raw.close();
      }
    };
    const fill = async (round: number, at: Date) => {
      const r = await storage.items.storeForFeed(
        feedId,
        Array.from({ length: 100 }, (_, i) => item(`r${round}-${i}`, `${big} ${round} ${i}`)),
        { fetchedAt: at },
      );
      await storage.items.markProcessed(r.inserted);
    };
    // Ten rounds of 100 items of ~60 kB (content + html) each, one "day" of data compacted before the next.
    await fill(0, old);
    const afterFirst = pages();
    expect(afterFirst).toBeGreaterThan(100 * 40_000);
    for (let round = 1; round <= 10; round++) {
      await storage.compaction.compact({ before: new Date(old.getTime() + round * DAY) });
      await fill(round, new Date(old.getTime() + round * DAY));
    }
    const afterAll = pages();
    // Without compaction the file would hold 11 rounds (> 11x the first); with it, about two.
    expect(afterAll).toBeLessThan(afterFirst * 2.5);
    expect(statSync(url).size).toBeLessThan(afterFirst * 2.5);
    expect(await storage.items.countByFeed(feedId)).toBe(1100);
  });
});
