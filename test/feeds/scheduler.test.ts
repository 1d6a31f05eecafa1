import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Feed } from '../../src/domain/types.ts';
import { FetchError } from '../../src/feeds/fetch-error.ts';
import type { FeedFetchResult, Fetcher } from '../../src/feeds/fetcher.ts';
import { createScheduler, runPool, type SchedulerOptions } from '../../src/feeds/scheduler.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { StorageError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const feed = (id: number, url: string): Feed => ({
  id, url, title: null, siteUrl: null, enabled: true, intervalSeconds: null, etag: null, lastModified: null,
  nextCheckAt: new Date(0), errorCount: 0, lastError: null, lastErrorAt: null, lastSuccessAt: null, disabledReason: null, ttlMinutes: null, primed: false, global: true, createdAt: new Date(0),
});

/** Work whose completion the test controls, recording how many run at once overall and per host. */
function gatedWork() {
  const gates: Array<() => void> = [];
  let active = 0;
  let maxActive = 0;
  const perHost = new Map<string, number>();
  const maxPerHost = new Map<string, number>();
  const order: number[] = [];
  const work = (f: Feed) =>
    new Promise<number>((resolve) => {
      const host = new URL(f.url).host;
      active++;
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      maxActive = Math.max(maxActive, active);
      maxPerHost.set(host, Math.max(maxPerHost.get(host) ?? 0, perHost.get(host)!));
      order.push(f.id);
      gates.push(() => {
        active--;
        perHost.set(host, perHost.get(host)! - 1);
        resolve(f.id);
      });
    });
  const releaseAll = async () => {
    while (gates.length || active) {
      const g = gates.shift();
      if (g) g();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { work, releaseAll, stats: () => ({ maxActive, maxPerHost, order }) };
}

describe('runPool', () => {
  it('never exceeds the overall and per-host limits, and lets other hosts go ahead of a busy one', async () => {
    const feeds = [1, 2, 3, 4, 5, 6].map((i) => feed(i, `https://busy.example/${i}`)).concat([7, 8].map((i) => feed(i, `https://other${i}.example/`)));
    const g = gatedWork();
    const done = runPool(feeds, { concurrency: 3, perHost: 2 }, g.work);
    await new Promise((r) => setImmediate(r));
    expect(g.stats().order).toEqual([1, 2, 7]);
    await g.releaseAll();
    const { results, skipped } = await done;
    expect(results.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(skipped).toEqual([]);
    expect(g.stats().maxActive).toBe(3);
    expect(g.stats().maxPerHost.get('busy.example')).toBe(2);
  });

  it('hands back the feeds not started when told to stop', async () => {
    let stop = false;
    const g = gatedWork();
    const done = runPool([1, 2, 3, 4].map((i) => feed(i, `https://h${i}.example/`)), { concurrency: 2, perHost: 1 }, g.work, () => stop);
    await new Promise((r) => setImmediate(r));
    stop = true;
    await g.releaseAll();
    const { results, skipped } = await done;
    expect(results.sort()).toEqual([1, 2]);
    expect(skipped.map((f) => f.id)).toEqual([3, 4]);
  });
});

describe('createScheduler', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-11-23T12:00:00Z');
  const options: SchedulerOptions = {
    tick: '*/30 * * * * *', concurrency: 2, perHostConcurrency: 1, totalTimeoutMs: 1000, intervalSeconds: 900, maxIntervalSeconds: 86_400,
    jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 5, backfill: 0, instanceId: 'test-instance',
  };

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
  });
  afterEach(async () => cleanup());

  /** A fetcher port that blocks until released, so ticks and stops can be observed mid-flight. */
  function blockingFetcher() {
    const waiting: Array<() => void> = [];
    const fetcher: Pick<Fetcher, 'fetchFeed'> = {
      fetchFeed: (url) =>
        new Promise<FeedFetchResult>((resolve, reject) => {
          waiting.push(() => (url.includes('fail') ? reject(new FetchError('fetch_network', `fetcher: cannot fetch ${url}.`)) : resolve({ status: 'not_modified', finalUrl: url, permanentRedirect: false, etag: null, lastModified: null, hints: { maxAgeSeconds: null, retryAfterSeconds: null } })));
        }),
    };
    return { fetcher, waiting };
  }

  it('ticks never overlap', async () => {
    const clock = fixedClock(t0);
    await storage.feeds.add({ url: 'https://a.example/rss', source: 'cli' }, t0);
    const { fetcher, waiting } = blockingFetcher();
    const s = createScheduler({ storage, fetcher, options, logger: silentLogger(), clock });
    const first = s.tick();
    while (waiting.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await s.tick()).toBe(false);
    waiting.shift()!();
    expect(await first).toBe(true);
    expect((await storage.feeds.list())[0]!.lastSuccessAt?.toISOString()).toBe(t0.toISOString());
  });

  it('stop() waits for in-flight polls and releases the leases of feeds not started', async () => {
    const clock = fixedClock(t0);
    for (const h of ['a', 'b', 'c', 'd']) await storage.feeds.add({ url: `https://${h}.example/rss`, source: 'cli' }, t0);
    const { fetcher, waiting } = blockingFetcher();
    const s = createScheduler({ storage, fetcher, options, logger: silentLogger(), clock });
    const tick = s.tick();
    while (waiting.length < 2) await new Promise((r) => setTimeout(r, 5));
    const stopped = s.stop();
    for (const w of waiting.splice(0)) w();
    await stopped;
    await tick;
    const feeds = await storage.feeds.list();
    expect(feeds.filter((f) => f.lastSuccessAt).map((f) => f.url)).toEqual(['https://a.example/rss', 'https://b.example/rss']);
    // The other two were claimed but never started: their leases are free for another instance now.
    const other = await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'other', leaseUntil: new Date(t0.getTime() + 60_000) });
    expect(other.map((f) => f.url)).toEqual(['https://c.example/rss', 'https://d.example/rss']);
  });

  it.each([
    { name: 'in flight, then answering', answer: 'not_modified' },
    { name: 'in flight, then failing', answer: 'fail' },
  ])('stop({ giveUpInFlight }) gives up fetches $name: nothing recorded, every lease released', async ({ answer }) => {
    const clock = fixedClock(t0);
    const hosts = answer === 'fail' ? ['fail-a', 'fail-b', 'fail-c', 'fail-d'] : ['a', 'b', 'c', 'd'];
    for (const h of hosts) await storage.feeds.add({ url: `https://${h}.example/rss`, source: 'cli' }, t0);
    const { fetcher, waiting } = blockingFetcher();
    const s = createScheduler({ storage, fetcher, options, logger: silentLogger(), clock });
    const tick = s.tick();
    while (waiting.length < 2) await new Promise((r) => setTimeout(r, 5));
    // The two fetches in flight have not answered: stop() does not wait for them.
    await s.stop({ giveUpInFlight: true });
    await tick;
    // They answer (or fail) afterwards: too late to count.
    for (const w of waiting.splice(0)) w();
    await new Promise((r) => setTimeout(r, 20));
    const feeds = await storage.feeds.list();
    expect(feeds.map((f) => [f.url, f.lastSuccessAt, f.errorCount, f.lastError])).toEqual(hosts.map((h) => [`https://${h}.example/rss`, null, 0, null]));
    const other = await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'other', leaseUntil: new Date(t0.getTime() + 60_000) });
    expect(other.map((f) => f.url).sort()).toEqual(hosts.map((h) => `https://${h}.example/rss`));
  });

  it('two schedulers sharing a database never poll the same feed at once', async () => {
    const clock = fixedClock(t0);
    for (const h of ['a', 'b', 'c']) await storage.feeds.add({ url: `https://${h}.example/rss`, source: 'cli' }, t0);
    const one = blockingFetcher();
    const two = blockingFetcher();
    const s1 = createScheduler({ storage, fetcher: one.fetcher, options: { ...options, concurrency: 8 }, logger: silentLogger(), clock });
    const s2 = createScheduler({ storage, fetcher: two.fetcher, options: { ...options, concurrency: 8, instanceId: 'second' }, logger: silentLogger(), clock });
    const t1 = s1.tick();
    while (one.waiting.length < 3) await new Promise((r) => setTimeout(r, 5));
    const t2 = s2.tick();
    await t2;
    expect(two.waiting).toHaveLength(0);
    for (const w of one.waiting.splice(0)) w();
    await t1;
  });

  it('a storage error during a poll counts nothing against the feed: its lease goes back once the database answers', async () => {
    const clock = fixedClock(t0);
    await storage.feeds.add({ url: 'https://a.example/rss', source: 'cli' }, t0);
    const { fetcher, waiting } = blockingFetcher();
    // The database is away while the poll records its outcome, and for the first attempt to give the lease back.
    const outage = () => new StorageError('unavailable', 'storage: PostgreSQL db:5432/x is not answering (57P01)');
    let releaseFailures = 1;
    const feeds = new Proxy(storage.feeds, {
      get(target, prop, receiver) {
        if (prop === 'recordPoll') return async () => Promise.reject(outage());
        if (prop === 'releaseMany') {
          return async (ids: number[], owner: string) => {
            if (releaseFailures-- > 0) throw outage();
            return target.releaseMany(ids, owner);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let waits = 0;
    const s = createScheduler({ storage: { feeds, items: storage.items }, fetcher, options, logger: silentLogger(), clock, storageReady: async () => void waits++ });
    const tick = s.tick();
    while (waiting.length === 0) await new Promise((r) => setTimeout(r, 5));
    waiting.shift()!();
    await tick;
    const f = (await storage.feeds.list())[0]!;
    // Not the feed's failure: no error count, no last error, no new schedule; the lease is free again.
    expect(f).toMatchObject({ errorCount: 0, lastError: null, lastSuccessAt: null, nextCheckAt: t0 });
    expect(waits).toBe(1);
    const again = await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'next', leaseUntil: new Date(t0.getTime() + 60_000) });
    expect(again.map((x) => x.url)).toEqual(['https://a.example/rss']);
  });

  it('rejects an invalid tick expression at start', () => {
    const s = createScheduler({ storage, fetcher: blockingFetcher().fetcher, options: { ...options, tick: 'every minute' }, logger: silentLogger() });
    expect(() => s.start()).toThrow(/polling\.tick 'every minute' is not a valid cron expression/);
  });

  it('start() runs ticks from node-cron and stop() ends them', async () => {
    const clock = fixedClock(t0);
    await storage.feeds.add({ url: 'https://fail.example/rss', source: 'cli' }, t0);
    const { fetcher, waiting } = blockingFetcher();
    const s = createScheduler({ storage, fetcher, options: { ...options, tick: '* * * * * *' }, logger: silentLogger(), clock });
    s.start();
    while (waiting.length === 0) await new Promise((r) => setTimeout(r, 20));
    const stopped = s.stop();
    waiting.shift()!();
    await stopped;
    const f = (await storage.feeds.list())[0]!;
    expect(f.errorCount).toBe(1);
    expect(f.lastError).toBe('fetch_network: fetcher: cannot fetch https://fail.example/rss.');
  });
});
