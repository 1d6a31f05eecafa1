import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed, seedTenantFeed } from '../delivery/fixtures.ts';

notePostgresSkip();

describe.each(testDatabases)('AlertsRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-03-01T00:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const lease = (ms: number) => at(ms + 60_000);

  let slack: number;
  let discord: number;
  let items: number[];

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    const seeded = await seedFeed(storage, { url: 'https://a.example/rss', title: 'Alpha News' }, [1, 2, 3, 4].map((n) => ({ key: `k${n}`, title: `Story ${n}` })), t0);
    items = seeded.itemIds;
    slack = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    discord = await seedChannel(storage, 'discord', '111', ['espionage']);
  });
  afterEach(async () => cleanup());

  it('writes one row per (channel, cluster) however often it is enqueued', async () => {
    const [a] = await seedAlerts(storage, slack, [items[0]!], t0);
    const cluster = (await storage.alerts.get(a!))!.clusterId;
    expect(await storage.alerts.enqueue({ channelId: slack, clusterId: cluster, itemId: items[1]!, at: t0 })).toBe(false);
    expect(await storage.alerts.enqueue({ channelId: discord, clusterId: cluster, itemId: items[1]!, at: t0 })).toBe(true);
    const rows = await storage.alerts.forCluster(cluster);
    expect(rows.map((r) => [r.channelId, r.itemId, r.status])).toEqual([
      [slack, items[0], 'pending'],
      [discord, items[1], 'pending'],
    ]);
  });

  it('claims the head of each channel queue in order, once, and skips paused channels and absent platforms', async () => {
    const s = await seedAlerts(storage, slack, items.slice(0, 3), t0);
    const d = await seedAlerts(storage, discord, [items[3]!], t0);
    const first = await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'one', leaseUntil: lease(0), platforms: ['slack'] });
    expect(first.map((a) => [a.id, a.platform, a.externalId])).toEqual(s.map((id) => [id, 'slack', 'C1']));
    expect(await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'two', leaseUntil: lease(0), platforms: ['slack'] })).toEqual([]);
    await storage.channels.pause(discord, 'bot removed');
    expect(await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'two', leaseUntil: lease(0), platforms: ['slack', 'discord'] })).toEqual([]);
    await storage.channels.unpause(discord);
    const second = await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'two', leaseUntil: lease(0), platforms: ['slack', 'discord'] });
    expect(second.map((a) => a.id)).toEqual(d);
    // Leases expire: a crashed owner's rows are taken over.
    const later = await storage.alerts.claimDue({ now: at(60_001), limit: 10, owner: 'three', leaseUntil: lease(60_001), platforms: ['slack'] });
    expect(later.map((a) => a.id)).toEqual(s);
  });

  it('holds back a channel behind a row that waits for a retry, and dead-letters after max attempts', async () => {
    const [a, b] = await seedAlerts(storage, slack, items.slice(0, 2), t0);
    const claimed = await storage.alerts.claimDue({ now: t0, limit: 1, owner: 'one', leaseUntil: lease(0), platforms: ['slack'] });
    expect(claimed.map((x) => x.id)).toEqual([a]);
    expect(await storage.alerts.markSending(a!, 'one', t0)).toBe(true);
    expect(await storage.alerts.recordFailure(a!, 'one', { error: 'transient: HTTP 500', at: t0, retryAt: at(5000), countAttempt: true, maxAttempts: 2 })).toBe('retry');
    // b is behind a, which is not due: nothing to claim until a's retry time.
    expect(await storage.alerts.claimDue({ now: at(1000), limit: 10, owner: 'one', leaseUntil: lease(1000), platforms: ['slack'] })).toEqual([]);
    const again = await storage.alerts.claimDue({ now: at(5000), limit: 10, owner: 'one', leaseUntil: lease(5000), platforms: ['slack'] });
    expect(again.map((x) => [x.id, x.status, x.attempts])).toEqual([[a, 'pending', 1], [b, 'pending', 0]]);
    await storage.alerts.release([b!], 'one');
    expect(await storage.alerts.recordFailure(a!, 'one', { error: 'transient: HTTP 500', at: at(5000), retryAt: at(9000), countAttempt: true, maxAttempts: 2 })).toBe('dead');
    // A dead row no longer holds the channel back.
    const next = await storage.alerts.claimDue({ now: at(5000), limit: 10, owner: 'one', leaseUntil: lease(5000), platforms: ['slack'] });
    expect(next.map((x) => x.id)).toEqual([b]);
    const failed = await storage.alerts.list({ status: 'dead' });
    expect(failed.map((r) => [r.id, r.title, r.attempts, r.lastError, r.platform, r.externalId])).toEqual([[a, 'Story 1', 2, 'transient: HTTP 500', 'slack', 'C1']]);
    expect(await storage.alerts.counts()).toEqual({ pending: 1, sending: 0, sent: 0, dead: 1, held: 0 });
    expect(await storage.alerts.retryDead({ now: at(6000) })).toEqual([a]);
    expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('rate limits do not count as attempts; paused-channel errors put a sending row back to pending', async () => {
    const [a] = await seedAlerts(storage, slack, [items[0]!], t0);
    await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'one', leaseUntil: lease(0), platforms: ['slack'] });
    await storage.alerts.markSending(a!, 'one', t0);
    expect(await storage.alerts.recordFailure(a!, 'one', { error: 'rate_limited', at: t0, retryAt: at(1000), countAttempt: false, maxAttempts: 1 })).toBe('retry');
    expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'pending', attempts: 0 });
    await storage.alerts.claimDue({ now: at(1000), limit: 10, owner: 'one', leaseUntil: lease(1000), platforms: ['slack'] });
    await storage.alerts.markSending(a!, 'one', at(1000));
    await storage.alerts.noteError(a!, 'one', 'channel paused: not_in_channel', at(1000));
    expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'pending', attempts: 0, lastError: 'channel paused: not_in_channel', leaseOwner: null });
  });

  it('records the message id, and counts edit requests so one that arrives mid-send is kept', async () => {
    const [a] = await seedAlerts(storage, slack, [items[0]!], t0);
    const cluster = (await storage.alerts.get(a!))!.clusterId;
    expect(await storage.alerts.requestUpdate(slack, cluster, t0)).toBe(true);
    const [claimed] = await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'one', leaseUntil: lease(0), platforms: ['slack'] });
    expect(claimed!.updateCount).toBe(1);
    await storage.alerts.markSending(a!, 'one', t0);
    // New coverage arrives while the post is in flight.
    await storage.alerts.requestUpdate(slack, cluster, at(10));
    await storage.alerts.markSent(a!, 'one', { messageId: '1700000000.000100', at: at(20), inDigest: false, updateCount: claimed!.updateCount });
    const sent = (await storage.alerts.get(a!))!;
    expect(sent).toMatchObject({ status: 'sent', messageId: '1700000000.000100', needsUpdate: true, leaseOwner: null });
    const [edit] = await storage.alerts.claimDue({ now: at(30), limit: 10, owner: 'one', leaseUntil: lease(30), platforms: ['slack'] });
    expect([edit!.id, edit!.status, edit!.updateCount, edit!.messageId]).toEqual([a, 'sent', 1, '1700000000.000100']);
    await storage.alerts.markUpdated(a!, 'one', { at: at(40), updateCount: 1 });
    expect((await storage.alerts.get(a!))!.needsUpdate).toBe(false);
    expect(await storage.alerts.claimDue({ now: at(50), limit: 10, owner: 'one', leaseUntil: lease(50), platforms: ['slack'] })).toEqual([]);
  });

  it('leaves digest members and dead rows alone when an edit is requested', async () => {
    const [a, b] = await seedAlerts(storage, slack, items.slice(0, 2), t0);
    await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'one', leaseUntil: lease(0), platforms: ['slack'] });
    await storage.alerts.markSent(a!, 'one', { messageId: 'm1', at: t0, inDigest: true, updateCount: 0 });
    await storage.alerts.recordFailure(b!, 'one', { error: 'x', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 1 });
    const ca = (await storage.alerts.get(a!))!.clusterId;
    const cb = (await storage.alerts.get(b!))!.clusterId;
    expect(await storage.alerts.requestUpdate(slack, ca, t0)).toBe(false);
    expect(await storage.alerts.requestUpdate(slack, cb, t0)).toBe(false);
  });

  it('reads the story with its other coverage', async () => {
    const other = await seedFeed(storage, { url: 'https://b.example/rss', title: 'Beta Wire' }, [{ key: 'b1', title: 'Story 1, as Beta tells it' }], t0);
    const [a] = await seedAlerts(storage, slack, [items[0]!], t0);
    const cluster = (await storage.alerts.get(a!))!.clusterId;
    await storage.clusters.assignCluster(other.itemIds[0]!, cluster);
    await storage.clusters.setItemTopics(items[0]!, [{ topicId: 'espionage', score: 4.5, reasons: ['"espionage" in title (x3.0)'] }]);
    await storage.clusters.saveDigest(items[0]!, { digest: 'A short digest.', fromExcerpt: true });
    const story = (await storage.alerts.story({ itemId: items[0]!, clusterId: cluster, channelId: slack }))!;
    expect(story).toMatchObject({ title: 'Story 1', source: 'Alpha News', digest: 'A short digest.', digestFromExcerpt: true, url: 'https://news.example/k1' });
    expect(story.topics).toEqual([{ topicId: 'espionage', score: 4.5 }]);
    expect(story.coverage).toEqual([{ itemId: other.itemIds[0], title: 'Story 1, as Beta tells it', url: 'https://news.example/b1', source: 'Beta Wire' }]);
  });

  it('shows a date the feed put after the fetch as the fetch time, and the feed\'s date otherwise', async () => {
    const dated = await seedFeed(storage, { url: 'https://dated.example/rss', title: 'Dated' }, [
      { key: 'ahead', title: 'Dated ten years ahead', publishedAt: new Date('2036-01-01T00:00:00Z') },
      { key: 'honest', title: 'Dated an hour before', publishedAt: new Date(t0.getTime() - 3_600_000) },
      { key: 'none', title: 'Undated' },
    ], t0);
    const alerts = await seedAlerts(storage, slack, dated.itemIds, t0);
    const shown = [];
    for (const [i, a] of alerts.entries()) shown.push((await storage.alerts.story({ itemId: dated.itemIds[i]!, clusterId: (await storage.alerts.get(a))!.clusterId, channelId: slack }))!.publishedAt);
    expect(shown).toEqual([t0, new Date(t0.getTime() - 3_600_000), null]);
  });

  it("lists each alert with its story's other coverage as the channel's tenant sees it", async () => {
    // Slack channel C1 is workspace W1's; its story gets coverage from a global feed, W1's own feed and W2's.
    const global = await seedFeed(storage, { url: 'https://b.example/rss', title: 'Beta Wire' }, [{ key: 'b1', title: 'Story 1, as Beta tells it' }], t0);
    const own = await seedTenantFeed(storage, { platform: 'slack', workspaceId: 'W1' }, { url: 'https://own.example/rss', title: 'Own Wire' }, [{ key: 'o1', title: 'Story 1, our take' }], t0);
    const theirs = await seedTenantFeed(storage, { platform: 'slack', workspaceId: 'W2' }, { url: 'https://theirs.example/rss', title: 'Their Wire' }, [{ key: 't1', title: 'Story 1, their take' }], t0);
    const [a, b] = await seedAlerts(storage, slack, [items[0]!, items[1]!], t0);
    const cluster = (await storage.alerts.get(a!))!.clusterId;
    for (const id of [global.itemIds[0]!, own.itemIds[0]!, theirs.itemIds[0]!]) await storage.clusters.assignCluster(id, cluster);
    /** The alert of the same story (cluster) in another channel. */
    const alsoIn = async (channelId: number) => {
      await storage.alerts.enqueue({ channelId, clusterId: cluster, itemId: items[0]!, at: t0 });
      return (await storage.alerts.forCluster(cluster)).find((r) => r.channelId === channelId)!.id;
    };
    const d = await alsoIn(discord);
    const coverage = async () => new Map((await storage.dashboard.alerts({ channels: null, limit: 10 })).map((r) => [r.id, r.coverage]));
    // The Slack channel sees the global feed and its workspace's own (2); the Discord channel (another tenant)
    // the global one only (1); the story alone in its cluster, none.
    expect(Object.fromEntries(await coverage())).toEqual({ [a!]: 2, [b!]: 0, [d]: 1 });
    // The channel's tenant comes from the channel row: W2's own Slack channel sees W2's feed, not W1's.
    const other = await seedChannel(storage, 'slack', 'C2', ['espionage'], [], 'W2');
    const e = await alsoIn(other);
    expect((await coverage()).get(e)).toBe(2);
  });
});
