// Loopback ports for tests: one nothing listens on right now, for a server whose address must be known before
// it starts, or as a closed port that refuses connections (a database or hub that is down).
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
