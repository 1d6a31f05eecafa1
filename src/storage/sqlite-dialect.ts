// Kysely over better-sqlite3, without ever holding the event loop while another process holds the file's
// lock. better-sqlite3 is synchronous: with SQLite's own busy_timeout, a write that finds the file locked
// blocks the whole process (HTTP, chat, timers) for that long. Here the connection's busy_timeout is a few
// milliseconds, and a statement that still finds the file locked gives the connection back and is tried
// again after an asynchronous backoff, for up to `lockWaitMs`; other queries run meanwhile. Only a
// statement outside a transaction is retried (nothing has happened yet), and transactions start with
// BEGIN IMMEDIATE, so the one point where a transaction can find the lock taken is its BEGIN.
//
// SQLite ends a transaction by itself on some errors (a full disk, an I/O error): ROLLBACK is then skipped,
// so the error that caused it reaches the caller instead of "cannot rollback - no transaction is active".
// Errors that mean the file cannot be used (full, damaged, read-only, I/O, locked too long) become
// StorageErrors naming the file and what to do, and are reported to the storage monitor.
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { StorageError } from '../lib/errors.ts';
import { asStorageError, sqliteFailure } from './failures.ts';
import type { StorageMonitor } from './monitor.ts';

export interface SqliteDialectOptions {
  database: SqliteDatabase.Database;
  /** The file, for messages. */
  file: string;
  /** describeTarget's words for it. */
  description: string;
  monitor: StorageMonitor;
  /** How long a statement keeps retrying while another process holds the lock (default 30 s). */
  lockWaitMs?: number;
  /** Waits between attempts (tests may pass a faster one). */
  sleep?: (ms: number) => Promise<void>;
}

/** SQLite's own wait inside one attempt: short enough never to stall the event loop noticeably. */
export const SQLITE_BUSY_TIMEOUT_MS = 10;

/** Prepared statements kept per connection, and the longest SQL text kept. */
const STATEMENT_CACHE = 100;
const STATEMENT_CACHE_MAX_SQL = 2_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Backoff between attempts on a locked file: 5 ms doubling to 200 ms, with jitter. */
function lockBackoffMs(attempt: number): number {
  const ms = Math.min(200, 5 * 2 ** attempt);
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

class Mutex {
  private held: Promise<void> | null = null;
  private releaseHeld: (() => void) | null = null;
  async lock(): Promise<void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => {
      this.releaseHeld = resolve;
    });
  }
  unlock(): void {
    const r = this.releaseHeld;
    this.held = null;
    this.releaseHeld = null;
    r?.();
  }
}

class WaitingSqliteConnection implements DatabaseConnection {
  /** Statements currently waiting for another process's lock, and since when the first one waits. */
  private waiting = 0;

  constructor(
    private readonly opts: SqliteDialectOptions,
    private readonly mutex: Mutex,
  ) {}

  /** Prepared statements by SQL text, most recently used last (the poller repeats a handful of statements). */
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  private prepared(text: string): SqliteDatabase.Statement {
    const hit = this.statements.get(text);
    if (hit) {
      this.statements.delete(text);
      this.statements.set(text, hit);
      return hit;
    }
    const stmt = this.opts.database.prepare(text);
    // Long statements are built for one batch (multi-row VALUES, long IN lists): kept, they would only hold
    // memory; the short ones repeat.
    if (text.length > STATEMENT_CACHE_MAX_SQL) return stmt;
    this.statements.set(text, stmt);
    if (this.statements.size > STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
    return stmt;
  }

  /** Runs the statement once; `wrote` when it made a write durable (an autocommit write, or COMMIT). */
  private runOnce<R>(q: CompiledQuery): { result: QueryResult<R>; wrote: boolean } {
    const db = this.opts.database;
    const stmt = this.prepared(q.sql);
    if (stmt.reader) return { result: { rows: stmt.all(q.parameters) as R[] }, wrote: false };
    const { changes, lastInsertRowid } = stmt.run(q.parameters);
    return {
      result: {
        numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
        insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
        rows: [],
      },
      wrote: !db.inTransaction && q.sql !== 'rollback',
    };
  }

  private fail(err: unknown, lockWaitSeconds?: number): unknown {
    const failure = sqliteFailure(err);
    if (!failure) return err;
    const e = asStorageError(err, failure, this.opts.description, { file: this.opts.file, lockWaitSeconds }) as StorageError;
    this.opts.monitor.failed(e);
    return e;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const { database: db, monitor } = this.opts;
    const lockWaitMs = this.opts.lockWaitMs ?? 30_000;
    const sleep = this.opts.sleep ?? defaultSleep;
    let waitedSince: number | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const { result, wrote } = this.runOnce<R>(q);
          monitor.answered(wrote);
          return result;
        } catch (err) {
          const busy = sqliteFailure(err) === 'busy' && !db.inTransaction;
          if (!busy) throw this.fail(err);
          const t = Date.now();
          if (waitedSince === null) {
            waitedSince = t;
            if (this.waiting++ === 0) monitor.lockWait(t);
          }
          if (t - waitedSince >= lockWaitMs) throw this.fail(err, Math.round((t - waitedSince) / 1000));
          // Let other queries use the connection meanwhile: nothing of this statement has happened yet.
          this.mutex.unlock();
          try {
            await sleep(lockBackoffMs(attempt));
          } finally {
            await this.mutex.lock();
          }
        }
      }
    } finally {
      if (waitedSince !== null && --this.waiting === 0) monitor.lockWait(null);
    }
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(q.query)) throw new Error('storage: SQLite streams select queries only');
    const stmt = this.opts.database.prepare(q.sql);
    try {
      for (const row of stmt.iterate(q.parameters)) yield { rows: [row as R] };
    } catch (err) {
      throw this.fail(err);
    }
  }
}

class WaitingSqliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly connection: WaitingSqliteConnection;

  constructor(private readonly opts: SqliteDialectOptions) {
    this.connection = new WaitingSqliteConnection(opts, this.mutex);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // One connection, one user at a time (as Kysely's own SQLite driver).
    await this.mutex.lock();
    return this.connection;
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    // Take the write lock now: waiting for it is safe only before anything in the transaction happened.
    await conn.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    // SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR): keep the error that did it.
    if (!this.opts.database.inTransaction) return;
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.opts.database.close();
  }
}

export class WaitingSqliteDialect implements Dialect {
  constructor(private readonly opts: SqliteDialectOptions) {}
  createDriver(): Driver {
    return new WaitingSqliteDriver(this.opts);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
