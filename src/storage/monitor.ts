// Whether the database can be used right now, learnt from every query the drivers run: a query or a
// connection that fails for a StorageFailure (see lib/errors) starts an outage; an answer ends it (for a
// failure that only writes show, such as a full disk, a write must succeed). An outage is logged once when
// it begins and once when the database has answered for `quietMs` since the last failure, however many
// queries failed in between or however often it flapped. While PostgreSQL does not answer, a probe query
// runs with exponential backoff, so recovery is noticed even when the bot is idle; callers that must wait
// for the database use `ready()`. /healthz reads `status()`, /metrics reads `status()` and `counters()`.
import { StorageError, type StorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

export interface StorageStatus {
  /** False while the database does not answer, or while writes fail for a reason other than a lock. */
  ok: boolean;
  failure: StorageFailure | null;
  /** What is wrong; while ok, a note about writes waiting for another process's lock (else null). */
  detail: string | null;
  /** When the current failure (or lock wait) began. */
  since: Date | null;
}

export interface StorageCounters {
  /** Queries and connection attempts that failed because the database did not answer, and connections it dropped. */
  connectionErrors: number;
  /** Outages begun (see the module comment). */
  outages: number;
  /** SQLite writes that found the file locked by another process and waited for it. */
  lockWaits: number;
}

export interface StorageMonitorOptions {
  /** The database in words (describeTarget). */
  database: string;
  logger?: Logger;
  /** A trivial query through the same pool, run with backoff while the database does not answer. */
  probe?: () => Promise<void>;
  /** An outage ends once the database has answered this long since its last failure (default 5 s). */
  quietMs?: number;
  /** Probe backoff: first wait and cap (default 100 ms and 5 s). */
  probeBaseMs?: number;
  probeMaxMs?: number;
  /** Longest a caller of ready() waits before trying again itself (default 30 s). */
  maxWaitMs?: number;
  /**
   * Whether the disk has room again (SQLite: free space where the file is). A full disk still takes small
   * writes that fit in space already allocated, so after a full-disk failure a successful write clears it
   * only when this says so. Absent: any successful write clears it.
   */
  hasRoom?: () => boolean;
  now?: () => number;
}

export interface StorageMonitor {
  status(): StorageStatus;
  counters(): StorageCounters;
  /**
   * Resolves when the database is worth trying again: at once when it is usable; when it answers again
   * (or after maxWaitMs) while it does not answer; after a backoff that grows with each failed write (from
   * 0.5 s to 30 s) or at the next successful write while writes fail. Resolves early when `signal` aborts.
   */
  ready(signal?: AbortSignal): Promise<void>;
  /** Driver hooks: a query was answered (`write`: a write was made durable). */
  answered(write: boolean): void;
  /** Driver hook: a query or connection failed with this StorageError. */
  failed(err: StorageError): void;
  /** Driver hook: the server dropped a connection that was not running a query. */
  connectionDropped(): void;
  /** Driver hook (SQLite): a write is waiting for another process's lock since `since`; null when it got it or gave up. */
  lockWait(since: number | null): void;
  close(): void;
}

export function createStorageMonitor(opts: StorageMonitorOptions): StorageMonitor {
  const now = opts.now ?? Date.now;
  const quietMs = opts.quietMs ?? 5_000;
  const probeBaseMs = opts.probeBaseMs ?? 100;
  const probeMaxMs = opts.probeMaxMs ?? 5_000;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  const log = opts.logger;
  const counts: StorageCounters = { connectionErrors: 0, outages: 0, lockWaits: 0 };

  let current: { failure: StorageFailure; detail: string; since: number } | null = null;
  let failedWrites = 0;
  let outage: { startedAt: number; failures: number } | null = null;
  let lastFailureAt = 0;
  let quietTimer: NodeJS.Timeout | null = null;
  let lockSince: number | null = null;
  let probing = false;
  let oneShotProbe = false;
  let closed = false;
  const waiters = new Set<() => void>();
  const sleepers = new Set<() => void>();

  const wakeWaiters = () => {
    for (const w of [...waiters]) w();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref();
      sleepers.add(done);
    });

  function endOutageWhenQuiet(): void {
    if (!outage || quietTimer) return;
    quietTimer = setTimeout(() => {
      quietTimer = null;
      if (!outage || current || closed) return;
      if (now() - lastFailureAt < quietMs) return endOutageWhenQuiet();
      const lasted = ((lastFailureAt - outage.startedAt) / 1000).toFixed(1);
      log?.info(
        { database: opts.database, outage_ms: lastFailureAt - outage.startedAt, failures: outage.failures },
        `storage: ${opts.database} answers again (the outage lasted ${lasted} s, ${outage.failures} failed query(s) or dropped connection(s)); work goes on where it stopped`,
      );
      outage = null;
    }, quietMs);
    quietTimer.unref();
  }

  async function probeUntilAnswered(): Promise<void> {
    if (probing || !opts.probe) return;
    probing = true;
    let delay = probeBaseMs;
    try {
      while (!closed && current?.failure === 'unavailable') {
        await sleep(delay);
        if (closed || current?.failure !== 'unavailable') break;
        await opts.probe().catch(() => undefined);
        delay = Math.min(probeMaxMs, delay * 2);
      }
    } finally {
      probing = false;
    }
  }

  function clear(): void {
    current = null;
    failedWrites = 0;
    wakeWaiters();
    endOutageWhenQuiet();
  }

  return {
    status() {
      if (current) return { ok: false, failure: current.failure, detail: current.detail, since: new Date(current.since) };
      if (lockSince !== null) {
        const s = Math.round((now() - lockSince) / 1000);
        return { ok: true, failure: null, detail: `writes have waited ${s} s for a lock another process holds on ${opts.database}`, since: new Date(lockSince) };
      }
      return { ok: true, failure: null, detail: null, since: null };
    },
    counters: () => ({ ...counts }),
    answered(write) {
      if (!current) return;
      if (current.failure === 'unavailable') return clear();
      if (!write) return;
      if (current.failure === 'full' && opts.hasRoom && !opts.hasRoom()) return;
      clear();
    },
    failed(err) {
      const t = now();
      lastFailureAt = t;
      if (err.failure === 'unavailable') counts.connectionErrors++;
      else failedWrites++;
      if (quietTimer) {
        clearTimeout(quietTimer);
        quietTimer = null;
      }
      if (!outage) {
        outage = { startedAt: t, failures: 0 };
        counts.outages++;
        log?.error({ database: opts.database, failure: err.failure }, err.message);
      }
      outage.failures++;
      current = { failure: err.failure, detail: err.message, since: current?.since ?? t };
      if (err.failure === 'unavailable') void probeUntilAnswered();
    },
    connectionDropped() {
      counts.connectionErrors++;
      // Find out at once whether the server is gone or only that connection was.
      if (oneShotProbe || probing || !opts.probe || closed) return;
      oneShotProbe = true;
      void opts
        .probe()
        .catch(() => undefined)
        .finally(() => {
          oneShotProbe = false;
        });
    },
    lockWait(since) {
      if (since !== null && lockSince === null) counts.lockWaits++;
      lockSince = since;
    },
    ready(signal) {
      if (!current || closed || signal?.aborted) return Promise.resolve();
      const wait = current.failure === 'unavailable' ? maxWaitMs : Math.min(maxWaitMs, 500 * 2 ** Math.min(Math.max(failedWrites - 1, 0), 10));
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, wait);
        t.unref();
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    close() {
      closed = true;
      if (quietTimer) clearTimeout(quietTimer);
      quietTimer = null;
      for (const s of [...sleepers]) s();
      wakeWaiters();
    },
  };
}
