// Floors for the polling bench's no-delay case: the same conditional GETs cyberbrief just made, with
// nothing but an HTTP client, nothing parsed or stored. How far below the naive loop a poller can get is
// bounded by these. `undiciFloor`: one undici Client per origin, driven through dispatch() with a handler
// that keeps only the status (undici's cheapest path; cyberbrief uses request() on the same Clients).
// `socketFloor`: plain sockets writing a hand-made request and reading to the end of the response head,
// which is enough for a 304 and for nothing else (no body, chunking, limits or errors): what the kernel and
// the event loop cost without any HTTP library.
import net from 'node:net';
import { Client, type Dispatcher } from 'undici';

export interface FloorRequest {
  url: string;
  etag: string | null;
  lastModified: string | null;
}

export interface FloorResult {
  seconds: number;
  /** CPU of this process (user + system) during the loop. */
  cpuSeconds: number;
  /** Responses by status code. */
  codes: Record<number, number>;
}

async function timed(list: readonly FloorRequest[], concurrency: number, one: (r: FloorRequest) => Promise<number>): Promise<FloorResult> {
  const codes: Record<number, number> = {};
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) {
        const code = await one(list[next++]!).catch(() => 0);
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, codes };
}

const conditional = (r: FloorRequest): Record<string, string> => ({
  'user-agent': 'cyberbrief-bench',
  ...(r.etag ? { 'if-none-match': r.etag } : {}),
  ...(r.lastModified ? { 'if-modified-since': r.lastModified } : {}),
});

export async function undiciFloor(list: readonly FloorRequest[], concurrency: number): Promise<FloorResult> {
  const clients = new Map<string, Client>();
  try {
    return await timed(list, concurrency, (r) => {
      const u = new URL(r.url);
      let client = clients.get(u.origin);
      if (!client) {
        client = new Client(u.origin);
        clients.set(u.origin, client);
      }
      return new Promise<number>((resolve, reject) => {
        let status = 0;
        const handler: Dispatcher.DispatchHandler = {
          onConnect: () => undefined,
          onHeaders: (code) => {
            status = code;
            return true;
          },
          onData: () => true,
          onComplete: () => resolve(status),
          onError: reject,
        };
        client.dispatch({ path: u.pathname + u.search, method: 'GET', headers: conditional(r) }, handler);
      });
    });
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
}

interface Conn {
  socket: net.Socket;
  ready: Promise<void>;
  head: string;
  waiting: ((status: number) => void) | null;
  busy: Promise<void>;
}

export async function socketFloor(list: readonly FloorRequest[], concurrency: number): Promise<FloorResult> {
  const conns = new Map<string, Conn>();
  const open = (u: URL): Conn => {
    const socket = net.connect(Number(u.port || 80), u.hostname);
    const conn: Conn = { socket, ready: new Promise((resolve) => socket.once('connect', () => resolve())), head: '', waiting: null, busy: Promise.resolve() };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      conn.head += d;
      if (!conn.head.includes('\r\n\r\n')) return;
      const status = Number(conn.head.slice(9, 12));
      conn.head = '';
      const w = conn.waiting;
      conn.waiting = null;
      w?.(status);
    });
    socket.on('error', () => conn.waiting?.(0));
    return conn;
  };
  try {
    return await timed(list, concurrency, async (r) => {
      const u = new URL(r.url);
      let conn = conns.get(u.host);
      if (!conn) {
        conn = open(u);
        conns.set(u.host, conn);
      }
      const c = conn;
      // One request at a time per connection, as without pipelining.
      const turn = c.busy.then(async () => {
        await c.ready;
        const status = await new Promise<number>((resolve) => {
          c.waiting = resolve;
          const headers = Object.entries(conditional(r)).map(([k, v]) => `${k}: ${v}\r\n`).join('');
          c.socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n${headers}\r\n`, 'latin1');
        });
        return status;
      });
      c.busy = turn.then(() => undefined);
      return turn;
    });
  } finally {
    for (const c of conns.values()) c.socket.destroy();
  }
}
