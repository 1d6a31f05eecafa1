// One `cyberbrief run` per SQLite file. The bot's in-process locks (instance liveness, the Discord
// gateway) are only exclusive when no other bot uses the file, so `run` takes this lock before it opens
// the database and holds it until it closes it. The lock is an open write transaction (SQLite's RESERVED
// lock, an OS byte-range lock) on a small SQLite file beside the database, `<file>.lock`: the kernel drops
// it with the process, so a bot killed with SIGKILL leaves nothing that blocks the next start, and a
// restarted container that reuses the old PID is not mistaken for the old bot. The file also records who
// holds it, readable while it is held, so a refusal names the running process. It works wherever the
// database's own locks work: processes on one machine (a SQLite file in WAL mode cannot be shared between
// machines; several machines take PostgreSQL). One-off commands (`poll --once`, `feeds ...`) do not take it:
// they claim feeds with leases, so they may run beside the bot.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type SqliteDatabase from 'better-sqlite3';
import { CyberbriefError } from '../lib/errors.ts';
import { notAFolderText } from '../lib/not-a-folder.ts';
import { sqliteDriver } from './drivers.ts';

export interface SqliteRunLock {
  /** The lock file (`<database file>.lock`). */
  readonly file: string;
  /** Gives the lock up. Idempotent. */
  release(): void;
}

interface Holder {
  owner: string;
  pid: number;
  host: string;
  started_at: string;
}

const isBusy = (err: unknown) => typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_BUSY');

function readHolder(conn: SqliteDatabase.Database): Holder | null {
  try {
    conn.pragma('busy_timeout = 2000');
    return (conn.prepare('select owner, pid, host, started_at from holder where id = 1').get() as Holder | undefined) ?? null;
  } catch {
    return null; // no table yet (its creator has not committed), or the file is locked for a moment
  }
}

function refusal(dbFile: string, holder: Holder | null): CyberbriefError {
  const who = holder
    ? `${holder.owner} (PID ${holder.pid} on ${holder.host === os.hostname() ? 'this machine' : `host ${holder.host}`}, running since ${holder.started_at})`
    : 'another process';
  return new CyberbriefError(
    'storage',
    `storage: SQLite file ${dbFile} is in use by another cyberbrief run, ${who}; one SQLite file serves one bot: stop that one first, or use PostgreSQL (DATABASE_URL=postgres://...) to run several.`,
  );
}

/**
 * Takes the run lock of the SQLite database `dbFile` for `owner`, or throws one sentence naming the file
 * and the process that holds it.
 */
export async function takeSqliteRunLock(dbFile: string, owner: string, now: () => Date = () => new Date()): Promise<SqliteRunLock> {
  const file = `${dbFile}.lock`;
  let conn: SqliteDatabase.Database;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    conn = new (sqliteDriver())(file);
  } catch (err) {
    throw cannotTake(file, dbFile, err);
  }
  const begin = () => {
    conn.pragma('busy_timeout = 0');
    conn.exec('begin immediate');
  };
  try {
    // Publish who we are (committed, so a refused process can read it), then hold the write lock; another
    // process slipping in between the two is seen by the holder row and settled by trying again.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        begin();
      } catch (err) {
        if (isBusy(err)) throw refusal(dbFile, readHolder(conn));
        throw err;
      }
      conn.exec('create table if not exists holder (id integer primary key check (id = 1), owner text not null, pid integer not null, host text not null, started_at text not null)');
      conn.prepare('insert or replace into holder (id, owner, pid, host, started_at) values (1, ?, ?, ?, ?)').run(owner, process.pid, os.hostname(), now().toISOString());
      conn.exec('commit');
      try {
        begin();
      } catch (err) {
        if (isBusy(err)) throw refusal(dbFile, readHolder(conn));
        throw err;
      }
      const holder = conn.prepare('select owner from holder where id = 1').get() as { owner: string } | undefined;
      if (holder?.owner === owner) {
        let released = false;
        return {
          file,
          release() {
            if (released) return;
            released = true;
            try {
              conn.exec('rollback');
            } finally {
              conn.close();
            }
          },
        };
      }
      conn.exec('rollback');
      await sleep(5 + Math.floor(Math.random() * 20));
    }
    throw refusal(dbFile, readHolder(conn));
  } catch (err) {
    try {
      if (conn.inTransaction) conn.exec('rollback');
    } catch {
      // closing drops the lock anyway
    }
    conn.close();
    if (err instanceof CyberbriefError) throw err;
    throw cannotTake(file, dbFile, err);
  }
}

const codeOf = (err: unknown): string => {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : '';
};

/**
 * Why the lock could not be taken, in one sentence with what to do: a full disk and a folder that is not
 * writable (read-only disk, permissions) are said as such; only the rest is about the file system's locks.
 */
function cannotTake(file: string, dbFile: string, err: unknown): CyberbriefError {
  const code = codeOf(err);
  const reason = `${(err as Error).message}${code && !(err as Error).message.includes(code) ? `, ${code}` : ''}`;
  const head = `storage: cannot take the run lock ${file} beside SQLite file ${dbFile}`;
  const notAFolder = notAFolderText(code, { path: `the path to ${path.dirname(file)}`, fromMkdir: true });
  let advice: string;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') advice = `its disk is full (${reason}); free space on that disk, then start again.`;
  else if (notAFolder) advice = `${notAFolder} (${reason}); check the path in DATABASE_URL.`;
  else if (/^(SQLITE_READONLY|SQLITE_CANTOPEN|SQLITE_PERM|SQLITE_AUTH|EROFS|EACCES|EPERM|ENOENT)/.test(code)) {
    advice = `the folder ${path.dirname(file)} is not writable (${reason}); make it writable (the bot writes its database and this lock there) or point DATABASE_URL at a folder that is.`;
  } else if (code.startsWith('SQLITE_IOERR') && !code.startsWith('SQLITE_IOERR_LOCK') && !code.startsWith('SQLITE_IOERR_RDLOCK')) {
    advice = `a disk error (${reason}); check the disk (the system log says more) and the free space on it.`;
  } else advice = `${reason}; keep the file on a local disk whose file system supports locks (or use PostgreSQL).`;
  return new CyberbriefError('storage', `${head}: ${advice}`, { cause: err });
}
