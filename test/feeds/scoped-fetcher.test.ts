// polling.allow_hosts is the operator's: the feeds the operator adds (and their pages) may reach the private
// hosts it lists; feeds a workspace's or server's admins add from chat may not, unless
// polling.allow_hosts_for_chat_feeds is on. Against a real feed server on loopback, through the real fetcher
// and, for the poller, real storage.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultFetcherOptions, type FetchScope } from '../../src/feeds/fetcher.ts';
import { pollFeed, type PollOptions } from '../../src/feeds/poller.ts';
import { createScheduler } from '../../src/feeds/scheduler.ts';
import { createScopedFetcher } from '../../src/feeds/scoped-fetcher.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { serve, startFeedServer, type FeedServer } from './helpers/feed-server.ts';

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Intranet wire</title>
<item><guid>a-1</guid><title>Ministry network intrusion traced to state hackers</title><link>http://127.0.0.1/a-1</link></item>
</channel></rss>`;
const PAGE = '<html><head><title>Intranet page</title></head><body><p>Internal only.</p></body></html>';
const POLL: PollOptions = { intervalSeconds: 900, maxIntervalSeconds: 86_400, jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 5, backfill: 0 };

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
  server.route('/feed.xml', serve(RSS));
  server.route('/page.html', serve(PAGE, { 'content-type': 'text/html; charset=utf-8' }));
});
afterAll(() => server.close());

describe('createScopedFetcher', () => {
  // allow: polling.allow_hosts; forChat: polling.allow_hosts_for_chat_feeds; scope: who added what is fetched.
  it.each([
    { allow: ['127.0.0.1'], forChat: false, scope: 'operator' as FetchScope | undefined, reaches: true },
    { allow: ['127.0.0.1'], forChat: false, scope: undefined, reaches: true },
    { allow: ['127.0.0.1'], forChat: false, scope: 'chat' as FetchScope, reaches: false },
    { allow: ['127.0.0.1'], forChat: true, scope: 'chat' as FetchScope, reaches: true },
    { allow: [], forChat: false, scope: 'operator' as FetchScope, reaches: false },
    { allow: [], forChat: true, scope: 'chat' as FetchScope, reaches: false },
  ])('allow_hosts $allow, for chat feeds $forChat, scope $scope: reaches loopback $reaches', async ({ allow, forChat, scope, reaches }) => {
    const fetcher = createScopedFetcher({ ...defaultFetcherOptions(), allowHosts: allow }, forChat);
    const before = server.requests.length;
    try {
      const [feed, page] = await Promise.allSettled([fetcher.fetchFeed(server.url('/feed.xml'), undefined, scope), fetcher.fetchPage(server.url('/page.html'), scope)]);
      if (reaches) {
        expect(feed).toMatchObject({ status: 'fulfilled', value: { status: 'ok' } });
        expect(page).toMatchObject({ status: 'fulfilled', value: { body: expect.stringContaining('Internal only.') } });
        expect(server.requests.length - before).toBe(2);
      } else {
        expect(feed).toMatchObject({ status: 'rejected', reason: { code: 'fetch_blocked_address' } });
        expect(page).toMatchObject({ status: 'rejected', reason: { code: 'fetch_blocked_address' } });
        // Refused before any byte was sent.
        expect(server.requests.length).toBe(before);
      }
    } finally {
      await fetcher.close();
    }
  });
});

describe.each(testDatabases)('polling feeds by who added them, on $name', (db) => {
  notePostgresSkip();
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const clock = fixedClock(new Date('2026-12-03T12:00:00Z'));
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(db));
  });
  afterEach(() => cleanup());

  it("polls the operator's feed on an allowed private host and refuses a workspace's own feed there", async () => {
    const fetcher = createScopedFetcher({ ...defaultFetcherOptions(), allowHosts: ['127.0.0.1'] }, false);
    try {
      const { feed: operatorFeed } = await storage.feeds.add({ url: server.url('/feed.xml'), source: 'cli' }, clock.now());
      const { feed: chatFeed } = await storage.feeds.addForTenant({ url: `${server.url('/feed.xml')}?tenant=1`, source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1', clock.now());
      const deps = { storage, fetcher, options: POLL, clock, logger: silentLogger() };
      const [fromOperator, fromChat] = await Promise.all([pollFeed(operatorFeed, deps), pollFeed(chatFeed, deps)]);
      expect(fromOperator).toMatchObject({ status: 'new', new: 1 });
      expect(fromChat).toMatchObject({ status: 'error', new: 0, error: { class: 'fetch_blocked_address' } });
      expect(fromChat.error?.message).toMatch(/127\.0\.0\.1/);
      // The refusal is stored on the workspace's feed, as any failure is; the operator's feed is healthy.
      expect((await storage.feeds.get(chatFeed.id))?.errorCount).toBe(1);
      expect((await storage.feeds.get(operatorFeed.id))?.errorCount).toBe(0);
    } finally {
      await fetcher.close();
    }
  });

  // The same through the scheduler, which wraps the fetcher (to give fetches up at shutdown): the scope must
  // reach the fetcher through it (a wrapper that dropped it fetched every feed as the operator's).
  it.each([
    { forChat: false, chatFeed: 'fetch_blocked_address' },
    { forChat: true, chatFeed: 'new' },
  ])('the scheduler polls a workspace feed on an allowed private host as $chatFeed (allow_hosts_for_chat_feeds $forChat)', async ({ forChat, chatFeed }) => {
    const fetcher = createScopedFetcher({ ...defaultFetcherOptions(), allowHosts: ['127.0.0.1'] }, forChat);
    try {
      await storage.feeds.add({ url: server.url('/feed.xml'), source: 'cli' }, clock.now());
      await storage.feeds.addForTenant({ url: `${server.url('/feed.xml')}?tenant=1`, source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1', clock.now());
      const scheduler = createScheduler({ storage, fetcher, clock, logger: silentLogger(), options: { ...POLL, tick: '*/30 * * * * *', concurrency: 4, perHostConcurrency: 4, totalTimeoutMs: 5000 } });
      const results = await scheduler.runOnce({ all: true });
      const outcome = Object.fromEntries(results.map((r) => [new URL(r.url).search === '' ? 'operator' : 'chat', r.status === 'error' ? r.error!.class : r.status]));
      expect(outcome).toEqual({ operator: 'new', chat: chatFeed });
    } finally {
      await fetcher.close();
    }
  });
});
