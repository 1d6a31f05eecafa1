// Loopback ports for tests: one nothing listens on right now, for a server whose address must be known before
// it starts; and a held one that resets every connection (a database or hub that is down), kept by this
// process so no other process can take it while a test expects it to be down.
import net from 'node:net';

/** A port on 127.0.0.1 that nothing listens on right now (taken and given back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface HeldClosedPort {
  port: number;
  /** How many connections have been reset so far (each attempt to reach the service). */
  attempts(): number;
  /** Gives the port back. */
  close(): Promise<void>;
}

/**
 * A port on 127.0.0.1 held by a listener that resets each connection as it arrives: a service that is
 * down. The client sees `connect ECONNRESET`, or `read`/`write ECONNRESET` when the reset lands just after
 * its connect completed, so tests accept all three. Unlike a port taken and given back (freePort), no other
 * process can start listening on it while the test relies on nothing answering there.
 */
export async function heldClosedPort(): Promise<HeldClosedPort> {
  let attempts = 0;
  const server = net.createServer((socket) => {
    attempts++;
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
