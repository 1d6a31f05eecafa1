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
// cannot open the file or stops, nothing is lost, the copying happens where it did before. The copying is not
// free: on two cores both busy with a poll cycle it takes from the cycle about what it saves the close
// (docs/polling-history.md, session 23); it pays where a core is spare and where the event loop must not stop.
import { Worker } from 'node:worker_threads';
import { sqliteDriverPath } from './drivers.ts';

export interface WalCheckpointerOptions {
  /** The wait between checkpoints while the log grows (default 100 ms). */
  busyIntervalMs?: number;
  /** The longest wait while it does not: the wait doubles while the log stays as it was (default 1,000 ms). */
  idleIntervalMs?: number;
  /**
   * A log this long (in pages), once copied, is started again from the top (default 2,000, 8 MB): passive
   * checkpoints alone never restart it while the writes go on, and the writer's own autocheckpoint would
   * then run at every commit once it passed `wal_autocheckpoint`.
   */
  restartAtFrames?: number;
  /** Told, once, why the thread stopped copying (the file could not be opened, a checkpoint failed). */
  onStop?: (reason: string) => void;
  /** How long `finish` waits for the thread's last checkpoint before it gives up on it (default 10 s). */
  finishTimeoutMs?: number;
}

export interface WalCheckpointer {
  /**
   * Wakes the thread for a last checkpoint and has it close its connection; resolves once it has (or after
   * `finishTimeoutMs`, the thread then terminated), never rejects. A thread still starting is told to end
   * without opening the file, and not waited for. Call it before the writing connection closes, so that the
   * close, as the last connection, finds the log copied.
   */
  finish(): Promise<void>;
}

// The shared array's slots: the thread's state and whether it has let go of the file.
const STATE = 0;
const RELEASED = 1;
/** Starting: loading the driver. Set by the thread to RUNNING, or by `finish` to STOPPED_EARLY, whichever is first. */
const STARTING = 0;
const RUNNING = 1;
/** `finish` came before the thread ran: it exits without opening the file, and nobody waits for it. */
const STOPPED_EARLY = 2;
/** `finish` came while it ran: one last checkpoint, then it closes its connection and sets RELEASED. */
const STOPPING = 3;

// The worker runs plain CommonJS (no TypeScript loader in a worker thread). It sleeps on the state slot,
// which `finish` changes and wakes; a checkpoint's answer (busy, log, checkpointed) says whether the log grew
// since the last one (writes going on: check again soon) or not (wait longer). An error (the file gone, a busy
// lock) leaves the copying to the writer: the thread says why and ends.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const shared = new Int32Array(workerData.shared);
if (Atomics.compareExchange(shared, ${STATE}, ${STARTING}, ${RUNNING}) === ${STARTING}) {
  let db;
  try {
    db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
    db.pragma('synchronous = NORMAL');
    let wait = workerData.busyMs;
    let seen = -1;
    for (;;) {
      Atomics.wait(shared, ${STATE}, ${RUNNING}, wait);
      const last = Atomics.load(shared, ${STATE}) !== ${RUNNING};
      // One row, always: busy, log (pages in the log), checkpointed (pages of it copied).
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (last) break;
      // All copied and the log long: have the next write start it again from the top (a restart takes the
      // write lock for a moment, with nothing left to copy), so it stays that short while writes go on.
      if (r.busy === 0 && r.log >= workerData.restartAt && r.checkpointed === r.log) db.pragma('wal_checkpoint(RESTART)');
      wait = r.log !== seen ? workerData.busyMs : Math.min(wait * 2, workerData.idleMs);
      seen = r.log;
    }
  } catch (e) {
    // The writer's own checkpoints remain; the main thread says so once.
    parentPort.postMessage({ stopped: String((e && e.message) || e) });
  } finally {
    try { db && db.close(); } catch {}
    Atomics.store(shared, ${RELEASED}, 1);
    Atomics.notify(shared, ${RELEASED});
  }
}
`;

/** Starts the checkpointing thread for the SQLite file `file` (which must be in WAL mode and exist). */
export function startWalCheckpointer(file: string, opts: WalCheckpointerOptions = {}): WalCheckpointer {
  const driver = sqliteDriverPath();
  const sharedBuffer = new SharedArrayBuffer(8);
  const shared = new Int32Array(sharedBuffer);
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, driver, shared: sharedBuffer, busyMs: opts.busyIntervalMs ?? 100, idleMs: opts.idleIntervalMs ?? 1_000, restartAt: opts.restartAtFrames ?? 2_000 },
  });
  // Never what keeps the process alive: a process that ends without `finish` loses only the copying.
  worker.unref();
  worker.on('message', (m: { stopped?: string }) => {
    if (typeof m?.stopped === 'string') opts.onStop?.(m.stopped);
  });
  const ended = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    worker.once('error', () => resolve());
  });
  let finishing: Promise<void> | null = null;
  return {
    finish() {
      finishing ??= (async () => {
        // Still loading the driver (a command that closes at once): it will exit without opening the file.
        if (Atomics.compareExchange(shared, STATE, STARTING, STOPPED_EARLY) === STARTING) return;
        Atomics.store(shared, STATE, STOPPING);
        Atomics.notify(shared, STATE);
        // Held open while waiting: an unref'd thread and a shared-memory wait alone would let the process
        // end before the answer comes.
        worker.ref();
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), opts.finishTimeoutMs ?? 10_000)));
        const released = Atomics.waitAsync(shared, RELEASED, 0).value;
        const outcome = await Promise.race([released, ended, late]);
        clearTimeout(timer);
        if (outcome === 'late') await worker.terminate();
        // Its connection is closed: the thread's own end need not be waited for.
        else worker.unref();
      })();
      return finishing;
    },
  };
}
