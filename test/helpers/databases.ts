// The databases a contract test runs against: a fresh SQLite file always, and a fresh PostgreSQL database
// when TEST_DATABASE_URL is set (CI sets it). Each call gets an empty, migrated database of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, parseDatabaseUrl } from '../../src/storage/db.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A URL for a new, empty database, and a function that removes it. */
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

const PG_URL = process.env.TEST_DATABASE_URL?.trim() || null;

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-test-'));
    return { url: path.join(dir, 'test.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: TestDatabase = {
  name: 'postgres',
  async create() {
    const admin = new pg.Client({ connectionString: PG_URL! });
    await admin.connect();
    const dbName = `cyberbrief_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    try {
      await admin.query(`create database ${dbName}`);
    } finally {
      await admin.end();
    }
    const u = new URL(PG_URL!);
    u.pathname = `/${dbName}`;
    return {
      url: u.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: PG_URL! });
        await c.connect();
        try {
          await c.query(`drop database if exists ${dbName} with (force)`);
        } finally {
          await c.end();
        }
      },
    };
  },
};

export const testDatabases: TestDatabase[] = PG_URL ? [sqlite, postgres] : [sqlite];

let warned = false;
/** Says once per file that PostgreSQL was skipped. */
export function notePostgresSkip(): void {
  if (!PG_URL && !warned) {
    warned = true;
    console.log('PostgreSQL contract tests skipped: TEST_DATABASE_URL is not set (SQLite ran).');
  }
}

/** Opens a migrated Storage on a fresh database; returns it with a cleanup function. */
export async function freshStorage(db: TestDatabase): Promise<{ storage: Storage; url: string; cleanup(): Promise<void> }> {
  const { url, drop } = await db.create();
  const storage = await openStorage(url);
  return {
    storage,
    url,
    cleanup: async () => {
      await storage.close();
      await drop();
    },
  };
}

/**
 * Makes the database at `url` forget that migration `name` ran, so the next migrate() runs it again, as on a
 * database an older version left. `asBefore`, on the same connection first, puts back what the migration changed
 * (a column it added, say).
 */
export async function forgetMigration(url: string, name: string, asBefore?: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
  const handle = openDatabase(parseDatabaseUrl(url));
  try {
    if (asBefore) await asBefore(handle.db as Kysely<unknown>);
    await sql`delete from cyberbrief_migrations where name = ${name}`.execute(handle.db);
  } finally {
    await handle.close();
  }
}
