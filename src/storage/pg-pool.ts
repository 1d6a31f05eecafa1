// The PostgreSQL pool Kysely runs on, watched: every client, idle or checked out, has an 'error' listener
// (a connection the server drops while a client is checked out but between queries, as
// pg_terminate_backend, a restart or a failover do, would otherwise be an unhandled 'error' event that
// ends the process); every query and connection attempt reports to the storage monitor; and errors that
// mean the server is not answering become StorageErrors that say so. A dropped client is not reused: pg
// marks it not queryable and the pool discards it when it is released.
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { pgDriver } from './drivers.ts';
import { StorageError } from '../lib/errors.ts';
import { asStorageError, postgresFailure } from './failures.ts';
import type { StorageMonitor } from './monitor.ts';

export interface WatchedPoolOptions {
  connectionString: string;
  max: number;
  /** The database in words, for messages (no password). */
  database: string;
  monitor: StorageMonitor;
  /** A connection attempt that gets no answer in this time fails (default 10 s). */
  connectTimeoutMs?: number;
}

export function createWatchedPool(opts: WatchedPoolOptions): PostgresPool & { raw: pg.Pool } {
  const pool = new (pgDriver().Pool)({
    connectionString: opts.connectionString,
    max: opts.max,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    // Notice a peer that vanished without closing the socket (a failover, a network partition).
    keepAlive: true,
    application_name: 'cyberbrief',
  });
  const { monitor } = opts;
  pool.on('connect', (client) => {
    client.on('error', () => monitor.connectionDropped());
  });
  // pg-pool re-emits an idle client's error here; the client's own listener above has counted it.
  pool.on('error', () => undefined);

  /** The error to throw for a failed query or connection attempt; tells the monitor which it was. */
  const fail = (err: unknown): unknown => {
    const failure = postgresFailure(err);
    if (!failure) {
      monitor.answered(false); // the server answered, with an error about the query
      return err;
    }
    const e = asStorageError(err, failure, opts.database) as StorageError;
    monitor.failed(e);
    return e;
  };

  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    raw: pool,
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw fail(err);
      }
      let w = wrappers.get(client);
      if (!w) {
        const c = client;
        // A query cut off by the server (57P01) fails before the socket closes, so pg may still think the
        // client usable: one that failed that way is destroyed on release, never handed out again.
        let broken = false;
        c.on('error', () => {
          broken = true;
        });
        w = {
          async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
            try {
              const r = await c.query(sql, [...parameters]);
              monitor.answered(r.command !== 'SELECT');
              return r as unknown as PostgresQueryResult<R>;
            } catch (err) {
              const e = fail(err);
              if (e instanceof StorageError && e.failure === 'unavailable') broken = true;
              throw e;
            }
          },
          release: () => c.release(broken || undefined),
        } as PostgresPoolClient;
        wrappers.set(client, w);
      }
      return w;
    },
    end: () => pool.end(),
  };
}
