// The worker threads of one process, built from the `workers` section of the configuration: one kept pool
// shared by feed reading and summarising, and the two ports that use it.
import os from 'node:os';
import type { Config } from '../config/schema.ts';
import type { FeedReader } from '../feeds/read-feed.ts';
import type { Logger } from '../lib/logger.ts';
import type { SummaryWork } from '../summarize/ports.ts';
import { createBackgroundNice } from './background-nice.ts';
import { pooledFeedReader } from './feed-reader.ts';
import type { Jobs } from './jobs.ts';
import { createWorkerPool, type WorkerPool } from './pool.ts';
import { pooledSummaryWork } from './summary-work.ts';

export { JobTimeoutError, WorkerCrashError, createWorkerPool, type WorkerPool, type WorkerPoolStats } from './pool.ts';
export type { Jobs } from './jobs.ts';

export interface Workers {
  pool: WorkerPool<Jobs>;
  readFeed: FeedReader;
  summaryWork: SummaryWork;
  close(): Promise<void>;
}

/** `workers.threads: 0`: one fewer than the CPUs (the main thread keeps one), at least 1, at most 4. */
export function defaultThreads(cpus = os.availableParallelism()): number {
  return Math.min(4, Math.max(1, cpus - 1));
}

/**
 * `preloadAll`: workers load every module a job may need before they take one (the long-running bot).
 * `background_nice` (0 when left out, as tests do): the process's other threads are lowered now (V8's and
 * libuv's helpers exist by then) and each worker thread when it comes online (background-nice.ts).
 */
export function createWorkers(config: Omit<Config['workers'], 'background_nice'> & { background_nice?: number }, logger?: Logger, opts: { preloadAll?: boolean } = {}): Workers {
  const nice = createBackgroundNice({ nice: config.background_nice ?? 0, ...(logger ? { logger } : {}) });
  nice.sweep();
  const pool = createWorkerPool<Jobs>({ threads: config.threads || defaultThreads(), maxHeapMb: config.max_heap_mb, preloadAll: !!opts.preloadAll, onThreadStart: () => nice.sweep(), ...(logger ? { logger } : {}) });
  return {
    pool,
    readFeed: pooledFeedReader(pool, config.parse_timeout_ms, logger),
    summaryWork: pooledSummaryWork(pool, config.summarize_timeout_ms),
    close: () => pool.close(),
  };
}
