// A TCP proxy on 127.0.0.1 in front of the real PostgreSQL, so a test can make the database go away and come
// back (an outage, a server that starts late) without touching the server itself. The proxy keeps its port
// for its whole life: while cut it resets every connection (its open ones and each new one), so no other
// process can take the port during the outage and the proxy can always come back on it.
import net from 'node:net';

export interface OutageProxy {
  port: number;
  /** The outage begins: open connections are reset, and so is each new one until `restore`. */
  cut(): void;
  /** The outage ends: new connections are forwarded to the target again. */
  restore(): void;
  /** How many connections arrived while cut (each reset at once). */
  refused(): number;
  /** Ends the proxy and gives its port back. */
  close(): Promise<void>;
}

/** A proxy on a port of its own that forwards each connection to `target` (from the start unless `up` is false). */
export async function startProxy(target: URL, { up = true }: { up?: boolean } = {}): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  let forwarding = up;
  let refused = 0;
  const server = net.createServer((client) => {
    if (!forwarding) {
      refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const resetAll = () => {
    for (const s of sockets) s.resetAndDestroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      forwarding = false;
      resetAll();
    },
    restore() {
      forwarding = true;
    },
    refused: () => refused,
    async close() {
      forwarding = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      resetAll();
      await closed;
    },
  };
}
