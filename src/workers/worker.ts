// Inside a worker thread: load what the pool asked for, say ready, then run each job the pool sends, in order, and post its result or its error
// (a classified error keeps its code). A job's own exception never kills the thread; only the pool does,
// when a job runs past its deadline.
import { parentPort, workerData } from 'node:worker_threads';
import { CyberbriefError } from '../lib/errors.ts';
import { jobs, preloadAll } from './jobs.ts';

const port = parentPort;
if (!port) throw new Error('workers: worker.ts runs only inside a worker thread (the pool starts it).');

type JobMessage = { id: number; job: keyof typeof jobs; input: never };

async function runJob(msg: JobMessage): Promise<void> {
  try {
    const run = jobs[msg.job] as ((input: never) => unknown) | undefined;
    if (!run) throw new Error(`workers: no job named ${String(msg.job)}`);
    port!.postMessage({ id: msg.id, ok: true, value: await run(msg.input) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port!.postMessage({ id: msg.id, ok: false, error: { name: e.name, message: e.message, ...(err instanceof CyberbriefError ? { code: err.code } : {}) } });
  }
}

// The pool may hand this worker several jobs at once: they run one after the other, in the order sent (the
// pool times each from the report of the one before, and reads the reports in that order).
let last: Promise<void> = Promise.resolve();
port.on('message', (msg: JobMessage) => {
  // A result that cannot be posted ends the thread, as an uncaught error would: the pool replaces it.
  last = last.then(() => runJob(msg)).catch((err: unknown) => process.nextTick(() => { throw err; }));
});
// The pool asks the long-running bot's workers to load everything before they say ready (pool.ts, preloadAll).
if ((workerData as { preloadAll?: boolean } | null)?.preloadAll) await preloadAll();
port.postMessage({ ready: true });
