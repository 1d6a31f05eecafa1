// FeedbackRepo contract, on SQLite and PostgreSQL: one verdict per (channel, story, user), replaced on a
// second click; "not relevant" mutes the channel's alert so the outbox neither takes nor hands out edits
// for it, until a "relevant" click; counts per channel; training examples by majority, ties dropped.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, parseDatabaseUrl } from '../../src/storage/db.ts';
import type { Storage } from '../../src/storage/index.ts';
import { TRAINING_TEXT_MAX } from '../../src/storage/feedback-repo.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedChannel, seedFeed } from '../delivery/fixtures.ts';

notePostgresSkip();

describe.each(testDatabases)('FeedbackRepo on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-03-01T00:00:00Z');
  const day = 86_400_000;
  const at = (ms: number) => new Date(t0.getTime() + ms);

  let items: number[];
  let chA: number;
  let chB: number;

  /** One cluster per item, with an outbox row for each given channel, sent. Returns cluster and alert ids by channel. */
  async function story(itemId: number, channels: number[]): Promise<{ clusterId: number; alerts: Map<number, number> }> {
    const c = await storage.clusters.create({ signature: '00', title: `story ${itemId}`, firstItemId: itemId, at: t0, createdAt: t0 });
    await storage.clusters.assignCluster(itemId, c.id);
    const alerts = new Map<number, number>();
    for (const ch of channels) {
      await storage.alerts.enqueue({ channelId: ch, clusterId: c.id, itemId, at: t0 });
      const row = (await storage.alerts.forCluster(c.id)).find((a) => a.channelId === ch)!;
      alerts.set(ch, row.id);
    }
    const claimed = await storage.alerts.claimDue({ now: t0, limit: 100, owner: 'w', leaseUntil: at(60_000), platforms: ['slack', 'discord'] });
    for (const a of claimed) await storage.alerts.markSent(a.id, 'w', { messageId: `m${a.id}`, at: t0, inDigest: false, updateCount: 0 });
    return { clusterId: c.id, alerts };
  }

  const vote = (channelId: number, s: { clusterId: number; alerts: Map<number, number> }, itemId: number, userId: string, verdict: 'relevant' | 'not_relevant', when = t0) =>
    storage.feedback.record({ channelId, clusterId: s.clusterId, itemId, alertId: s.alerts.get(channelId)!, userId, verdict, at: when });

  const claimEdits = async (now: Date) =>
    (await storage.alerts.claimDue({ now, limit: 100, owner: `e${now.getTime()}`, leaseUntil: new Date(now.getTime() + 60_000), platforms: ['slack', 'discord'] })).map((a) => a.id);

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
    const seeded = await seedFeed(
      storage,
      { url: 'https://a.example/rss', title: 'Alpha' },
      [1, 2, 3, 4, 5].map((n) => ({ key: `k${n}`, title: `Story ${n}`, summary: `Summary ${n}`, content: n === 2 ? '' : `Content ${n}` })),
      t0,
    );
    items = seeded.itemIds;
    chA = await seedChannel(storage, 'slack', 'CA', ['espionage']);
    chB = await seedChannel(storage, 'discord', '222', ['espionage']);
  });
  afterEach(async () => cleanup());

  it('keeps one verdict per (channel, story, user); a second click replaces it', async () => {
    const s = await story(items[0]!, [chA, chB]);
    expect(await vote(chA, s, items[0]!, 'U1', 'relevant')).toEqual({ previous: null, wasMuted: false });
    expect(await vote(chA, s, items[0]!, 'U1', 'not_relevant', at(day))).toEqual({ previous: 'relevant', wasMuted: false });
    // U1's "not relevant" had muted the story's message in chA; chB's was never muted.
    expect(await vote(chA, s, items[0]!, 'U2', 'relevant')).toEqual({ previous: null, wasMuted: true });
    expect(await vote(chB, s, items[0]!, 'U1', 'relevant')).toEqual({ previous: null, wasMuted: false });
    expect(await storage.feedback.verdictOf(chA, s.clusterId, 'U1')).toBe('not_relevant');
    expect(await storage.feedback.counts(chA)).toEqual({ relevant: 1, notRelevant: 1 });
    expect(await storage.feedback.counts(chB)).toEqual({ relevant: 1, notRelevant: 0 });
  });

  it('refuses a verdict the schema does not know, and a second row for the same (channel, story, user)', async () => {
    const s = await story(items[0]!, [chA]);
    await vote(chA, s, items[0]!, 'U1', 'relevant');
    const handle = openDatabase(parseDatabaseUrl(url));
    try {
      const row = { channel_id: chA, cluster_id: s.clusterId, item_id: items[0]!, alert_id: null, user_id: 'U9', created_at: 1, updated_at: 1 };
      await expect(handle.db.insertInto('feedback').values({ ...row, verdict: 'maybe' }).execute()).rejects.toThrow();
      await expect(handle.db.insertInto('feedback').values({ ...row, user_id: 'U1', verdict: 'relevant' }).execute()).rejects.toThrow();
      const n = await sql<{ n: number }>`select count(*) as n from feedback`.execute(handle.db);
      expect(Number(n.rows[0]!.n)).toBe(1);
    } finally {
      await handle.close();
    }
  });

  it('counts the last days separately from all time', async () => {
    const s1 = await story(items[0]!, [chA]);
    const s2 = await story(items[1]!, [chA]);
    await vote(chA, s1, items[0]!, 'U1', 'relevant', at(0));
    await vote(chA, s1, items[0]!, 'U2', 'not_relevant', at(40 * day));
    await vote(chA, s2, items[1]!, 'U1', 'relevant', at(45 * day));
    expect(await storage.feedback.counts(chA, at(20 * day))).toEqual({ relevant: 1, notRelevant: 1 });
    expect(await storage.feedback.counts(chA)).toEqual({ relevant: 2, notRelevant: 1 });
    expect(await storage.feedback.counts(chB)).toEqual({ relevant: 0, notRelevant: 0 });
  });

  it('"not relevant" stops edits of that story in that channel only, until someone there marks it relevant', async () => {
    const s = await story(items[0]!, [chA, chB]);
    const [a, b] = [s.alerts.get(chA)!, s.alerts.get(chB)!];
    await vote(chA, s, items[0]!, 'U1', 'not_relevant');
    // New coverage arrives: the muted row takes no edit request, the other channel's row does.
    expect(await storage.alerts.requestUpdate(chA, s.clusterId, at(1000))).toBe(false);
    expect(await storage.alerts.requestUpdate(chB, s.clusterId, at(1000))).toBe(true);
    expect(await claimEdits(at(2000))).toEqual([b]);
    expect((await storage.alerts.get(a))!.needsUpdate).toBe(false);

    // Another user's click in the same channel unmutes it: the next coverage edits it again.
    await vote(chA, s, items[0]!, 'U2', 'relevant', at(3000));
    expect(await storage.alerts.requestUpdate(chA, s.clusterId, at(4000))).toBe(true);
    expect(await claimEdits(at(5000))).toEqual([a]);
  });

  it('holds back an edit requested before the click until the story is marked relevant again', async () => {
    const s = await story(items[0]!, [chA]);
    const a = s.alerts.get(chA)!;
    expect(await storage.alerts.requestUpdate(chA, s.clusterId, at(1000))).toBe(true);
    await vote(chA, s, items[0]!, 'U1', 'not_relevant', at(1500));
    expect(await claimEdits(at(2000))).toEqual([]);
    await vote(chA, s, items[0]!, 'U1', 'relevant', at(2500));
    expect(await claimEdits(at(3000))).toEqual([a]);
  });

  it('gives one example per item: every (channel, user) verdict a vote, the majority the label, ties dropped', async () => {
    const s1 = await story(items[0]!, [chA, chB]);
    const s2 = await story(items[1]!, [chA, chB]);
    const s3 = await story(items[2]!, [chA]);
    const s4 = await story(items[3]!, [chA]);
    // Item 1: relevant 2 : 1 across two channels.
    await vote(chA, s1, items[0]!, 'U1', 'relevant');
    await vote(chA, s1, items[0]!, 'U2', 'not_relevant');
    await vote(chB, s1, items[0]!, 'U1', 'relevant');
    // Item 2: not relevant, one vote changed its mind (only the latest counts).
    await vote(chB, s2, items[1]!, 'U3', 'relevant');
    await vote(chB, s2, items[1]!, 'U3', 'not_relevant');
    // Item 3: a tie, dropped.
    await vote(chA, s3, items[2]!, 'U1', 'relevant');
    await vote(chA, s3, items[2]!, 'U2', 'not_relevant');
    // Item 4: relevant.
    await vote(chA, s4, items[3]!, 'U1', 'relevant');

    const all = await storage.feedback.trainingExamples();
    expect(all.map((e) => [e.itemId, e.label, e.votes])).toEqual([
      [items[0], 1, { relevant: 2, notRelevant: 1 }],
      [items[1], 0, { relevant: 0, notRelevant: 1 }],
      [items[3], 1, { relevant: 1, notRelevant: 0 }],
    ]);
    expect(all[0]).toMatchObject({ title: 'Story 1', description: 'Summary 1', content: 'Content 1' });
    expect(all[1]).toMatchObject({ title: 'Story 2', description: 'Summary 2', content: '' });
    // A limit keeps the most recent items, still in item order; the same call gives the same answer.
    const two = await storage.feedback.trainingExamples({ limit: 2 });
    expect(two.map((e) => e.itemId)).toEqual([items[1], items[3]]);
    expect(await storage.feedback.trainingExamples({ limit: 2 })).toEqual(two);
  });

  it('bounds the text of an example and falls back to the article text and digest', async () => {
    const long = 'x'.repeat(TRAINING_TEXT_MAX.content + 500);
    const handle = openDatabase(parseDatabaseUrl(url));
    try {
      await handle.db.updateTable('items').set({ summary: '', content: '', article_text: long, digest: 'Our digest.' }).where('id', '=', items[4]!).execute();
    } finally {
      await handle.close();
    }
    const s = await story(items[4]!, [chA]);
    await vote(chA, s, items[4]!, 'U1', 'not_relevant');
    const [e] = await storage.feedback.trainingExamples();
    expect(e).toMatchObject({ itemId: items[4], label: 0, description: 'Our digest.' });
    expect(e!.content).toHaveLength(TRAINING_TEXT_MAX.content);
  });

  it('keeps the text of items with feedback through compaction', async () => {
    const s1 = await story(items[0]!, [chA]);
    await story(items[2]!, [chA]);
    await vote(chA, s1, items[0]!, 'U1', 'relevant');
    const handle = openDatabase(parseDatabaseUrl(url));
    try {
      await handle.db.updateTable('items').set({ processed: 1 }).execute();
    } finally {
      await handle.close();
    }
    await storage.compaction.compact({ before: at(365 * day) });
    const kept = (await storage.feedback.trainingExamples())[0]!;
    expect(kept).toMatchObject({ itemId: items[0], description: 'Summary 1', content: 'Content 1' });
    // An item nobody gave feedback on was compacted as before.
    const other = await storage.stories.byUrl('https://news.example/k3');
    expect(other).toMatchObject({ title: 'Story 3', summary: '', content: '' });
  });
});
