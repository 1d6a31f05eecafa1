import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storySignature } from '../../src/delivery/cluster.ts';
import { channelRulesFrom, createPipeline, type PipelineDeps, type PipelineOptions } from '../../src/delivery/pipeline.ts';
import type { Topic } from '../../src/domain/types.ts';
import { fixedClock, systemClock } from '../../src/lib/clock.ts';
import { StorageError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { compileTopics } from '../../src/matching/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { createSummarizer } from '../../src/summarize/index.ts';
import { waitFor } from '../emulators/http-util.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { newItem, seedChannel, seedFeed } from './fixtures.ts';

const topics: Topic[] = [
  {
    id: 'espionage',
    name: 'State cyberespionage',
    description: 'States spying through networks',
    terms: [{ term: 'cyberespionage', weight: 3 }, { term: 'espionage', weight: 2 }, { term: 'hackers', weight: 1 }],
    threshold: 4,
  },
  {
    id: 'infrastructure',
    name: 'Critical infrastructure',
    description: 'Attacks on grids, water, transport',
    terms: [{ term: 'power grid', weight: 3 }, { term: 'critical infrastructure', weight: 3 }],
    threshold: 4,
  },
];

const t0 = new Date('2026-03-02T10:00:00Z');

const alpha = [
  { key: 'a1', title: 'Regulator bans foreign routers over cyberespionage fears', summary: 'The regulator banned new foreign-made routers, citing cyberespionage risks to national networks.', publishedAt: new Date('2026-03-02T08:00:00Z') },
  { key: 'a2', title: 'Hackers probe regional power grid operators', summary: 'Several power grid operators saw scanning of their control networks.', publishedAt: new Date('2026-03-02T08:30:00Z') },
  { key: 'a3', title: 'Local bakery wins national award', summary: 'A bakery in the old town won the bread prize.', publishedAt: new Date('2026-03-02T09:00:00Z') },
];
const beta = [
  { key: 'b1', title: 'Foreign routers banned by regulator amid cyberespionage fears', summary: 'New foreign-made routers are banned over cyberespionage risks to national networks, the regulator said.', publishedAt: new Date('2026-03-02T09:30:00Z') },
];

describe.each(testDatabases)('pipeline on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let woke = 0;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    woke = 0;
  });
  afterEach(async () => cleanup());

  function deps(overrides: Partial<PipelineDeps> = {}): PipelineDeps {
    const matcher = compileTopics(topics);
    const summarizer = createSummarizer({ maxChars: 200, logger: silentLogger() });
    return {
      store: storage.clusters,
      outbox: storage.alerts,
      // As the bot runs it (src/main.ts): each item's writes in one transaction.
      writes: (fn) => storage.pipelineWrites(fn),
      channelRules: channelRulesFrom(storage.channels),
      feedAudiences: () => storage.feeds.audiences(),
      match: (doc) => ({ topics: matcher.match(doc), relevance: null }),
      topicTerms: (id) => topics.find((t) => t.id === id)?.terms.map((t) => t.term) ?? [],
      summarize: (input) => summarizer.summarize(input),
      onAlerts: () => woke++,
      clock: systemClock,
      logger: silentLogger(),
      ...overrides,
    };
  }
  const opts = (o: Partial<PipelineOptions> = {}): PipelineOptions => ({ batchSize: 2, clusterWindowMs: 72 * 3600_000, editOnChange: true, idleMs: 50, ...o });

  async function setup() {
    const a = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha News' }, alpha, t0);
    const b = await seedFeed(storage, { url: 'https://beta.example/rss', title: 'Beta Wire' }, beta, t0);
    const ch = {
      spies: await seedChannel(storage, 'slack', 'C-SPIES', ['espionage']),
      grid: await seedChannel(storage, 'discord', '222', ['infrastructure']),
      bread: await seedChannel(storage, 'slack', 'C-BREAD', [], [{ term: 'bakery', exclude: false }]),
      noRouters: await seedChannel(storage, 'slack', 'C-NOROUTERS', ['espionage'], [{ term: 'routers', exclude: true }]),
    };
    return { a, b, ch };
  }

  it('matches, clusters, summarises, routes and writes one outbox row per channel and story', async () => {
    const { a, b, ch } = await setup();
    const stats = await createPipeline(deps(), opts()).runOnce();
    expect(stats).toMatchObject({ items: 4, matched: 3, newClusters: 3, clustered: 1, alerts: 3, failed: 0 });
    expect(woke).toBeGreaterThan(0);
    expect(await storage.clusters.unprocessedItems(10)).toEqual([]);

    // The two router stories share a cluster; the alert is the first one, the other is coverage.
    const [i1, i2, i3] = a.itemIds;
    const router = (await storage.items.get(i1!))!.clusterId!;
    expect((await storage.items.get(b.itemIds[0]!))!.clusterId).toBe(router);
    const rows = await storage.alerts.forCluster(router);
    expect(rows.map((r) => [r.channelId, r.itemId])).toEqual([[ch.spies, i1]]);

    const grid = await storage.alerts.forCluster((await storage.items.get(i2!))!.clusterId!);
    expect(grid.map((r) => [r.channelId, r.itemId])).toEqual([[ch.grid, i2]]);
    const bread = await storage.alerts.forCluster((await storage.items.get(i3!))!.clusterId!);
    expect(bread.map((r) => [r.channelId, r.itemId])).toEqual([[ch.bread, i3]]);

    // Topics, digest and coverage are in place for the dispatcher.
    expect((await storage.clusters.itemTopics(i1!)).map((t) => t.topicId)).toEqual(['espionage']);
    const story = (await storage.alerts.story({ itemId: i1!, clusterId: router, channelId: ch.spies }))!;
    expect(story.digest).toMatch(/routers/);
    expect(story.coverage.map((c) => [c.source, c.title])).toEqual([['Beta Wire', beta[0]!.title]]);
    // An item no topic or keyword wanted is not summarised.
    await seedFeed(storage, { url: 'https://gamma.example/rss', title: 'Gamma' }, [{ key: 'g1', title: 'Weather stays mild', summary: 'Sunny.' }], t0);
    await createPipeline(deps(), opts()).runOnce();
    const g = (await storage.items.listByFeed((await storage.feeds.getByUrl('https://gamma.example/rss'))!.id))[0]!;
    expect(g.digest).toBeNull();
  });

  /** `store` whose markProcessed fails the first `crashes` times (a crash just before the item's last write). */
  function crashingOnMarkProcessed<S extends PipelineDeps['store']>(store: S, state: { crashes: number }): S {
    return new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'markProcessed') {
          return async (id: number, hash: string) => {
            if (state.crashes-- > 0) throw new Error('simulated crash');
            return target.markProcessed(id, hash);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  it('in one transaction per item: a crash before the item is marked processed leaves none of its writes, and the re-run writes each once', async () => {
    const { a, ch } = await setup();
    const state = { crashes: 1 };
    const crashing = deps({ writes: (fn) => storage.pipelineWrites((store, outbox) => fn(crashingOnMarkProcessed(store, state), outbox)) });
    const first = await createPipeline(crashing, opts()).runOnce();
    expect(first).toMatchObject({ items: 4, failed: 1 });
    // The first item (a router story for the spies channel) failed: no cluster, digest or outbox row of it stayed.
    const [left] = await storage.clusters.unprocessedItems(10);
    expect(left?.id).toBe(a.itemIds[0]);
    const stored = (await storage.items.get(left!.id))!;
    expect(stored.clusterId).toBeNull();
    expect(stored.digest).toBeNull();
    expect((await storage.alerts.list()).filter((r) => r.itemId === left!.id)).toEqual([]);
    // The other router story (Beta's) started the cluster and took the spies alert; the re-run joins it as coverage.
    const second = await createPipeline(deps(), opts()).runOnce();
    expect(second).toMatchObject({ items: 1, failed: 0, newClusters: 0, clustered: 1, alerts: 0 });
    expect(await storage.clusters.unprocessedItems(10)).toEqual([]);
    expect(await storage.alerts.counts()).toMatchObject({ pending: 3 });
    expect((await storage.alerts.list({ channelId: ch.spies })).length).toBe(1);
  });

  it('written one by one (no transaction): re-runs safely after a crash between writing the outbox and marking the item processed', async () => {
    const { ch } = await setup();
    const crashing = deps({ writes: undefined, store: crashingOnMarkProcessed(storage.clusters, { crashes: 1 }) });
    const first = await createPipeline(crashing, opts()).runOnce();
    expect(first.failed).toBe(1);
    expect((await storage.clusters.unprocessedItems(10)).length).toBe(1);
    // "Restart": a new pipeline picks the item up again and adds nothing twice.
    const second = await createPipeline(deps(), opts()).runOnce();
    expect(second).toMatchObject({ items: 1, alerts: 0, newClusters: 0, clustered: 0 });
    expect(await storage.alerts.counts()).toMatchObject({ pending: 3 });
    expect((await storage.alerts.list({ channelId: ch.spies })).length).toBe(1);
  });

  it('alerts a catch-up oldest first across feeds, whatever order the feeds listed their stories in', async () => {
    const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);
    const story = (key: string, hhmm: string, what: string) => ({ key, title: `Bakery news: ${what}`, summary: `The bakery ${what}.`, publishedAt: at(hhmm) });
    // Each feed lists its newest story first; together they interleave in time.
    const a = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha News' }, [story('a-late', '09:40', 'opens a second shop'), story('a-early', '08:10', 'wins the rye prize')], t0);
    const b = await seedFeed(storage, { url: 'https://beta.example/rss', title: 'Beta Wire' }, [story('b-mid', '09:00', 'hires twelve bakers'), story('b-first', '07:30', 'starts baking at dawn')], t0);
    const bread = await seedChannel(storage, 'slack', 'C-BREAD', [], [{ term: 'bakery', exclude: false }]);
    // Batches of two: each takes the stories that happened first among all waiting, not the first stored.
    const stats = await createPipeline(deps(), opts({ batchSize: 2 })).runOnce();
    expect(stats).toMatchObject({ items: 4, alerts: 4, failed: 0 });
    const claimed = await storage.alerts.claimDue({ now: new Date(Date.now() + 3600_000), limit: 10, owner: 'test', leaseUntil: new Date(Date.now() + 7200_000), platforms: ['slack'] });
    const keyOf = new Map<number, string>();
    for (const id of [...a.itemIds, ...b.itemIds]) keyOf.set(id, (await storage.items.get(id))!.key);
    expect(claimed.filter((c) => c.channelId === bread).map((c) => keyOf.get(c.itemId))).toEqual(['b-first', 'a-early', 'b-mid', 'a-late']);
  });

  it('a failed item waits, then is tried again by the same running pipeline', async () => {
    await setup();
    const clock = fixedClock(t0);
    let fail = true;
    const flaky = deps({
      clock,
      summarize: async (input) => {
        if (fail && input.title.startsWith('Hackers probe')) throw new Error('summariser down');
        return { summary: input.title, fromExcerpt: true };
      },
    });
    const p = createPipeline(flaky, opts({ retryFailedMs: 60_000 }));
    expect(await p.runOnce()).toMatchObject({ items: 4, failed: 1 });
    fail = false;
    expect((await p.runOnce()).items).toBe(0);
    clock.advance(60_000);
    expect(await p.runOnce()).toMatchObject({ items: 1, failed: 0, alerts: 1 });
    expect(await storage.clusters.unprocessedItems(10)).toEqual([]);
  });

  it('a storage error is not held against the item: the running loop waits for the database and goes on at once', async () => {
    await setup();
    const clock = fixedClock(t0);
    // The database drops twice, while the second item's outbox rows are written.
    let drops = 2;
    const dropping = <O extends PipelineDeps['outbox']>(alerts: O): O => new Proxy(alerts, {
      get(target, prop, receiver) {
        if (prop === 'enqueue') {
          return async (a: Parameters<typeof target.enqueue>[0]) => {
            if (drops > 0 && a.itemId === 2) {
              drops--;
              throw new StorageError('unavailable', 'storage: PostgreSQL db:5432/x is not answering (Connection terminated unexpectedly)');
            }
            return target.enqueue(a);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let waits = 0;
    const writes: PipelineDeps['writes'] = (fn) => storage.pipelineWrites((store, outbox) => fn(store, dropping(outbox)));
    const p = createPipeline(deps({ clock, writes, storageReady: async () => void waits++ }), opts({ retryFailedMs: 3_600_000, idleMs: 60_000 }));
    // Once by hand: the batch stops at the storage error, which is not counted as the item's failure.
    await expect(p.runOnce()).rejects.toBeInstanceOf(StorageError);
    expect((await storage.clusters.unprocessedItems(10)).map((i) => i.id)).toContain(2);
    // Running: it waits for the database (not retryFailedMs, not idleMs) and finishes every item.
    await p.start();
    await waitFor('every item processed', async () => (await storage.clusters.unprocessedItems(10)).length === 0, 10_000);
    await p.stop();
    expect(waits).toBe(1);
    expect(await storage.alerts.counts()).toMatchObject({ pending: 3 });
  });

  it('a materially changed story asks for an edit when edit_on_change is on, and not when it is off', async () => {
    for (const editOnChange of [true, false]) {
      await cleanup();
      ({ storage, cleanup } = await freshStorage(database));
      const { a, ch } = await setup();
      await createPipeline(deps(), opts({ editOnChange })).runOnce();
      const gridAlert = (await storage.alerts.list({ channelId: ch.grid }))[0]!;
      const [claimed] = await storage.alerts.claimDue({ now: new Date(), limit: 1, owner: 't', leaseUntil: new Date(Date.now() + 60_000), platforms: ['discord'] });
      await storage.alerts.markSending(claimed!.id, 't', new Date());
      await storage.alerts.markSent(claimed!.id, 't', { messageId: 'm-1', at: new Date(), inDigest: false, updateCount: claimed!.updateCount });
      // The feed corrects the headline: the item is stored again with processed = 0.
      const changed = newItem(a.feedId, { ...alpha[1]!, title: 'Hackers probe national power grid operators' });
      expect((await storage.items.storeForFeed(a.feedId, [changed], { fetchedAt: new Date() })).updated).toEqual([a.itemIds[1]]);
      const stats = await createPipeline(deps(), opts({ editOnChange })).runOnce();
      expect(stats.items).toBe(1);
      const after = (await storage.alerts.get(gridAlert.id))!;
      expect([after.status, after.needsUpdate]).toEqual(['sent', editOnChange]);
    }
  });

  it('later coverage of an already posted story asks for an edit instead of a new alert', async () => {
    const { ch } = await setup();
    await createPipeline(deps(), opts()).runOnce();
    const spies = (await storage.alerts.list({ channelId: ch.spies }))[0]!;
    const [claimed] = await storage.alerts.claimDue({ now: new Date(), limit: 10, owner: 't', leaseUntil: new Date(Date.now() + 60_000), platforms: ['slack'] });
    expect(claimed!.id).toBe(spies.id);
    await storage.alerts.markSending(spies.id, 't', new Date());
    await storage.alerts.markSent(spies.id, 't', { messageId: 'ts-1', at: new Date(), inDigest: false, updateCount: claimed!.updateCount });
    expect((await storage.alerts.get(spies.id))!.needsUpdate).toBe(false);
    await seedFeed(storage, { url: 'https://delta.example/rss', title: 'Delta Daily' }, [
      { key: 'd1', title: 'Regulator bans foreign routers, citing cyberespionage', summary: 'Foreign-made routers are banned over cyberespionage risks to national networks.', publishedAt: new Date('2026-03-02T11:00:00Z') },
    ], t0);
    const stats = await createPipeline(deps(), opts()).runOnce();
    expect(stats).toMatchObject({ items: 1, clustered: 1, alerts: 0 });
    expect((await storage.alerts.list({ channelId: ch.spies })).length).toBe(1);
    expect((await storage.alerts.get(spies.id))!.needsUpdate).toBe(true);
    const story = (await storage.alerts.story(spies))!;
    expect(story.coverage.map((c) => c.source)).toEqual(['Beta Wire', 'Delta Daily']);
  });

  // delivery.max_story_age_days: a story dated long before it was read is stored, matched and clustered, but no
  // channel gets a new alert for it; an undated one, or one within the limit, is alerted as before.
  it.each([
    { name: 'dated 10 days before it was read, limit 7 days: no alert', ageDays: 10, limitDays: 7, alerted: false },
    { name: 'dated 3 days before, limit 7 days: alerted', ageDays: 3, limitDays: 7, alerted: true },
    { name: 'undated, limit 7 days: alerted', ageDays: null, limitDays: 7, alerted: true },
    { name: 'dated 10 years before, no limit (0): alerted', ageDays: 3650, limitDays: 0, alerted: true },
  ])('story age: $name', async ({ ageDays, limitDays, alerted }) => {
    const readAt = new Date('2026-03-20T10:00:00Z');
    const publishedAt = ageDays === null ? null : new Date(readAt.getTime() - ageDays * 86_400_000);
    const feed = await seedFeed(storage, { url: 'https://archive.example/rss', title: 'Archive' }, [{ key: 'old1', title: 'Regulator bans foreign routers over cyberespionage fears', summary: 'Cyberespionage risks, the regulator said.', publishedAt }], readAt);
    const spies = await seedChannel(storage, 'slack', 'C-SPIES', ['espionage']);
    const log = captureLog();
    const stats = await createPipeline(deps({ logger: log.logger }), opts({ maxStoryAgeMs: limitDays * 86_400_000 })).runOnce();
    expect(stats).toMatchObject({ items: 1, matched: 1, alerts: alerted ? 1 : 0, tooOld: alerted ? 0 : 1 });
    expect((await storage.alerts.list({ channelId: spies })).length).toBe(alerted ? 1 : 0);
    // Stored, matched and clustered all the same (it shows in /news latest and /news why).
    const item = (await storage.items.get(feed.itemIds[0]!))!;
    expect(item.clusterId).not.toBeNull();
    expect((await storage.clusters.itemTopics(item.id)).map((t) => t.topicId)).toEqual(['espionage']);
    const said = log.lines.filter((l) => /stored without alerts/.test(String(l.msg)));
    expect(said.map((l) => l.msg)).toEqual(alerted ? [] : ['pipeline: 1 story was dated more than 7 days before it was read: stored without alerts (delivery.max_story_age_days)']);
  });

  // Two stories the scorer let in, told in other words (similarity about 0.10, three specific words shared), join
  // when the second came within a day of the first (the in-scope rule); not later, and not when either is out of
  // scope. Twenty-four unrelated stories fill the window, so word frequencies count.
  it.each([
    { name: 'both in scope, 20 hours apart: one story, one alert', hours: 20, firstInScope: true, clusters: 1 },
    { name: 'both in scope, 30 hours apart: two stories', hours: 30, firstInScope: true, clusters: 2 },
    { name: 'the first out of scope: two stories', hours: 20, firstInScope: false, clusters: 2 },
  ])('the in-scope rule through storage: $name', async ({ hours, firstInScope, clusters }) => {
    const t = (h: number) => new Date(Date.parse('2026-03-02T00:00:00Z') + h * 3600_000);
    const fetchedAt = t(48);
    const first = { key: 'k1', title: 'Kestrel group hides Nightjar backdoor with signed kernel driver', summary: 'A new sample of the Nightjar backdoor, typical of Kestrel espionage campaigns, was loaded by a kernel driver in attacks on ministries.', publishedAt: t(0) };
    const later = { key: 'k2', title: 'Ostravian APT caught using Nightjar tooling', summary: 'Kestrel espionage, researchers say, keeps at it.', publishedAt: t(hours) };
    const filler = Array.from({ length: 24 }, (_, i) => ({ key: `f${i}`, title: `Globex story number${i} about subject${i} in region${i} for client${i} and topic${i}`, summary: '', publishedAt: t(-1 - i / 10) }));
    await seedFeed(storage, { url: 'https://filler.example/rss', title: 'Filler' }, filler, fetchedAt);
    const a = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha News' }, [first], fetchedAt);
    const b = await seedFeed(storage, { url: 'https://beta.example/rss', title: 'Beta Wire' }, [later], fetchedAt);
    const spies = await seedChannel(storage, 'slack', 'C-SPIES', ['espionage']);
    // The scorer's decision, as the bot passes it: a story in scope is filed under a topic.
    const inScope = (doc: { title: string }) => (doc.title === first.title ? firstInScope : /Kestrel|Nightjar/.test(doc.title));
    const match: PipelineDeps['match'] = (doc) => ({ topics: [{ topicId: 'espionage', score: 5, reasons: [], matched: inScope(doc) }], relevance: null });
    await createPipeline(deps({ match }), opts({ batchSize: 30 })).runOnce();
    const [ca, cb] = [(await storage.items.get(a.itemIds[0]!))!.clusterId, (await storage.items.get(b.itemIds[0]!))!.clusterId];
    expect(new Set([ca, cb]).size).toBe(clusters);
    const alerts = await storage.alerts.list({ channelId: spies });
    expect(alerts.length).toBe(firstInScope ? clusters : 1);
    if (clusters === 1) {
      const story = (await storage.alerts.story(alerts[0]!))!;
      expect(story.coverage.map((c) => [c.source, c.title])).toEqual([['Beta Wire', later.title]]);
    }
  });

  it('a cluster whose stored fingerprint cannot be read is skipped with one warning naming it; placement goes on', async () => {
    const { a, b } = await setup();
    // Two damaged rows in the window: the router story's fingerprint with its words cut short, and a
    // signature that is not hex at all.
    const g = await seedFeed(storage, { url: 'https://gamma.example/rss', title: 'Gamma' }, [{ key: 'g1', title: 'Old story' }, { key: 'g2', title: 'Older story' }], t0);
    await storage.items.markProcessed(g.itemIds);
    const router = storySignature({ title: alpha[0]!.title, summary: alpha[0]!.summary });
    const cut = (await storage.clusters.create({ signature: router.slice(0, -3), title: 'cut', firstItemId: g.itemIds[0]!, at: t0, createdAt: t0 })).id;
    const junk = (await storage.clusters.create({ signature: 'not a fingerprint', title: 'junk', firstItemId: g.itemIds[1]!, at: t0, createdAt: t0 })).id;
    const { lines, logger } = captureLog('warn');
    const p = createPipeline(deps({ logger }), opts());
    expect(await p.runOnce()).toMatchObject({ items: 4, failed: 0, newClusters: 3, clustered: 1, alerts: 3 });
    // The router stories still share a cluster of their own.
    const routerCluster = (await storage.items.get(a.itemIds[0]!))!.clusterId;
    expect((await storage.items.get(b.itemIds[0]!))!.clusterId).toBe(routerCluster);
    expect([cut, junk]).not.toContain(routerCluster);
    // Later items read the window again: still one warning per damaged cluster.
    await seedFeed(storage, { url: 'https://delta.example/rss', title: 'Delta Daily' }, [{ key: 'd1', title: 'Weather stays mild', summary: 'Sunny.' }], t0);
    expect(await p.runOnce()).toMatchObject({ items: 1, failed: 0 });
    const warned = lines.filter((l) => l.level === 'warn');
    expect(warned.map((l) => l.cluster_id)).toEqual([cut, junk]);
    for (const l of warned) expect(l.msg).toMatch(new RegExp(`^pipeline: cluster ${String(l.cluster_id)}'s stored fingerprint cannot be read \\(cluster: .+\\); it is left out of placement`));
  });

  it('runs as a loop that notify() wakes, and stops cleanly', async () => {
    await setup();
    const p = createPipeline(deps(), opts({ idleMs: 60_000 }));
    await p.start();
    p.notify();
    await waitFor('every item to be processed', async () => (await storage.clusters.unprocessedItems(1)).length === 0);
    await p.stop();
    expect(await storage.clusters.unprocessedItems(10)).toEqual([]);
    expect((await storage.alerts.counts()).pending).toBe(3);
  });
});
