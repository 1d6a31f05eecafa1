// A kept pool of worker threads for CPU-bound jobs (parse a feed, summarise a story), so no input can hold
// the event loop: /healthz, slash commands and signals are answered while a worker chews. Each job has a
// deadline counted from the moment a ready worker takes it; past it the worker is terminated (V8 stops it
// even inside a regex) and the job rejects with JobTimeoutError; a worker that dies (out of memory) rejects
// its job with WorkerCrashError. Either way a new worker takes the next job. Workers start on first use, so
// a process that only gets 304s never starts one; an idle worker does not keep the process alive.
import { Worker } from 'node:worker_threads';
import { CyberbriefError, type ErrorCode } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** A table of jobs: name -> function of one structured-cloneable input. */
export type JobTable = Record<string, (input: never) => unknown>;
export type JobInput<T extends JobTable, K extends keyof T> = Parameters<T[K]>[0];
export type JobOutput<T extends JobTable, K extends keyof T> = Awaited<ReturnType<T[K]>>;

export interface WorkerPoolOptions {
  /** Most worker threads at once. */
  threads: number;
  /** V8 old-generation heap limit of each worker (resourceLimits.maxOldGenerationSizeMb). */
  maxHeapMb: number;
  /** The worker script (default: the compiled worker.js beside this file, or source-entry.mjs from the sources). */
  entry?: URL;
  /**
   * Load every module a job may need before a worker says ready (default false: on first use). The
   * long-running bot sets it, so no module loading lands in the middle of its work; `poll --once`, whose
   * workers mostly read well-formed feeds, does not (it saves about a quarter of a second of CPU).
   */
  preloadAll?: boolean;
  logger?: Logger;
}

export interface RunOptions {
  /** Milliseconds the job may run once a worker has taken it. */
  deadlineMs: number;
  /** Buffers moved to the worker instead of copied (they are unusable here afterwards). */
  transfer?: ArrayBuffer[];
}

export interface WorkerPoolStats {
  threads: number;
  /** Workers alive (starting or ready). */
  live: number;
  busy: number;
  queued: number;
  /** Workers started since the pool was made, and those stopped for a deadline or a crash. */
  started: number;
  replaced: number;
}

export interface WorkerPool<T extends JobTable> {
  run<K extends keyof T & string>(job: K, input: JobInput<T, K>, opts: RunOptions): Promise<JobOutput<T, K>>;
  stats(): WorkerPoolStats;
  /** Rejects queued jobs, stops every worker (in-flight jobs reject). Idempotent. */
  close(): Promise<void>;
}

/** The job ran past its deadline; its worker was terminated. */
export class JobTimeoutError extends Error {
  constructor(
    readonly job: string,
    readonly deadlineMs: number,
  ) {
    super(`workers: job ${job} ran past its ${deadlineMs} ms deadline; its worker thread was stopped`);
    this.name = 'JobTimeoutError';
  }
}

/** The worker running the job died (out of memory, or it could not start). */
export class WorkerCrashError extends Error {
  constructor(
    readonly job: string,
    message: string,
    readonly outOfMemory: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WorkerCrashError';
  }
}

interface QueuedJob {
  id: number;
  name: string;
  input: unknown;
  opts: RunOptions;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: QueuedJob | null;
  gone: boolean;
}

/** What a worker posts back (worker.ts). */
type WorkerMessage =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

/**
 * Built (dist/workers/pool.js), a worker runs the compiled worker.js: no compiler in the thread. Run from the
 * TypeScript sources (vitest, benchmarks), it starts source-entry.mjs, which registers tsx first.
 */
export const DEFAULT_ENTRY = import.meta.url.endsWith('.ts') ? new URL('./source-entry.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);
/** Workers that die before they are ready, in a row, before queued jobs are failed instead of retried. */
const START_FAILURES_TOLERATED = 3;

/** An error a job threw, rebuilt on this side: classified ones keep their code. */
function rebuild(e: { name: string; message: string; code?: string }): Error {
  const err = e.code ? new CyberbriefError(e.code as ErrorCode, e.message) : new Error(e.message);
  err.name = e.name;
  return err;
}

export function createWorkerPool<T extends JobTable>(opts: WorkerPoolOptions): WorkerPool<T> {
  const entry = opts.entry ?? DEFAULT_ENTRY;
  const threads = Math.max(1, Math.floor(opts.threads));
  const slots = new Set<Slot>();
  const queue: QueuedJob[] = [];
  let nextId = 1;
  let closed = false;
  let started = 0;
  let replaced = 0;
  let startFailures = 0;

  function spawn(): void {
    const worker = new Worker(entry, { resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb }, workerData: { preloadAll: !!opts.preloadAll } });
    const slot: Slot = { worker, ready: false, job: null, gone: false };
    slots.add(slot);
    started++;
    worker.on('message', (msg: WorkerMessage) => onMessage(slot, msg));
    worker.on('error', (err) => onGone(slot, err));
    worker.on('exit', (code) => onGone(slot, new Error(`exited with code ${code}`)));
  }

  function onMessage(slot: Slot, msg: WorkerMessage): void {
    if (slot.gone) return;
    if ('ready' in msg) {
      slot.ready = true;
      startFailures = 0;
      slot.worker.unref(); // an idle worker does not keep the process alive
      pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    clearTimeout(job.timer);
    slot.job = null;
    slot.worker.unref();
    if (msg.ok) job.resolve(msg.value);
    else job.reject(rebuild(msg.error));
    pump();
  }

  function onGone(slot: Slot, err: Error): void {
    if (slot.gone) return;
    slot.gone = true;
    slots.delete(slot);
    if (closed) return;
    const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const job = slot.job;
    if (job) {
      clearTimeout(job.timer);
      slot.job = null;
      replaced++;
      const why = outOfMemory ? `ran out of memory (workers.max_heap_mb is ${opts.maxHeapMb})` : `stopped: ${err.message}`;
      opts.logger?.warn({ job: job.name, out_of_memory: outOfMemory, err: err.message }, 'workers: a worker thread died during a job; a new one takes the next job');
      job.reject(new WorkerCrashError(job.name, `workers: the worker thread running ${job.name} ${why}`, outOfMemory, { cause: err }));
    } else if (!slot.ready) {
      startFailures++;
      opts.logger?.error({ err: err.message, attempt: startFailures }, 'workers: a worker thread failed to start');
      if (startFailures >= START_FAILURES_TOLERATED) {
        startFailures = 0;
        for (const q of queue.splice(0)) {
          q.reject(new WorkerCrashError(q.name, `workers: worker threads fail to start (${err.message}); check the installation (npm ci) and workers.max_heap_mb`, false, { cause: err }));
        }
      }
    }
    pump();
  }

  function onDeadline(slot: Slot, job: QueuedJob): void {
    if (slot.job !== job || slot.gone) return;
    slot.gone = true;
    slot.job = null;
    slots.delete(slot);
    replaced++;
    opts.logger?.debug({ job: job.name, deadline_ms: job.opts.deadlineMs }, 'workers: job past its deadline; stopping its worker thread');
    job.reject(new JobTimeoutError(job.name, job.opts.deadlineMs));
    void slot.worker.terminate().catch(() => undefined);
    pump();
  }

  function dispatch(slot: Slot, job: QueuedJob): void {
    slot.job = job;
    slot.worker.ref();
    const msg = { id: job.id, job: job.name, input: job.input };
    try {
      slot.worker.postMessage(msg, job.opts.transfer ?? []);
    } catch {
      try {
        slot.worker.postMessage(msg); // a buffer that cannot be moved is copied instead
      } catch (err) {
        slot.job = null;
        slot.worker.unref();
        job.reject(err);
        return;
      }
    }
    job.timer = setTimeout(() => onDeadline(slot, job), job.opts.deadlineMs);
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (slot.ready && !slot.job && !slot.gone) dispatch(slot, queue.shift()!);
    }
    let starting = 0;
    for (const s of slots) if (!s.ready) starting++;
    for (let n = Math.min(queue.length - starting, threads - slots.size); n > 0; n--) {
      try {
        spawn();
      } catch (err) {
        for (const q of queue.splice(0)) q.reject(new WorkerCrashError(q.name, `workers: cannot start a worker thread (${(err as Error).message})`, false, { cause: err }));
        return;
      }
    }
  }

  return {
    run(job, input, runOpts) {
      if (closed) return Promise.reject(new Error(`workers: the pool is closed; ${job} was not run`));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, name: job, input, opts: runOpts, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
    stats() {
      let busy = 0;
      for (const s of slots) if (s.job) busy++;
      return { threads, live: slots.size, busy, queued: queue.length, started, replaced };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const q of queue.splice(0)) q.reject(new Error(`workers: shutting down; ${q.name} was not run`));
      const stopping: Promise<unknown>[] = [];
      for (const slot of slots) {
        slot.gone = true;
        if (slot.job) {
          clearTimeout(slot.job.timer);
          slot.job.reject(new Error(`workers: shutting down; ${slot.job.name} was stopped`));
          slot.job = null;
        }
        stopping.push(slot.worker.terminate().catch(() => undefined));
      }
      slots.clear();
      await Promise.all(stopping);
    },
  };
}
