// Scheduling as data: a node-cron tick asks storage for due feeds (claimed many at a time with a lease, so
// several instances never fetch one feed at once) and runs them until none is due, with a per-host limit
// and a global cap that adapts to what the network, the machine and the database keep up with
// (adaptive-cap.ts). Poll outcomes are written behind, many per transaction (write-batcher.ts); leases of
// feeds waiting or in flight are extended while the run lasts. Ticks never overlap; start times inside a
// tick are spread by a random delay (no slot is held while a feed waits for its start).
import cron, { type ScheduledTask } from 'node-cron';
import type { Feed } from '../domain/types.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { cronLogger } from '../lib/cron-logger.ts';
import { Abandonable, errorMessage, isStorageFailure, StoppedError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { retryStorage, waitMs } from '../lib/retry-storage.ts';
import type { DueFeed, FeedsRepo } from '../storage/feeds-repo.ts';
import type { ItemsRepo, StoreItemsResult } from '../storage/items-repo.ts';
import type { PollWrite, PollWritesRepo } from '../storage/poll-writes-repo.ts';
import { AdaptiveCap, DEFAULT_CAP_TUNING } from './adaptive-cap.ts';
import { hostOf, pumpFeeds, type PumpStart } from './feed-pump.ts';
import type { Fetcher } from './fetcher.ts';
import { directPollWriter, pollFeed, type PollOptions, type PollResult, type PollWriter, type PushHooks } from './poller.ts';
import type { FeedReader } from './read-feed.ts';
import { createWriteBatcher, type WriteBatcher } from './write-batcher.ts';

export interface SchedulerOptions extends PollOptions {
  /** node-cron expression for the tick. */
  tick: string;
  /** Most feeds fetched at once (the adaptive cap never goes above). */
  concurrency: number;
  /** Fewest feeds the adaptive cap allows at once, and where it starts (default: 16, or `concurrency` if lower). */
  minConcurrency?: number;
  /** false: always `concurrency` at once (default true). */
  adaptiveConcurrency?: boolean;
  /** Poll outcomes written per transaction at most (default 500). */
  writeBatchSize?: number;
  /** An outcome waits at most this long for others to share its transaction (default 50 ms). */
  writeBatchMs?: number;
  /** Feeds fetched at once from one host. */
  perHostConcurrency: number;
  /** The fetcher's total timeout: leases are sized from it. */
  totalTimeoutMs: number;
  /** Owner name written on leases (defaults to a random id). */
  instanceId?: string;
}

export interface SchedulerDeps {
  /** With `pollWrites`, outcomes are written in batches; without it, one poll at a time. */
  storage: { feeds: FeedsRepo; items: ItemsRepo; pollWrites?: PollWritesRepo };
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
  /**
   * No new work; waits for in-flight polls (`giveUpInFlight`: gives up their fetches and reads at once, nothing
   * recorded against their feeds); releases leases of claimed feeds not started (and of those given up).
   */
  stop(opts?: { giveUpInFlight?: boolean }): Promise<void>;
  /** Polls due feeds (`all`: every enabled feed) until none is due; one result per feed. */
  runOnce(opts?: { all?: boolean }): Promise<PollResult[]>;
  /** One tick by hand (what the cron runs); false when skipped because a tick is running. */
  tick(): Promise<boolean>;
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

/** Error classes that say the network or this machine is overloaded, not what a host answered. */
const CONGESTION = new Set(['fetch_timeout', 'fetch_network', 'parse_timeout']);

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { storage, options, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const owner = options.instanceId ?? `poller-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const maxCap = options.concurrency;
  const minCap = Math.min(options.minConcurrency ?? 16, maxCap);
  const adaptive = options.adaptiveConcurrency !== false;
  const writeBatchSize = options.writeBatchSize ?? 500;
  const cap = new AdaptiveCap({ min: adaptive ? minCap : maxCap, max: maxCap, ...DEFAULT_CAP_TUNING, maxWriteBacklog: writeBatchSize * 4 });
  const batcher: WriteBatcher<PollWrite, StoreItemsResult> | null = storage.pollWrites
    ? createWriteBatcher({ commit: (w) => storage.pollWrites!.commit(w), maxEntries: writeBatchSize, maxDelayMs: options.writeBatchMs ?? 50 })
    : null;
  const write: PollWriter = batcher ? (w) => batcher.add(w) : directPollWriter(storage);
  let task: ScheduledTask | null = null;
  let running: Promise<unknown> | null = null;
  let stopping = false;
  let stopSignal = new AbortController();
  // Given up by stop({ giveUpInFlight }): fetches and reads in flight.
  const inFlight = new Abandonable();
  // Leases are given back through a database outage, and for a few seconds into shutdown.
  let giveUp = new AbortController();
  const storageReady = deps.storageReady ?? waitMs(1_000);
  const releaseLeases = (ids: number[]) => (ids.length ? retryStorage(() => storage.feeds.releaseMany(ids, owner), { ready: storageReady, signal: giveUp.signal }) : Promise.resolve());
  /** A lease covers one poll with room to spare; it is extended while the feed waits or is in flight. */
  const leaseMs = options.totalTimeoutMs * 2 + 30_000;
  // stop({ giveUpInFlight }) gives up a fetch or a read in flight at once (a stalled server would hold
  // shutdown for up to polling.total_timeout_ms); the fetcher's close ends its connection. An outcome
  // already handed to the writer is written. Made once, not per poll.
  // Every argument passed on: the scope says which private hosts the fetch may reach (scoped-fetcher.ts).
  const fetcher: Pick<Fetcher, 'fetchFeed'> = { fetchFeed: (url, v, scope) => inFlight.guard(deps.fetcher.fetchFeed(url, v, scope), 'fetch') };
  const readFeed: FeedReader | undefined = deps.readFeed ? (input) => inFlight.guard(deps.readFeed!(input), 'feed read') : undefined;
  /** Feeds this instance holds a lease on (waiting to start, or being polled). */
  const held = new Set<number>();

  async function pollOne(feed: DueFeed, start: PumpStart): Promise<PollResult | null> {
    if (stopping) {
      await releaseLeases([feed.id]).catch(() => undefined);
      return null;
    }
    // The poll's place under the caps is freed once its outcome is handed to the writer: waiting for the
    // commit holds no connection. The cap learns from the time up to that point.
    const t0 = performance.now();
    let slotMs: number | null = null;
    const handOver: PollWriter = (w) => {
      slotMs ??= performance.now() - t0;
      start.release();
      return write(w);
    };
    let result: PollResult;
    try {
      result = await pollFeed(feed, { storage, fetcher, options, clock, logger, random, write: handOver, ...(readFeed ? { readFeed } : {}), ...(deps.push ? { push: deps.push } : {}) });
    } catch (err) {
      if (err instanceof StoppedError) {
        // Nothing is held against the feed: its lease goes back and it stays due for the next start.
        logger.debug({ feed_id: feed.id, url: feed.url }, 'scheduler: poll given up at shutdown; the feed stays due');
        await releaseLeases([feed.id]).catch(() => undefined);
        return null;
      }
      // pollFeed reports a feed's own failures; this is a storage outage (logged once by the storage
      // monitor) or a bug. Nothing is held against the feed: its lease goes back as soon as the
      // database answers, and it is polled again (known items are recognised).
      if (isStorageFailure(err)) logger.debug({ feed_id: feed.id, err: errorMessage(err) }, 'scheduler: poll stopped by a storage error; the feed is polled again when the database answers');
      else logger.error({ feed_id: feed.id, err: errorMessage(err) }, 'poll failed unexpectedly');
      await releaseLeases([feed.id]).catch(() => undefined);
      result = { feedId: feed.id, url: feed.url, status: 'error', items: 0, new: 0, updated: 0, queued: 0, ms: 0, nextCheckAt: feed.nextCheckAt, error: { class: isStorageFailure(err) ? 'storage' : 'internal', message: errorMessage(err) } };
    } finally {
      held.delete(feed.id);
    }
    if (adaptive && result.error?.class !== 'storage') cap.record({ ms: slotMs ?? result.ms, failed: CONGESTION.has(result.error?.class ?? ''), capped: start.capped }, batcher?.pending() ?? 0);
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
  }

  /** Claims and polls due feeds until none is left (each feed at most once per run). */
  async function drain(spread: boolean, throwClaimError: boolean, all = false): Promise<PollResult[]> {
    const spreadMs = spread ? options.jitterSeconds * 1000 : 0;
    const started = performance.now();
    const seen = new Set<number>();
    const startAt = new Map<number, number>();
    /** With `all`: the highest feed id claimed so far (every enabled feed is claimed once, in id order). */
    let afterId = 0;
    const renew = setInterval(() => {
      const ids = [...held];
      if (ids.length) void storage.feeds.extendLeases(ids, owner, new Date(clock.now().getTime() + leaseMs)).catch((err: unknown) => logger.debug({ err: errorMessage(err) }, 'scheduler: could not extend leases; they are extended again shortly'));
    }, Math.max(1_000, Math.floor(leaseMs / 3)));
    renew.unref();
    try {
      const outcome = await pumpFeeds<PollResult | null>({
        cap: () => cap.current,
        perHost: options.perHostConcurrency,
        signal: stopSignal.signal,
        startAt: (f) => startAt.get(f.id),
        // The run's last outcomes are written at once, not after write_batch_ms.
        onIdle: () => void batcher?.flush().catch(() => undefined),
        claim: async (limit) => {
          const now = clock.now();
          const leaseUntil = new Date(now.getTime() + spreadMs + leaseMs);
          const claimed = all ? await storage.feeds.claimAll({ now, limit, owner, leaseUntil, afterId }) : await storage.feeds.claimDue({ now, limit, owner, leaseUntil });
          if (all && claimed.length) afterId = claimed[claimed.length - 1]!.id;
          // A feed due again within the run (a short interval, a quick retry) waits for the next run.
          const again = claimed.filter((f) => seen.has(f.id)).map((f) => f.id);
          if (again.length) await releaseLeases(again);
          const fresh = claimed.filter((f) => !seen.has(f.id));
          for (const f of fresh) {
            seen.add(f.id);
            held.add(f.id);
            if (spreadMs) startAt.set(f.id, Date.now() + Math.floor(random() * spreadMs));
          }
          return fresh;
        },
        work: (feed, start) => {
          startAt.delete(feed.id);
          return pollOne(feed, start);
        },
      });
      const skipped = outcome.skipped.map((f) => f.id);
      for (const id of skipped) held.delete(id);
      await releaseLeases(skipped).catch(() => undefined);
      if (outcome.claimError !== undefined) {
        if (throwClaimError && outcome.results.length === 0) throw outcome.claimError;
        if (isStorageFailure(outcome.claimError)) logger.debug({ err: errorMessage(outcome.claimError) }, 'scheduler: claiming stopped by a storage error; the next tick tries again');
        else logger.error({ err: errorMessage(outcome.claimError) }, 'scheduler: claiming due feeds failed');
      }
      const results = outcome.results.filter((r): r is PollResult => r !== null);
      if (results.length) {
        const count = (st: PollResult['status']) => results.filter((r) => r.status === st).length;
        logger.info(
          {
            feeds: results.length,
            not_modified: count('not_modified'),
            changed: count('new'),
            failed: count('error'),
            new_items: results.reduce((n, r) => n + r.new, 0),
            duration_ms: Math.round(performance.now() - started),
            peak_in_flight: outcome.peak,
            cap: cap.current,
          },
          'poll cycle done',
        );
      }
      return results;
    } finally {
      clearInterval(renew);
    }
  }

  async function tick(): Promise<boolean> {
    if (running || stopping) {
      logger.debug('scheduler: previous tick still running; skipped');
      return false;
    }
    const run = (async () => {
      try {
        await drain(true, false);
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
      stopSignal = new AbortController();
      inFlight.reset();
      giveUp = new AbortController();
      task = cron.schedule(options.tick, () => tick(), { noOverlap: true, name: 'feed-poll', logger: cronLogger(logger, 'feed-poll') });
      logger.info({ tick: options.tick, concurrency: options.concurrency, min_concurrency: minCap, adaptive, per_host: options.perHostConcurrency }, 'scheduler started');
    },
    async stop(opts = {}) {
      stopping = true;
      stopSignal.abort();
      if (opts.giveUpInFlight) inFlight.giveUp();
      setTimeout(() => giveUp.abort(), 5_000).unref();
      if (task) {
        await task.stop();
        await (task as ScheduledTask & { destroy?: () => void | Promise<void> }).destroy?.();
        task = null;
      }
      if (running) await running;
      // Every poll awaited its write, so this only catches a write still under way from elsewhere.
      await batcher?.flush();
    },
    async runOnce(opts = {}) {
      if (stopping) return [];
      return drain(false, true, opts.all === true);
    },
    tick,
  };
}
