// fetcher.close() at shutdown: a request in flight to a server that never answers is ended (its connection
// closed, the fetch rejected) instead of lasting polling.total_timeout_ms, and nothing opens a connection
// afterwards (a lean exchange cut by the close must not fall back to undici on a new one). Both clients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/feeds/fetch-error.ts';
import { createFetcher, defaultFetcherOptions } from '../../src/feeds/fetcher.ts';
import { waitFor } from '../emulators/http-util.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('fetcher.close() with a request in flight', () => {
  it.each([
    { name: 'the lean client', leanHttp: true },
    { name: 'undici alone', leanHttp: false },
  ])('$name: the stalled request is ended, rejected, and no connection is opened after', async ({ leanHttp }) => {
    const seen = { requests: 0, connections: 0, closed: 0 };
    const server = http.createServer(() => {
      seen.requests++;
    });
    server.on('connection', (socket) => {
      seen.connections++;
      socket.on('close', () => seen.closed++);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
    // Ten minutes before the fetch would time out on its own.
    const fetcher = createFetcher({ ...defaultFetcherOptions(), allowHosts: ['127.0.0.1'], totalTimeoutMs: 600_000, leanHttp });
    const fetched = fetcher.fetchFeed(url).then(
      () => 'answered',
      (err: unknown) => err,
    );
    await waitFor('the request to reach the server', () => seen.requests === 1, 10_000);
    await fetcher.close();
    const outcome = await fetched;
    expect(outcome).toBeInstanceOf(FetchError);
    await waitFor('the connection to be closed', () => seen.closed === seen.connections, 10_000);
    expect(seen).toEqual({ requests: 1, connections: 1, closed: 1 });
  });
});
