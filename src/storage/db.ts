// Opens the database named by a URL: SQLite (a path, `sqlite:PATH`, or `:memory:`) through better-sqlite3,
// or PostgreSQL (`postgres://...`) through pg. Only storage/ imports drivers.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { CyberbriefError } from '../lib/errors.ts';
import { allMigrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseTarget {
  dialect: Dialect;
  /** File path for SQLite, connection string for PostgreSQL. */
  location: string;
}

/** Where a DATABASE_URL points. Relative SQLite paths resolve against `cwd`. */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  const u = url.trim();
  if (/^postgres(ql)?:\/\//i.test(u)) return { dialect: 'postgres', location: u };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u) && !/^sqlite:/i.test(u)) {
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
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  target: DatabaseTarget;
  close(): Promise<void>;
}

export function openDatabase(target: DatabaseTarget, opts: OpenOptions = {}): DatabaseHandle {
  let db: Kysely<Database>;
  if (target.dialect === 'sqlite') {
    if (target.location !== ':memory:') mkdirSync(path.dirname(target.location), { recursive: true });
    let sqlite: SqliteDatabase.Database;
    try {
      sqlite = new SqliteDatabase(target.location);
    } catch (err) {
      throw new CyberbriefError('storage', `storage: cannot open SQLite file ${target.location}: ${(err as Error).message}`, { cause: err });
    }
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    // int8 (bigint) columns hold epoch milliseconds and ids: well inside Number's safe range.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: target.location, max: opts.poolSize ?? 10 });
    pool.on('error', () => {
      /* idle client errors surface on the next query */
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  let closed = false;
  return {
    db,
    dialect: target.dialect,
    target,
    async close() {
      if (closed) return;
      closed = true;
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
  });
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  const all = await migratorFor(handle).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<MigrationOutcome> {
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
    if (!failed) throw new CyberbriefError('storage', `storage: cannot reach ${describeTarget(handle.target)}: ${message}; check DATABASE_URL and that the server is up.`, { cause: result.error });
    throw new CyberbriefError('storage', `storage: migration ${failed} failed on ${describeTarget(handle.target)}: ${message}`, { cause: result.error });
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorText(err.errors[0]);
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
