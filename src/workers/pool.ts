// A kept pool of worker threads for CPU-bound jobs (parse a feed, summarise a story), so no input can hold
// the event loop: /healthz, slash commands and signals are answered while a worker chews. Each job has a
// deadline counted from the moment its worker takes it; past it the worker is terminated (V8 stops it
// even inside a regex) and the job rejects with JobTimeoutError; a worker that dies (out of memory) rejects
// its job with WorkerCrashError. Either way a new worker takes the next job. Workers start on first use, so
// a process that only gets 304s never starts one; an idle worker does not keep the process alive.
//
// Once every thread is started and ready, a busy worker is handed the next jobs too (up to `perWorker`), which it
// runs one after the other: it never waits for this thread between two jobs. Handing one job at a time made
// each job wait for a round trip through this thread's event loop, which is busy during a poll cycle (10,000
// requests and their writes): the one parse worker then read 1,000 changed feeds at a third of its speed,
// and the changed feeds waiting for it held most of the cycle's places under the concurrency cap.
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
  /**
   * Jobs one worker holds at once, the running one and those waiting in it (default PER_WORKER). A job
   * waiting in a worker stopped for a deadline or a crash never started: another worker takes it.
   */
  perWorker?: number;
  /** V8 old-generation heap limit of each worker (resourceLimits.maxOldGenerationSizeMb). */
  maxHeapMb: number;
  /**
   * The worker script (default: the built worker.js beside this file, which in the bundle bin/cyberbrief runs is
   * dist/bundle/worker.js, or source-entry.mjs from the sources).
   */
  entry?: URL;
  /**
   * Load every module a job may need before a worker says ready (default false: on first use). The
   * long-running bot sets it, so no module loading lands in the middle of its work; `poll --once`, whose
   * workers mostly read well-formed feeds, does not (it saves about a quarter of a second of CPU).
   */
  preloadAll?: boolean;
  /** Called when a worker thread has started (its OS thread exists): workers.background_nice lowers it then. */
  onThreadStart?: () => void;
  logger?: Logger;
}

export interface RunOptions {
  /**
   * Milliseconds the job may run once a worker has taken it: at once when it is handed to an idle worker,
   * else when the job before it in that worker reports back (never less than this, however busy this thread).
   */
  deadlineMs: number;
  // No buffers are moved (transferred) to a worker, only copied: the first ArrayBuffer the main thread detaches
  // deoptimises every optimised function that reads a typed array, and slows them for good (feed-reader.ts).
}

export interface WorkerPoolStats {
  threads: number;
  /** Workers alive (starting or ready). */
  live: number;
  /** Workers running a job. */
  busy: number;
  /** Jobs not started: waiting here or in a busy worker. */
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
  /** Jobs handed to this worker, in order: the first is running, the others wait in the worker. */
  jobs: QueuedJob[];
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
/**
 * Jobs a worker holds at once by default: enough that feed reads (a third of a millisecond each) keep it busy
 * between two turns of the main thread's event loop (10-20 ms apart at its busiest, on a loaded machine: 16
 * were all taken there, 64 never more than 20), few enough that a slow job holds up little behind it.
 */
export const PER_WORKER = 32;

/** An error a job threw, rebuilt on this side: classified ones keep their code. */
function rebuild(e: { name: string; message: string; code?: string }): Error {
  const err = e.code ? new CyberbriefError(e.code as ErrorCode, e.message) : new Error(e.message);
  err.name = e.name;
  return err;
}

export function createWorkerPool<T extends JobTable>(opts: WorkerPoolOptions): WorkerPool<T> {
  const entry = opts.entry ?? DEFAULT_ENTRY;
  const threads = Math.max(1, Math.floor(opts.threads));
  const perWorker = Math.max(1, Math.floor(opts.perWorker ?? PER_WORKER));
  const slots = new Set<Slot>();
  const queue: QueuedJob[] = [];
  let nextId = 1;
  let closed = false;
  let started = 0;
  let replaced = 0;
  let startFailures = 0;

  function spawn(): void {
    const worker = new Worker(entry, { resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb }, workerData: { preloadAll: !!opts.preloadAll } });
    const slot: Slot = { worker, ready: false, jobs: [], gone: false };
    slots.add(slot);
    started++;
    if (opts.onThreadStart) worker.once('online', opts.onThreadStart);
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
    const job = slot.jobs[0];
    if (!job || job.id !== msg.id) return;
    clearTimeout(job.timer);
    slot.jobs.shift();
    // The worker has started the next job it holds, if any.
    const next = slot.jobs[0];
    if (next) startClock(slot, next);
    else slot.worker.unref();
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
    // Node delivers a worker's messages before its exit, so the first job left is the one it died running.
    const [job, ...notStarted] = slot.jobs;
    slot.jobs = [];
    queue.unshift(...notStarted);
    if (job) {
      clearTimeout(job.timer);
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
    if (slot.jobs[0] !== job || slot.gone) return;
    slot.gone = true;
    queue.unshift(...slot.jobs.slice(1));
    slot.jobs = [];
    slots.delete(slot);
    replaced++;
    opts.logger?.debug({ job: job.name, deadline_ms: job.opts.deadlineMs }, 'workers: job past its deadline; stopping its worker thread');
    job.reject(new JobTimeoutError(job.name, job.opts.deadlineMs));
    void slot.worker.terminate().catch(() => undefined);
    pump();
  }

  function startClock(slot: Slot, job: QueuedJob): void {
    job.timer = setTimeout(() => onDeadline(slot, job), job.opts.deadlineMs);
  }

  /** Hands `job` to a ready worker: it runs at once if the worker is idle, else after the jobs it holds. */
  function dispatch(slot: Slot, job: QueuedJob): void {
    const idle = slot.jobs.length === 0;
    const msg = { id: job.id, job: job.name, input: job.input };
    try {
      // Copied, so a job left waiting in a worker that is stopped can go to another.
      slot.worker.postMessage(msg);
    } catch (err) {
      job.reject(err);
      return;
    }
    slot.jobs.push(job);
    if (idle) {
      slot.worker.ref();
      startClock(slot, job);
    }
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (slot.ready && slot.jobs.length === 0 && !slot.gone) dispatch(slot, queue.shift()!);
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
    // Every thread is started and ready (a starting one takes the jobs left when it is): the rest go to busy
    // workers, the one holding fewest first, so none waits for this thread between two jobs.
    if (slots.size < threads) return;
    for (const s of slots) if (!s.ready) return;
    while (queue.length) {
      let least: Slot | null = null;
      for (const s of slots) if (s.ready && !s.gone && s.jobs.length < perWorker && (!least || s.jobs.length < least.jobs.length)) least = s;
      if (!least) break;
      dispatch(least, queue.shift()!);
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
      let waiting = queue.length;
      for (const s of slots) {
        if (s.jobs.length) busy++;
        waiting += Math.max(0, s.jobs.length - 1);
      }
      return { threads, live: slots.size, busy, queued: waiting, started, replaced };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const q of queue.splice(0)) q.reject(new Error(`workers: shutting down; ${q.name} was not run`));
      const stopping: Promise<unknown>[] = [];
      for (const slot of slots) {
        slot.gone = true;
        for (const [i, job] of slot.jobs.entries()) {
          clearTimeout(job.timer);
          job.reject(new Error(i === 0 ? `workers: shutting down; ${job.name} was stopped` : `workers: shutting down; ${job.name} was not run`));
        }
        slot.jobs = [];
        stopping.push(slot.worker.terminate().catch(() => undefined));
      }
      slots.clear();
      await Promise.all(stopping);
    },
  };
}
