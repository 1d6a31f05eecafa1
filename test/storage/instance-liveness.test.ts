// Taking back a dead instance's leases, and only a dead one's: on PostgreSQL an owner is alive while its
// liveness lock (a session advisory lock) is held, here by another connection as another process would;
// on SQLite, which serves one instance, every other run@ owner is dead.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.ts';
import { openDatabase, parseDatabaseUrl, type DatabaseHandle } from '../../src/storage/db.ts';
import { holdInstanceLiveness, LeaderLocks, takeBackDeadLeases, type Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';
import { waitFor } from '../emulators/http-util.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startProxy } from '../helpers/tcp-proxy.ts';

notePostgresSkip();

const SELF = 'run@host-a:300:selfself';
const ALIVE = 'run@host-b:100:alivealv';
const DEAD = 'run@host-a:200:deaddead';
const OLD_FORMAT = 'host-c:400:oldoldol';
const POLLER = 'poller-500-abcdef';

describe.each(testDatabases)('takeBackDeadLeases on $name', (database) => {
  let storage: Storage;
  let handle: DatabaseHandle;
  let url: string;
  let cleanup: () => Promise<void>;
  const now = new Date();

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
    handle = openDatabase(parseDatabaseUrl(url));
  });
  afterEach(async () => {
    await handle.close();
    await cleanup();
  });

  /** One feed per owner (plus one of the dead owner's whose lease already expired), and an alert of DEAD's. */
  async function seed(): Promise<void> {
    const until = now.getTime() + 60_000;
    for (const [i, owner] of [SELF, ALIVE, DEAD, OLD_FORMAT, POLLER].entries()) {
      const { feed } = await storage.feeds.add({ url: `https://f${i}.example/rss`, source: 'cli' });
      await sql`update feeds set lease_owner = ${owner}, lease_until = ${until} where id = ${feed.id}`.execute(handle.db);
    }
    const { feed: expired } = await storage.feeds.add({ url: 'https://expired.example/rss', source: 'cli' });
    await sql`update feeds set lease_owner = ${'run@host-a:201:expired0'}, lease_until = ${now.getTime() - 1000} where id = ${expired.id}`.execute(handle.db);
    const channel = await seedChannel(storage, 'slack', 'C1', ['t']);
    const { itemIds } = await seedFeed(storage, { url: 'https://items.example/rss', title: 'Items' }, [{ key: 'a', title: 'A' }, { key: 'b', title: 'B' }], now);
    const [a1, a2] = await seedAlerts(storage, channel, itemIds, now);
    await sql`update alerts set lease_owner = ${DEAD}, lease_until = ${until}, status = 'sending' where id = ${a1!}`.execute(handle.db);
    await sql`update alerts set lease_owner = ${ALIVE}, lease_until = ${until} where id = ${a2!}`.execute(handle.db);
    // WebSub subscriptions are claimed by the renewal job under the same owner names.
    for (const [i, owner] of [DEAD, SELF].entries()) {
      const sub = (await storage.websub.insert({ feedId: itemIds[0]! + 100 + i, callbackId: `cb-${i}-0123456789abcdefghij`, hubUrl: 'https://hub.example/', topicUrl: `https://t${i}.example/rss`, secret: 'plain:s', nextActionAt: now, at: now }))!;
      await sql`update websub_subscriptions set lease_owner = ${owner}, lease_until = ${until} where id = ${sub.id}`.execute(handle.db);
    }
  }

  const feedOwners = async () => (await sql<{ lease_owner: string | null }>`select lease_owner from feeds order by id`.execute(handle.db)).rows.map((r) => r.lease_owner);
  const subscriptionOwners = async () => (await sql<{ lease_owner: string | null }>`select lease_owner from websub_subscriptions order by id`.execute(handle.db)).rows.map((r) => r.lease_owner);
  const alertOwners = async () => (await sql<{ lease_owner: string | null }>`select lease_owner from alerts order by id`.execute(handle.db)).rows.map((r) => r.lease_owner);

  it('gives back the leases of dead run@ owners only, never a live instance\'s or its own', async () => {
    await seed();
    const logger = silentLogger();
    const self = await holdInstanceLiveness(SELF, { locks: storage.locks, logger });
    // Another process's liveness lock: a separate connection (on SQLite, a separate process's memory).
    const otherProcess = new LeaderLocks(parseDatabaseUrl(url));
    const alive = await otherProcess.tryAcquire(`instance:${ALIVE}`);
    expect(alive).not.toBeNull();
    try {
      const taken = await takeBackDeadLeases(SELF, now, { locks: storage.locks, leases: storage.leases, logger });
      const aliveSeenAsAlive = database.name === 'postgres';
      expect(taken).toEqual(aliveSeenAsAlive ? [DEAD] : [ALIVE, DEAD].sort());
      expect(await feedOwners()).toEqual([SELF, aliveSeenAsAlive ? ALIVE : null, null, OLD_FORMAT, POLLER, 'run@host-a:201:expired0', null]);
      expect(await alertOwners()).toEqual([null, aliveSeenAsAlive ? ALIVE : null]);
      expect(await subscriptionOwners()).toEqual([null, SELF]);
      // The dead owner's lock was only borrowed: it is free again, and this instance still holds its own.
      const again = await storage.locks.tryAcquire(`instance:${DEAD}`);
      expect(again).not.toBeNull();
      await again!.release();
      expect(await new LeaderLocks(parseDatabaseUrl(url)).tryAcquire(`instance:${SELF}`).then(async (l) => (l ? (await l.release(), 'free') : 'held'))).toBe(database.name === 'postgres' ? 'held' : 'free');
    } finally {
      await alive?.release();
      await self.stop();
    }
  });

  it('taken-back alerts are claimable again at once, a sending one still sending (for the crash check)', async () => {
    await seed(); // no process holds ALIVE's lock in this test: it is dead too
    const logger = silentLogger();
    await takeBackDeadLeases(SELF, now, { locks: storage.locks, leases: storage.leases, logger });
    const claimed = await storage.alerts.claimDue({ now, limit: 10, owner: SELF, leaseUntil: new Date(now.getTime() + 60_000), platforms: ['slack'] });
    expect(claimed.map((a) => [a.status, a.leaseOwner])).toEqual([['sending', SELF], ['pending', SELF]]);
  });

  it.runIf(database.name === 'postgres')('takes its liveness lock again when its connection is dropped', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger(), warn: (_o: unknown, msg: string) => void warnings.push(msg), info: () => {} } as unknown as ReturnType<typeof silentLogger>;
    const self = await holdInstanceLiveness(SELF, { locks: storage.locks, logger });
    const probe = new LeaderLocks(parseDatabaseUrl(url));
    const state = async () => {
      const l = await probe.tryAcquire(`instance:${SELF}`);
      if (!l) return 'held';
      await l.release();
      return 'free';
    };
    try {
      expect(await state()).toBe('held');
      // As a failover or a database restart would: every connection to this test's own database dropped.
      const dbName = new URL(url).pathname.slice(1);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`.execute(handle.db);
      // pg_terminate_backend only signals: the old backend may hold the lock a moment longer, so a 'held'
      // read at once proves nothing. Wait for the instance to notice the loss, then for the lock to be held.
      const lost = "storage: lost the connection holding this instance's liveness lock; taking it again";
      const deadline = Date.now() + 15_000;
      while (!warnings.includes(lost) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(warnings).toContain(lost);
      let seen = await state();
      while (seen !== 'held' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        seen = await state();
      }
      expect(seen).toBe('held');
    } finally {
      await self.stop();
    }
    expect(await state()).toBe('free');
  });
});



describe.skipIf(!process.env.TEST_DATABASE_URL?.trim())('holdInstanceLiveness through a PostgreSQL outage', () => {
  it('says once that the lock was lost and once that it cannot be taken, however many attempts fail, and once that it is held again', async () => {
    const real = new URL(process.env.TEST_DATABASE_URL!.trim());
    const proxy = await startProxy(real);
    const viaProxy = new URL(real.toString());
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const { lines, logger } = captureLog();
    const locks = new LeaderLocks(parseDatabaseUrl(viaProxy.toString()), { checkEveryMs: 200 });
    const liveness = await holdInstanceLiveness(SELF, { locks, logger, retry: { baseMs: 20, maxMs: 100 } });
    try {
      proxy.cut();
      // Many attempts fail while the proxy is cut (each logged at debug level only).
      await waitFor('several failed attempts', () => lines.filter((l) => l.level === 'debug' && l.msg.includes('liveness lock')).length >= 5, 20_000);
      proxy.restore();
      await waitFor('the lock to be held again', () => lines.some((l) => l.msg.includes('holds its liveness lock again')), 20_000);
      const said = lines.filter((l) => l.level !== 'debug').map((l) => l.msg.replace(/\(.*\)/, '(...)').replace(/\d+(\.\d+)? s/, 'N s'));
      expect(said).toEqual([
        "storage: lost the connection holding this instance's liveness lock; taking it again",
        "storage: cannot take this instance's liveness lock (...); retrying with backoff, saying so again every 10 min",
        "storage: this instance holds its liveness lock again after N s",
      ]);
    } finally {
      await liveness.stop();
      await proxy.close();
    }
  });
});
