// The database drivers, each loaded the first time a database of its kind is opened: a run on SQLite never
// loads pg, one on PostgreSQL never loads the SQLite addon, and a command that opens no database loads
// neither. Both are CommonJS packages, so a synchronous require keeps openDatabase synchronous.
import { createRequire } from 'node:module';
import type SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';

const load = createRequire(import.meta.url);

export const sqliteDriver = (): typeof SqliteDatabase => load('better-sqlite3') as typeof SqliteDatabase;
/** Where the SQLite driver is, for a worker thread that requires it itself (integrity-check.ts, wal-checkpointer.ts). */
export const sqliteDriverPath = (): string => load.resolve('better-sqlite3');
export const pgDriver = (): typeof pg => load('pg') as typeof pg;
