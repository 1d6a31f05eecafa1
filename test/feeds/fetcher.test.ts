import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/feeds/fetch-error.ts';
import { createFetcher, parseMaxAge, parseRetryAfter, type FetcherOptions } from '../../src/feeds/fetcher.ts';
import { serve, startFeedServer, type FeedServer } from './helpers/feed-server.ts';

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>café</title><link>https://x.example/1</link></item></channel></rss>';

const options = (over: Partial<FetcherOptions> = {}): FetcherOptions => ({
  userAgent: 'cyberbrief-test/1.0 (+https://example.invalid/bot)',
  connectTimeoutMs: 2000,
  totalTimeoutMs: 1500,
  maxBodyBytes: 256 * 1024,
  maxRedirects: 5,
  allowHosts: ['127.0.0.1'],
  ...over,
});

async function failure(p: Promise<unknown>): Promise<FetchError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
}

describe('fetcher against a local feed server', () => {
  let server: FeedServer;
  const fetcher = createFetcher(options());

  beforeAll(async () => {
    server = await startFeedServer();
    server.route('/etag', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Mon, 23 Nov 2026 08:00:00 GMT', 'cache-control': 'public, max-age=1800' });
      res.end(FEED);
    });
    server.route('/gzip', serve(gzipSync(FEED), { 'content-encoding': 'gzip' }));
    server.route('/deflate', serve(deflateSync(FEED), { 'content-encoding': 'deflate' }));
    server.route('/deflate-raw', serve(deflateRawSync(FEED), { 'content-encoding': 'deflate' }));
    server.route('/br', serve(brotliCompressSync(Buffer.from(FEED)), { 'content-encoding': 'br' }));
    server.route('/429', serve('slow down', { 'retry-after': '120' }, 429));
    server.route('/503', serve('maintenance', { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }, 503));
    server.route('/500', serve('boom', {}, 500));
    server.route('/trickle', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      const t = setInterval(() => res.write('<!-- still here -->'), 100);
      res.on('close', () => clearInterval(t));
    });
    server.route('/silent', () => {
      /* never answers */
    });
    server.route('/loop-a', serve('', { location: '/loop-b' }, 302));
    server.route('/loop-b', serve('', { location: '/loop-a' }, 302));
    for (let i = 0; i < 8; i++) server.route(`/hop${i}`, serve('', { location: `/hop${i + 1}` }, 301));
    server.route('/hop8', serve(FEED));
    server.route('/moved', serve('', { location: '/hop7' }, 301));
    server.route('/temp', serve('', { location: '/hop8' }, 307));
    server.route('/to-metadata', serve('', { location: 'http://169.254.169.254/latest/meta-data/' }, 302));
    server.route('/to-v6-loopback', serve('', { location: `http://[::1]:${server?.port ?? 1}/etag` }, 302));
    server.route('/big', serve(Buffer.alloc(1024 * 1024, 'a')));
    server.route('/big-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024, 'b'));
      res.end();
    });
    server.route('/bomb', serve(gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-encoding': 'gzip' }));
    server.route('/to-loopback-ip', (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${server.port}/etag` }).end());
    server.route('/page', serve(Buffer.from('<html><head><meta charset="iso-8859-1"></head><body>caf\xe9</body></html>', 'latin1'), { 'content-type': 'text/html' }));
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });

  it('conditional GET: 200 with validators, then 304 without a body, sending the bot User-Agent', async () => {
    const first = await fetcher.fetchFeed(server.url('/etag'));
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    expect(first.body.toString()).toBe(FEED);
    expect(first.etag).toBe('"v1"');
    expect(first.lastModified).toBe('Mon, 23 Nov 2026 08:00:00 GMT');
    expect(first.hints.maxAgeSeconds).toBe(1800);
    const second = await fetcher.fetchFeed(server.url('/etag'), { etag: first.etag, lastModified: first.lastModified });
    expect(second.status).toBe('not_modified');
    expect(second.etag).toBe('"v1"');
    const sent = server.requests.filter((r) => r.path === '/etag');
    expect(sent[1]!.headers['if-none-match']).toBe('"v1"');
    expect(sent[1]!.headers['if-modified-since']).toBe('Mon, 23 Nov 2026 08:00:00 GMT');
    expect(sent[0]!.headers['user-agent']).toBe('cyberbrief-test/1.0 (+https://example.invalid/bot)');
    expect(sent[0]!.headers['accept-encoding']).toContain('br');
  });

  it.each(['/gzip', '/deflate', '/deflate-raw', '/br'])('decodes %s', async (p) => {
    const r = await fetcher.fetchFeed(server.url(p));
    expect(r.status === 'ok' && r.body.toString()).toBe(FEED);
  });

  it('follows redirects within the limit and reports the final URL', async () => {
    const r = await fetcher.fetchFeed(server.url('/hop4'));
    expect(r.finalUrl).toBe(server.url('/hop8'));
    expect(r.permanentRedirect).toBe(true);
    const t = await fetcher.fetchFeed(server.url('/temp'));
    expect(t.finalUrl).toBe(server.url('/hop8'));
    expect(t.permanentRedirect).toBe(false);
  });

  it.each([
    ['429 with Retry-After seconds', '/429', 'fetch_http', /HTTP 429 \(Retry-After 120 s\)/],
    ['503 with Retry-After date', '/503', 'fetch_http', /HTTP 503/],
    ['500', '/500', 'fetch_http', /HTTP 500/],
    ['a body that trickles past the total timeout', '/trickle', 'fetch_timeout', /took longer than 1500 ms/],
    ['a server that never answers', '/silent', 'fetch_timeout', /1500 ms|stalled/],
    ['a redirect loop', '/loop-a', 'fetch_redirects', /redirect loop/],
    ['too many redirects', '/hop0', 'fetch_redirects', /more than 5 times/],
    ['a redirect to the metadata address', '/to-metadata', 'fetch_blocked_address', /169\.254\.169\.254.*allow_hosts/],
    ['a redirect to IPv6 loopback', '/to-v6-loopback', 'fetch_blocked_address', /::1/],
    ['an oversize body with Content-Length', '/big', 'fetch_too_large', /larger than 262144 bytes/],
    ['an oversize chunked body', '/big-chunked', 'fetch_too_large', /larger than 262144 bytes/],
    ['a gzip bomb', '/bomb', 'fetch_too_large', /once decoded/],
  ])('%s ends in %s', async (_name, p, code, message) => {
    const err = await failure(fetcher.fetchFeed(server.url(p)));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('429 and 503 carry the server’s Retry-After', async () => {
    expect((await failure(fetcher.fetchFeed(server.url('/429')))).retryAfterSeconds).toBe(120);
    const s503 = (await failure(fetcher.fetchFeed(server.url('/503')))).retryAfterSeconds!;
    expect(s503).toBeGreaterThan(3000);
    expect((await failure(fetcher.fetchFeed(server.url('/500')))).retryAfterSeconds).toBeNull();
  });

  it('refuses 127.0.0.1 when it is not on the allow-list, before sending anything', async () => {
    const strict = createFetcher(options({ allowHosts: [] }));
    const before = server.hits('/etag');
    try {
      for (const url of [server.url('/etag'), `http://localhost:${server.port}/etag`, `http://[::127.0.0.1]:${server.port}/etag`, `http://[2002:7f00:1::]:${server.port}/etag`]) {
        const err = await failure(strict.fetchFeed(url));
        expect(err.code).toBe('fetch_blocked_address');
        expect(err.message).toMatch(/is a private, loopback, link-local or metadata address; add the host, IP or CIDR to polling\.allow_hosts/);
      }
    } finally {
      await strict.close();
    }
    expect(server.hits('/etag')).toBe(before);
  });

  // Every spelling of this machine a URL parser or resolver accepts, asked for directly and reached by a
  // redirect from a host the operator allowed by name, through the lean client and through undici alone.
  const loopbackSpellings = (port: number) => [
    ['dotted', `http://127.0.0.1:${port}/etag`],
    ['decimal', `http://2130706433:${port}/etag`],
    ['octal', `http://0177.0.0.1:${port}/etag`],
    ['hex', `http://0x7f.0x0.0x0.0x1:${port}/etag`],
    ['hex, one number', `http://0x7f000001:${port}/etag`],
    ['short form', `http://127.1:${port}/etag`],
    ['trailing dot', `http://127.0.0.1.:${port}/etag`],
    ['percent-encoded', `http://%31%32%37.0.0.1:${port}/etag`],
    ['full-width digits (IDN mapping)', `http://\uff11\uff12\uff17.0.0.1:${port}/etag`],
    ['userinfo naming another host', `http://news.example.org@127.0.0.1:${port}/etag`],
    ['IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:${port}/etag`],
    ['IPv4-mapped IPv6, uncompressed', `http://[0:0:0:0:0:ffff:7f00:1]:${port}/etag`],
    ['IPv6 loopback', `http://[::1]:${port}/etag`],
    ['IPv4-translated (SIIT)', `http://[::ffff:0:7f00:1]:${port}/etag`],
    ['NAT64 of loopback', `http://[64:ff9b::127.0.0.1]:${port}/etag`],
    ['0.0.0.0', `http://0.0.0.0:${port}/etag`],
    ['0', `http://0:${port}/etag`],
    ['localhost', `http://localhost:${port}/etag`],
    ['LOCALHOST', `http://LOCALHOST:${port}/etag`],
  ];
  it('refuses every spelling of loopback, asked for directly or by a redirect, with either client, sending nothing', async () => {
    const spellings = loopbackSpellings(server.port);
    const before = server.hits('/etag');
    for (const [i, [, url]] of spellings.entries()) server.route(`/to-spelling-${i}`, serve('', { location: url!.replace(/[^\x20-\x7e]/g, encodeURIComponent) }, 302));
    for (const leanHttp of [true, false]) {
      const strict = createFetcher(options({ allowHosts: [], leanHttp }));
      // The redirects start at localhost, allowed by name only (so not at the addresses it resolves to).
      const viaName = createFetcher(options({ allowHosts: ['localhost'], leanHttp }));
      try {
        for (const [i, [name, url]] of spellings.entries()) {
          expect((await failure(strict.fetchFeed(url!))).code, `${name} (lean ${leanHttp})`).toBe('fetch_blocked_address');
          if (/localhost/i.test(url!)) continue;
          const redirect = `http://localhost:${server.port}/to-spelling-${i}`;
          const err = await failure(viaName.fetchFeed(redirect));
          expect(err.code, `redirect to ${name} (lean ${leanHttp}): ${err.message}`).toBe('fetch_blocked_address');
        }
      } finally {
        await strict.close();
        await viaName.close();
      }
    }
    expect(server.hits('/etag')).toBe(before);
  });

  it('allows loopback through a CIDR entry and a host name entry', async () => {
    for (const allow of [['127.0.0.0/8'], ['localhost']]) {
      const f = createFetcher(options({ allowHosts: allow }));
      try {
        const r = await f.fetchFeed(`http://localhost:${server.port}/gzip`);
        expect(r.status).toBe('ok');
      } finally {
        await f.close();
      }
    }
  });

  it.each([
    ['not a URL', 'not a url'],
    ['not http', 'file:///etc/passwd'],
  ])('%s is fetch_invalid_url', async (_name, url) => {
    expect((await failure(fetcher.fetchFeed(url))).code).toBe('fetch_invalid_url');
  });

  it('a closed port is fetch_network, said in one sentence with what to check, by either client', async () => {
    const other = await startFeedServer();
    const url = other.url('/x');
    await other.close();
    for (const leanHttp of [true, false]) {
      const f = createFetcher(options({ leanHttp }));
      try {
        const err = await failure(f.fetchFeed(url));
        expect(err.code).toBe('fetch_network');
        expect(err.message, `lean ${leanHttp}`).toBe(`fetcher: ${url} refused the connection (nothing listens on port ${new URL(url).port}); check the port in the URL and that the server is up.`);
      } finally {
        await f.close();
      }
    }
  });

  // Article pages go through the same limits and guard as feeds (issue 5 point 3).
  it.each([
    ['an oversize body', '/big', 'fetch_too_large', /larger than 262144 bytes/],
    ['an oversize chunked body', '/big-chunked', 'fetch_too_large', /larger than 262144 bytes/],
    ['a gzip bomb', '/bomb', 'fetch_too_large', /once decoded/],
    ['a redirect to the metadata address', '/to-metadata', 'fetch_blocked_address', /169\.254\.169\.254/],
    ['a redirect loop', '/loop-a', 'fetch_redirects', /redirect loop/],
    ['a page that trickles past the total timeout', '/trickle', 'fetch_timeout', /took longer than 1500 ms/],
  ])('fetchPage: %s ends in %s', async (_name, p, code, message) => {
    const err = await failure(fetcher.fetchPage(server.url(p)));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('fetchPage refuses loopback unless allowed, before sending anything', async () => {
    const strict = createFetcher(options({ allowHosts: [] }));
    const before = server.hits('/page');
    try {
      expect((await failure(strict.fetchPage(server.url('/page')))).code).toBe('fetch_blocked_address');
    } finally {
      await strict.close();
    }
    expect(server.hits('/page')).toBe(before);
  });

  it('an allowed host that redirects to an address that is not allowed is refused, feed or page', async () => {
    const byName = createFetcher(options({ allowHosts: ['localhost'] }));
    const before = server.hits('/etag');
    try {
      for (const get of [(u: string) => byName.fetchFeed(u), (u: string) => byName.fetchPage(u)]) {
        const err = await failure(get(`http://localhost:${server.port}/to-loopback-ip`));
        expect(err.code).toBe('fetch_blocked_address');
        expect(err.message).toMatch(/refused http:\/\/127\.0\.0\.1:\d+\/etag/);
      }
    } finally {
      await byName.close();
    }
    expect(server.hits('/etag')).toBe(before);
  });

  it('fetchPage decodes by the page’s declared charset', async () => {
    const page = await fetcher.fetchPage(server.url('/page'));
    expect(page.body).toContain('<body>café</body>');
    expect(page.contentType).toBe('text/html');
    expect(page.finalUrl).toBe(server.url('/page'));
  });
});

describe('header parsing', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  it.each([
    ['120', 120],
    ['Mon, 23 Nov 2026 12:10:00 GMT', 600],
    ['Mon, 23 Nov 2026 11:00:00 GMT', 0],
    ['soon', null],
    [null, null],
  ])('Retry-After %s -> %s', (v, s) => expect(parseRetryAfter(v, now)).toBe(s));
  it.each([
    ['max-age=300', 300],
    ['public, s-maxage=600, max-age=60', 600],
    ['no-store, max-age=300', null],
    ['no-cache', null],
  ])('Cache-Control %s -> %s', (v, s) => expect(parseMaxAge(v)).toBe(s));
});
