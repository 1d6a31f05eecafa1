// polling.allow_hosts is the operator's: the feeds the operator adds (and their pages) may reach the private
// hosts it lists; feeds a workspace's or server's admins add from chat may not, unless
// polling.allow_hosts_for_chat_feeds is on. Against a real feed server on loopback, through each part that
// reaches a host for a feed (the real fetcher, the WebSub hub client, the typed feed URL's check) and, for the
// poller, real storage.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultFetcherOptions, type FetchScope } from '../../src/feeds/fetcher.ts';
import { pollFeed, type PollOptions } from '../../src/feeds/poller.ts';
import { createScheduler } from '../../src/feeds/scheduler.ts';
import { checkFeedUrlFor, createScopedFetcher, perScope, type HostPolicy } from '../../src/feeds/scoped-fetcher.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createHubClient } from '../../src/websub/hub-client.ts';
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
  server.route('/hub', serve('', {}, 202));
});
afterAll(() => server.close());

// The one decision (allowHostsFor), through every part that makes it: (allow_hosts empty / set) x
// (allow_hosts_for_chat_feeds off / on) x (an operator's / a chat-added feed; no scope is the operator's).
// Only an operator's feed, or a chat-added one when the operator says so, reaches a private host the operator
// listed.
const SCOPE_TABLE = [[], ['127.0.0.1']].flatMap((allow) =>
  [false, true].flatMap((forChat) =>
    (['operator', 'chat', undefined] as Array<FetchScope | undefined>).map((scope) => ({ allow, forChat, scope, reaches: allow.length > 0 && (scope !== 'chat' || forChat) })),
  ),
);

/** Each caller, asked to reach 127.0.0.1 for `scope`: true when it did (a request arrived), false when refused before any. */
const CALLERS: Array<{ caller: string; reach: (policy: HostPolicy, scope: FetchScope | undefined) => Promise<boolean> }> = [
  {
    caller: 'the feed fetcher (feeds and pages)',
    reach: async (policy, scope) => {
      const fetcher = createScopedFetcher({ ...defaultFetcherOptions(), allowHosts: policy.allowHosts }, policy.allowHostsForChatFeeds);
      try {
        const [feed, page] = await Promise.allSettled([fetcher.fetchFeed(server.url('/feed.xml'), undefined, scope), fetcher.fetchPage(server.url('/page.html'), scope)]);
        if (feed.status === 'rejected') expect(feed.reason).toMatchObject({ code: 'fetch_blocked_address' });
        expect(page.status).toBe(feed.status);
        return feed.status === 'fulfilled';
      } finally {
        await fetcher.close();
      }
    },
  },
  {
    caller: 'the WebSub hub client',
    reach: async (policy, scope) => {
      const hub = createHubClient({ ...policy, timeoutMs: 2000, userAgent: 'test' });
      try {
        const sent = await hub.send(server.url('/hub'), { mode: 'subscribe', topic: 'https://news.example/feed', callback: 'https://bot.example/websub/a', secret: 's3cret' }, scope).then(
          () => true,
          (err: Error) => {
            // A plain-http hub the guard does not open is refused for the secret's sake, naming the remedy.
            expect(err.message).toMatch(scope === 'chat' && policy.allowHosts.length > 0 ? /the feed was added from chat, so polling\.allow_hosts does not apply/ : /add its host to polling\.allow_hosts/);
            return false;
          },
        );
        return sent;
      } finally {
        await hub.close();
      }
    },
  },
  {
    caller: 'the check of a typed feed URL (/news feeds add)',
    reach: async (policy, scope) => {
      const check = checkFeedUrlFor(policy);
      try {
        expect(check(server.url('/feed.xml'), scope)).toBe(server.url('/feed.xml'));
        return true;
      } catch (err) {
        expect((err as Error).message).toMatch(scope === 'chat' ? /a feed added from chat may not use one/ : /the operator must allow it/);
        return false;
      }
    },
  },
];

describe.each(CALLERS)('$caller', ({ reach }) => {
  it.each(SCOPE_TABLE)('allow_hosts $allow, for chat feeds $forChat, scope $scope: reaches loopback $reaches', async ({ allow, forChat, scope, reaches }) => {
    const before = server.requests.length;
    expect(await reach({ allowHosts: allow, allowHostsForChatFeeds: forChat }, scope)).toBe(reaches);
    // Refused before any byte was sent.
    if (!reaches) expect(server.requests.length).toBe(before);
  });
});

describe('perScope', () => {
  it.each([
    { allow: [], forChat: false, built: [[]], chatRestricted: false },
    { allow: [], forChat: true, built: [[]], chatRestricted: false },
    { allow: ['10.0.0.0/8'], forChat: false, built: [['10.0.0.0/8'], []], chatRestricted: true },
    { allow: ['10.0.0.0/8'], forChat: true, built: [['10.0.0.0/8']], chatRestricted: false },
  ])('allow_hosts $allow, for chat feeds $forChat: builds $built', ({ allow, forChat, built, chatRestricted }) => {
    const lists: Array<readonly string[]> = [];
    const parts = perScope({ allowHosts: allow, allowHostsForChatFeeds: forChat }, (hosts) => (lists.push(hosts), { hosts }));
    expect(lists).toEqual(built);
    expect(parts.chatRestricted).toBe(chatRestricted);
    // One part serves both scopes unless chat is restricted; no scope given means the operator's.
    expect(parts.chat === parts.operator).toBe(!chatRestricted);
    expect(parts.of()).toBe(parts.operator);
    expect(parts.of('chat')).toBe(parts.chat);
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
