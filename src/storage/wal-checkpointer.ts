// Copies a SQLite file's write-ahead log into the file on a thread of its own, while the writes go on.
//
// In WAL mode every commit appends pages to the log; a checkpoint copies them into the database file and
// syncs both. Left to the connection that writes, that copy happens inside a commit once the log passes
// `wal_autocheckpoint` pages (a stall of the event loop: 130 ms for a poll cycle's pages), and whatever is
// left when the last connection closes is copied then (80-100 ms after a `poll --once` of 10,000 feeds,
// added to the run). This worker thread holds a connection of its own and runs `PRAGMA
// wal_checkpoint(PASSIVE)` again and again: a passive checkpoint never waits for a lock and never blocks the
// writer, and copies what no reader still needs. So the copying runs on another core beside the writes, and
// a close finds little left to copy. The writer's own autocheckpoint stays as the fallback: if this thread
// cannot open the file or stops, nothing is lost, the copying happens where it did before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** The wait between checkpoints while they find pages to copy (default 100 ms). */
  busyIntervalMs?: number;
  /** The longest wait once they find none: the wait doubles while the log stays idle (default 1,000 ms). */
  idleIntervalMs?: number;
  /** How long `finish` waits for the thread's last checkpoint before it gives up on it (default 10 s). */
  finishTimeoutMs?: number;
}

export interface WalCheckpointer {
  /**
   * Wakes the thread for a last checkpoint, closes its connection and ends it. Resolves when it has ended
   * (or after `finishTimeoutMs`, the thread then terminated); never rejects. Call it before the writing
   * connection closes, so that the close, as the last connection, finds the log copied.
   */
  finish(): Promise<void>;
}

// The worker runs plain CommonJS (no TypeScript loader in a worker thread). It sleeps on the shared
// array's first slot, which `finish` sets to 1 and wakes; a checkpoint's answer (busy, log, checkpointed)
// says whether the log grew since the last one (writes going on: check again soon) or not (wait longer). Errors (the file gone, a busy lock) leave the copying to the
// writer: the thread ends quietly.
const WORKER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const stop = new Int32Array(workerData.stop);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
  db.pragma('synchronous = NORMAL');
  let wait = workerData.busyMs;
  let seen = -1;
  for (;;) {
    Atomics.wait(stop, 0, 0, wait);
    const last = Atomics.load(stop, 0) === 1;
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (last) break;
    const writing = !r || r.log !== seen;
    seen = r ? r.log : -1;
    wait = writing ? workerData.busyMs : Math.min(wait * 2, workerData.idleMs);
  }
} catch {
  // the writer's own checkpoints remain
} finally {
  try { db && db.close(); } catch {}
}
`;

/** Starts the checkpointing thread for the SQLite file `file` (which must be in WAL mode and exist). */
export function startWalCheckpointer(file: string, opts: WalCheckpointerOptions = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, driver, stop, busyMs: opts.busyIntervalMs ?? 100, idleMs: opts.idleIntervalMs ?? 1_000 },
  });
  // Never what keeps the process alive: a process that ends without `finish` loses only the copying.
  worker.unref();
  const ended = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    worker.once('error', () => resolve());
  });
  let finishing: Promise<void> | null = null;
  return {
    finish() {
      finishing ??= (async () => {
        const flag = new Int32Array(stop);
        // Waited for now: an unref'd thread's exit alone would let the process end before it comes.
        worker.ref();
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), opts.finishTimeoutMs ?? 10_000);
          timer.unref();
        });
        if ((await Promise.race([ended, late])) === 'late') await worker.terminate();
        clearTimeout(timer);
      })();
      return finishing;
    },
  };
}
