// Which lease owners are alive. Every `cyberbrief run` process names itself `run@host:pid:random` (unique
// per process) and, for as long as it runs, holds a lock named after itself: on PostgreSQL a session
// advisory lock on a connection of its own (it goes when the process or its connection dies, e.g. on
// SIGKILL), on SQLite a lock inside the process: `run` holds the file's run lock (sqlite-run-lock.ts), so
// no other bot uses the file and every other run@ owner is dead. A starting instance tries the lock of
// every owner that still holds leases: a lock it can take belongs to a dead process, whose leases it gives
// back at once instead of waiting up to delivery.lease_seconds for them to expire. A lock it cannot take
// belongs to a live instance, whose leases are left alone. Owners not named `run@...` (older versions,
// `cyberbrief poll --once`) hold no such lock and their leases are left to expire.
import { errorMessage, StorageError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { LeasesRepo } from './leases-repo.ts';
import type { LeaderLocks, Leadership } from './leader-locks.ts';

/** Lease owners that hold a liveness lock start with this. */
export const LIVE_OWNER_PREFIX = 'run@';

const lockName = (owner: string) => `instance:${owner}`;

export interface LivenessDeps {
  locks: Pick<LeaderLocks, 'tryAcquire'>;
  leases: Pick<LeasesRepo, 'holders' | 'releaseOwner'>;
  logger: Logger;
}

export interface InstanceLiveness {
  /** Gives the lock up (clean shutdown, after this instance released its leases). */
  stop(): Promise<void>;
}

/** How often a run of failed attempts to take the liveness lock is mentioned again (the first is said at once). */
export const LIVENESS_REMINDER_MS = 10 * 60_000;

export interface HoldLivenessOptions extends Pick<LivenessDeps, 'locks' | 'logger'> {
  /** Backoff between attempts: first wait and cap (default 1 s and 30 s). */
  retry?: { baseMs: number; maxMs: number };
}

/**
 * Takes this instance's liveness lock and keeps it: when its connection drops (or the lock is briefly
 * held by a starting instance testing it), it is taken again, every second at first, backing off to 30 s,
 * until stop(). Through an outage it says once that the lock was lost, once that it cannot be taken (again
 * every LIVENESS_REMINDER_MS while that lasts; each attempt at debug level), and once that it holds it again.
 */
export async function holdInstanceLiveness(owner: string, deps: HoldLivenessOptions): Promise<InstanceLiveness> {
  if (!owner.startsWith(LIVE_OWNER_PREFIX)) throw new Error(`storage: instance id ${owner} must start with ${LIVE_OWNER_PREFIX}`);
  const baseMs = deps.retry?.baseMs ?? 1000;
  const maxMs = deps.retry?.maxMs ?? 30_000;
  const log = deps.logger;
  let held: Leadership | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  /** When the lock was lost or the first attempt failed (null while held); when a failure was last said. */
  let troubleSince: number | null = null;
  let saidAt = 0;

  const watch = (lock: Leadership) => {
    void lock.lost.then(() => {
      if (stopped || held !== lock) return;
      held = null;
      troubleSince = Date.now();
      log.warn({ instance: owner }, 'storage: lost the connection holding this instance\'s liveness lock; taking it again');
      schedule();
    });
  };
  const schedule = () => {
    if (stopped) return;
    const ms = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 5));
    timer = setTimeout(() => void attempt(), ms);
    timer.unref();
  };
  /** One failed attempt: said the first time and every LIVENESS_REMINDER_MS after, else at debug level. */
  const failed = (sentence: string, fields: Record<string, unknown>) => {
    failures += 1;
    const now = Date.now();
    troubleSince ??= now;
    const first = saidAt === 0 || saidAt < troubleSince;
    if (first || now - saidAt >= LIVENESS_REMINDER_MS) {
      saidAt = now;
      const minutes = Math.round((now - troubleSince) / 60_000);
      log.warn({ instance: owner, failures, ...fields }, first ? sentence : `${sentence.replace(/; retrying.*$/, '')}; still retrying after ${minutes} min`);
    } else {
      log.debug({ instance: owner, failures, ...fields }, 'storage: another attempt to take this instance\'s liveness lock failed');
    }
    schedule();
  };
  const attempt = async (): Promise<boolean> => {
    timer = null;
    try {
      const lock = await deps.locks.tryAcquire(lockName(owner));
      if (stopped) {
        await lock?.release();
        return false;
      }
      if (!lock) {
        // Only a starting instance checking whether this one is alive holds it, and only for a moment.
        failed('storage: this instance\'s liveness lock is held elsewhere for now; retrying with backoff, saying so again every 10 min', {});
        return false;
      }
      held = lock;
      if (troubleSince !== null) {
        const lasted = ((Date.now() - troubleSince) / 1000).toFixed(1);
        log.info({ instance: owner, failures, outage_ms: Date.now() - troubleSince }, `storage: this instance holds its liveness lock again after ${lasted} s`);
      }
      troubleSince = null;
      failures = 0;
      watch(lock);
      return true;
    } catch (err) {
      const reason = err instanceof StorageError ? err.reason : errorMessage(err);
      failed(`storage: cannot take this instance's liveness lock (${reason}); retrying with backoff, saying so again every 10 min`, { err: reason });
      return false;
    }
  };
  await attempt();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const lock = held;
      held = null;
      await lock?.release();
    },
  };
}

/**
 * Gives back, at once, the leases of every dead `run@` owner other than `self`. Returns the owners whose
 * leases were taken back.
 */
export async function takeBackDeadLeases(self: string, now: Date, deps: LivenessDeps): Promise<string[]> {
  const dead: string[] = [];
  for (const owner of await deps.leases.holders(LIVE_OWNER_PREFIX, now)) {
    if (owner === self) continue;
    const lock = await deps.locks.tryAcquire(lockName(owner));
    if (!lock) continue; // alive: its leases are its own
    try {
      const n = await deps.leases.releaseOwner(owner);
      dead.push(owner);
      deps.logger.info(
        { owner, feeds: n.feeds, alerts: n.alerts, briefs: n.briefs, websub_subscriptions: n.websub_subscriptions },
        `storage: took back ${n.feeds} feed, ${n.alerts} alert, ${n.briefs} brief and ${n.websub_subscriptions} WebSub subscription lease(s) of ${owner}, which is no longer running`,
      );
    } finally {
      await lock.release();
    }
  }
  return dead;
}
