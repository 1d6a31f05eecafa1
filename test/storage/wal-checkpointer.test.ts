// The write-ahead log copied into a SQLite file on a thread of its own, on real files: the writer's own
// autocheckpoint is turned off, so what reaches the database file (read from a copy of that file alone,
// without its log) got there through the thread. Then the close: the thread ends first, the writer's close
// removes the log, and nothing written is lost; a thread that cannot open its file leaves the writer as it
// was. Through openStorage as `run` and `poll` open it.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { startWalCheckpointer } from '../../src/storage/wal-checkpointer.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-walckpt-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A writer in WAL mode that never copies its log itself: only a checkpoint by someone else moves pages. */
function writer(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, body text not null)');
  return db;
}

function insertRows(db: Database.Database, from: number, n: number): void {
  const insert = db.prepare('insert into t (id, body) values (?, ?)');
  db.transaction(() => {
    for (let i = from; i < from + n; i++) insert.run(i, `row ${i} `.repeat(20));
  })();
}

/** Rows in the database file alone: a copy of it without its log, which holds only what was copied in. */
function rowsInFileAlone(file: string, table = 't'): number {
  const copy = path.join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    const hasTable = db.prepare('select count(*) as n from sqlite_master where name = ?').get(table) as { n: number };
    return hasTable.n === 0 ? 0 : (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * rowsInFileAlone while another thread may be copying pages into the file: a copy taken mid-write can be torn
 * (SQLite reads it as malformed), which says "not yet", not that the file is damaged. Null then.
 */
function rowsInFileWhileWritten(file: string, table: string): number | null {
  try {
    return rowsInFileAlone(file, table);
  } catch (err) {
    if (err instanceof Database.SqliteError && /CORRUPT|NOTADB/.test(err.code)) return null;
    throw err;
  }
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('startWalCheckpointer', () => {
  it('copies committed pages into the database file while the writer keeps writing', async () => {
    const file = path.join(dir, 'a.db');
    const db = writer(file);
    const checkpointer = startWalCheckpointer(file, { busyIntervalMs: 10 });
    try {
      // The thread may be copying pages while the file is copied: a torn copy is looked at again.
      insertRows(db, 0, 500);
      expect(await eventually(() => rowsInFileWhileWritten(file, 't') === 500)).toBe(true);
      // Writes after a copy are copied too: the thread keeps going while the log grows.
      insertRows(db, 500, 500);
      expect(await eventually(() => rowsInFileWhileWritten(file, 't') === 1_000)).toBe(true);
    } finally {
      await checkpointer.finish();
      db.close();
    }
  });

  it('starts a long log again from the top once copied, so it stays short while the writes go on', async () => {
    const walPages = async (withThread: boolean) => {
      const file = path.join(dir, `long-${withThread}.db`);
      const db = writer(file);
      const checkpointer = withThread ? startWalCheckpointer(file, { busyIntervalMs: 5, restartAtFrames: 100 }) : null;
      let most = 0;
      try {
        // 150 transactions of a few pages each, with pauses as a poll cycle's batches have.
        for (let i = 0; i < 150; i++) {
          insertRows(db, i * 20, 20);
          most = Math.max(most, statSync(`${file}-wal`).size);
          await new Promise((r) => setTimeout(r, 2));
        }
      } finally {
        await checkpointer?.finish();
        db.close();
      }
      expect(rowsInFileAlone(file)).toBe(3_000);
      return most / 4096;
    };
    const without = await walPages(false);
    const withIt = await walPages(true);
    expect(without).toBeGreaterThan(400);
    expect(withIt).toBeLessThan(without / 2);
  });

  it('without it, the same writes stay in the log (what the test above would see if the thread did nothing)', async () => {
    const file = path.join(dir, 'b.db');
    const db = writer(file);
    insertRows(db, 0, 500);
    await new Promise((r) => setTimeout(r, 200));
    expect(rowsInFileAlone(file)).toBe(0);
    db.close();
  });

  it('finish ends the thread, so the writer closes last and removes the log; nothing written is lost', async () => {
    const file = path.join(dir, 'c.db');
    const db = writer(file);
    const checkpointer = startWalCheckpointer(file, { busyIntervalMs: 10, idleIntervalMs: 50 });
    insertRows(db, 0, 300);
    await checkpointer.finish();
    await checkpointer.finish(); // a second call waits for the same end
    // Written after the thread ended: copied by the writer's own close.
    insertRows(db, 300, 10);
    expect(existsSync(`${file}-wal`)).toBe(true);
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(rowsInFileAlone(file)).toBe(310);
  });

  it('finish at once (a command that writes nothing) stops the thread before it opens the file', async () => {
    const file = path.join(dir, 'e.db');
    const db = writer(file);
    const checkpointer = startWalCheckpointer(file, { busyIntervalMs: 10 });
    await checkpointer.finish();
    insertRows(db, 0, 20);
    // Whether the thread stopped before opening the file or after a last checkpoint, it has let go of it:
    // the writer is the last connection, so its close copies the log and removes it.
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(rowsInFileAlone(file)).toBe(20);
  });

  it('a file it cannot open leaves the writer as it was, and says why once: finish still resolves', async () => {
    const file = path.join(dir, 'd.db');
    const db = writer(file);
    const stops: string[] = [];
    const checkpointer = startWalCheckpointer(path.join(dir, 'missing', 'nowhere.db'), { busyIntervalMs: 10, onStop: (reason) => stops.push(reason) });
    insertRows(db, 0, 50);
    expect(await eventually(() => stops.length > 0)).toBe(true);
    expect(stops).toEqual([expect.stringMatching(/unable to open|not exist|no such file/i)]);
    await checkpointer.finish();
    expect(rowsInFileAlone(file)).toBe(0);
    db.close();
    expect(rowsInFileAlone(file)).toBe(50);
  });
});

describe('openStorage with backgroundCheckpoint', () => {
  it.each([
    ['with it, the writes reach the file while it is open', true, 50],
    ['without it, they wait in the log for the close (10,000 pages)', false, 0],
  ])('a SQLite file, %s', async (_name, backgroundCheckpoint, inFileWhileOpen) => {
    const file = path.join(dir, 'bot.db');
    const storage = await openStorage(file, { backgroundCheckpoint });
    try {
      for (let i = 0; i < 50; i++) await storage.feeds.add({ url: `http://127.0.0.1/feed/${i}.xml`, source: 'cli' });
      // The checkpointing thread writes the file meanwhile: a torn copy is looked at again.
      if (inFileWhileOpen) expect(await eventually(() => rowsInFileWhileWritten(file, 'feeds') === 50)).toBe(true);
      else {
        await new Promise((r) => setTimeout(r, 300));
        expect(rowsInFileAlone(file, 'feeds')).toBe(0);
      }
    } finally {
      await storage.close();
    }
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(rowsInFileAlone(file, 'feeds')).toBe(50);
  });

  it('an in-memory database starts no thread and works as before', async () => {
    const storage = await openStorage(':memory:', { backgroundCheckpoint: true });
    try {
      await storage.feeds.add({ url: 'http://127.0.0.1/feed.xml', source: 'cli' });
      expect((await storage.feeds.tally()).total).toBe(1);
    } finally {
      await storage.close();
    }
  });
});
