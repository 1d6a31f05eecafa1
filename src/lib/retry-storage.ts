// Storage writes that must not be dropped while the database is away: run, and while the attempt fails
// with a StorageError (the database does not answer, its disk is full, ...), wait until it is worth trying
// again and run it again. Other errors are thrown at once. Only for writes that are safe to repeat (an
// update guarded by a lease, an insert that ignores a conflict): a commit whose acknowledgement was lost
// may already have happened.
import { isStorageFailure } from './errors.ts';

export interface RetryStorageOptions {
  /** Resolves when the database is worth trying again (the storage monitor's ready). */
  ready: (signal?: AbortSignal) => Promise<void>;
  /** Give up (throw the last error) once this aborts. */
  signal?: AbortSignal;
}

export async function retryStorage<T>(fn: () => Promise<T>, opts: RetryStorageOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isStorageFailure(err) || opts.signal?.aborted) throw err;
      await opts.ready(opts.signal);
      // Never a tight loop, even when the database answers reads but still refuses this write.
      await waitMs(Math.min(MAX_PAUSE_MS, 25 * 2 ** Math.min(attempt, 10)))(opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}

const MAX_PAUSE_MS = 2_000;

/** A stand-in for the monitor's ready() where none is wired: wait `ms` (or until `signal` aborts). */
export function waitMs(ms: number): (signal?: AbortSignal) => Promise<void> {
  return (signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
}
