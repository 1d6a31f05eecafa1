// A TCP proxy on 127.0.0.1 in front of the real PostgreSQL, so a test can make the database go away and come
// back (an outage, a server that starts late) without touching the server itself.
import net from 'node:net';

/** From now on, `port` forwards every connection to `target`; the returned function cuts it (listener and connections). */
export async function openProxy(port: number, target: URL): Promise<() => Promise<void>> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
}
