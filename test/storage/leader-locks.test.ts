import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/storage/db.ts';
import { LeaderLocks, openStorage, type Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('LeaderLocks on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('gives a lock to one holder at a time and to the next after release', async () => {
    const a = await storage.locks.tryAcquire('discord-gateway');
    expect(a).not.toBeNull();
    expect(await storage.locks.tryAcquire('discord-gateway')).toBeNull();
    const other = await storage.locks.tryAcquire('something-else');
    expect(other).not.toBeNull();
    await a!.release();
    await a!.release();
    const b = await storage.locks.tryAcquire('discord-gateway');
    expect(b).not.toBeNull();
    await b!.release();
    await other!.release();
  });

  it.runIf(database.name === 'postgres')('is exclusive across instances and passes on when the holder goes', async () => {
    const second = await openStorage(url, { migrate: false });
    try {
      const a = await storage.locks.tryAcquire('discord-gateway');
      expect(a).not.toBeNull();
      expect(await second.locks.tryAcquire('discord-gateway')).toBeNull();
      await a!.release();
      const b = await second.locks.tryAcquire('discord-gateway');
      expect(b).not.toBeNull();
      expect(await storage.locks.tryAcquire('discord-gateway')).toBeNull();
      await b!.release();
    } finally {
      await second.close();
    }
  });

  it.runIf(database.name === 'postgres')('reports the lock lost when its connection dies, and a follower takes over', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const locks = new LeaderLocks(parseDatabaseUrl(url), { checkEveryMs: 20 });
      const held = await locks.tryAcquire('discord-gateway');
      expect(held).not.toBeNull();
      // Only this test's database: the server is shared, and other tests' (and other runs') migrations and
      // pipelines hold advisory locks of their own (this once cut a migration of another test file).
      await admin.query(
        `select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and pid <> pg_backend_pid()`,
      );
      await held!.lost;
      const next = await storage.locks.tryAcquire('discord-gateway');
      expect(next).not.toBeNull();
      await next!.release();
    } finally {
      await admin.end();
    }
  });

  it.runIf(database.name === 'postgres')('reports the lock lost when its connection hangs (no answer to the check)', async () => {
    // A TCP relay to PostgreSQL that can stop forwarding without closing anything, like a partition.
    const target = new URL(url);
    let stalled = false;
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        sockets.add(from);
        from.on('data', (d) => {
          if (!stalled) to.write(d);
        });
        // Nor does a close get through while stalled.
        from.on('error', () => stalled || to.destroy());
        from.on('close', () => stalled || to.destroy());
      }
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String((relay.address() as AddressInfo).port);
    try {
      const locks = new LeaderLocks(parseDatabaseUrl(via.toString()), { checkEveryMs: 50 });
      const held = await locks.tryAcquire('discord-gateway');
      expect(held).not.toBeNull();
      stalled = true;
      await held!.lost;
      // The server still sees the session (and its lock) until the connection really closes.
      expect(await storage.locks.tryAcquire('discord-gateway')).toBeNull();
      for (const s of sockets) s.destroy();
      // The server frees the lock when it notices the connection closed: take it as soon as it does.
      const next = await waitFor('the lock to be free again', async () => (await storage.locks.tryAcquire('discord-gateway')) ?? false, 10_000);
      expect(next).not.toBeNull();
      await next!.release();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});
