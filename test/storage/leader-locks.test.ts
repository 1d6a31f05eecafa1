import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
      await admin.query(`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and pid <> pg_backend_pid()`);
      await held!.lost;
      const next = await storage.locks.tryAcquire('discord-gateway');
      expect(next).not.toBeNull();
      await next!.release();
    } finally {
      await admin.end();
    }
  });
});
