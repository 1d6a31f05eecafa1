// Write-behind for poll outcomes: entries gather until `maxEntries` are waiting or the oldest has waited
// `maxDelayMs`, then one `commit` writes them all (one transaction). Each `add` resolves with its own entry's
// result once the batch holding it is committed, so a caller never believes in a write that is not there.
// One commit runs at a time (SQLite has one writer; on PostgreSQL the next batch gathers meanwhile).
// A batch that fails with a storage error (the database is away) rejects every entry in it: nothing was
// written, and each feed is still due. Any other failure is retried entry by entry, so one entry the database
// refuses cannot sink the others.
import { isStorageFailure } from '../lib/errors.ts';

export interface WriteBatcherOptions<E, R> {
  /** Writes the entries in one transaction; one result per entry, in order. */
  commit(entries: E[]): Promise<R[]>;
  maxEntries: number;
  maxDelayMs: number;
}

export interface WriteBatcher<E, R> {
  /** Queues an entry; resolves with its result once committed, rejects when its batch failed. */
  add(entry: E): Promise<R>;
  /** Commits everything queued now and waits for every commit under way. */
  flush(): Promise<void>;
  /** Entries queued or being committed (a backlog the concurrency cap listens to). */
  pending(): number;
  /** Flushes and refuses later entries. */
  close(): Promise<void>;
}

interface Waiting<E, R> {
  entry: E;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export function createWriteBatcher<E, R>(opts: WriteBatcherOptions<E, R>): WriteBatcher<E, R> {
  if (opts.maxEntries < 1) throw new Error(`write batcher: maxEntries must be at least 1 (got ${opts.maxEntries}).`);
  const queue: Array<Waiting<E, R>> = [];
  let committing = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  async function commitBatch(batch: Array<Waiting<E, R>>): Promise<void> {
    let results: R[];
    try {
      results = await opts.commit(batch.map((w) => w.entry));
    } catch (err) {
      if (isStorageFailure(err) || batch.length === 1) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) {
        try {
          const [r] = await opts.commit([w.entry]);
          w.resolve(r as R);
        } catch (one) {
          w.reject(one);
        }
      }
      return;
    }
    if (results.length !== batch.length) {
      const err = new Error(`write batcher: commit returned ${results.length} results for ${batch.length} entries.`);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i] as R));
  }

  /** Commits batches until the queue is empty; one loop at a time. */
  function drain(): Promise<void> {
    if (running) return running;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    running = (async () => {
      try {
        while (queue.length) {
          const batch = queue.splice(0, opts.maxEntries);
          committing += batch.length;
          try {
            await commitBatch(batch);
          } finally {
            committing -= batch.length;
          }
        }
      } finally {
        running = null;
      }
    })();
    return running;
  }

  function schedule(): void {
    if (running) return; // the loop under way picks the entry up
    if (queue.length >= opts.maxEntries) {
      void drain();
      return;
    }
    if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        void drain();
      }, opts.maxDelayMs);
    }
  }

  return {
    add(entry) {
      if (closed) return Promise.reject(new Error('write batcher: closed; the poll outcome was not written (the feed is polled again).'));
      return new Promise<R>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        schedule();
      });
    },
    async flush() {
      while (queue.length || running) await drain();
    },
    pending: () => queue.length + committing,
    async close() {
      closed = true;
      while (queue.length || running) await drain();
    },
  };
}
