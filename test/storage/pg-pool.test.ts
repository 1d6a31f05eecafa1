// PostgreSQL connections that the server drops (pg_terminate_backend does what a restart or a failover
// does to them): a dropped connection never ends the process, whether it was idle, checked out between
// queries, or running one; the query that was cut off fails with a StorageError naming the server; the
// next query gets a fresh connection; the outage is logged once and counted.
import net from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { sql } from 'kysely';
import { openDatabase, parseDatabaseUrl } from '../../src/storage/db.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { waitFor } from '../emulators/http-util.ts';
import { testDatabases } from '../helpers/databases.ts';

const postgres = testDatabases.find((d) => d.name === 'postgres');
if (!postgres) console.log('PostgreSQL connection-drop tests skipped: TEST_DATABASE_URL is not set.');

describe.skipIf(!postgres)('PostgreSQL connections dropped by the server', () => {
  let storage: Storage;
  let admin: pg.Client;
  let dbName: string;
  let url: string;
  let drop: () => Promise<void>;
  const lines: Array<{ level: string; msg: string }> = [];

  beforeEach(async () => {
    const db = await postgres!.create();
    drop = db.drop;
    url = db.url;
    dbName = new URL(db.url).pathname.slice(1);
    lines.length = 0;
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: string; msg: string });
        cb();
      },
    });
    storage = await openStorage(db.url, { logger: createLogger({ level: 'info', pretty: false, secrets: [], destination }) });
    // The admin connection lives in another database, so it is never among the ones terminated.
    admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
  });
  afterEach(async () => {
    await storage.close();
    await admin.end();
    await drop();
  });

  /** Terminates every backend of this test's own database; returns how many. */
  const terminateAll = async () => (await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName])).rowCount ?? 0;

  it('survives a connection dropped while checked out between queries (it used to be an unhandled error event)', async () => {
    await storage.feeds.add({ url: 'https://wire.example/rss', source: 'cli' });
    let killed = 0;
    // The pipeline lock holds a checked-out connection for a whole run, mostly idle between queries.
    const run = storage.clusters.withPipelineLock(async () => {
      killed = await terminateAll();
      // Every dropped connection, the checked-out one among them, has told its client (an 'error' event).
      await waitFor('each dropped connection to be noticed', () => storage.monitor.counters().connectionErrors >= killed, 10_000);
      return 'done';
    });
    const err = await run.catch((e: unknown) => e);
    expect(killed).toBeGreaterThanOrEqual(1);
    // Its run ends with a storage error (the lock went with the connection), not with the process.
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).failure).toBe('unavailable');
    // The next query gets a fresh connection.
    expect((await storage.feeds.list()).map((f) => f.url)).toEqual(['https://wire.example/rss']);
    expect(storage.monitor.counters().connectionErrors).toBeGreaterThanOrEqual(1);
    // A dropped connection makes the monitor probe the server at once; a probe that drew a dropped idle
    // connection before its 'error' event came fails, and health answers that cached failure (503) without
    // a round trip until the next probe answers. Wait for a health answer that is ok again.
    expect(await waitFor('health to answer ok', async () => {
      const h = await storage.health();
      return h.ok && h;
    }, 10_000)).toEqual({ ok: true });
  });

  it('fails a query cut off mid-way with a sentence naming the server, logs the outage once, and the next query works', async () => {
    const logger = createLogger({ level: 'info', pretty: false, secrets: [], destination: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(...c.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; msg: string })), cb()) }) });
    const handle = openDatabase(parseDatabaseUrl(url), { logger });
    try {
      const cutOff = sql`select pg_sleep(10)`.execute(handle.db).catch((e: unknown) => e);
      await waitFor('the query to run', async () => Number((await admin.query("select count(*) as n from pg_stat_activity where datname = $1 and query like 'select pg_sleep%' and state = 'active'", [dbName])).rows[0].n) > 0, 10_000);
      await terminateAll();
      const err = await cutOff;
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).message).toBe(
        `storage: PostgreSQL ${new URL(url).host}/${dbName} is not answering (terminating connection due to administrator command, 57P01); retrying with backoff until it is back: check that the server is up and that DATABASE_URL reaches it.`,
      );
      await sql`select 1`.execute(handle.db);
      expect(handle.monitor.status().ok).toBe(true);
      expect(handle.monitor.counters()).toMatchObject({ outages: 1 });
      expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([(err as StorageError).message]);
    } finally {
      await handle.close();
    }
  });

  it('a protocol violation (08P01: a query with more than 65,535 parameters) is that query\'s error, not an outage', async () => {
    const logger = createLogger({ level: 'info', pretty: false, secrets: [], destination: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(...c.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; msg: string })), cb()) }) });
    const handle = openDatabase(parseDatabaseUrl(url), { logger });
    try {
      // Kysely sends every value as a parameter; the server refuses the bind message.
      const values = Array.from({ length: 70_000 }, (_, i) => sql`${i}`);
      const err = await sql`select 1 where 0 in (${sql.join(values)})`.execute(handle.db).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(StorageError);
      expect((err as { code?: string }).code).toBe('08P01');
      expect(handle.monitor.status()).toMatchObject({ ok: true, failure: null });
      expect(handle.monitor.counters()).toMatchObject({ outages: 0, connectionErrors: 0 });
      expect(lines).toEqual([]);
      // The server and the pool go on.
      expect((await sql<{ x: number }>`select 1 as x`.execute(handle.db)).rows).toEqual([{ x: 1 }]);
    } finally {
      await handle.close();
    }
  });

  it('health answers 503 at once while the server does not answer', async () => {
    // The first connection is reset (the server is down); later ones are held and never answered, so a
    // health check that made a round trip would wait for the connect timeout and say something else.
    const held = new Set<net.Socket>();
    let connections = 0;
    const down = net.createServer((socket) => {
      connections++;
      if (connections === 1) return socket.resetAndDestroy();
      held.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const { port } = down.address() as net.AddressInfo;
    const away = await openStorage(`postgres://postgres@127.0.0.1:${port}/none`, { migrate: false });
    try {
      const first = await away.health();
      expect(first).toEqual({ ok: false, failure: 'unavailable', detail: expect.stringMatching(new RegExp(`^storage: PostgreSQL 127\\.0\\.0\\.1:${port}/none is not answering \\((?:connect|read|write) ECONNRESET(?: 127\\.0\\.0\\.1:${port})?\\)`)) });
      // Known from the last failure: no round trip, no wait (one would hang on a held connection).
      expect(await away.health()).toEqual(first);
      expect(away.monitor.counters().connectionErrors).toBeGreaterThanOrEqual(1);
    } finally {
      for (const s of held) s.resetAndDestroy();
      await away.close();
      await new Promise<void>((resolve) => down.close(() => resolve()));
      for (const s of held) s.resetAndDestroy();
    }
  });
});
