import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedHealth } from '../../src/domain/types.ts';
import type { ChatPlatform } from '../../src/domain/chat.ts';
import { DeliveryError } from '../../src/domain/chat.ts';
import { createDispatcher } from '../../src/delivery/dispatcher.ts';
import { meteredDispatchStore } from '../../src/delivery/metered-store.ts';
import { createFetcher } from '../../src/feeds/fetcher.ts';
import { createScheduler } from '../../src/feeds/scheduler.ts';
import { createBotMetrics, METRICS_CONTENT_TYPE } from '../../src/http/metrics.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { StorageError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createStorageMonitor } from '../../src/storage/monitor.ts';
import { createCompactor } from '../../src/storage/compactor.ts';
import type { Storage } from '../../src/storage/index.ts';
import { seedAlerts, seedChannel } from '../delivery/fixtures.ts';
import { MemoryPlatform } from '../delivery/memory-platform.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format strictly enough to catch a malformed line. */
function parseExposition(text: string): { types: Map<string, string>; helps: Map<string, string>; series: Map<string, Series[]> } {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const series = new Map<string, Series[]>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      (m[1] === 'HELP' ? helps : types).set(m[2]!, m[3]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let l = re.exec(body); l; l = re.exec(body)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      consumed = re.lastIndex;
    }
    expect(consumed, `labels of ${line}`).toBe(body.length);
    expect(types.has(m[1]!), `TYPE before ${m[1]}`).toBe(true);
    const list = series.get(m[1]!) ?? [];
    list.push({ labels, value: Number(m[3]) });
    series.set(m[1]!, list);
  }
  return { types, helps, series };
}

const RSS = (n: number) =>
  [
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title><link>http://127.0.0.1/</link><description>d</description>',
    ...Array.from({ length: n }, (_, i) => `<item><guid>g${i}</guid><title>Story ${i}</title><link>http://127.0.0.1/s${i}</link><description>Text ${i}.</description></item>`),
    '</channel></rss>',
  ].join('');

describe.each(testDatabases)('GET /metrics on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let feeds: http.Server;
  let feedBase: string;
  let server: HttpServer;
  let port: number;
  const t0 = new Date('2026-03-01T12:00:00Z');
  const clock = fixedClock(t0);

  beforeEach(async () => {
    clock.set(t0);
    ({ storage, cleanup } = await freshStorage(database));
    // A feed that answers 304 to its own ETag, and one that always fails.
    feeds = http.createServer((req, res) => {
      if (req.url === '/ok.xml') {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' });
        return void res.end(RSS(3));
      }
      res.writeHead(500).end('boom');
    });
    await new Promise<void>((r) => feeds.listen(0, '127.0.0.1', r));
    feedBase = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await server?.stop();
    await new Promise((r) => feeds.close(r));
    await cleanup();
  });

  async function scrape(): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }
  const value = (p: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string> = {}) => {
    const s = (p.series.get(name) ?? []).filter((x) => JSON.stringify(x.labels) === JSON.stringify(labels));
    expect(s, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
    return s[0]!.value;
  };

  it('reports storage counts and what the scheduler, dispatcher and compactor did', async () => {
    const metrics = createBotMetrics({ stats: () => storage.stats.snapshot(clock.now()), clock, logger: silentLogger(), startedAt: t0 });
    server = createHttpServer({ host: '127.0.0.1', port: 0, routes: [metrics.route], health: async () => ({ ok: true, checks: {} }), logger: silentLogger() });
    ({ port } = await server.start());

    // Before anything happened: an empty database, every counter at zero.
    let p = parseExposition((await scrape()).text);
    expect(value(p, 'cyberbrief_feeds')).toBe(0);
    expect(value(p, 'cyberbrief_polls_total', { outcome: 'error' })).toBe(0);
    expect(value(p, 'cyberbrief_alerts', { status: 'pending' })).toBe(0);
    expect(value(p, 'cyberbrief_oldest_pending_alert_age_seconds')).toBe(0);
    expect(value(p, 'cyberbrief_storage_up')).toBe(1);

    // Three feeds: one good, one failing, one disabled. Two polls of each enabled feed.
    const ok = (await storage.feeds.add({ url: `${feedBase}/ok.xml`, source: 'cli' }, t0)).feed.id;
    const bad = (await storage.feeds.add({ url: `${feedBase}/bad.xml`, source: 'cli' }, t0)).feed.id;
    const off = (await storage.feeds.add({ url: `${feedBase}/off.xml`, source: 'cli' }, t0)).feed.id;
    await storage.feeds.setEnabled(off, false, t0);
    const scheduler = createScheduler({
      storage,
      fetcher: createFetcher({ userAgent: 'cyberbrief-test', connectTimeoutMs: 2000, totalTimeoutMs: 2000, maxBodyBytes: 256 * 1024, maxRedirects: 2, allowHosts: ['127.0.0.1'] }),
      options: { tick: '* * * * *', concurrency: 2, perHostConcurrency: 2, totalTimeoutMs: 2000, intervalSeconds: 60, maxIntervalSeconds: 3600, jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 10, backfill: 0 },
      logger: silentLogger(),
      clock,
      onPolled: (r) => metrics.counters.polled(r.status),
    });
    await scheduler.runOnce({ all: true });
    await scheduler.runOnce({ all: true });

    // Delivery: three stories to one Slack channel; "Story 0" keeps failing and is dead-lettered after
    // two attempts. Then one more alert waits, queued 90 seconds ago, in a channel nobody serves.
    const items = (await storage.items.listByFeed(ok)).sort((a, b) => a.id - b.id);
    expect(items).toHaveLength(3);
    const channel = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await seedAlerts(storage, channel, items.map((i) => i.id), t0);
    const slack = new MemoryPlatform('slack', () => clock.now().getTime());
    slack.script = (call) => (call.title === 'Story 0' ? new DeliveryError('transient', 'HTTP 500') : null);
    const dispatcher = createDispatcher(
      {
        store: meteredDispatchStore(storage.alerts, metrics.counters),
        platforms: new Map<'slack', ChatPlatform>([['slack', slack]]),
        pauseChannel: (id, reason) => storage.channels.pause(id, reason),
        clock,
        logger: silentLogger(),
        sleep: async (ms) => clock.advance(ms),
        random: () => 0.5,
      },
      { owner: 'metrics-test', maxAttempts: 2, burstPerChannel: 10, channelIntervalMs: 0, leaseMs: 600_000, claimLimit: 100, idleMs: 1000, backoffBaseMs: 1000, backoffMaxMs: 60_000 },
    );
    for (let i = 0; i < 20; i++) {
      await dispatcher.runOnce();
      const c = await storage.alerts.counts();
      if (c.pending + c.sending === 0) break;
      clock.advance(60_000);
    }
    const discord = await seedChannel(storage, 'discord', 'D1', ['espionage']);
    const queuedAt = new Date(clock.now().getTime() - 90_000);
    await seedAlerts(storage, discord, [(await storage.items.storeForFeed(bad, [{ feedId: bad, key: 'x', guid: 'x', url: null, title: 'Queued', summary: '', content: '', html: null, author: null, publishedAt: null, contentHash: 'hx' }], { fetchedAt: queuedAt })).inserted[0]!], queuedAt);

    // Compaction: a day later with compact_after_days 0.5 (in days: 12 hours) the three sent or dead items go.
    await storage.items.markProcessed(items.map((i) => i.id));
    clock.advance(86_400_000);
    await createCompactor({ compaction: storage.compaction, clock, logger: silentLogger(), onCompacted: (r) => metrics.counters.compacted(r) }, { afterDays: 0.5 }).runOnce();

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.type).toBe(METRICS_CONTENT_TYPE);
    p = parseExposition(res.text);
    expect(value(p, 'cyberbrief_feeds')).toBe(3);
    expect(value(p, 'cyberbrief_feeds_enabled')).toBe(2);
    expect(value(p, 'cyberbrief_feeds_failing')).toBe(1);
    expect(value(p, 'cyberbrief_feeds_quiet')).toBe(0);
    expect(value(p, 'cyberbrief_feeds_disabled')).toBe(1);
    expect(p.series.get('cyberbrief_feed_consecutive_failures')).toEqual([{ labels: { feed_id: String(bad) }, value: 2 }]);
    expect(value(p, 'cyberbrief_items')).toBe(4);
    expect(value(p, 'cyberbrief_polls_total', { outcome: 'new' })).toBe(1);
    expect(value(p, 'cyberbrief_polls_total', { outcome: 'not_modified' })).toBe(1);
    expect(value(p, 'cyberbrief_polls_total', { outcome: 'error' })).toBe(2);
    expect(value(p, 'cyberbrief_alerts', { status: 'sent' })).toBe(2);
    expect(value(p, 'cyberbrief_alerts', { status: 'dead' })).toBe(1);
    expect(value(p, 'cyberbrief_alerts', { status: 'pending' })).toBe(1);
    expect(value(p, 'cyberbrief_alerts', { status: 'sending' })).toBe(0);
    expect(value(p, 'cyberbrief_alerts_sent_total')).toBe(2);
    expect(value(p, 'cyberbrief_alert_failures_total', { outcome: 'retry' })).toBe(1);
    expect(value(p, 'cyberbrief_alert_failures_total', { outcome: 'dead' })).toBe(1);
    expect(value(p, 'cyberbrief_oldest_pending_alert_age_seconds')).toBe(86_400 + 90);
    expect(value(p, 'cyberbrief_compacted_items_total')).toBe(3);
    expect(value(p, 'process_start_time_seconds')).toBe(t0.getTime() / 1000);
    expect(p.types.get('cyberbrief_polls_total')).toBe('counter');
    expect(p.types.get('cyberbrief_alerts')).toBe('gauge');
    for (const name of p.series.keys()) expect(p.helps.get(name), name).toBeTruthy();
    // No label carries a URL or anything but fixed words and ids.
    expect(res.text).not.toContain('http://');
  });

  // cyberbrief_feeds_quiet counts, in SQL, the feeds feedHealth calls quiet (the lists and the dashboard).
  it.each([30, 7, 0])('counts the quiet feeds as the lists do (quiet_after_days %i)', async (quietAfterDays) => {
    const day = 86_400_000;
    const now = clock.now();
    const at = (days: number) => new Date(now.getTime() - days * day);
    const seeds: Array<{ added: number; newItem: number | null; read: boolean; fail?: boolean; disable?: boolean }> = [
      { added: 60, newItem: 40, read: true }, // quiet at 30 and 7
      { added: 60, newItem: 10, read: true }, // quiet at 7 only
      { added: 60, newItem: 1, read: true }, // never quiet
      { added: 60, newItem: null, read: true }, // nothing ever: quiet since it was added
      { added: 3, newItem: null, read: true }, // added 3 days ago: not yet
      { added: 60, newItem: null, read: false }, // never read: new, not quiet
      { added: 60, newItem: 40, read: true, fail: true }, // failing first
      { added: 60, newItem: 40, read: true, disable: true }, // disabled first
    ];
    for (const [i, sd] of seeds.entries()) {
      const { feed } = await storage.feeds.add({ url: `https://q${i}.example/rss`, source: 'cli' }, at(sd.added));
      if (sd.newItem !== null) await storage.items.storeForFeed(feed.id, [{ feedId: feed.id, key: 'k', guid: 'k', url: null, title: 'T', summary: '', content: '', html: null, author: null, publishedAt: null, contentHash: 'h' }], { fetchedAt: at(sd.newItem), alertKeys: new Set() });
      if (sd.read) await storage.feeds.recordSuccess(feed.id, { at: at(0), nextCheckAt: now, etag: null, lastModified: null });
      if (sd.fail) await storage.feeds.recordFailure(feed.id, { at: now, nextCheckAt: now, error: 'fetch_http: HTTP 500' });
      if (sd.disable) await storage.feeds.setEnabled(feed.id, false, now);
    }
    const listed = (await storage.feeds.list()).filter((f) => feedHealth(f, { now, afterDays: quietAfterDays }) === 'quiet').length;
    const stats = await storage.stats.snapshot(now, { quietAfterDays });
    expect(stats.feeds.quiet).toBe(listed);
    expect(stats.feeds.quiet).toBe({ 30: 2, 7: 3, 0: 0 }[quietAfterDays]);
  });

  it('still answers with the in-process counters, and storage_up 0, when the database does not answer', async () => {
    const metrics = createBotMetrics({ stats: () => Promise.reject(new Error('connection refused')), clock, logger: silentLogger() });
    metrics.counters.polled('new');
    server = createHttpServer({ host: '127.0.0.1', port: 0, routes: [metrics.route], health: async () => ({ ok: true, checks: {} }), logger: silentLogger() });
    ({ port } = await server.start());
    const res = await scrape();
    expect(res.status).toBe(200);
    const p = parseExposition(res.text);
    expect(value(p, 'cyberbrief_storage_up')).toBe(0);
    expect(value(p, 'cyberbrief_polls_total', { outcome: 'new' })).toBe(1);
    expect(p.series.has('cyberbrief_feeds')).toBe(false);
  });

  it('shows the storage monitor: storage_up 0 while writes fail even though reads answer, and its counters', async () => {
    const monitor = createStorageMonitor({ database: 'SQLite file /d/x.db' });
    const stats = await storage.stats.snapshot(clock.now());
    const metrics = createBotMetrics({ stats: async () => stats, storage: monitor, clock, logger: silentLogger() });
    server = createHttpServer({ host: '127.0.0.1', port: 0, routes: [metrics.route], health: async () => ({ ok: true, checks: {} }), logger: silentLogger() });
    ({ port } = await server.start());
    let p = parseExposition((await scrape()).text);
    expect(value(p, 'cyberbrief_storage_up')).toBe(1);
    expect(value(p, 'cyberbrief_storage_outages_total')).toBe(0);
    monitor.failed(new StorageError('full', 'storage: cannot write SQLite file /d/x.db: its disk is full (SQLITE_FULL)'));
    monitor.failed(new StorageError('unavailable', 'storage: x is not answering'));
    monitor.connectionDropped();
    monitor.lockWait(Date.now());
    p = parseExposition((await scrape()).text);
    expect(value(p, 'cyberbrief_storage_up')).toBe(0);
    expect(value(p, 'cyberbrief_storage_outages_total')).toBe(1);
    expect(value(p, 'cyberbrief_storage_connection_errors_total')).toBe(2);
    expect(value(p, 'cyberbrief_storage_lock_waits_total')).toBe(1);
    expect(p.types.get('cyberbrief_storage_connection_errors_total')).toBe('counter');
    monitor.answered(true);
    p = parseExposition((await scrape()).text);
    expect(value(p, 'cyberbrief_storage_up')).toBe(1);
    monitor.close();
  });
});
