import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFetcher, type Fetcher } from '../../src/feeds/fetcher.ts';
import { backoffSeconds, nextCheckSeconds, pollFeed, type PollOptions } from '../../src/feeds/poller.ts';
import { createScheduler } from '../../src/feeds/scheduler.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { serve, startFeedServer, type FeedServer } from './helpers/feed-server.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const RSS2 = readFileSync(path.join(FIXTURES, 'rss2.xml'), 'utf8');

const POLL: PollOptions = { intervalSeconds: 900, maxIntervalSeconds: 86_400, jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 3, backfill: 0 };
const t0 = new Date('2026-11-23T12:00:00Z');

describe('next check and backoff', () => {
  const hints = (maxAge: number | null, retryAfter: number | null) => ({ maxAgeSeconds: maxAge, retryAfterSeconds: retryAfter });
  it.each([
    ['the interval', { intervalSeconds: null }, hints(null, null), null, 900],
    ['the feed’s own interval', { intervalSeconds: 300 }, hints(null, null), null, 300],
    ['ttl when later', { intervalSeconds: null }, hints(null, null), 60, 3600],
    ['max-age when later', { intervalSeconds: null }, hints(7200, null), 60, 7200],
    ['Retry-After when later', { intervalSeconds: null }, hints(600, 10_000), null, 10_000],
    ['clamped to the maximum', { intervalSeconds: null }, hints(10 * 86_400, null), null, 86_400],
    ['a short max-age never shortens the interval', { intervalSeconds: null }, hints(30, null), null, 900],
  ])('%s', (_name, feed, h, ttl, expected) => {
    expect(nextCheckSeconds(feed, POLL, h, ttl)).toBe(expected);
  });
  it.each([
    [1, null, 60],
    [2, null, 120],
    [5, null, 960],
    [40, null, 86_400],
    [1, 3600, 3600],
  ])('failure %i with Retry-After %s waits %i s', (n, ra, s) => {
    expect(backoffSeconds(n, POLL, ra)).toBe(s);
  });
});

describe('pollFeed end to end (real fetcher, local server, SQLite)', () => {
  let server: FeedServer;
  let fetcher: Fetcher;
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const clock = fixedClock(t0);
  let body = RSS2;
  let failuresLeft = 0;

  beforeAll(async () => {
    server = await startFeedServer();
    fetcher = createFetcher({ userAgent: 'cyberbrief-test', connectTimeoutMs: 2000, totalTimeoutMs: 1500, maxBodyBytes: 256 * 1024, maxRedirects: 5, allowHosts: ['127.0.0.1'] });
    server.route('/feed', (req, res) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(500).end('down');
        return;
      }
      const etag = `"${Buffer.from(body).length}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
    });
    server.route('/limited', serve('busy', { 'retry-after': '7200' }, 429));
    // Hostile redirects: a Location of about 15 KB, to itself (a loop), or to ever longer paths (too many hops).
    const long = (tag: string) => `/${tag}/${'%E2%80%AE'.repeat(1200)}${'a'.repeat(4000)}`;
    server.route('/loop', serve('', { location: long('loop') }, 302));
    server.route(long('loop'), serve('', { location: long('loop') }, 302));
    for (let i = 0; i < 8; i++) server.route(i === 0 ? '/hops' : long(`hop${i}`), serve('', { location: long(`hop${i + 1}`) }, 302));
    server.route('/encoding', serve('x', { 'content-encoding': `x-evil-${'e'.repeat(12 * 1024)}` }));
    server.route('/moved', serve('', { location: '/feed' }, 301));
    server.route('/temporary', serve('', { location: '/feed' }, 302));
    // A .gz file served as is (no Content-Encoding): small on the wire, 300 kB once unpacked.
    server.route('/feed.xml.gz', serve(gzipSync(RSS2.replace('<item>', `<item><title>${'x'.repeat(300 * 1024)}</title></item><item>`)), { 'content-type': 'application/gzip' }));
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    clock.set(t0);
    body = RSS2;
    failuresLeft = 0;
  });
  afterEach(async () => cleanup());

  const deps = (over: Partial<PollOptions> = {}) => ({ storage, fetcher, options: { ...POLL, ...over }, clock, logger: silentLogger(), random: () => 0 });
  const addFeed = async (p: string) => (await storage.feeds.add({ url: server.url(p), source: 'cli' }, t0)).feed;
  const reload = async (id: number) => (await storage.feeds.get(id))!;

  it.each([
    { name: 'raw escape sequences and controls', title: 'Cyber \u001b[31mDesk\u001b[0m\u001b]0;pwned\u0007 \u202eNews\u009b2J' },
    { name: 'character references to controls', title: 'Cyber &#x1b;[31mDesk&#27;[0m &#x202e;News&#7;' },
  ])("stores a feed's own title with $name as plain text", async ({ title }) => {
    body = RSS2.replace('<title>Cyber Desk</title>', `<title>${title}</title>`);
    const feed = await addFeed('/feed');
    expect(await pollFeed(feed, deps())).toMatchObject({ status: 'new' });
    expect((await reload(feed.id)).title).toBe('Cyber Desk News');
  });

  it.each([
    { name: 'a redirect loop through a 15 KB Location', path: '/loop', advice: '; fix the feed URL.' },
    { name: 'too many redirects through 15 KB Locations', path: '/hops', advice: '; use the final URL.' },
    { name: 'a 12 KB Content-Encoding', path: '/encoding', advice: ', which is not supported.', code: 'fetch_http' },
  ])('$name: the stored error is bounded, one clean line, says it was cut, and keeps its advice', async ({ path: p, advice, code }) => {
    const feed = await addFeed(p);
    const r = await pollFeed(feed, deps());
    expect(r.status).toBe('error');
    const stored = (await reload(feed.id)).lastError!;
    expect(stored.startsWith(`${code ?? 'fetch_redirects'}: fetcher: `)).toBe(true);
    expect(Array.from(stored).length).toBeLessThanOrEqual(1000);
    expect(stored).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(stored).toContain('…[cut: ');
    expect(stored.endsWith(advice)).toBe(true);
  });

  it('first poll stores the backlog without alerts, then 304, then only real changes reach the pipeline', async () => {
    const feed = await addFeed('/feed');
    const first = await pollFeed(feed, deps());
    expect(first).toMatchObject({ status: 'new', items: 3, new: 3, updated: 0, queued: 0 });
    expect(await storage.items.listUnprocessed(10)).toEqual([]);
    const primed = await reload(feed.id);
    expect(primed.primed).toBe(true);
    expect(primed.title).toBe('Cyber Desk');
    expect(primed.siteUrl).toBe('https://news.example.org/');
    expect(primed.etag).toBe(`"${Buffer.from(RSS2).length}"`);
    expect(primed.nextCheckAt.toISOString()).toBe(new Date(t0.getTime() + 3600_000).toISOString()); // ttl 60 beats 900 s

    expect(primed.ttlMinutes).toBe(60);
    // One entry has no guid: its key would depend on the rest of the document, so no entry marks are kept.
    expect(primed.entryMarks).toBeNull();

    clock.advance(3600_000);
    const second = await pollFeed(primed, deps());
    expect(second).toMatchObject({ status: 'not_modified', items: 0, new: 0 });
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe(primed.etag);
    // A 304 has no body, yet the feed's stored ttl (60 min) still beats the 900 s interval.
    expect(second.nextCheckAt.toISOString()).toBe(new Date(clock.now().getTime() + 3600_000).toISOString());
    expect((await reload(feed.id)).ttlMinutes).toBe(60);

    // The publisher re-dates one item, edits another and adds a third.
    body = RSS2.replace('Sun, 22 Nov 2026 18:30:00 GMT', 'Mon, 23 Nov 2026 06:00:00 GMT')
      .replace('Envoys agree to a cyber working group', 'Envoys agree to a cyber working group and a hotline')
      .replace('<item>', '<item><title>Fresh story</title><link>https://news.example.org/fresh</link><guid>cyber-desk-0003</guid></item>\n    <item>');
    clock.advance(3600_000);
    const third = await pollFeed(await reload(feed.id), deps());
    expect(third).toMatchObject({ status: 'new', items: 4, new: 1, updated: 1, queued: 1 });
    const pending = await storage.items.listUnprocessed(10);
    expect(pending.map((i) => i.title).sort()).toEqual(['Envoys agree to a cyber working group and a hotline', 'Fresh story']);
  });

  it('with entry marks, a changed feed reads only its new and edited entries, and stores what a whole read would', async () => {
    // RSS2 with a guid on every entry: each entry's mark is kept.
    const marked = RSS2.replace('<link>https://news.example.org/2026/11/norms-note</link>', '<link>https://news.example.org/2026/11/norms-note</link><guid>cyber-desk-0000</guid>');
    body = marked;
    const feed = await addFeed('/feed');
    expect(await pollFeed(feed, deps())).toMatchObject({ status: 'new', items: 3, new: 3 });
    const primed = await reload(feed.id);
    expect(primed.entryMarks).toMatch(/^1 \S+ \S+,\S+,\S+$/);

    body = marked
      .replace('Envoys agree to a cyber working group', 'Envoys agree to a cyber working group and a hotline')
      .replace('<item>', '<item><title>Fresh story</title><link>https://news.example.org/fresh</link><guid>cyber-desk-0003</guid></item>\n    <item>');
    clock.advance(3600_000);
    expect(await pollFeed(primed, deps())).toMatchObject({ status: 'new', items: 4, new: 1, updated: 1, queued: 1 });
    expect((await storage.items.listUnprocessed(10)).map((i) => i.title).sort()).toEqual(['Envoys agree to a cyber working group and a hotline', 'Fresh story']);
    const stored = await storage.items.listByFeed(feed.id);
    expect(stored.map((i) => i.key).sort()).toEqual(['g:cyber-desk-0000', 'g:cyber-desk-0001', 'g:cyber-desk-0002', 'g:cyber-desk-0003']);
    expect((await reload(feed.id)).entryMarks?.split(',')).toHaveLength(4);

    // An entry loses its guid: the marks are cleared, and the next read is whole again.
    body = body.replace('<guid>cyber-desk-0000</guid>', '');
    clock.advance(3600_000);
    expect(await pollFeed(await reload(feed.id), deps())).toMatchObject({ status: 'new', items: 4 });
    expect((await reload(feed.id)).entryMarks).toBeNull();
  });

  it.each([
    ['a permanent redirect (301) moves the stored URL to the new address', '/moved', '/feed'],
    ['a temporary redirect (302) keeps the stored URL', '/temporary', '/temporary'],
  ])('%s', async (_name, from, stored) => {
    const feed = await addFeed(from);
    expect((await pollFeed(feed, deps())).status).toBe('new');
    expect((await reload(feed.id)).url).toBe(server.url(stored));
  });

  it('a permanent redirect to a URL another feed has leaves both feeds as they are', async () => {
    const other = await addFeed('/feed');
    const moved = await addFeed('/moved');
    expect((await pollFeed(moved, deps())).status).toBe('new');
    expect((await reload(moved.id)).url).toBe(server.url('/moved'));
    expect((await reload(other.id)).url).toBe(server.url('/feed'));
  });

  it('a gzip body without Content-Encoding is unpacked within polling.max_body_bytes, not the parser default', async () => {
    const r = await pollFeed(await addFeed('/feed.xml.gz'), deps({ maxBodyBytes: 256 * 1024 }));
    expect(r.status).toBe('error');
    expect(r.error?.class).toBe('parse');
    expect(r.error?.message).toMatch(/is gzip that unpacks to more than 262144 bytes; cut off\.$/);
    expect((await pollFeed(await addFeed('/feed.xml.gz'), deps())).status).toBe('new');
  });

  it('backfill hands the newest N items of a new feed to the pipeline', async () => {
    const feed = await addFeed('/feed');
    const r = await pollFeed(feed, deps({ backfill: 2 }));
    expect(r.queued).toBe(2);
    expect((await storage.items.listUnprocessed(10)).map((i) => i.title).sort()).toEqual(['Envoys agree to a cyber working group', 'Grid operator reports intrusion']);
  });

  it('failures back off exponentially, recovery resets the count', async () => {
    const feed = await addFeed('/feed');
    failuresLeft = 2;
    const a = await pollFeed(feed, deps());
    expect(a.status).toBe('error');
    expect(a.error).toEqual({ class: 'fetch_http', message: expect.stringMatching(/HTTP 500/) });
    let f = await reload(feed.id);
    expect([f.errorCount, f.nextCheckAt.getTime() - t0.getTime()]).toEqual([1, 60_000]);
    expect(f.lastError).toMatch(/^fetch_http: fetcher: .* answered HTTP 500/);
    await pollFeed(f, deps());
    f = await reload(feed.id);
    expect([f.errorCount, f.nextCheckAt.getTime() - t0.getTime()]).toEqual([2, 120_000]);
    const ok = await pollFeed(f, deps());
    expect(ok.status).toBe('new');
    f = await reload(feed.id);
    expect([f.errorCount, f.lastError, f.enabled]).toEqual([0, null, true]);
    expect(f.lastSuccessAt?.toISOString()).toBe(t0.toISOString());
  });

  it('is disabled after N consecutive failures, with the reason stored', async () => {
    const feed = await addFeed('/feed');
    failuresLeft = 10;
    let last;
    for (let i = 0; i < 3; i++) last = await pollFeed(await reload(feed.id), deps());
    expect(last!.disabled).toBe(true);
    const f = await reload(feed.id);
    expect(f.enabled).toBe(false);
    expect(f.disabledReason).toMatch(/^disabled after 3 consecutive failures; last: fetcher: .* HTTP 500/);
  });

  it('429 honours Retry-After for the next check', async () => {
    const feed = await addFeed('/limited');
    const r = await pollFeed(feed, deps());
    expect(r.error?.class).toBe('fetch_http');
    expect((await reload(feed.id)).nextCheckAt.getTime() - t0.getTime()).toBe(7200_000);
  });
});

describe('scheduler runOnce over a misbehaving local feed server', () => {
  let server: FeedServer;
  let fetcher: Fetcher;
  let storage: Storage;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    server = await startFeedServer();
    fetcher = createFetcher({ userAgent: 'cyberbrief-test', connectTimeoutMs: 2000, totalTimeoutMs: 1000, maxBodyBytes: 128 * 1024, maxRedirects: 5, allowHosts: ['127.0.0.1'] });
    let fiveHundreds = 2;
    server.route('/good', serve(RSS2, { etag: '"g"' }));
    server.route('/etag', (req, res) => {
      if (req.headers['if-none-match'] === '"e"') return void res.writeHead(304).end();
      res.writeHead(200, { etag: '"e"', 'content-type': 'application/rss+xml' }).end(RSS2);
    });
    server.route('/retry-after', serve('busy', { 'retry-after': '3600' }, 503));
    server.route('/trickle', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    server.route('/flaky', (_req, res) => {
      if (fiveHundreds-- > 0) return void res.writeHead(500).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS2);
    });
    server.route('/loop', serve('', { location: '/loop2' }, 301));
    server.route('/loop2', serve('', { location: '/loop' }, 301));
    server.route('/oversize', serve(Buffer.alloc(512 * 1024, 'x')));
    server.route('/bomb', serve(gzipSync(Buffer.alloc(32 * 1024 * 1024)), { 'content-encoding': 'gzip' }));
    server.route('/charset', serve(Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Caf\xe9</title><item><title>Caf\xe9 talks</title><link>https://c.example/1</link></item></channel></rss>', 'latin1'), { 'content-type': 'text/xml; charset=utf-8' }));
    server.route('/html', serve('<!DOCTYPE html><html><body>Not a feed</body></html>', { 'content-type': 'text/html' }));
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
  });
  afterEach(async () => cleanup());

  it('every feed ends in its own outcome and none stops the run', async () => {
    const clock = fixedClock(t0);
    const paths = ['/good', '/etag', '/retry-after', '/trickle', '/flaky', '/loop', '/oversize', '/bomb', '/charset', '/html'];
    for (const p of paths) await storage.feeds.add({ url: server.url(p), source: 'cli' }, t0);
    const stored: number[] = [];
    const scheduler = createScheduler({
      storage,
      fetcher,
      clock,
      logger: silentLogger(),
      onItemsStored: () => stored.push(1),
      options: { ...POLL, tick: '*/30 * * * * *', concurrency: 4, perHostConcurrency: 4, totalTimeoutMs: 1000 },
    });
    const outcome = async (all: boolean) => {
      const results = await scheduler.runOnce({ all });
      return Object.fromEntries(results.map((r) => [new URL(r.url).pathname, r.status === 'error' ? r.error!.class : r.status]));
    };
    expect(await outcome(false)).toEqual({
      '/good': 'new',
      '/etag': 'new',
      '/retry-after': 'fetch_http',
      '/trickle': 'fetch_timeout',
      '/flaky': 'fetch_http',
      '/loop': 'fetch_redirects',
      '/oversize': 'fetch_too_large',
      '/bomb': 'fetch_too_large',
      '/charset': 'new',
      '/html': 'parse',
    });
    expect(stored.length).toBeGreaterThan(0);
    const charset = await storage.feeds.getByUrl(server.url('/charset'));
    expect((await storage.items.listByFeed(charset!.id)).map((i) => i.title)).toEqual(['Café talks']);
    const retry = await storage.feeds.getByUrl(server.url('/retry-after'));
    expect(retry!.nextCheckAt.getTime() - t0.getTime()).toBe(3600_000);

    // Nothing is due at the same instant: a due-only run does nothing.
    expect(await scheduler.runOnce()).toEqual([]);

    // --all: the 304 path, and the flaky feed's second 500 and then its recovery.
    const second = await outcome(true);
    expect(second['/etag']).toBe('not_modified');
    expect(second['/flaky']).toBe('fetch_http');
    const third = await outcome(true);
    expect(third['/flaky']).toBe('new');
    expect((await storage.feeds.getByUrl(server.url('/flaky')))!.errorCount).toBe(0);
    expect((await storage.feeds.getByUrl(server.url('/html')))!.errorCount).toBe(3);
  });
});
