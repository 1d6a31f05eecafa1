import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OriginClients } from '../../src/feeds/origin-clients.ts';
import { waitFor } from '../emulators/http-util.ts';

describe('OriginClients', () => {
  let servers: http.Server[];
  const sockets = new Set<Socket>();
  const origins: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  /** Requests for /slow the servers have received (each waits for `gate`). */
  let slowArrived = 0;

  // Servers of each case's own: a connection or a waiting /slow request a case leaves behind (an aborted one,
  // a busy one) never reaches the next case's servers or its connection counts.
  beforeEach(async () => {
    origins.length = 0;
    servers = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<http.Server>((resolve) => {
            const s = http.createServer((req, res) => {
              if (req.url === '/slow') {
                slowArrived++;
                void gate.then(() => res.end('slow'));
              }
              else res.end('ok');
            });
            s.on('connection', (c) => sockets.add(c));
            s.listen(0, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    for (const s of servers) origins.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  });
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('opens at most perOrigin connections to an origin, reuses them, and queues beyond', async () => {
    const pool = new OriginClients({}, 2);
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const before = sockets.size;
    const arrived = slowArrived;
    const slow = [1, 2, 3, 4].map(() => request(`${origins[0]}/slow`, { dispatcher: pool }).then((r) => r.body.text()));
    await waitFor('two requests at the server', () => slowArrived - arrived >= 2);
    expect(pool.stats()).toEqual({ origins: 1, clients: 2 });
    expect(sockets.size - before).toBe(2);
    open();
    expect(await Promise.all(slow)).toEqual(['slow', 'slow', 'slow', 'slow']);
    // Idle clients are reused: no new connection.
    expect(await (await request(`${origins[0]}/`, { dispatcher: pool })).body.text()).toBe('ok');
    expect(sockets.size - before).toBe(2);
    await pool.close();
  });

  it('close() lets a request under way finish, closes idle connections at once, and resolves when all are closed', async () => {
    const pool = new OriginClients({}, 2);
    for (const o of origins.slice(1)) await (await request(`${o}/`, { dispatcher: pool })).body.text();
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const arrived = slowArrived;
    const busy = request(`${origins[0]}/slow`, { dispatcher: pool }).then((r) => r.body.text());
    await waitFor('the slow request at the server', () => slowArrived > arrived);
    const open3 = () => [...sockets].filter((c) => !c.destroyed).length;
    const before = open3();
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    // The two idle connections close while the slow request is still waiting for its answer.
    await waitFor('the two idle connections to close', () => before - open3() >= 2);
    expect(before - open3()).toBe(2);
    expect(closed).toBe(false);
    open();
    expect(await busy).toBe('slow');
    await closing;
    expect(pool.stats()).toEqual({ origins: 0, clients: 0 });
  });

  it('forgets clients idle past idleMs, keeps busy ones, and counts failed requests as ended', async () => {
    const pool = new OriginClients({}, 4, 50);
    for (const o of origins) await (await request(`${o}/`, { dispatcher: pool })).body.text();
    expect(pool.stats()).toEqual({ origins: 3, clients: 3 });
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const aborted = new AbortController();
    const arrived = slowArrived;
    const failing = request(`${origins[0]}/slow`, { dispatcher: pool, signal: aborted.signal }).catch((e: Error) => e.name);
    const busy = request(`${origins[1]}/slow`, { dispatcher: pool });
    await waitFor('both slow requests at the servers', () => slowArrived - arrived >= 2);
    aborted.abort();
    expect(await failing).toBe('AbortError');
    pool.sweep(Date.now() + 60);
    // The aborted request ended its client's work, so it went with the idle ones; the busy one stays.
    expect(pool.stats()).toEqual({ origins: 1, clients: 1 });
    open();
    expect(await (await busy).body.text()).toBe('slow');
    pool.sweep(Date.now() + 60);
    expect(pool.stats()).toEqual({ origins: 0, clients: 0 });
    await pool.close();
  });

  it('counts a request in the newer handler style of undici (onRequestStart ... onResponseEnd) as ended when it ends', async () => {
    const pool = new OriginClients({}, 2, 50);
    const body: Buffer[] = [];
    const status = await new Promise<number>((resolve, reject) => {
      let code = 0;
      pool.dispatch(
        { origin: origins[2]!, path: '/', method: 'GET' },
        {
          onRequestStart: () => undefined,
          onResponseStart: (_c, statusCode) => void (code = statusCode),
          onResponseData: (_c, chunk) => void body.push(chunk),
          onResponseEnd: () => resolve(code),
          onResponseError: (_c, err) => reject(err),
        },
      );
    });
    expect(status).toBe(200);
    expect(Buffer.concat(body).toString()).toBe('ok');
    // Ended, so idle: the sweep forgets it.
    expect(pool.stats()).toEqual({ origins: 1, clients: 1 });
    pool.sweep(Date.now() + 60);
    expect(pool.stats()).toEqual({ origins: 0, clients: 0 });
    await pool.close();
  });
});
