// Who may read GET /metrics: with METRICS_TOKEN, a scrape carrying `Authorization: Bearer <token>` (from
// anywhere); without it, this machine only (a loopback peer that no proxy says it forwarded). The decision
// is a pure function of the peer address, the headers and the token (tested for every kind of address);
// over real HTTP on 127.0.0.1, what each answer looks like.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricsAccess } from '../../src/http/metrics-access.ts';
import { createBotMetrics } from '../../src/http/metrics.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const TOKEN = 'mt_0123456789abcdef0123456789abcdef';

describe('metricsAccess', () => {
  it.each<{ name: string; remote: string | undefined; headers?: http.IncomingHttpHeaders; token: string | null; want: 200 | 401 | 404 }>([
    { name: 'no token, IPv4 loopback', remote: '127.0.0.1', token: null, want: 200 },
    { name: 'no token, another 127/8 address', remote: '127.0.0.2', token: null, want: 200 },
    { name: 'no token, IPv6 loopback', remote: '::1', token: null, want: 200 },
    { name: 'no token, IPv4-mapped loopback', remote: '::ffff:127.0.0.1', token: null, want: 200 },
    { name: 'no token, a private address', remote: '10.1.2.3', token: null, want: 404 },
    { name: 'no token, an IPv4-mapped private address', remote: '::ffff:10.1.2.3', token: null, want: 404 },
    { name: 'no token, a public IPv6 address', remote: '2001:db8::1', token: null, want: 404 },
    { name: 'no token, a look-alike of loopback', remote: '::ffff:128.0.0.1', token: null, want: 404 },
    { name: 'no token, no peer address (socket gone)', remote: undefined, token: null, want: 404 },
    { name: 'no token, loopback through a proxy (X-Forwarded-For)', remote: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' }, token: null, want: 404 },
    { name: 'no token, loopback through a proxy (Forwarded)', remote: '127.0.0.1', headers: { forwarded: 'for=203.0.113.9' }, token: null, want: 404 },
    { name: 'no token, loopback through a proxy (X-Real-IP)', remote: '::1', headers: { 'x-real-ip': '203.0.113.9' }, token: null, want: 404 },
    { name: 'token, the right bearer from a private address', remote: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}` }, token: TOKEN, want: 200 },
    { name: 'token, the right bearer, scheme in lower case, through a proxy', remote: '127.0.0.1', headers: { authorization: `bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' }, token: TOKEN, want: 200 },
    { name: 'token, none sent from loopback', remote: '127.0.0.1', token: TOKEN, want: 401 },
    { name: 'token, a wrong one', remote: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}x` }, token: TOKEN, want: 401 },
    { name: 'token, its prefix', remote: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, token: TOKEN, want: 401 },
    { name: 'token, sent as Basic', remote: '10.1.2.3', headers: { authorization: `Basic ${TOKEN}` }, token: TOKEN, want: 401 },
    { name: 'token, bearer with nothing after it', remote: '10.1.2.3', headers: { authorization: 'Bearer ' }, token: TOKEN, want: 401 },
  ])('$name: $want', ({ remote, headers, token, want }) => {
    const a = metricsAccess({ remoteAddress: remote, headers: headers ?? {} }, token);
    expect(a.ok ? 200 : a.status).toBe(want);
    if (want === 401 && !a.ok) expect(a.headers['www-authenticate']).toBe('Bearer realm="cyberbrief metrics"');
  });
});

describe('GET /metrics over HTTP on loopback', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let server: HttpServer;
  beforeEach(async () => ({ storage, cleanup } = await freshStorage(testDatabases[0]!)));
  afterEach(async () => {
    await server.stop();
    await cleanup();
  });

  async function start(token: string | null): Promise<number> {
    const clock = fixedClock(new Date('2026-03-01T12:00:00Z'));
    const metrics = createBotMetrics({ stats: () => storage.stats.snapshot(clock.now()), clock, logger: silentLogger(), token });
    server = createHttpServer({ host: '127.0.0.1', port: 0, routes: [metrics.route], health: async () => ({ ok: true, checks: {} }), logger: silentLogger() });
    return (await server.start()).port;
  }

  it.each<{ name: string; token: string | null; headers: Record<string, string>; status: number; authenticate: string | null }>([
    { name: 'no token set, asked from this machine', token: null, headers: {}, status: 200, authenticate: null },
    { name: 'no token set, forwarded by a proxy on this machine', token: null, headers: { 'x-forwarded-for': '203.0.113.9' }, status: 404, authenticate: null },
    { name: 'token set, none sent', token: TOKEN, headers: {}, status: 401, authenticate: 'Bearer realm="cyberbrief metrics"' },
    { name: 'token set, a wrong one', token: TOKEN, headers: { authorization: 'Bearer not-the-token-at-all' }, status: 401, authenticate: 'Bearer realm="cyberbrief metrics"' },
    { name: 'token set, the right one', token: TOKEN, headers: { authorization: `Bearer ${TOKEN}` }, status: 200, authenticate: null },
  ])('$name: $status', async ({ token, headers, status, authenticate }) => {
    const port = await start(token);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers });
    const body = await res.text();
    expect(res.status).toBe(status);
    expect(res.headers.get('www-authenticate')).toBe(authenticate);
    expect(res.headers.get('cache-control')).toBe('no-store');
    if (status === 200) expect(body).toContain('cyberbrief_feeds 0');
    else expect(body).not.toContain('cyberbrief_');
  });
});
