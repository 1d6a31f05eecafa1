// Scheduling as data: a node-cron tick asks storage for due feeds (claimed with a lease, so several
// instances never fetch one feed at once) and runs them through a bounded pool with a per-host limit.
// Ticks never overlap; start times inside a tick are spread by a random delay.
import cron, { type ScheduledTask } from 'node-cron';
import type { Feed } from '../domain/types.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { cronLogger } from '../lib/cron-logger.ts';
import { errorMessage, isStorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { retryStorage, waitMs } from '../lib/retry-storage.ts';
import type { FeedsRepo } from '../storage/feeds-repo.ts';
import type { ItemsRepo } from '../storage/items-repo.ts';
import type { Fetcher } from './fetcher.ts';
import { pollFeed, type PollOptions, type PollResult, type PushHooks } from './poller.ts';
import type { FeedReader } from './read-feed.ts';

export interface SchedulerOptions extends PollOptions {
  /** node-cron expression for the tick. */
  tick: string;
  /** Feeds fetched at once. */
  concurrency: number;
  /** Feeds fetched at once from one host. */
  perHostConcurrency: number;
  /** The fetcher's total timeout: leases are sized from it. */
  totalTimeoutMs: number;
  /** Owner name written on leases (defaults to a random id). */
  instanceId?: string;
}

export interface SchedulerDeps {
  storage: { feeds: FeedsRepo; items: ItemsRepo };
  fetcher: Pick<Fetcher, 'fetchFeed'>;
  options: SchedulerOptions;
  logger: Logger;
  clock?: Clock;
  /** Called after a poll stored new or changed items (wake the pipeline). */
  onItemsStored?: () => void;
  /** Told every feed's poll result (metrics); must not throw. */
  onPolled?: (result: PollResult) => void;
  /** Random source for jitter, [0, 1). */
  random?: () => number;
  /** Resolves when the database is worth trying again after a storage error (the storage monitor's ready). */
  storageReady?: (signal?: AbortSignal) => Promise<void>;
  /** Parses and normalises a fetched body (the bot: on a worker thread with a deadline); in this thread by default. */
  readFeed?: FeedReader;
  /** WebSub: hub discovery and the rare polling of pushed feeds. */
  push?: PushHooks;
}

export interface Scheduler {
  /** Starts the cron tick. */
  start(): void;
  /** No new work; waits for in-flight polls; releases leases of claimed feeds not started. */
  stop(): Promise<void>;
  /** Polls due feeds (`all`: every enabled feed) until none is due; one result per feed. */
  runOnce(opts?: { all?: boolean }): Promise<PollResult[]>;
  /** One tick by hand (what the cron runs); false when skipped because a tick is running. */
  tick(): Promise<boolean>;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

/**
 * Runs `work` for each feed with at most `concurrency` at once and at most `perHost` per host, in order
 * of the list except that a feed whose host is busy waits while later feeds go ahead.
 */
export async function runPool<T>(
  feeds: readonly Feed[],
  limits: { concurrency: number; perHost: number },
  work: (feed: Feed) => Promise<T>,
  shouldStop: () => boolean = () => false,
): Promise<{ results: T[]; skipped: Feed[] }> {
  const queue = [...feeds];
  const perHost = new Map<string, number>();
  const results: T[] = [];
  const skipped: Feed[] = [];
  let active = 0;
  let done = false;
  return new Promise((resolve) => {
    const pump = () => {
      if (shouldStop()) skipped.push(...queue.splice(0));
      while (active < limits.concurrency) {
        const idx = queue.findIndex((f) => (perHost.get(hostOf(f.url)) ?? 0) < limits.perHost);
        if (idx < 0) break;
        const feed = queue.splice(idx, 1)[0]!;
        const host = hostOf(feed.url);
        perHost.set(host, (perHost.get(host) ?? 0) + 1);
        active++;
        void work(feed)
          .then((r) => void results.push(r))
          .catch(() => undefined)
          .finally(() => {
            active--;
            perHost.set(host, (perHost.get(host) ?? 1) - 1);
            pump();
          });
      }
      if (!done && active === 0 && queue.length === 0) {
        done = true;
        resolve({ results, skipped });
      }
    };
    pump();
  });
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { storage, options, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const owner = options.instanceId ?? `poller-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const batchSize = options.concurrency * 2;
  let task: ScheduledTask | null = null;
  let running: Promise<unknown> | null = null;
  let stopping = false;
  const sleepers = new Set<() => void>();
  // Leases are given back through a database outage, and for a few seconds into shutdown.
  let giveUp = new AbortController();
  const storageReady = deps.storageReady ?? waitMs(1_000);
  const releaseLease = (feedId: number) => retryStorage(() => storage.feeds.release(feedId, owner), { ready: storageReady, signal: giveUp.signal });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || stopping) return resolve();
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const leaseMs = (spreadMs: number) => spreadMs + options.totalTimeoutMs * (Math.ceil(batchSize / options.concurrency) + 1) + 30_000;

  async function claimAndRun(spread: boolean): Promise<PollResult[]> {
    const spreadMs = spread ? options.jitterSeconds * 1000 : 0;
    const now = clock.now();
    const claimed = await storage.feeds.claimDue({ now, limit: batchSize, owner, leaseUntil: new Date(now.getTime() + leaseMs(spreadMs)) });
    if (claimed.length === 0) return [];
    const { results, skipped } = await runPool(
      claimed,
      { concurrency: options.concurrency, perHost: options.perHostConcurrency },
      async (feed) => {
        if (spreadMs) await sleep(Math.floor(random() * spreadMs));
        if (stopping) {
          await releaseLease(feed.id);
          return null;
        }
        let result: PollResult;
        try {
          result = await pollFeed(feed, { storage, fetcher: deps.fetcher, options, clock, logger, random, ...(deps.readFeed ? { readFeed: deps.readFeed } : {}), ...(deps.push ? { push: deps.push } : {}) });
        } catch (err) {
          // pollFeed reports a feed's own failures; this is a storage outage (logged once by the storage
          // monitor) or a bug. Nothing is held against the feed: its lease goes back as soon as the
          // database answers, and it is polled again (known items are recognised).
          if (isStorageFailure(err)) logger.debug({ feed_id: feed.id, err: errorMessage(err) }, 'scheduler: poll stopped by a storage error; the feed is polled again when the database answers');
          else logger.error({ feed_id: feed.id, err: errorMessage(err) }, 'poll failed unexpectedly');
          await releaseLease(feed.id).catch(() => undefined);
          result = { feedId: feed.id, url: feed.url, status: 'error', items: 0, new: 0, updated: 0, queued: 0, ms: 0, nextCheckAt: feed.nextCheckAt, error: { class: isStorageFailure(err) ? 'storage' : 'internal', message: errorMessage(err) } };
        }
        try {
          deps.onPolled?.(result);
        } catch (err) {
          logger.error({ err: errorMessage(err) }, 'onPolled failed');
        }
        if (result.new > 0 || result.updated > 0) {
          try {
            deps.onItemsStored?.();
          } catch (err) {
            logger.error({ err: errorMessage(err) }, 'onItemsStored failed');
          }
        }
        return result;
      },
      () => stopping,
    );
    for (const f of skipped) await releaseLease(f.id).catch(() => undefined);
    return results.filter((r): r is PollResult => r !== null);
  }

  async function tick(): Promise<boolean> {
    if (running || stopping) {
      logger.debug('scheduler: previous tick still running; skipped');
      return false;
    }
    const run = (async () => {
      try {
        const results = await claimAndRun(true);
        if (results.length) logger.debug({ feeds: results.length }, 'scheduler tick done');
      } catch (err) {
        if (isStorageFailure(err)) logger.debug({ err: errorMessage(err) }, 'scheduler: tick stopped by a storage error; the next tick tries again');
        else logger.error({ err: errorMessage(err) }, 'scheduler tick failed');
      }
    })();
    running = run;
    try {
      await run;
    } finally {
      running = null;
    }
    return true;
  }

  return {
    start() {
      if (task) return;
      if (!cron.validate(options.tick)) throw new Error(`scheduler: polling.tick '${options.tick}' is not a valid cron expression.`);
      stopping = false;
      giveUp = new AbortController();
      task = cron.schedule(options.tick, () => tick(), { noOverlap: true, name: 'feed-poll', logger: cronLogger(logger, 'feed-poll') });
      logger.info({ tick: options.tick, concurrency: options.concurrency, per_host: options.perHostConcurrency }, 'scheduler started');
    },
    async stop() {
      stopping = true;
      setTimeout(() => giveUp.abort(), 5_000).unref();
      if (task) {
        await task.stop();
        await (task as ScheduledTask & { destroy?: () => void | Promise<void> }).destroy?.();
        task = null;
      }
      for (const wake of [...sleepers]) wake();
      if (running) await running;
    },
    async runOnce(opts = {}) {
      if (opts.all) await storage.feeds.makeAllDue(clock.now());
      const all: PollResult[] = [];
      const seen = new Set<number>();
      for (;;) {
        if (stopping) break;
        const batch = await claimAndRun(false);
        const fresh = batch.filter((r) => !seen.has(r.feedId));
        for (const r of fresh) seen.add(r.feedId);
        all.push(...fresh);
        if (batch.length === 0 || fresh.length === 0) break;
      }
      return all;
    },
    tick,
  };
}
