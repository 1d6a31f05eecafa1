// Tenancy through the real pipeline and storage, on both databases: a workspace's own feed reaches only
// its channels, another tenant's coverage never edits or shows in its messages, and a tenant's item never
// starts a story cluster that a global story would then join.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelRulesFrom, createPipeline, type PipelineDeps } from '../../src/delivery/pipeline.ts';
import type { Tenant } from '../../src/domain/tenancy.ts';
import type { Topic } from '../../src/domain/types.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { compileTopics } from '../../src/matching/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedChannel, seedFeed, seedTenantFeed } from './fixtures.ts';

notePostgresSkip();

const topics: Topic[] = [
  { id: 'espionage', name: 'State cyberespionage', description: 'States spying', terms: [{ term: 'cyberespionage', weight: 3 }, { term: 'espionage', weight: 2 }], threshold: 3 },
];
const t0 = new Date('2026-03-02T10:00:00Z');
const A: Tenant = { platform: 'slack', workspaceId: 'TA' };
const B: Tenant = { platform: 'discord', workspaceId: '7000000000000000002' };

const ROUTERS = { title: 'Regulator bans foreign routers over cyberespionage fears', summary: 'The regulator banned new foreign-made routers, citing cyberespionage risks to national networks.' };
const ROUTERS_AGAIN = { title: 'Foreign routers banned by regulator amid cyberespionage fears', summary: 'New foreign-made routers are banned over cyberespionage risks to national networks, the regulator said.' };

describe.each(testDatabases)('pipeline tenancy on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    summarized = [];
  });
  afterEach(async () => cleanup());

  /** What each summarize call was given: the item's title and the scope its article page would be fetched in. */
  let summarized: Array<{ title: string; scope: string }> = [];
  function deps(): PipelineDeps {
    const matcher = compileTopics(topics);
    return {
      store: storage.clusters,
      outbox: storage.alerts,
      channelRules: channelRulesFrom(storage.channels),
      feedAudiences: () => storage.feeds.audiences(),
      match: (doc) => ({ topics: matcher.match(doc), relevance: null }),
      summarize: async (input) => {
        summarized.push({ title: input.title, scope: input.scope });
        return { summary: input.title, fromExcerpt: true };
      },
      clock: systemClock,
      logger: silentLogger(),
    };
  }
  const run = () => createPipeline(deps(), { batchSize: 50, clusterWindowMs: 72 * 3600_000, editOnChange: true, idleMs: 50 }).runOnce();

  async function channels() {
    return {
      a1: await seedChannel(storage, 'slack', 'C-A1', ['espionage'], [], A.workspaceId),
      a2: await seedChannel(storage, 'slack', 'C-A2', [], [{ term: 'routers', exclude: false }], A.workspaceId),
      b1: await seedChannel(storage, 'discord', '7100000000000000001', ['espionage'], [], B.workspaceId),
    };
  }
  const alertedChannels = async (itemId: number) => (await storage.alerts.list()).filter((a) => a.itemId === itemId).map((a) => a.channelId).sort((x, y) => x - y);
  /** Marks every alert of the channel sent, as the dispatcher would. */
  async function sendAll(platform: 'slack' | 'discord') {
    const claimed = await storage.alerts.claimDue({ now: new Date(), limit: 50, owner: 't', leaseUntil: new Date(Date.now() + 60_000), platforms: [platform] });
    for (const c of claimed) {
      await storage.alerts.markSending(c.id, 't', new Date());
      await storage.alerts.markSent(c.id, 't', { messageId: `m-${c.id}`, at: new Date(), inDigest: false, updateCount: c.updateCount });
    }
  }

  it("routes a workspace's own feed to its channels only, and a global feed to every channel", async () => {
    const ch = await channels();
    const g = await seedFeed(storage, { url: 'https://global.example/rss', title: 'Global Wire' }, [{ key: 'g1', ...ROUTERS, publishedAt: t0 }], t0);
    const fa = await seedTenantFeed(storage, A, { url: 'https://a.example/rss', title: 'A Desk' }, [{ key: 'a1', title: 'Ministry accuses state of cyberespionage against shipyard routers', summary: 'A cyberespionage campaign hit shipyard routers.', publishedAt: t0 }], t0);
    const fb = await seedTenantFeed(storage, B, { url: 'https://b.example/rss', title: 'B Desk' }, [{ key: 'b1', title: 'Cyberespionage charges filed over espionage at a port', summary: 'Prosecutors filed cyberespionage charges.', publishedAt: t0 }], t0);
    expect(await run()).toMatchObject({ items: 3, failed: 0 });
    expect(await alertedChannels(g.itemIds[0]!)).toEqual([ch.a1, ch.a2, ch.b1]);
    expect(await alertedChannels(fa.itemIds[0]!)).toEqual([ch.a1, ch.a2]);
    expect(await alertedChannels(fb.itemIds[0]!)).toEqual([ch.b1]);
    // The article page of a global feed's item may use the operator's allow_hosts; a tenant's own feed's may not.
    expect(summarized.map((x) => [x.title.slice(0, 20), x.scope]).sort()).toEqual([
      ['Cyberespionage charg', 'chat'],
      ['Ministry accuses sta', 'chat'],
      ['Regulator bans forei', 'operator'],
    ]);
  });

  it("another tenant's coverage of a global story edits only its own message, and never shows in the others'", async () => {
    const ch = await channels();
    const g = await seedFeed(storage, { url: 'https://global.example/rss', title: 'Global Wire' }, [{ key: 'g1', ...ROUTERS, publishedAt: t0 }], t0);
    await run();
    await sendAll('slack');
    await sendAll('discord');
    const cluster = (await storage.items.get(g.itemIds[0]!))!.clusterId!;
    const fb = await seedTenantFeed(storage, B, { url: 'https://b.example/rss', title: 'B Desk [click](https://evil.example)' }, [{ key: 'b1', ...ROUTERS_AGAIN, publishedAt: new Date(t0.getTime() + 3600_000) }], t0);
    expect(await run()).toMatchObject({ items: 1, clustered: 1, alerts: 0 });
    expect((await storage.items.get(fb.itemIds[0]!))!.clusterId).toBe(cluster);
    const byChannel = new Map((await storage.alerts.forCluster(cluster)).map((a) => [a.channelId, a]));
    expect([byChannel.get(ch.a1)!.needsUpdate, byChannel.get(ch.a2)!.needsUpdate, byChannel.get(ch.b1)!.needsUpdate]).toEqual([false, false, true]);
    const coverage = async (channelId: number) => (await storage.alerts.story({ ...byChannel.get(channelId)!, channelId }))!.coverage.map((c) => c.source);
    expect(await coverage(ch.a1)).toEqual([]);
    expect(await coverage(ch.b1)).toEqual(['B Desk [click](https://evil.example)']);
    // /news latest in A does not see B's item either; in B it does.
    const latestIn = async (t: Tenant) => (await storage.latest.find({ topicIds: ['espionage'], limit: 5, visibleTo: t })).map((s) => [s.source, s.alsoCoveredBy.map((c) => c.source)]);
    expect(await latestIn(A)).toEqual([['Global Wire', []]]);
    expect(await latestIn(B)).toEqual([['B Desk [click](https://evil.example)', ['Global Wire']]]);
  });

  it("a global story never joins a cluster a tenant's feed started, so that tenant cannot merge stories for others", async () => {
    const ch = await channels();
    const fb = await seedTenantFeed(storage, B, { url: 'https://b.example/rss', title: 'B Desk' }, [{ key: 'b1', ...ROUTERS, publishedAt: t0 }], t0);
    await run();
    const g = await seedFeed(storage, { url: 'https://global.example/rss', title: 'Global Wire' }, [{ key: 'g1', ...ROUTERS_AGAIN, publishedAt: new Date(t0.getTime() + 3600_000) }], t0);
    expect(await run()).toMatchObject({ items: 1, clustered: 0, newClusters: 1 });
    const bCluster = (await storage.items.get(fb.itemIds[0]!))!.clusterId;
    const gCluster = (await storage.items.get(g.itemIds[0]!))!.clusterId;
    expect(gCluster).not.toBe(bCluster);
    expect(await alertedChannels(g.itemIds[0]!)).toEqual([ch.a1, ch.a2, ch.b1]);
    // A's feed about the same story joins the global cluster (it sees the global item), not B's.
    const fa = await seedTenantFeed(storage, A, { url: 'https://a.example/rss', title: 'A Desk' }, [{ key: 'a1', ...ROUTERS, publishedAt: new Date(t0.getTime() + 7200_000) }], t0);
    await run();
    expect((await storage.items.get(fa.itemIds[0]!))!.clusterId).toBe(gCluster);
  });
});
