// The scheduler with its write batcher, against real things: a feed server on 127.0.0.1, the real fetcher,
// real databases. Conditional GET bookkeeping on both databases, a failed batch leaving feeds due, a crash
// (SIGKILL of the built CLI mid-run) losing nothing, and two instances sharing PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFetcher, type Fetcher } from '../../src/feeds/fetcher.ts';
import { createScheduler, type SchedulerOptions } from '../../src/feeds/scheduler.ts';
import { fixedClock, systemClock } from '../../src/lib/clock.ts';
import { StorageError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { startFeedServer, type FeedServer } from './helpers/feed-server.ts';

notePostgresSkip();

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');
const ITEMS = 20;
const OPTIONS: SchedulerOptions = {
  tick: '*/30 * * * * *', concurrency: 64, minConcurrency: 8, perHostConcurrency: 8, totalTimeoutMs: 5000, intervalSeconds: 900, maxIntervalSeconds: 86_400,
  jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 5, backfill: 0, writeBatchSize: 16, writeBatchMs: 5,
};

/** An RSS body of ITEMS items for feed `i`. */
function rss(i: number): string {
  const items = Array.from({ length: ITEMS }, (_, k) => `<item><title>Feed ${i} story ${k}</title><link>https://news.example/${i}/${k}</link><guid>f${i}-${k}</guid><description>Story ${k} of feed ${i}.</description></item>`);
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${i}</title><link>https://news.example/${i}</link>${items.join('')}</channel></rss>`;
}

/** Routes /f/<i> for i < n: ETag "v<i>", 304 to a request presenting it, after `delayMs`. */
function routeFeeds(server: FeedServer, n: number, delayMs = 0): string[] {
  for (let i = 0; i < n; i++) {
    server.route(`/f/${i}`, (req, res) => {
      const answer = () => {
        if (req.headers['if-none-match'] === `"v${i}"`) return void res.writeHead(304, { etag: `"v${i}"` }).end();
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: `"v${i}"`, 'last-modified': 'Mon, 23 Nov 2026 12:00:00 GMT' }).end(rss(i));
      };
      if (delayMs) setTimeout(answer, delayMs);
      else answer();
    });
  }
  return Array.from({ length: n }, (_, i) => server.url(`/f/${i}`));
}

describe('batched polling', () => {
  let server: FeedServer;
  let fetcher: Fetcher;
  beforeAll(async () => {
    server = await startFeedServer();
    fetcher = createFetcher({ userAgent: 'cyberbrief-test', connectTimeoutMs: 2000, totalTimeoutMs: 5000, maxBodyBytes: 1 << 20, maxRedirects: 3, allowHosts: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });

  describe.each(testDatabases)('on $name', (database) => {
    let storage: Storage;
    let cleanup: () => Promise<void>;
    const t0 = new Date('2026-11-23T12:00:00Z');
    beforeEach(async () => {
      ({ storage, cleanup } = await freshStorage(database));
    });
    afterEach(async () => cleanup());

    it('a second poll is a conditional GET answered 304: validators sent, state written in batches, nothing stored', async () => {
      const urls = routeFeeds(server, 30);
      for (const url of urls) await storage.feeds.add({ url, source: 'cli' }, t0);
      const first = await createScheduler({ storage, fetcher, options: OPTIONS, logger: silentLogger(), clock: fixedClock(t0) }).runOnce();
      expect(first.map((r) => r.status)).toEqual(Array(30).fill('new'));
      expect(first.reduce((n, r) => n + r.new, 0)).toBe(30 * ITEMS);
      const before = server.requests.length;
      const t1 = new Date(t0.getTime() + 901_000);
      const second = await createScheduler({ storage, fetcher, options: OPTIONS, logger: silentLogger(), clock: fixedClock(t1) }).runOnce();
      expect(second.map((r) => r.status)).toEqual(Array(30).fill('not_modified'));
      const conditional = server.requests.slice(before);
      expect(conditional).toHaveLength(30);
      for (const r of conditional) expect(r.headers['if-none-match']).toBe(`"v${r.path.split('/')[2]}"`);
      for (const f of await storage.feeds.list()) {
        expect(f).toMatchObject({ lastSuccessAt: t1, nextCheckAt: new Date(t1.getTime() + 900_000), errorCount: 0, primed: true, title: `Feed ${f.url.split('/').pop()}` });
        expect(f.etag).toBe(`"v${f.url.split('/').pop()}"`);
        expect(await storage.items.countByFeed(f.id)).toBe(ITEMS);
      }
      // Leases were released with the writes: another instance could claim them when due.
      const claimable = await storage.feeds.claimDue({ now: new Date(t1.getTime() + 901_000), limit: 100, owner: 'other', leaseUntil: new Date(t1.getTime() + 999_000) });
      expect(claimable).toHaveLength(30);
    });

    it('the run’s last outcomes are written as soon as nothing else is polled, not after the write window', async () => {
      const urls = routeFeeds(server, 12);
      for (const url of urls) await storage.feeds.add({ url, source: 'cli' }, t0);
      // An hour's window and room for every outcome: only the end of the run can send the batch.
      const options = { ...OPTIONS, writeBatchSize: 1000, writeBatchMs: 3_600_000 };
      const results = await createScheduler({ storage, fetcher, options, logger: silentLogger(), clock: fixedClock(t0) }).runOnce();
      expect(results.map((r) => r.status)).toEqual(Array(12).fill('new'));
      for (const f of await storage.feeds.list()) expect(await storage.items.countByFeed(f.id)).toBe(ITEMS);
    });

    it('a batch the database refuses leaves every feed in it due, with nothing held against it', async () => {
      const urls = routeFeeds(server, 5);
      for (const url of urls) await storage.feeds.add({ url, source: 'cli' }, t0);
      const outage = () => new StorageError('unavailable', 'storage: the database is not answering');
      const refusing = { feeds: storage.feeds, items: storage.items, pollWrites: { commit: async () => Promise.reject(outage()) } as unknown as Storage['pollWrites'] };
      const results = await createScheduler({ storage: refusing, fetcher, options: OPTIONS, logger: silentLogger(), clock: fixedClock(t0), storageReady: async () => undefined }).runOnce();
      expect(results.map((r) => r.error?.class)).toEqual(Array(5).fill('storage'));
      for (const f of await storage.feeds.list()) expect(f).toMatchObject({ nextCheckAt: t0, lastSuccessAt: null, errorCount: 0, lastError: null, etag: null });
      expect(await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'next', leaseUntil: new Date(t0.getTime() + 60_000) })).toHaveLength(5);
    });
  });

  it('a crash mid-run loses nothing: the built CLI killed while polling, the next run stores every item once', async () => {
    const n = 40;
    const urls = routeFeeds(server, n, 40);
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-crash-'));
    try {
      const db = path.join(dir, 'crash.db');
      writeFileSync(path.join(dir, 'config.yaml'), 'polling:\n  allow_hosts: ["127.0.0.1"]\n  per_host_concurrency: 4\n  write_batch_ms: 200\nfeeds: []\n');
      const setup = await openStorage(db);
      for (const url of urls) await setup.feeds.add({ url, source: 'cli' });
      await setup.close();
      const seen = server.requests.length;
      const child = spawn(process.execPath, [BIN, 'poll', '--once', '--all'], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db, CYBERBRIEF_CONFIG: 'config.yaml' }, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Killed once the server has answered a third of the feeds: some outcomes are written, some not.
      while (server.requests.length - seen < n / 3) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await exited;
      const storage = await openStorage(db);
      try {
        const after = await storage.feeds.list();
        const done = after.filter((f) => f.lastSuccessAt).length;
        expect(done).toBeLessThan(n);
        // The dead process's leases expire; the next run (clock past them) polls what was not written.
        const later = fixedClock(new Date(Date.now() + 3_600_000));
        const results = await createScheduler({ storage, fetcher, options: OPTIONS, logger: silentLogger(), clock: later }).runOnce({ all: true });
        expect(results).toHaveLength(n);
        for (const f of await storage.feeds.list()) {
          expect(f.lastSuccessAt).not.toBeNull();
          expect(await storage.items.countByFeed(f.id)).toBe(ITEMS);
        }
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const pg = testDatabases.find((d) => d.name === 'postgres');
  it.skipIf(!pg)('two instances on one PostgreSQL fetch each feed exactly once per interval, and none is lost', async () => {
    const n = 120;
    const urls = routeFeeds(server, n, 15).map((u) => `${u}?two`);
    const { url, drop } = await pg!.create();
    const one = await openStorage(url);
    const two = await openStorage(url);
    const fetcherTwo = createFetcher({ userAgent: 'cyberbrief-test-2', connectTimeoutMs: 2000, totalTimeoutMs: 5000, maxBodyBytes: 1 << 20, maxRedirects: 3, allowHosts: ['127.0.0.1'] });
    try {
      for (const u of urls) await one.feeds.add({ url: u, source: 'cli' });
      const seen = server.requests.length;
      const options = { ...OPTIONS, concurrency: 8, minConcurrency: 8, adaptiveConcurrency: false };
      const [r1, r2] = await Promise.all([
        createScheduler({ storage: one, fetcher, options: { ...options, instanceId: 'one' }, logger: silentLogger(), clock: systemClock }).runOnce(),
        createScheduler({ storage: two, fetcher: fetcherTwo, options: { ...options, instanceId: 'two' }, logger: silentLogger(), clock: systemClock }).runOnce(),
      ]);
      const hits = new Map<string, number>();
      for (const r of server.requests.slice(seen)) hits.set(r.path, (hits.get(r.path) ?? 0) + 1);
      expect(hits.size).toBe(n);
      expect([...hits.values()].every((h) => h === 1)).toBe(true);
      expect(r1!.length + r2!.length).toBe(n);
      expect(r1!.length).toBeGreaterThan(n / 4);
      expect(r2!.length).toBeGreaterThan(n / 4);
      expect(new Set([...r1!, ...r2!].map((r) => r.feedId)).size).toBe(n);
      for (const f of await one.feeds.list()) expect(f.lastSuccessAt).not.toBeNull();
      // Within the interval nothing is due: a second round by both fetches nothing.
      const again = await Promise.all([
        createScheduler({ storage: one, fetcher, options, logger: silentLogger() }).runOnce(),
        createScheduler({ storage: two, fetcher: fetcherTwo, options, logger: silentLogger() }).runOnce(),
      ]);
      expect(again.flat()).toEqual([]);
      expect(server.requests.length - seen).toBe(n);
    } finally {
      await fetcherTwo.close();
      await one.close();
      await two.close();
      await drop();
    }
  }, 60_000);
});
