// DNS rebinding: the name passes the check at one resolution and points at a private address at the next.
// The connector checks the peer of the socket it actually opened, so the connection is still refused.
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard } from '../../src/feeds/address-guard.ts';
import { FetchError } from '../../src/feeds/fetch-error.ts';
import { guardedConnector } from '../../src/feeds/fetcher.ts';
import { serve, startFeedServer, type FeedServer } from './helpers/feed-server.ts';

/** A resolver that answers 127.0.0.1 without asking the guard: what a rebinding DNS server achieves. */
const lyingLookup: LookupFunction = (_host, options, callback) => {
  if (options.all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
};

describe('address guard on the connected socket', () => {
  let server: FeedServer;
  beforeAll(async () => {
    server = await startFeedServer();
    server.route('/feed', serve('<rss version="2.0"><channel/></rss>'));
  });
  afterAll(async () => server.close());

  it('refuses a name whose resolution turned private after the check', async () => {
    // A path of its own: the other case's request reaches /feed, and the count here is of this case's.
    server.route('/refused-feed', serve('<rss version="2.0"><channel/></rss>'));
    const agent = new Agent({ connect: guardedConnector(createAddressGuard([]), 2000, lyingLookup) });
    try {
      const err = await request(`http://rebind.example.test:${server.port}/refused-feed`, { dispatcher: agent }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FetchError);
      expect((err as FetchError).code).toBe('fetch_blocked_address');
      expect((err as FetchError).message).toMatch(/rebind\.example\.test resolves to 127\.0\.0\.1/);
      expect(server.hits('/refused-feed')).toBe(0);
    } finally {
      await agent.close();
    }
  });

  it('lets the same connection through when the operator allowed the address', async () => {
    const agent = new Agent({ connect: guardedConnector(createAddressGuard(['127.0.0.1']), 2000, lyingLookup) });
    try {
      const res = await request(`http://rebind.example.test:${server.port}/feed`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toContain('<rss');
    } finally {
      await agent.close();
    }
  });
});
