// `workers.background_nice`: on Linux, every thread of this process but the main one (the parse and summary
// worker threads, V8's compiler and GC threads, libuv's pool) runs that many nice steps below the main thread,
// so on a busy machine the event loop, which every poll, command and health check waits for, gets a core
// first. Linux keeps a nice value per thread (setpriority on a thread id moves that thread alone), and the
// threads are listed in /proc/self/task. A thread started later (a worker the pool starts or replaces) is
// lowered when `sweep()` runs again: the pool calls it when a worker comes online. The main thread is never
// touched, and no thread's priority is ever raised.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Logger } from '../lib/logger.ts';

export interface BackgroundNiceOptions {
  /** Nice steps below the main thread (0 turns it off); the result is capped at 19, the lowest priority. */
  nice: number;
  logger?: Logger;
  /** Seams for tests; default the real platform, /proc/self/task and node:os. */
  platform?: NodeJS.Platform;
  listThreads?: () => number[];
  getPriority?: (tid: number) => number;
  setPriority?: (tid: number, priority: number) => void;
}

export interface BackgroundNice {
  /** Lowers every thread not yet seen; returns how many it lowered this time. */
  sweep(): number;
}

const listTasks = (): number[] => readdirSync('/proc/self/task').map(Number).filter((n) => Number.isInteger(n) && n > 0);

export function createBackgroundNice(opts: BackgroundNiceOptions): BackgroundNice {
  const platform = opts.platform ?? process.platform;
  const listThreads = opts.listThreads ?? listTasks;
  const getPriority = opts.getPriority ?? ((tid: number) => os.getPriority(tid));
  const setPriority = opts.setPriority ?? ((tid: number, p: number) => os.setPriority(tid, p));
  // The main thread's id is the process id; a worker thread cannot tell which threads are its siblings' helpers.
  let off = opts.nice <= 0 || !isMainThread;
  const seen = new Set<number>([process.pid]);
  const refuse = (why: string) => {
    off = true;
    opts.logger?.warn({ background_nice: opts.nice }, `workers: background threads keep the main thread's priority: ${why}; set workers.background_nice: 0 to silence this`);
  };
  if (!off && platform !== 'linux') refuse(`workers.background_nice works on Linux only (this is ${platform})`);
  return {
    sweep() {
      if (off) return 0;
      let lowered = 0;
      try {
        const target = Math.min(19, getPriority(process.pid) + opts.nice);
        for (const tid of listThreads()) {
          if (seen.has(tid)) continue;
          seen.add(tid);
          try {
            if (getPriority(tid) >= target) continue;
            setPriority(tid, target);
            lowered++;
          } catch (err) {
            // node:os throws ERR_SYSTEM_ERROR with the errno's name in `info.code`.
            const code = (err as { info?: { code?: string } }).info?.code ?? (err as NodeJS.ErrnoException).code;
            if (code === 'ESRCH') continue; // the thread ended meanwhile
            throw err;
          }
        }
      } catch (err) {
        refuse(`lowering them was refused (${(err as Error).message})`);
      }
      return lowered;
    },
  };
}
