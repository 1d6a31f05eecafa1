import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, listenError, type HttpServer, type HttpServerOptions, type Route } from '../../src/http/server.ts';
import { ConfigError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { waitFor } from '../emulators/http-util.ts';
import { fillerHeaders, rawExchange } from '../helpers/raw-http.ts';

/** A server on a free loopback port, healthy unless `opts` says otherwise, started. */
async function startServer(opts: Partial<HttpServerOptions> = {}): Promise<{ server: HttpServer; port: number }> {
  const server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), health: async () => ({ ok: true, checks: {} }), ...opts });
  const { port } = await server.start();
  return { server, port };
}

async function readAll(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const d of req as AsyncIterable<Buffer>) body += d.toString();
  return body;
}

/** POST /hook: a sized body of at most 64 bytes, read whole, recorded in `seen` as `hook <body> <X-Signature or ->`; answers 200 ok. */
function hookRoute(seen: string[]): Route {
  return {
    method: 'POST',
    path: '/hook',
    maxBodyBytes: 64,
    handler: async (req, res) => {
      seen.push(`hook ${await readAll(req)} ${req.headers['x-signature'] ?? '-'}`);
      res.writeHead(200);
      res.end('ok');
    },
  };
}

/**
 * POST /cb/<id> (a WebSub callback): an unsized body the route bounds itself, recorded in `seen` as
 * `cb <url> <body>`, answered 202; /cb/unknown is refused (410) before its body is read, as callbacks do.
 */
function callbackRoute(seen: string[], maxBodyBytes: number): Route {
  return {
    method: 'POST',
    path: '/cb/',
    prefix: true,
    unsizedBody: true,
    maxBodyBytes,
    handler: async (req, res) => {
      if (req.url === '/cb/unknown') {
        res.writeHead(410, { connection: 'close' });
        res.end('gone\n');
        return;
      }
      seen.push(`cb ${req.url} ${await readAll(req)}`);
      res.writeHead(202).end();
    },
  };
}

/** A raw request, so the test controls Content-Length and chunking exactly. */
function send(port: number, opts: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...(opts.body !== undefined && !opts.headers?.['transfer-encoding'] ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers };
    const req = http.request({ host: '127.0.0.1', port, method: opts.method, path: opts.path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('http server', () => {
  let server: HttpServer;
  let port: number;
  const received: string[] = [];
  afterEach(async () => server.stop());

  async function start(healthy = true) {
    ({ server, port } = await startServer({ health: async () => ({ ok: healthy, checks: { database: { ok: healthy } } }), routes: [hookRoute(received)] }));
  }

  it.each([
    [true, 200],
    [false, 503],
  ])('GET /healthz reports health (healthy=%s -> %i)', async (healthy, status) => {
    await start(healthy);
    const r = await send(port, { method: 'GET', path: '/healthz' });
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body)).toEqual({ ok: healthy, checks: { database: { ok: healthy } } });
  });

  it.each(['GET', 'HEAD'])('%s /healthz whose check throws answers 503 without the error text (it may name a host or a path)', async (method) => {
    ({ server, port } = await startServer({ health: () => Promise.reject(new Error('storage: SQLite file /srv/private/bot.db is damaged')) }));
    const r = await send(port, { method, path: '/healthz' });
    expect(r.status).toBe(503);
    expect(r.body).toBe(method === 'HEAD' ? '' : JSON.stringify({ ok: false, checks: { health: { ok: false, detail: 'health check failed' } } }));
    expect(r.body).not.toContain('/srv/private');
  });

  it.each([
    ['an unknown path', { method: 'GET', path: '/nope' }, 404],
    ['a wrong method', { method: 'GET', path: '/hook' }, 405],
    ['a body over the route limit', { method: 'POST', path: '/hook', body: 'x'.repeat(65) }, 413],
    ['a body without Content-Length', { method: 'POST', path: '/hook', headers: { 'transfer-encoding': 'chunked' }, body: 'abc' }, 411],
  ])('refuses %s and never calls the route', async (_name, req, status) => {
    await start();
    received.length = 0;
    const r = await send(port, req);
    expect(r.status).toBe(status);
    expect(received).toEqual([]);
  });

  it('passes a body within the limit to the route', async () => {
    await start();
    received.length = 0;
    const r = await send(port, { method: 'POST', path: '/hook', body: 'x'.repeat(64) });
    expect(r.status).toBe(200);
    expect(received).toEqual([`hook ${'x'.repeat(64)} -`]);
  });

  describe('prefix routes that bound an unsized body themselves (WebSub callbacks)', () => {
    const seen: string[] = [];
    async function startPrefix() {
      ({ server, port } = await startServer({ routes: [callbackRoute(seen, 16)] }));
    }

    it.each([
      { name: 'a path under the prefix, sized', req: { method: 'POST', path: '/cb/abc', body: 'hello' }, status: 202, seen: ['cb /cb/abc hello'] },
      { name: 'a path under the prefix, chunked', req: { method: 'POST', path: '/cb/x?y=1', headers: { 'transfer-encoding': 'chunked' }, body: 'hi' }, status: 202, seen: ['cb /cb/x?y=1 hi'] },
      { name: 'a declared length over the limit', req: { method: 'POST', path: '/cb/abc', body: 'x'.repeat(17) }, status: 413, seen: [] },
      { name: 'the wrong method under the prefix', req: { method: 'PUT', path: '/cb/abc', body: 'x' }, status: 405, seen: [] },
      { name: 'a path beside the prefix', req: { method: 'POST', path: '/cbx', body: 'x' }, status: 404, seen: [] },
    ])('$name -> $status', async ({ req, status, seen: want }) => {
      await startPrefix();
      seen.length = 0;
      expect((await send(port, req)).status).toBe(status);
      expect(seen).toEqual(want);
    });
  });
});

describe('http server and slow or many clients', () => {
  let server: HttpServer;
  afterEach(async () => server.stop());

  /**
   * Opens a socket, writes `first`, then one more byte of `drip` every 100 ms, and never stops or closes it
   * itself: resolves with what came back once the server closed it (ended or reset it).
   */
  function trickle(port: number, first: string, drip: string): Promise<{ answer: string; closedBy: 'server' }> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      let i = 0;
      const timer = setInterval(() => socket.write(drip[i++ % drip.length]!), 100);
      const closed = () => {
        clearInterval(timer);
        socket.destroy();
        resolve({ answer, closedBy: 'server' });
      };
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('end', closed);
      socket.on('error', closed);
      socket.on('close', closed);
      socket.write(first);
    });
  }

  // The server drops a client too slow with its head or its body, and goes on serving others. No clock is
  // read: the test's own timeout (15 s, under Node's default 30 s checking interval, which the server must
  // shorten) is the only bound; the client never gives up, so a server that kept it would time the test out.
  it.each([
    { name: 'request head sent a byte at a time (slowloris)', first: 'GET /healthz HTTP/1.1\r\nHost: x\r\n', drip: 'X-Slow: y\r\n', status: '408' },
    { name: 'a declared body trickled in', first: 'POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\n', drip: 'x', status: '408' },
  ])(
    '$name: the server closes it, and serves the next request',
    async ({ first, drip, status }) => {
      const seen: string[] = [];
      let port: number;
      ({ server, port } = await startServer({ routes: [hookRoute(seen)], limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 1_500 } }));
      const r = await trickle(port, first, drip);
      expect(r.closedBy).toBe('server');
      expect(r.answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      // The route never had the whole body; the server is still there for the next client.
      expect(seen).toEqual([]);
      expect(await send(port, { method: 'POST', path: '/hook', body: 'next' })).toEqual({ status: 200, body: 'ok' });
      expect(seen).toEqual(['hook next -']);
    },
    15_000,
  );

  it('closes connections past maxConnections at once, and takes new ones when some end', async () => {
    let port: number;
    ({ server, port } = await startServer({ limits: { maxConnections: 5 } }));
    // Each connection is answered once and kept open (keep-alive), so the server has surely taken all five
    // before the sixth comes (a socket connected is not yet one the server has counted).
    const open = (): Promise<net.Socket> => new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (/^HTTP\/1\.1 200 [^]*\r\n\r\n/.test(got)) resolve(s);
      });
      s.on('error', reject);
    });
    const kept = await Promise.all(Array.from({ length: 5 }, open));
    const extra = await send(port, { method: 'GET', path: '/healthz' }).then((r) => r.status, (e: NodeJS.ErrnoException) => e.code ?? 'error');
    expect(extra).toBe('ECONNRESET');
    for (const s of kept) s.destroy();
    // The server counts a connection gone when its side has closed, a moment after ours: until then a new one
    // is still closed at once. Wait (10 s at most) until one is served.
    const served = await waitFor('a new connection to be served', () => send(port, { method: 'GET', path: '/healthz' }).then((r) => r.status, () => false));
    expect(served).toBe(200);
  });
});

describe('http server that cannot listen', () => {
  it('says in one sentence that the port is taken and what to do', async () => {
    const { server: first, port } = await startServer();
    const second = createHttpServer({ host: '127.0.0.1', port, logger: silentLogger(), health: async () => ({ ok: true, checks: {} }) });
    try {
      const err = await second.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(`http: port ${port} on 127.0.0.1 is already in use (another cyberbrief, or another program); stop it, or set PORT (server.port) to a free port.`);
    } finally {
      await second.stop();
      await first.stop();
    }
  });

  it.each([
    ['EACCES', 'http: no permission to listen on port 80 on 0.0.0.0; set PORT (server.port) to a port above 1023.'],
    ['EADDRNOTAVAIL', 'http: cannot listen on port 80 on 0.0.0.0: no network interface of this machine has that address; check server.host.'],
  ])('%s is one sentence', (code, message) => {
    const err = listenError(Object.assign(new Error(`listen ${code}`), { code }), '0.0.0.0', 80);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(message);
  });

  it('passes other errors through', () => {
    const other = Object.assign(new Error('listen EINVAL'), { code: 'EINVAL' });
    expect(listenError(other, '0.0.0.0', 80)).toBe(other);
  });
});

describe('http server and the edges of a request (raw sockets)', () => {
  let server: HttpServer;
  let port: number;
  const seen: string[] = [];
  afterEach(async () => server.stop());

  /** /hook reads its body; /cb/<id> (a WebSub-like prefix) answers GET, and refuses an unknown id before reading a POST's body. */
  async function start() {
    seen.length = 0;
    const challenge: Route = {
      method: 'GET',
      path: '/cb/',
      prefix: true,
      handler: (req, res) => {
        seen.push(`cb get ${req.url}`);
        res.end('challenge');
      },
    };
    ({ server, port } = await startServer({ routes: [hookRoute(seen), challenge, callbackRoute(seen, 64)] }));
  }

  it.each([
    { name: 'OPTIONS on a route, no body', head: ['OPTIONS /hook HTTP/1.1'], status: 204, allow: 'POST, OPTIONS' },
    { name: 'DELETE on a route, no body', head: ['DELETE /hook HTTP/1.1'], status: 405, allow: 'POST, OPTIONS' },
    { name: 'GET on a POST route', head: ['GET /hook HTTP/1.1'], status: 405, allow: 'POST, OPTIONS' },
    { name: 'OPTIONS on /healthz, no body', head: ['OPTIONS /healthz HTTP/1.1'], status: 204, allow: 'GET, HEAD, OPTIONS' },
    { name: 'DELETE on /healthz, no body', head: ['DELETE /healthz HTTP/1.1'], status: 405, allow: 'GET, HEAD, OPTIONS' },
    { name: 'POST on /healthz', head: ['POST /healthz HTTP/1.1', 'Content-Length: 0'], status: 405, allow: 'GET, HEAD, OPTIONS' },
    { name: 'OPTIONS under a prefix route, no body', head: ['OPTIONS /cb/abc HTTP/1.1'], status: 204, allow: 'GET, POST, OPTIONS' },
    { name: 'DELETE under a prefix route, no body', head: ['DELETE /cb/abc HTTP/1.1'], status: 405, allow: 'GET, POST, OPTIONS' },
    { name: 'OPTIONS on a path no route names', head: ['OPTIONS /nope HTTP/1.1'], status: 404, allow: undefined },
    { name: 'OPTIONS with a body (not read, the connection closed)', head: ['OPTIONS /hook HTTP/1.1', 'Content-Length: 5'], status: 204, allow: 'POST, OPTIONS' },
    { name: 'DELETE on a path no route names', head: ['DELETE /nope HTTP/1.1'], status: 404, allow: undefined },
  ])('$name: $status, Allow $allow, the route not called', async ({ head, status, allow }) => {
    await start();
    const r = await rawExchange(port, [...head, 'Host: x']);
    expect(r.statuses).toEqual([status]);
    expect(r.header('allow')).toBe(allow);
    expect(seen).toEqual([]);
  });

  it('passes a POST without Content-Length or Transfer-Encoding (an empty body) to the route', async () => {
    await start();
    const r = await rawExchange(port, ['POST /hook HTTP/1.1', 'Host: x']);
    expect(r.statuses).toEqual([200]);
    expect(seen).toEqual(['hook  -']);
  });

  it.each([
    { name: '100 headers in all', head: ['GET /healthz HTTP/1.1', 'Host: x', ...fillerHeaders(99)], status: 200, seen: [] },
    { name: '101 headers', head: ['GET /healthz HTTP/1.1', 'Host: x', ...fillerHeaders(100)], status: 431, seen: [] },
    { name: '100 headers on a route, the signature last', head: ['POST /hook HTTP/1.1', 'Host: x', 'Content-Length: 2', ...fillerHeaders(97), 'X-Signature: s'], body: 'ab', status: 200, seen: ['hook ab s'] },
    { name: '101 headers on a route, the signature last', head: ['POST /hook HTTP/1.1', 'Host: x', 'Content-Length: 2', ...fillerHeaders(98), 'X-Signature: s'], body: 'ab', status: 431, seen: [] },
    { name: '101 headers to a path no route names', head: ['GET /nope HTTP/1.1', 'Host: x', ...fillerHeaders(100)], status: 431, seen: [] },
  ])('$name: $status', async ({ head, body, status, seen: want }) => {
    await start();
    const r = await rawExchange(port, head, body === undefined ? {} : { body, bodyAtOnce: true });
    expect(r.statuses).toEqual([status]);
    expect(seen).toEqual(want);
  });

  it.each([
    { name: 'a path no route names', head: ['POST /nope HTTP/1.1', 'Content-Length: 3'], statuses: [404], seen: [] },
    { name: 'a wrong method', head: ['PUT /hook HTTP/1.1', 'Content-Length: 3'], statuses: [405], seen: [] },
    { name: 'a body over the limit', head: ['POST /hook HTTP/1.1', 'Content-Length: 65'], statuses: [413], seen: [] },
    { name: 'a chunked body where a length is required', head: ['POST /hook HTTP/1.1', 'Transfer-Encoding: chunked'], statuses: [411], seen: [] },
    { name: 'too many headers', head: ['POST /hook HTTP/1.1', 'Content-Length: 3', ...fillerHeaders(98)], statuses: [431], seen: [] },
    { name: 'a route that refuses before reading', head: ['POST /cb/unknown HTTP/1.1', 'Content-Length: 3'], statuses: [410], seen: [] },
    { name: 'a body the route reads', head: ['POST /hook HTTP/1.1', 'Content-Length: 3'], statuses: [100, 200], seen: ['hook abc -'] },
    { name: 'a body a prefix route reads', head: ['POST /cb/abc HTTP/1.1', 'Content-Length: 3'], statuses: [100, 202], seen: ['cb /cb/abc abc'] },
  ])('Expect: 100-continue with $name: $statuses', async ({ head, statuses, seen: want }) => {
    await start();
    const r = await rawExchange(port, [...head, 'Host: x', 'Expect: 100-continue'], { body: 'abc' });
    expect(r.statuses).toEqual(statuses);
    expect(seen).toEqual(want);
  });
});
