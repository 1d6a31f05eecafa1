// Opens the database named by a URL: SQLite (a path, `sqlite:PATH`, or `:memory:`) through better-sqlite3,
// or PostgreSQL (`postgres://...`) through pg. Only storage/ imports drivers.
import { mkdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import { clipText } from '../lib/bounded-text.ts';
import { CyberbriefError, StorageError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { notAFolderText } from '../lib/not-a-folder.ts';
import { pgDriver, sqliteDriver } from './drivers.ts';
import { asStorageError, postgresFailure, refusedAdvice, sqliteFailure } from './failures.ts';
import { checkSqliteIntegrity, type IntegrityOptions, type IntegrityResult } from './integrity-check.ts';
import { allMigrations } from './migrations/index.ts';
import { createStorageMonitor, type StorageMonitor } from './monitor.ts';
import { createWatchedPool } from './pg-pool.ts';
import type { Database } from './schema.ts';
import { SQLITE_BUSY_TIMEOUT_MS, WaitingSqliteDialect } from './sqlite-dialect.ts';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseTarget {
  dialect: Dialect;
  /** File path for SQLite, connection string for PostgreSQL. */
  location: string;
}

/**
 * pg 8 takes `sslmode` prefer, require and verify-ca as verify-full (the server's certificate and host name
 * checked) and prints a warning that its next major version will weaken them. The URL is given verify-full
 * by name: the same checks, no library warning amid our output, and no weaker meaning after an upgrade of
 * pg. `uselibpqcompat=true` (libpq's meanings, asked for) and the other modes are left as written (README,
 * Configuration).
 */
function withNamedSslMode(url: string): string {
  if (/[?&]uselibpqcompat=/.test(url)) return url;
  return url.replace(/([?&]sslmode=)(?:prefer|require|verify-ca)(?=&|#|$)/, '$1verify-full');
}

/** Where a DATABASE_URL points. Relative SQLite paths resolve against `cwd`. */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  const u = url.trim();
  if (/^postgres(ql)?:\/\//i.test(u)) {
    // Said here, once, rather than by the driver at each connection (and never echoing the password).
    // pg reads `postgres://user@/db?host=/socket/dir` (no host) too, by putting one in; so does this check.
    if (!URL.canParse(u) && !URL.canParse(u.replace('@/', '@host/'))) throw new CyberbriefError('storage', 'storage: DATABASE_URL is not a valid PostgreSQL URL (expected the form postgres://user@host:5432/database, a port from 1 to 65535, special characters in a password percent-encoded).');
    return { dialect: 'postgres', location: withNamedSslMode(u) };
  }
  // file:///data/bot.db and file:data/bot.db name a file; any other scheme (mysql:, with or without //) is
  // not a path to create folders for. Two letters at least, so a Windows drive (C:\data) stays a path.
  if (/^file:/i.test(u)) {
    if (!/^file:\/\//i.test(u)) return { dialect: 'sqlite', location: path.resolve(cwd, u.slice('file:'.length)) };
    try {
      return { dialect: 'sqlite', location: fileURLToPath(u) };
    } catch {
      throw new CyberbriefError('storage', `storage: DATABASE_URL ${clipText(u, 200)} is not a file URL of this machine; use file:///path/to/bot.db or a plain path.`);
    }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(u) && !/^sqlite:/i.test(u)) {
    throw new CyberbriefError('storage', `storage: DATABASE_URL scheme ${u.split(':')[0]}: is not supported; use a file path, sqlite:PATH or postgres://...`);
  }
  let file = u.replace(/^sqlite:(\/\/)?/i, '');
  if (file === '') file = 'data/cyberbrief.db';
  if (file === ':memory:') return { dialect: 'sqlite', location: file };
  return { dialect: 'sqlite', location: path.resolve(cwd, file) };
}

/** The URL with any password hidden, for messages. */
export function describeTarget(t: DatabaseTarget): string {
  if (t.dialect === 'sqlite') return `SQLite file ${t.location}`;
  try {
    const u = new URL(t.location);
    if (u.password) u.password = '***';
    return `PostgreSQL ${u.host}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

export interface OpenOptions {
  poolSize?: number;
  /** Where outages are logged (once each); silent when absent. */
  logger?: Logger;
  /** SQLite: how long a write waits for another process's lock before it fails (default 30 s). */
  lockWaitMs?: number;
  /**
   * SQLite file: copy the write-ahead log into the file on a thread of its own while the writes go on
   * (wal-checkpointer.ts), for processes that write much (`run`, `poll`). Ignored for :memory: and PostgreSQL.
   */
  backgroundCheckpoint?: boolean;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  target: DatabaseTarget;
  /** Whether the database can be used now, learnt from every query (see monitor.ts). */
  monitor: StorageMonitor;
  /**
   * A round trip that bypasses the queue of queries (SQLite: a read on the connection, which another
   * process's write lock does not block; PostgreSQL: a query that fails after `timeoutMs`).
   */
  ping(timeoutMs?: number): Promise<void>;
  /** SQLite: PRAGMA quick_check on a worker thread, bounded in time. PostgreSQL: null (not applicable). */
  integrityCheck(opts?: IntegrityOptions): Promise<IntegrityResult | null>;
  close(): Promise<void>;
}

/**
 * WAL pages written before a commit copies them into the database file (SQLite's default is 1,000, about
 * 4 MB). A poll cycle rewrites the same pages of `feeds` and its index in batch after batch: at 1,000 the
 * pages were copied (and the files synced) about ten times a cycle of 10,000 feeds, on the event loop;
 * at 10,000 (about 40 MB of WAL at most) once. Closing the database copies whatever is left, as before.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Where SQLite keeps statement journals and temporary tables: MEMORY. A statement journal holds the pages one
 * statement changed until it ends (a batch's item INSERT: a few MB at most), then is freed. The price is that a
 * query needing a large temporary sort or table holds it in memory instead of spilling it to a file; none of
 * the bot's queries builds one larger than its result.
 */
export const TEMP_STORE = 'MEMORY';

/** Makes the folder `file` goes in (and any missing above it), or throws one sentence saying why it cannot. */
function createFolderFor(file: string): void {
  const folder = path.dirname(file);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = notAFolderText(code, { path: 'that path', fromMkdir: true }) ?? (err as Error).message;
    throw new CyberbriefError('storage', `storage: cannot create the folder ${folder} for SQLite file ${file}: ${why} (${code ?? 'error'}); check the path in DATABASE_URL.`, { cause: err });
  }
}

/** Opens `file` with better-sqlite3 and sets it up; a file that is not a database says so. */
function openSqliteFile(file: string, description: string): SqliteDatabase.Database {
  if (file !== ':memory:') createFolderFor(file);
  let sqlite: SqliteDatabase.Database;
  try {
    const Sqlite = sqliteDriver();
    sqlite = new Sqlite(file);
  } catch (err) {
    throw new CyberbriefError('storage', `storage: cannot open SQLite file ${file}: ${(err as Error).message}; check the path in DATABASE_URL and the folder's permissions.`, { cause: err });
  }
  try {
    // Start-up may wait for another process's lock (nothing else runs yet); afterwards a statement waits a
    // few milliseconds at most and retries asynchronously (sqlite-dialect.ts).
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    // Statement journals (and temporary tables) in memory, not in files under /var/tmp: every multi-row write
    // inside a transaction (a poll batch's item INSERT and feed-state UPDATEs) keeps the pages it changes in a
    // statement journal, and past 64 KB SQLite spilled it to a temporary file: about 16,000 writes and 60 files
    // created and deleted a cycle of 10,000 feeds, on the event loop (see TEMP_STORE's note).
    sqlite.pragma(`temp_store = ${TEMP_STORE}`);
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (err) {
    sqlite.close();
    const e = asStorageError(err, sqliteFailure(err), description, { file, lockWaitSeconds: 5 });
    if (e instanceof StorageError) throw e;
    throw new CyberbriefError('storage', `storage: cannot set up SQLite file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return sqlite;
}

/** Free space below this (where a SQLite file lives) still counts as a full disk once one was seen. */
const MIN_FREE_BYTES = 1024 * 1024;

/** Bytes free for this process on the file system holding `file` (Infinity when unknown, e.g. :memory:). */
function freeBytes(file: string): number {
  if (file === ':memory:') return Infinity;
  try {
    const s = statfsSync(path.dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

const withTimeout = <T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });

export function openDatabase(target: DatabaseTarget, opts: OpenOptions = {}): DatabaseHandle {
  const description = describeTarget(target);
  let db: Kysely<Database>;
  let ping: (timeoutMs?: number) => Promise<void>;
  let integrityCheck: DatabaseHandle['integrityCheck'];
  let monitor: StorageMonitor;
  let checkpointer: WalCheckpointer | null = null;
  if (target.dialect === 'sqlite') {
    const file = target.location;
    const sqlite = openSqliteFile(file, description);
    // After openSqliteFile: the file exists and is in WAL mode.
    if (opts.backgroundCheckpoint && file !== ':memory:') {
      checkpointer = startWalCheckpointer(file, {
        onStop: (reason) => opts.logger?.warn({ file, reason }, `storage: the thread copying ${description}'s write-ahead log stopped (${reason}); commits copy it themselves from now on, as without the thread.`),
      });
    }
    monitor = createStorageMonitor({ database: description, logger: opts.logger, hasRoom: () => freeBytes(file) >= MIN_FREE_BYTES });
    db = new Kysely<Database>({ dialect: new WaitingSqliteDialect({ database: sqlite, file, description, monitor, lockWaitMs: opts.lockWaitMs }) });
    ping = async () => {
      try {
        sqlite.prepare('select count(*) from sqlite_master').get();
      } catch (err) {
        throw asStorageError(err, sqliteFailure(err) ?? 'io', description, { file });
      }
    };
    integrityCheck = (o) => (file === ':memory:' ? Promise.resolve({ status: 'ok', ms: 0 }) : checkSqliteIntegrity(file, o));
  } else {
    // int8 (bigint) columns hold epoch milliseconds and ids: well inside Number's safe range.
    pgDriver().types.setTypeParser(20, (v) => Number(v));
    let probeDb: Kysely<Database> | null = null;
    monitor = createStorageMonitor({
      database: description,
      logger: opts.logger,
      probe: async () => {
        if (probeDb) await sql`select 1`.execute(probeDb);
      },
    });
    const pool = createWatchedPool({ connectionString: target.location, max: opts.poolSize ?? 10, database: description, monitor });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    probeDb = db;
    ping = (timeoutMs = 2_000) =>
      withTimeout(
        sql`select 1`.execute(db).then(() => undefined),
        timeoutMs,
        () => new StorageError('unavailable', `storage: ${description} did not answer within ${timeoutMs} ms; check that the server is up and that DATABASE_URL reaches it.`, { reason: `no answer within ${timeoutMs} ms` }),
      );
    integrityCheck = async () => null;
  }
  let closed = false;
  return {
    db,
    dialect: target.dialect,
    target,
    monitor,
    ping,
    integrityCheck,
    async close() {
      if (closed) return;
      closed = true;
      monitor.close();
      // The thread's connection ends first, so this one closes last and copies what is left of the log.
      await checkpointer?.finish();
      await db.destroy();
    },
  };
}

export interface MigrationOutcome {
  applied: string[];
}

function migratorFor(handle: DatabaseHandle): Migrator {
  return new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => allMigrations(handle.dialect) },
    migrationTableName: 'cyberbrief_migrations',
    migrationLockTableName: 'cyberbrief_migrations_lock',
    // Migrations are numbered by the branch that adds them and may land out of order (009 after 010):
    // a database that ran a later one still takes an earlier one that arrived afterwards.
    allowUnorderedMigrations: true,
  });
}

/** Names of the migrations the database ran; null when the migrations table does not exist yet. */
async function executedMigrations(handle: DatabaseHandle): Promise<string[] | null> {
  try {
    return (await sql<{ name: string }>`select name from cyberbrief_migrations`.execute(handle.db)).rows.map((r) => r.name);
  } catch {
    return null;
  }
}

/**
 * Refuses a database a newer cyberbrief migrated, saying what to do (kysely's "corrupted migrations" does
 * not). Returns the names of the migrations it ran (null: none yet).
 */
async function refuseNewerSchema(handle: DatabaseHandle): Promise<string[] | null> {
  const executed = await executedMigrations(handle);
  const known = new Set(Object.keys(allMigrations(handle.dialect)));
  const newer = (executed ?? []).filter((n) => !known.has(n)).sort();
  if (newer.length === 0) return executed;
  const shown = newer.length > 3 ? `${newer.slice(0, 3).join(', ')} and ${newer.length - 3} more` : newer.join(', ');
  throw new CyberbriefError(
    'storage',
    `storage: ${describeTarget(handle.target)} was migrated by a newer cyberbrief (this version does not know its migration${newer.length === 1 ? '' : 's'} ${shown}); run that version or a newer one, or restore a backup from before the upgrade.`,
  );
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  await refuseNewerSchema(handle);
  const all = await migratorFor(handle).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<MigrationOutcome> {
  const executed = await refuseNewerSchema(handle);
  // Every start migrates: when the database ran every migration this version has (the everyday case), one
  // read says so, without kysely's migrator (its tables checked, its lock taken and given back).
  if (executed) {
    const ran = new Set(executed);
    if (Object.keys(allMigrations(handle.dialect)).every((name) => ran.has(name))) return { applied: [] };
  }
  const migrator = migratorFor(handle);
  let result: MigrationResultSet;
  try {
    result = await migrator.migrateToLatest();
  } catch (err) {
    result = { error: err };
  }
  if (result.error) {
    const message = errorText(result.error);
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    if (!failed) {
      // Waiting cannot fix a connection the server answered and refused (unknown role or database, bad password).
      const refused = handle.dialect === 'postgres' && postgresFailure(result.error) === null;
      throw new CyberbriefError(
        'storage',
        refused
          ? `storage: ${describeTarget(handle.target)} refused the connection: ${message}; ${refusedAdvice(result.error)}.`
          : `storage: cannot reach ${describeTarget(handle.target)}: ${message}; check DATABASE_URL and that the server is up.`,
        { cause: result.error },
      );
    }
    throw new CyberbriefError('storage', `storage: migration ${failed} failed on ${describeTarget(handle.target)}: ${message}`, { cause: result.error });
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

function errorText(err: unknown): string {
  if (err instanceof StorageError) return err.reason;
  if (err instanceof AggregateError && err.errors.length) return errorText(err.errors[0]);
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
