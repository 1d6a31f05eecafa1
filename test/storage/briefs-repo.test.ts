// The brief outbox, on SQLite and PostgreSQL: one row per (channel, period) in the schema however many
// writers race; held alerts belong to one brief; leases; parts recorded; a dead brief gives its stories
// back; candidates as the channel's tenant may see them, without the stories it marked not relevant.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BriefView } from '../../src/domain/chat.ts';
import type { Storage } from '../../src/storage/index.ts';
import { seedChannel, seedFeed, seedTenantFeed } from '../delivery/fixtures.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const t0 = new Date('2026-03-02T06:00:00Z');
const view = (total: number): BriefView => ({ kind: 'brief', title: 'Daily brief', subtitle: 's', groups: [], more: 0, total, footer: 'f' });

describe.each(testDatabases)('briefs repository on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  /** Stories (one cluster each) with the channel's alerts for them, held or not. */
  async function alerts(channelId: number, n: number, held: boolean, tag: string, at = t0): Promise<number[]> {
    const { itemIds } = await seedFeed(storage, { url: `https://${tag}.example/rss`, title: `Wire ${tag}` }, Array.from({ length: n }, (_, i) => ({ key: `${tag}${i}`, title: `${tag} ${i}` })), at);
    const ids: number[] = [];
    for (const itemId of itemIds) {
      const c = await storage.clusters.create({ signature: '00', title: 't', firstItemId: itemId, at, createdAt: at });
      await storage.clusters.assignCluster(itemId, c.id);
      await storage.alerts.enqueue({ channelId, clusterId: c.id, itemId, at, held });
      ids.push((await storage.alerts.forCluster(c.id))[0]!.id);
    }
    return ids;
  }
  const enqueue = (channelId: number, periodKey: string, kind: 'brief' | 'quiet' = 'brief') =>
    storage.briefs.enqueue({ channelId, kind, periodKey, start: new Date(t0.getTime() - 86_400_000), end: new Date(t0.getTime() + 3600_000), at: t0 });

  it('writes one brief per channel and period however many writers race, and each held alert goes to one of them', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await alerts(ch, 5, true, 'a');
    const same = await Promise.all(Array.from({ length: 6 }, () => enqueue(ch, 'brief:daily:08:00:UTC:2026-03-02')));
    expect(same.filter((r) => r !== null)).toEqual([{ id: expect.any(Number), held: 5 }]);
    // Two different periods at once (a brief and a release): the held alerts are split, never shared.
    await alerts(ch, 4, true, 'b');
    const two = await Promise.all([enqueue(ch, 'brief:daily:08:00:UTC:2026-03-03'), enqueue(ch, 'quiet:22:00-07:00:UTC:2026-03-03', 'quiet')]);
    const held = two.filter((r) => r !== null).reduce((n, r) => n + r!.held, 0);
    expect(held).toBe(4);
    // A release with nothing to release is not written.
    expect(await enqueue(ch, 'quiet:22:00-07:00:UTC:2026-03-04', 'quiet')).toBeNull();
    const rows = await storage.briefs.list(ch);
    expect(new Set(rows.map((r) => r.periodKey)).size).toBe(rows.length);
  });

  it('leases rows to one owner at a time, takes expired leases over, and skips paused channels', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const paused = await seedChannel(storage, 'slack', 'C2', ['espionage']);
    await enqueue(ch, 'k1');
    await enqueue(paused, 'k1');
    await storage.channels.pause(paused, 'gone');
    const claim = (owner: string, now = t0) => storage.briefs.claimDue({ now, limit: 10, owner, leaseUntil: new Date(now.getTime() + 60_000), platforms: ['slack'] });
    const [a, b] = await Promise.all([claim('one'), claim('two')]);
    expect([...a, ...b].map((r) => r.channelId)).toEqual([ch]);
    const mine = [...a, ...b][0]!;
    expect(mine).toMatchObject({ platform: 'slack', externalId: 'C1', status: 'pending', partsSent: 0, content: null });
    expect(await claim('three', new Date(t0.getTime() + 30_000))).toEqual([]);
    const later = await claim('three', new Date(t0.getTime() + 61_000));
    expect(later.map((r) => r.id)).toEqual([mine.id]);
    // The old owner lost it: its writes do nothing.
    const oldOwner = a.length ? 'one' : 'two';
    expect(await storage.briefs.markSending(mine.id, oldOwner, t0)).toBe(false);
    expect(await storage.briefs.saveContent(mine.id, oldOwner, view(1), t0)).toBeNull();
  });

  it('keeps the first composed content, records parts, and marks the held alerts sent with the brief', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const held = await alerts(ch, 3, true, 'a');
    const { id } = (await enqueue(ch, 'k1'))!;
    const [b] = await storage.briefs.claimDue({ now: t0, limit: 1, owner: 'me', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    expect(await storage.briefs.saveContent(id, 'me', view(3), t0)).toEqual(view(3));
    // A second composition (after a crash) keeps the first.
    expect(await storage.briefs.saveContent(id, 'me', view(9), t0)).toEqual(view(3));
    expect(await storage.briefs.markSending(b!.id, 'me', t0)).toBe(true);
    await storage.briefs.markPart(id, 'me', 0, 'ts-1', t0);
    await storage.briefs.markPart(id, 'me', 1, 'ts-2', t0);
    await storage.briefs.markPart(id, 'me', 1, 'ts-2', t0);
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sending', partsSent: 2, messageIds: ['ts-1', 'ts-2'] });
    await storage.briefs.markSent(id, 'me', t0);
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sent', sentAt: t0 });
    const rows = await storage.alerts.list({ channelId: ch });
    expect(rows.filter((r) => held.includes(r.id)).map((r) => [r.status, r.messageId, r.inDigest])).toEqual(held.map(() => ['sent', 'ts-1', true]));
  });

  it('gives the held alerts back when a brief is dead-lettered, for the next brief', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await alerts(ch, 2, true, 'a');
    const { id } = (await enqueue(ch, 'k1'))!;
    await storage.briefs.claimDue({ now: t0, limit: 1, owner: 'me', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    expect(await storage.briefs.recordFailure(id, 'me', { error: 'transient: 500', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 2 })).toBe('retry');
    await storage.briefs.claimDue({ now: t0, limit: 1, owner: 'me', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    expect(await storage.briefs.recordFailure(id, 'me', { error: 'transient: 500', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 2 })).toBe('dead');
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'dead', attempts: 2, lastError: 'transient: 500' });
    expect((await enqueue(ch, 'k2'))!.held).toBe(2);
  });

  it("lists a brief's stories as the channel's tenant sees them: coverage, outlets and relevance from its feeds only, muted stories left out", async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage'], [], 'T1');
    const g = await seedFeed(storage, { url: 'https://global.example/rss', title: 'Global Wire' }, [{ key: 'g1', title: 'Spies charged', summary: 'Spies were charged.' }, { key: 'g2', title: 'Talks resume' }], t0);
    const mine = await seedTenantFeed(storage, { platform: 'slack', workspaceId: 'T1' }, { url: 'https://mine.example/rss', title: 'Own Wire' }, [{ key: 'm1', title: 'Spies charged, own take' }], t0);
    const theirs = await seedTenantFeed(storage, { platform: 'slack', workspaceId: 'T2' }, { url: 'https://theirs.example/rss', title: 'Their Wire' }, [{ key: 't1', title: 'Spies charged, their take' }], t0);
    const c1 = await storage.clusters.create({ signature: '00', title: 't', firstItemId: g.itemIds[0]!, at: t0, createdAt: t0 });
    for (const id of [g.itemIds[0]!, mine.itemIds[0]!, theirs.itemIds[0]!]) await storage.clusters.assignCluster(id, c1.id);
    await storage.clusters.setItemTopics(g.itemIds[0]!, [{ topicId: 'espionage', score: 7, reasons: [] }], 0.61);
    await storage.clusters.setItemTopics(mine.itemIds[0]!, [], 0.72);
    await storage.clusters.setItemTopics(theirs.itemIds[0]!, [], 0.99);
    await storage.clusters.saveDigest(g.itemIds[0]!, { digest: 'The digest.', fromExcerpt: false });
    const c2 = await storage.clusters.create({ signature: '00', title: 't', firstItemId: g.itemIds[1]!, at: t0, createdAt: t0 });
    await storage.clusters.assignCluster(g.itemIds[1]!, c2.id);
    await storage.alerts.enqueue({ channelId: ch, clusterId: c1.id, itemId: g.itemIds[0]!, at: t0, held: true });
    await storage.alerts.enqueue({ channelId: ch, clusterId: c2.id, itemId: g.itemIds[1]!, at: t0, held: true });
    const muted = (await storage.alerts.forCluster(c2.id))[0]!;
    await storage.feedback.record({ channelId: ch, clusterId: c2.id, itemId: g.itemIds[1]!, alertId: muted.id, userId: 'U1', verdict: 'not_relevant', at: t0 });
    const { id } = (await enqueue(ch, 'k1'))!;
    const got = await storage.briefs.candidates({ channelId: ch, held: id, since: null, until: t0 });
    expect(got).toEqual([
      expect.objectContaining({
        title: 'Spies charged',
        source: 'Global Wire',
        summary: 'The digest.',
        relevance: 0.72,
        outlets: 2,
        topics: [{ topicId: 'espionage', score: 7 }],
        coverage: [{ source: 'Own Wire', title: 'Spies charged, own take', url: 'https://news.example/m1' }],
        held: true,
      }),
    ]);
    // A preview sees the held alerts no brief has taken yet.
    expect(await storage.briefs.candidates({ channelId: ch, held: 'unassigned', since: null, until: t0 })).toEqual([]);
  });
});
