// The WebSub subscriber against the local hub emulator, on each database: discovery from a real poll,
// intent verification (and refusal of verifications we never asked for), signed and forged pushes, lease
// renewal, the hub being down or the lease lapsing (polling resumes), and unsubscribing a removed feed.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFetcher, type Fetcher } from '../../src/feeds/fetcher.ts';
import { pollFeed, type PollOptions } from '../../src/feeds/poller.ts';
import { readFeed } from '../../src/feeds/read-feed.ts';
import { createBotMetrics } from '../../src/http/metrics.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createLogger, silentLogger } from '../../src/lib/logger.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import type { Storage } from '../../src/storage/index.ts';
import { createHubClient, type HubClient } from '../../src/websub/hub-client.ts';
import { secretKeeper } from '../../src/websub/secrets.ts';
import { createWebSub, UNSUBSCRIBE_ATTEMPTS, type PushOutcome, type WebSub, type WebSubOptions } from '../../src/websub/service.ts';
import { jsonFeedDocument, rssDocument, startFeedServer, type FeedEntry, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { startFakeHub, type FakeHub } from '../emulators/websub-hub.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { rawExchange } from '../helpers/raw-http.ts';

const POLL: PollOptions = { intervalSeconds: 900, maxIntervalSeconds: 86_400, jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 5, backfill: 0 };
const KEY = 'a'.repeat(64);

const entry = (n: number): FeedEntry => ({
  guid: `story-${n}`,
  title: `Story number ${n} about cyber talks`,
  link: `http://127.0.0.1/story/${n}`,
  description: `Officials met for round ${n} of the cyber working group.`,
  pubDate: new Date(Date.UTC(2026, 10, 1, 12, n)),
});

describe.each(testDatabases)('WebSub subscriber on $name', (db) => {
  notePostgresSkip();
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let hub: FakeHub;
  let feedServer: FeedServer;
  let http: HttpServer;
  let fetcher: Fetcher;
  let hubClient: HubClient;
  let websub: WebSub;
  let woken = 0;
  let outcomes: PushOutcome[] = [];
  /** The service's log lines (msg only). */
  let logged: string[] = [];
  const clock = fixedClock(new Date());
  let opts: WebSubOptions;

  async function poll(feedId: number) {
    const feed = (await storage.feeds.get(feedId))!;
    return pollFeed(feed, { storage, fetcher, options: POLL, clock, logger: silentLogger(), readFeed, push: websub });
  }

  async function subscribedFeed(): Promise<{ feedId: number; callback: string }> {
    const { feed } = await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now());
    await poll(feed.id);
    // Both sides: our row is active, and the hub has read our answer to its challenge.
    await waitFor('the subscription to be verified', async () => hub.subscriptions.size === 1 && (await storage.websub.forFeed(feed.id))?.state === 'active');
    return { feedId: feed.id, callback: hub.requests.at(-1)!.callback };
  }

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(db));
    hub = await startFakeHub();
    feedServer = await startFeedServer('Push Wire', { hub: { url: hub.url, in: 'document' } });
    feedServer.items.push(entry(1), entry(2));
    fetcher = createFetcher({ userAgent: 'test', connectTimeoutMs: 2000, totalTimeoutMs: 5000, maxBodyBytes: 64 * 1024, maxRedirects: 2, allowHosts: ['127.0.0.1'] });
    hubClient = createHubClient({ allowHosts: ['127.0.0.1'], timeoutMs: 2000, userAgent: 'test' });
    http = createHttpServer({ host: '127.0.0.1', port: 0, health: async () => ({ ok: true, checks: {} }), logger: silentLogger() });
    const { port } = await http.start();
    woken = 0;
    outcomes = [];
    logged = [];
    clock.set(new Date());
    opts = {
      publicUrl: `http://127.0.0.1:${port}`,
      fallbackIntervalSeconds: 6 * 3600,
      leaseSeconds: 864_000,
      renewBeforeSeconds: 86_400,
      verifyTimeoutSeconds: 60,
      retrySeconds: 600,
      checkSeconds: 3600,
      maxBodyBytes: 64 * 1024,
      backfill: 0,
      instanceId: 'test-instance',
    };
    websub = createWebSub(
      {
        repo: storage.websub,
        feeds: storage.feeds,
        items: storage.items,
        hub: hubClient,
        secrets: secretKeeper(createSecretBox(KEY)),
        readFeed,
        clock,
        logger: createLogger({ level: 'info', pretty: false, secrets: [], destination: new Writable({ write: (c: Buffer, _e, cb) => (logged.push(...c.toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg)), cb()) }) }),
        onItemsStored: () => woken++,
        onPushed: (o) => outcomes.push(o),
      },
      opts,
    );
    for (const r of websub.routes) http.addRoute(r);
  });

  afterEach(async () => {
    await websub.stop();
    await http.stop();
    await hub.close();
    await feedServer.close();
    await fetcher.close();
    await hubClient.close();
    await cleanup();
  });

  // polling.allow_hosts is the operator's (feeds/scoped-fetcher.ts): a feed a workspace added from chat does not
  // get its hub on a private address subscribed, though the same hub serves the operator's feeds.
  it.each([
    { who: 'the operator', tenant: false, subscribed: true },
    { who: "a workspace's admin, from chat", tenant: true, subscribed: false },
  ])('a feed added by $who naming a hub on an allowed private address: subscribed $subscribed', async ({ tenant, subscribed }) => {
    const { feed } = tenant
      ? await storage.feeds.addForTenant({ url: feedServer.url, source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1', clock.now())
      : await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now());
    expect((await poll(feed.id)).status).toBe('new');
    if (subscribed) {
      await waitFor('the hub to verify', () => hub.verifications.length === 1);
      expect((await storage.websub.forFeed(feed.id))?.state).toBe('active');
    } else {
      await waitFor('the refusal to be recorded', async () => (await storage.websub.forFeed(feed.id))?.lastError?.includes('127.0.0.1') ?? false);
      expect(hub.requests).toEqual([]);
      expect(logged).toContain('websub: subscribing failed; the feed is polled as usual');
    }
  });

  it('subscribes to the hub a polled feed names, answers its verification, and then polls the feed rarely', async () => {
    const { feed } = await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now());
    const first = await poll(feed.id);
    expect(first.status).toBe('new');
    await waitFor('the hub to verify', () => hub.verifications.length === 1);
    const [req] = hub.requests;
    expect(req).toMatchObject({ mode: 'subscribe', topic: feedServer.url, leaseSeconds: 864_000, status: 202 });
    // An unguessable callback per subscription, under the public URL; a secret of its own.
    expect(req!.callback).toMatch(new RegExp(`^${opts.publicUrl}/websub/[A-Za-z0-9_-]{43}$`));
    expect(req!.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hub.verifications[0]).toMatchObject({ mode: 'subscribe', status: 200, echoed: true });
    const sub = (await storage.websub.forFeed(feed.id))!;
    expect(sub).toMatchObject({ state: 'active', hubUrl: hub.url, topicUrl: feedServer.url, leaseSeconds: 864_000, pendingMode: null });
    expect(sub.leaseExpiresAt!.getTime()).toBe(clock.now().getTime() + 864_000_000);
    // Renewal a day before the lease ends.
    expect(sub.nextActionAt.getTime()).toBe(clock.now().getTime() + (864_000 - 86_400) * 1000);
    // The secret is sealed at rest: not in clear in the row.
    expect(sub.secret).not.toContain(req!.secret!);
    expect(sub.secret).toMatch(/^v1\./);

    // The next poll sets the next check to the fallback interval, not the polling interval.
    expect(websub.intervalSeconds(feed.id)).toBe(6 * 3600);
    const second = await poll(feed.id);
    expect(second.nextCheckAt.getTime() - clock.now().getTime()).toBe(6 * 3600 * 1000);
    // The same hub and topic again: no second request.
    expect(hub.requests).toHaveLength(1);
  });

  it.each([
    { granted: 5, kept: 60 },
    { granted: 9_999_999_999, kept: 365 * 86_400 },
  ])('keeps a lease of $granted s the hub grants within a minute and a year ($kept s)', async ({ granted, kept }) => {
    hub.grantLeaseSeconds = granted;
    const { feedId } = await subscribedFeed();
    expect((await storage.websub.forFeed(feedId))!.leaseSeconds).toBe(kept);
  });

  it.each([
    { where: 'a Link header', in: 'header' as const },
    { where: 'a JSON Feed', in: 'json-feed' as const },
  ])('finds the hub in $where too', async ({ in: where }) => {
    const other = await startFeedServer('Other Wire', { hub: { url: hub.url, in: where } });
    try {
      other.items.push(entry(1));
      const { feed } = await storage.feeds.add({ url: other.url, source: 'cli' }, clock.now());
      await poll(feed.id);
      await waitFor('the subscription to be verified', async () => hub.subscriptions.size === 1 && (await storage.websub.forFeed(feed.id))?.state === 'active');
      expect(hub.requests[0]).toMatchObject({ mode: 'subscribe', topic: other.url });
      // A push in the feed's own format is stored.
      const pushed = where === 'json-feed' ? jsonFeedDocument('Other Wire', [entry(2)], other.url, hub.url) : rssDocument('Other Wire', [entry(2)]);
      expect(await hub.publish(other.url, pushed, { contentType: where === 'json-feed' ? 'application/feed+json' : 'application/rss+xml' })).toEqual([202]);
      expect(await storedGuids(storage, feed.id)).toEqual(['story-1', 'story-2']);
    } finally {
      await other.close();
    }
  });

  it.each([
    { name: 'unknown callback id', mode: 'subscribe', topic: 'right', callback: 'unknown' },
    { name: 'another topic', mode: 'subscribe', topic: 'http://127.0.0.1:1/other', callback: 'known' },
    { name: 'an unsubscribe we never asked for', mode: 'unsubscribe', topic: 'right', callback: 'known' },
    { name: 'a mode that does not exist', mode: 'takeover', topic: 'right', callback: 'known' },
    { name: 'a malformed callback id', mode: 'subscribe', topic: 'right', callback: 'short' },
  ])('refuses a verification we never asked for: $name (404, nothing changes)', async ({ mode, topic, callback }) => {
    const { feedId, callback: real } = await subscribedFeed();
    const before = (await storage.websub.forFeed(feedId))!;
    const url = callback === 'known' ? real : callback === 'short' ? real.replace(/[^/]+$/, 'abc') : real.replace(/[^/]+$/, 'x'.repeat(43));
    const got = await hub.verifyUnasked(url, mode, topic === 'right' ? feedServer.url : topic);
    expect(got.status).toBe(404);
    expect(got.body).not.toMatch(/[0-9a-f]{16}/);
    expect(await storage.websub.forFeed(feedId)).toEqual(before);
  });

  it('refuses a second verification of a subscribe already verified (a replay)', async () => {
    const { feedId, callback } = await subscribedFeed();
    const got = await hub.verifyUnasked(callback, 'subscribe', feedServer.url);
    expect(got.status).toBe(404);
    expect((await storage.websub.forFeed(feedId))!.leaseSeconds).toBe(864_000);
  });

  it('refuses a verification that arrives after the request expired', async () => {
    hub.verify = false;
    const { feed } = await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now());
    await poll(feed.id);
    await waitFor('the request', () => hub.requests.length === 1);
    clock.advance(61_000);
    const late = await hub.verifyUnasked(hub.requests[0]!.callback, 'subscribe', feedServer.url);
    expect(late.status).toBe(404);
    expect((await storage.websub.forFeed(feed.id))!.state).toBe('subscribing');
    // The job then counts it as failed, and the feed is polled as usual.
    await websub.runOnce();
    expect((await storage.websub.forFeed(feed.id))!).toMatchObject({ state: 'failed', lastError: expect.stringContaining('did not verify') });
    expect(websub.intervalSeconds(feed.id)).toBeNull();
  });

  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('stores a push signed with %s through the same path as a poll, and wakes the pipeline', async (algorithm) => {
    const { feedId } = await subscribedFeed();
    const statuses = await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(3)]), { algorithm });
    expect(statuses).toEqual([202]);
    const stored = await storedGuids(storage, feedId);
    expect(stored).toEqual(['story-1', 'story-2', 'story-3']);
    expect(woken).toBe(1);
    expect(outcomes).toEqual(['stored']);
    // A pushed item is handed to the pipeline (processed = 0), as a polled new item is.
    expect(await unprocessedGuids(storage, feedId)).toEqual(['story-3']);
    // The same content pushed again is recognised.
    await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(3)]), { algorithm });
    expect(await storedGuids(storage, feedId)).toEqual(['story-1', 'story-2', 'story-3']);
    expect(woken).toBe(1);
  });

  it('a signed push without content is a ping: the feed is due at once', async () => {
    const { feedId } = await subscribedFeed();
    await poll(feedId); // next check pushed out to the fallback interval
    expect((await storage.feeds.get(feedId))!.nextCheckAt.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(await hub.publish(feedServer.url, '')).toEqual([202]);
    expect((await storage.feeds.get(feedId))!.nextCheckAt.getTime()).toBe(clock.now().getTime());
    // Unsigned, the same ping changes nothing.
    await poll(feedId);
    expect(await hub.publish(feedServer.url, '', { signature: 'missing' })).toEqual([202]);
    expect((await storage.feeds.get(feedId))!.nextCheckAt.getTime()).toBeGreaterThan(clock.now().getTime());
  });

  it('takes a chunked push (no Content-Length) within the size limit', async () => {
    const { feedId } = await subscribedFeed();
    expect(await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(4)]), { chunked: true })).toEqual([202]);
    expect(await storedGuids(storage, feedId)).toContain('story-4');
  });

  it.each(['forged', 'missing', 'tampered'] as const)('acknowledges and ignores a push whose signature is %s: nothing stored', async (signature) => {
    const { feedId } = await subscribedFeed();
    const statuses = await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(5)]), { signature });
    expect(statuses).toEqual([202]);
    expect(await storedGuids(storage, feedId)).toEqual(['story-1', 'story-2']);
    expect(woken).toBe(0);
    expect(outcomes).toEqual(['refused']);
  });

  it.each([
    { name: 'declared too large', chunked: false },
    { name: 'streamed too large', chunked: true },
  ])('refuses a push over polling.max_body_bytes ($name): 413, nothing stored', async ({ chunked }) => {
    const { feedId } = await subscribedFeed();
    const many = Array.from({ length: 400 }, (_, i) => entry(100 + i));
    const statuses = await hub.publish(feedServer.url, rssDocument('Push Wire', many), { chunked }).catch(() => [0]);
    expect([413, 0]).toContain(statuses[0]);
    expect(await storedGuids(storage, feedId)).toEqual(['story-1', 'story-2']);
  });

  it.each([
    { name: 'a callback id nobody has: 410 Gone, and the hub drops it', id: 'y'.repeat(43), status: 410, kept: false },
    { name: 'a path that is no callback id: 404', id: 'abc', status: 404, kept: true },
  ])('a push to $name', async ({ id, status, kept }) => {
    await subscribedFeed();
    const sub = [...hub.subscriptions.values()][0]!;
    const callback = sub.callback.replace(/[^/]+$/, id);
    hub.subscriptions.set(callback, { ...sub, callback });
    hub.subscriptions.delete(sub.callback);
    expect(await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(6)]))).toEqual([status]);
    expect(hub.subscriptions.has(callback)).toBe(kept);
  });

  // A hub may send Expect: 100-continue and wait: it is asked for the body only by a callback that reads it.
  it.each([
    { name: 'a callback id nobody has', id: 'y'.repeat(43), length: 3, statuses: [410] },
    { name: 'a path that is no callback id', id: 'abc', length: 3, statuses: [404] },
    { name: 'the subscribed callback, declared over the limit', id: null, length: 64 * 1024 + 1, statuses: [413] },
    { name: 'the subscribed callback (a forged signature: read, acknowledged, ignored)', id: null, length: 3, statuses: [100, 202] },
  ])('a push with Expect: 100-continue to $name: $statuses', async ({ id, length, statuses }) => {
    const { callback } = await subscribedFeed();
    const url = new URL(id === null ? callback : callback.replace(/[^/]+$/, id));
    const r = await rawExchange(Number(url.port), [`POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, `Content-Length: ${length}`, 'Content-Type: application/rss+xml', 'X-Hub-Signature: sha256=00', 'Expect: 100-continue'], { body: 'x'.repeat(length) });
    expect(r.statuses).toEqual(statuses);
    expect(outcomes).toEqual(statuses.includes(100) ? ['refused'] : []);
  });

  it('renews the lease before it ends', async () => {
    hub.grantLeaseSeconds = 1000;
    const { feedId } = await subscribedFeed();
    const first = (await storage.websub.forFeed(feedId))!;
    // Renewal half-way through a short lease (renew_before is a day, but at most half the lease).
    expect(first.nextActionAt.getTime() - first.verifiedAt!.getTime()).toBe(500_000);
    await websub.runOnce();
    expect(hub.requests).toHaveLength(1); // not due yet
    clock.advance(501_000);
    await websub.runOnce();
    expect(hub.requests).toHaveLength(2);
    expect(hub.requests[1]).toMatchObject({ mode: 'subscribe', topic: feedServer.url, callback: hub.requests[0]!.callback });
    await waitFor('the renewal to be verified', async () => hub.verifications.length === 2 && (await storage.websub.forFeed(feedId))!.pendingMode === null);
    const renewed = (await storage.websub.forFeed(feedId))!;
    expect(renewed.state).toBe('active');
    expect(renewed.leaseExpiresAt!.getTime()).toBe(clock.now().getTime() + 1_000_000);
    // Pushes keep working with the same secret after the renewal.
    expect(await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(7)]))).toEqual([202]);
    expect(await storedGuids(storage, feedId)).toContain('story-7');
  });

  it('hub down: subscribing fails, the feed is polled as usual, and a later retry subscribes', async () => {
    hub.down = true;
    const { feed } = await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now());
    const polled = await poll(feed.id);
    await waitFor('the subscription to fail', async () => (await storage.websub.forFeed(feed.id))?.state === 'failed');
    const sub = (await storage.websub.forFeed(feed.id))!;
    expect(sub.lastError).toMatch(/refused to subscribe \(HTTP 503/);
    expect(websub.intervalSeconds(feed.id)).toBeNull();
    // Polling goes on at the normal interval (never the fallback one).
    expect(polled.nextCheckAt.getTime() - clock.now().getTime()).toBe(900_000);
    expect((await storage.feeds.get(feed.id))!.nextCheckAt.getTime()).toBeLessThanOrEqual(clock.now().getTime() + 900_000);
    // Retried after retry_seconds.
    hub.down = false;
    await websub.runOnce();
    expect(hub.requests).toHaveLength(1);
    clock.advance(601_000);
    await websub.runOnce();
    await waitFor('the retry to be verified', async () => (await storage.websub.forFeed(feed.id))?.state === 'active');
    expect(websub.intervalSeconds(feed.id)).toBe(6 * 3600);
  });

  // What a hostile hub says lands in last_error (the dashboard, `feeds list`, /news feeds): bounded once, one
  // clean line, saying it was cut, with our advice at the end kept.
  const HOSTILE = `\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u001b[2J \u202egnp.exe\r\n${'\u200b'.repeat(50)}${'x'.repeat(16 * 1024)}`;
  it.each([
    { name: 'a 16 KB refusal body', refuse: HOSTILE, reason: null, ends: '; the feed is polled meanwhile.' },
    { name: 'an 8 KB hub.reason in a denial', refuse: null, reason: HOSTILE.slice(0, 8 * 1024), ends: null },
  ])('a hostile hub ($name): the stored error is bounded and clean', async ({ refuse, reason, ends }) => {
    let feedId: number;
    if (refuse !== null) {
      hub.down = true;
      hub.refusalBody = refuse;
      ({ feed: { id: feedId } } = await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now()));
      await poll(feedId);
      await waitFor('the subscription to fail', async () => (await storage.websub.forFeed(feedId))?.state === 'failed');
    } else {
      const sub = await subscribedFeed();
      feedId = sub.feedId;
      expect(await hub.deny(sub.callback, feedServer.url, reason!)).toBe(200);
    }
    const stored = (await storage.websub.forFeed(feedId))!.lastError!;
    expect(stored).toMatch(/^websub: (hub http:\/\/127\.0\.0\.1:\d+ refused to subscribe \(HTTP 503: |the hub denied the subscription: )click gnp\.exe x+ …\[cut: \d+ characters in all\]/);
    expect(Array.from(stored).length).toBeLessThanOrEqual(400);
    expect(stored).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202a-\u202e]/);
    if (ends) expect(stored.endsWith(ends)).toBe(true);
  });

  it('hub unreachable (nothing listening): subscribing fails and the feed is polled as usual', async () => {
    await hub.close();
    const { feed } = await storage.feeds.add({ url: feedServer.url, source: 'cli' }, clock.now());
    await poll(feed.id);
    await waitFor('the subscription to fail', async () => (await storage.websub.forFeed(feed.id))?.state === 'failed');
    expect((await storage.websub.forFeed(feed.id))!.lastError).toMatch(/cannot reach hub/);
    hub = await startFakeHub(); // for afterEach
  });

  it('the lease lapses while the hub is down: the feed is polled as usual again', async () => {
    hub.grantLeaseSeconds = 1000;
    const { feedId } = await subscribedFeed();
    await poll(feedId);
    const fallbackCheck = (await storage.feeds.get(feedId))!.nextCheckAt.getTime();
    expect(fallbackCheck).toBeGreaterThan(clock.now().getTime() + 900_000);
    hub.down = true;
    clock.advance(501_000);
    await websub.runOnce(); // renewal refused: still active, retried before the lease ends
    expect((await storage.websub.forFeed(feedId))!).toMatchObject({ state: 'active', lastError: expect.stringContaining('503') });
    expect(websub.intervalSeconds(feedId)).not.toBeNull();
    clock.advance(500_000); // the lease has ended
    expect(websub.intervalSeconds(feedId)).toBeNull();
    await websub.runOnce();
    expect((await storage.websub.forFeed(feedId))!.state).toBe('failed');
    expect((await storage.feeds.get(feedId))!.nextCheckAt.getTime()).toBeLessThanOrEqual(clock.now().getTime());
  });

  it('a denied subscription: the feed is polled as usual', async () => {
    const { feedId, callback } = await subscribedFeed();
    expect(await hub.deny(callback, feedServer.url, 'publisher\u0007 said no')).toBe(200);
    const sub = (await storage.websub.forFeed(feedId))!;
    expect(sub.state).toBe('failed');
    expect(sub.lastError).toBe('websub: the hub denied the subscription: publisher said no');
    expect(websub.intervalSeconds(feedId)).toBeNull();
    // A denial naming another topic is not ours.
    expect(await hub.deny(callback, 'http://127.0.0.1:1/else', 'x')).toBe(404);
  });

  it.each(['disabled', 'removed'] as const)('unsubscribes when the feed is %s', async (how) => {
    const { feedId, callback } = await subscribedFeed();
    if (how === 'disabled') await storage.feeds.setEnabled(feedId, false);
    else await storage.feeds.remove(feedId);
    await websub.runOnce();
    expect(hub.requests.at(-1)).toMatchObject({ mode: 'unsubscribe', topic: feedServer.url, callback });
    await waitFor('the unsubscribe to be verified', () => hub.verifications.length === 2);
    expect(hub.verifications[1]).toMatchObject({ mode: 'unsubscribe', echoed: true });
    expect(await storage.websub.forFeed(feedId)).toBeNull();
    expect(hub.subscriptions.size).toBe(0);
    // Nothing more to do.
    expect(await websub.runOnce()).toBe(0);
  });

  /** Runs the job at each row's next action until the row is gone (or 30 passes); the unsubscribe requests sent. */
  async function untilForgotten(feedId: number): Promise<number> {
    for (let pass = 0; pass < 30; pass++) {
      const row = await storage.websub.forFeed(feedId);
      if (!row) break;
      if (row.nextActionAt > clock.now()) clock.set(new Date(row.nextActionAt.getTime() + 1000));
      await websub.runOnce();
    }
    return hub.requests.filter((r) => r.mode === 'unsubscribe').length;
  }

  it.each([
    { name: 'the hub refuses (503)', hubDoes: 'refuse' as const, lease: null, attempts: UNSUBSCRIBE_ATTEMPTS, ends: /lapses at the hub at \d{4}-/ },
    { name: 'the hub never verifies', hubDoes: 'stay silent' as const, lease: null, attempts: UNSUBSCRIBE_ATTEMPTS, ends: /lapses at the hub at \d{4}-/ },
    // A lease of 1000 s: tried at 0 s and after 600 s; the next try (1200 s later) would come after it ends.
    { name: 'the hub refuses, and the lease ends before a third try', hubDoes: 'refuse' as const, lease: 1000, attempts: 2, ends: /lapses at the hub at \d{4}-/ },
  ])('a failed unsubscribe is retried with the subscribe backoff, then forgotten with one line: $name', async ({ hubDoes, lease, attempts, ends }) => {
    if (lease) hub.grantLeaseSeconds = lease;
    const { feedId, callback } = await subscribedFeed();
    await storage.feeds.setEnabled(feedId, false);
    if (hubDoes === 'refuse') hub.down = true;
    else hub.verify = false;
    const start = clock.now().getTime();
    await websub.runOnce();
    if (hubDoes === 'stay silent') {
      // Accepted, then no verification within verify_timeout_seconds (60 s): a failure.
      clock.advance(61_000);
      await websub.runOnce();
    }
    const row = (await storage.websub.forFeed(feedId))!;
    expect(row).toMatchObject({ state: 'unsubscribing', errorCount: 1, pendingMode: null, lastError: expect.stringMatching(hubDoes === 'refuse' ? /refused to unsubscribe \(HTTP 503/ : /did not verify the unsubscribe/) });
    // Retried retry_seconds (600) after the failure, doubling as subscribing does.
    expect(row.nextActionAt.getTime() - clock.now().getTime()).toBe(600_000);
    // Meanwhile the hub's pushes to it get 410 Gone (the hub may drop it at once); nothing is stored.
    expect(await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(10)]))).toEqual([410]);
    expect(await storedGuids(storage, feedId)).toEqual(['story-1', 'story-2']);
    hub.subscriptions.set(callback, { topic: feedServer.url, callback, secret: hub.requests[0]!.secret, leaseSeconds: 1000, verifiedAt: new Date() });
    expect(await untilForgotten(feedId)).toBe(attempts);
    expect(await storage.websub.forFeed(feedId)).toBeNull();
    const gaveUp = logged.filter((m) => m.startsWith('websub: gave up unsubscribing'));
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatch(new RegExp(`^websub: gave up unsubscribing feed ${feedId} from http://127\\.0\\.0\\.1:\\d+ after ${attempts} attempt\\(s\\); the subscription is forgotten and lapses at the hub`));
    expect(gaveUp[0]).toMatch(ends);
    if (lease) expect(clock.now().getTime() - start).toBeLessThan(lease * 1000);
    // Forgotten: a push now gets 410 and the hub drops the subscription; nothing more to do.
    expect(await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(11)]))).toEqual([410]);
    expect(hub.subscriptions.size).toBe(0);
    expect(await websub.runOnce()).toBe(0);
  });

  it('a failed unsubscribe succeeds on its retry: the hub verifies and the row is deleted', async () => {
    const { feedId } = await subscribedFeed();
    await storage.feeds.remove(feedId);
    hub.down = true;
    await websub.runOnce();
    expect((await storage.websub.forFeed(feedId))!.state).toBe('unsubscribing');
    hub.down = false;
    await websub.runOnce();
    expect(hub.requests.filter((r) => r.mode === 'unsubscribe')).toHaveLength(1); // not due yet
    clock.advance(601_000);
    await websub.runOnce();
    await waitFor('the unsubscribe to be verified', async () => (await storage.websub.forFeed(feedId)) === null && hub.subscriptions.size === 0);
    expect(hub.verifications.at(-1)).toMatchObject({ mode: 'unsubscribe', echoed: true });
    expect(logged.some((m) => m.startsWith('websub: gave up'))).toBe(false);
  });

  it('a feed enabled again while its unsubscribe waits for a retry is subscribed again', async () => {
    const { feedId } = await subscribedFeed();
    await storage.feeds.setEnabled(feedId, false);
    hub.down = true;
    await websub.runOnce();
    hub.down = false;
    await storage.feeds.setEnabled(feedId, true);
    clock.advance(601_000);
    await websub.runOnce();
    expect(hub.requests.at(-1)).toMatchObject({ mode: 'subscribe', topic: feedServer.url });
    await waitFor('the subscription to be verified', async () => (await storage.websub.forFeed(feedId))?.state === 'active');
    expect((await storage.websub.forFeed(feedId))!.errorCount).toBe(0);
  });

  it('a second instance does not retry an unsubscribe the first has claimed', async () => {
    const { feedId } = await subscribedFeed();
    await storage.feeds.setEnabled(feedId, false);
    hub.down = true;
    await websub.runOnce();
    clock.advance(601_000);
    const now = clock.now();
    const claimedByOther = await storage.websub.claimDue({ now, limit: 10, owner: 'other-instance', leaseUntil: new Date(now.getTime() + 60_000) });
    expect(claimedByOther.map((s) => s.feedId)).toEqual([feedId]);
    expect(await websub.runOnce()).toBe(0);
    expect(hub.requests.filter((r) => r.mode === 'unsubscribe')).toHaveLength(1);
  });

  it('/metrics counts pushes by outcome and subscriptions by state', async () => {
    const metrics = createBotMetrics({ stats: () => storage.stats.snapshot(clock.now()), clock, logger: silentLogger(), websub: () => storage.websub.countsByState() });
    await subscribedFeed();
    await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(8)]));
    await hub.publish(feedServer.url, rssDocument('Push Wire', [entry(9)]), { signature: 'forged' });
    await hub.publish(feedServer.url, 'not a feed at all', { contentType: 'text/plain' });
    for (const o of outcomes) metrics.counters.pushed(o);
    const text = await metrics.scrape();
    expect(text).toContain('cyberbrief_websub_pushes_total{outcome="stored"} 1\n');
    expect(text).toContain('cyberbrief_websub_pushes_total{outcome="refused"} 1\n');
    expect(text).toContain('cyberbrief_websub_pushes_total{outcome="unreadable"} 1\n');
    expect(text).toContain('cyberbrief_websub_subscriptions{state="active"} 1\n');
    expect(text).toContain('cyberbrief_websub_subscriptions{state="failed"} 0\n');
  });

  it('a second instance does not renew what the first has claimed', async () => {
    hub.grantLeaseSeconds = 1000;
    const { feedId } = await subscribedFeed();
    clock.advance(501_000);
    const now = clock.now();
    const claimedByOther = await storage.websub.claimDue({ now, limit: 10, owner: 'other-instance', leaseUntil: new Date(now.getTime() + 60_000) });
    expect(claimedByOther.map((s) => s.feedId)).toEqual([feedId]);
    expect(await websub.runOnce()).toBe(0);
    expect(hub.requests).toHaveLength(1);
  });
});

async function storedGuids(storage: Storage, feedId: number): Promise<string[]> {
  return (await storage.items.listByFeed(feedId)).map((r) => r.guid ?? '').sort();
}

async function unprocessedGuids(storage: Storage, feedId: number): Promise<string[]> {
  return (await storage.items.listUnprocessed(100)).filter((r) => r.feedId === feedId).map((r) => r.guid ?? '').sort();
}
