// Polling with the worker pool, as the bot does: a 304 never starts a worker thread; a body is read on one;
// a body past the deadline fails that feed alone with parse_timeout (recorded on the feed, backed off) and
// the other feeds of the same run are read normally.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFetcher, type Fetcher } from '../../src/feeds/fetcher.ts';
import { pollFeed, type PollOptions } from '../../src/feeds/poller.ts';
import { createScheduler } from '../../src/feeds/scheduler.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { pooledFeedReader } from '../../src/workers/feed-reader.ts';
import { createWorkers, type Workers } from '../../src/workers/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { startFeedServer, type FeedServer } from '../feeds/helpers/feed-server.ts';

const RSS2 = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'feeds', 'fixtures', 'rss2.xml'), 'utf8');
const POLL: PollOptions = { intervalSeconds: 900, maxIntervalSeconds: 86_400, jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 3, backfill: 0 };
const BIG = `<rss version="2.0"><channel><title>Big</title>${Array.from({ length: 1000 }, (_, i) => `<item><title>Item ${i}</title><link>https://big.example.com/${i}</link><description>${'Officials met again to discuss norms. '.repeat(60)}</description></item>`).join('')}</channel></rss>`;

describe('polling on worker threads', () => {
  let server: FeedServer;
  let fetcher: Fetcher;
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const opened: Workers[] = [];
  const workers = (parseTimeoutMs = 10_000) => {
    const w = createWorkers({ threads: 1, parse_timeout_ms: parseTimeoutMs, summarize_timeout_ms: 10_000, max_heap_mb: 256 });
    opened.push(w);
    return w;
  };
  const clock = fixedClock(new Date('2026-11-23T12:00:00Z'));

  beforeAll(async () => {
    server = await startFeedServer();
    server.route('/feed', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(RSS2);
    });
    server.route('/big', (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(BIG));
    fetcher = createFetcher({ userAgent: 'cyberbrief-test', connectTimeoutMs: 2000, totalTimeoutMs: 10_000, maxBodyBytes: 10 * 1024 * 1024, maxRedirects: 5, allowHosts: ['127.0.0.1'] });
  });
  // A database of each case's own, with only the feeds it adds. SQLite: the storage is not what is tested here.
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
  });
  afterEach(async () => cleanup());
  afterAll(async () => {
    await Promise.all(opened.map((w) => w.close()));
    await fetcher.close();
    await server.close();
  });

  it('reads a body on a worker, and a 304 afterwards starts none', async () => {
    const { feed } = await storage.feeds.add({ url: server.url('/feed'), source: 'cli' }, clock.now());
    const first = workers();
    const r1 = await pollFeed(feed, { storage, fetcher, options: POLL, clock, logger: silentLogger(), readFeed: first.readFeed });
    expect(r1).toMatchObject({ status: 'new', items: 3 });
    expect(first.pool.stats().started).toBe(1);

    const fresh = workers();
    const r2 = await pollFeed((await storage.feeds.get(feed.id))!, { storage, fetcher, options: POLL, clock, logger: silentLogger(), readFeed: fresh.readFeed });
    expect(r2.status).toBe('not_modified');
    expect(fresh.pool.stats()).toMatchObject({ started: 0, live: 0 });
  });

  it('a body past the deadline fails that feed with parse_timeout, recorded and backed off; the other feed is read', async () => {
    // The other feed, added here (it was the first case's).
    await storage.feeds.add({ url: server.url('/feed'), source: 'cli' }, clock.now());
    const { feed: big } = await storage.feeds.add({ url: server.url('/big'), source: 'cli' }, clock.now());
    const w = workers();
    // The thread is up and has read a feed before the run, so the deadline is the read's alone. The warm-up
    // goes to the same pool with a deadline of its own: its first read (cold code) took over 30 ms in a CI
    // run with two test files at once, which timed out the warm-up instead of the read under test.
    await w.pool.run('readFeed', { bytes: Buffer.from(RSS2), contentType: null, url: server.url('/feed'), feedId: 0 }, { deadlineMs: 10_000 });
    // Only the big feed has the 30 ms deadline; the other has a roomy one on the same pool and thread. If the
    // big read takes the thread first, the other waits in it, goes back to the queue when that thread is stopped,
    // and is read by its replacement, whose first read (cold code) took over 30 ms in a CI run: with one
    // deadline for both, that failed the other feed too.
    const tight = pooledFeedReader(w.pool, 30);
    const roomy = pooledFeedReader(w.pool, 10_000);
    const readFeed: typeof w.readFeed = (input) => (input.feedId === big.id ? tight : roomy)(input);
    const scheduler = createScheduler({ storage, fetcher, readFeed, options: { ...POLL, tick: '* * * * *', concurrency: 2, perHostConcurrency: 2, totalTimeoutMs: 10_000 }, logger: silentLogger(), clock });
    const results = await scheduler.runOnce({ all: true });
    const bigResult = results.find((r) => r.feedId === big.id)!;
    expect(bigResult.status).toBe('error');
    expect(bigResult.error).toEqual({ class: 'parse_timeout', message: expect.stringMatching(/^parser: reading http:\/\/127\.0\.0\.1:\d+\/big \(\d+ KB\) took longer than 30 ms, so it was stopped; the feed is retried with backoff/) });
    expect(bigResult.nextCheckAt.getTime() - clock.now().getTime()).toBe(60_000); // backoff_base_seconds after one failure
    const stored = (await storage.feeds.get(big.id))!;
    expect(stored.errorCount).toBe(1);
    expect(stored.lastError).toMatch(/^parse_timeout: parser: reading/);
    expect(results.find((r) => r.feedId !== big.id)?.status).toMatch(/^(new|not_modified)$/);
    expect(w.pool.stats().replaced).toBe(1);
  });
});
