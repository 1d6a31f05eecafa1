// GET /metrics for Prometheus (who may read it: metrics-access.ts): in-process counters (polls, deliveries, compaction, since this process
// started) and gauges read from storage on each scrape (a few bounded aggregate queries). Labels carry
// fixed words and feed ids only: never URLs, names or error text.
import type { AlertFailureOutcome, PollStatus } from '../domain/types.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage, isStorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { MetricsRegistry, renderMetrics, type MetricFamily } from '../lib/metrics.ts';
import type { StorageCounters, StorageStatus } from '../storage/monitor.ts';
import type { StorageStats } from '../storage/stats-repo.ts';
import { metricsAccess } from './metrics-access.ts';
import type { Route } from './server.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What the components report (wired in main.ts). */
export interface BotCounters {
  polled(outcome: PollStatus): void;
  alertSent(): void;
  alertFailed(outcome: AlertFailureOutcome): void;
  compacted(r: { items: number; articleCache: number }): void;
  /** A body pushed by a WebSub hub: stored, refused (signature missing or wrong), or unreadable. */
  pushed(outcome: 'stored' | 'refused' | 'unreadable'): void;
}

export interface BotMetricsDeps {
  /** Storage counts for one scrape. */
  stats: () => Promise<StorageStats>;
  /** The storage monitor: whether the database answers, outages and connection errors since start. */
  storage?: { status(): StorageStatus; counters(): StorageCounters };
  clock: Clock;
  logger: Logger;
  /** When this process started (process_start_time_seconds). */
  startedAt?: Date;
  /** WebSub subscriptions by state, read on each scrape (absent: push is off). */
  websub?: () => Promise<Record<string, number>>;
  /** METRICS_TOKEN: scrapes must carry it as a bearer token; null or absent: this machine only (metrics-access.ts). */
  token?: string | null;
}

export interface BotMetrics {
  counters: BotCounters;
  /** The whole exposition text for one scrape. */
  scrape(): Promise<string>;
  route: Route;
}

const gauge = (name: string, help: string, samples: MetricFamily['samples']): MetricFamily => ({ name, help, type: 'gauge', samples });
/** A counter kept elsewhere (the storage monitor), read at scrape time. */
const total = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });

export function createBotMetrics(deps: BotMetricsDeps): BotMetrics {
  const registry = new MetricsRegistry();
  const startedAt = deps.startedAt ?? deps.clock.now();
  const polls = registry.counter('cyberbrief_polls_total', 'Feed polls by this process, by outcome (new: fetched and parsed; not_modified: 304; error).', [
    { outcome: 'new' },
    { outcome: 'not_modified' },
    { outcome: 'error' },
  ]);
  const sent = registry.counter('cyberbrief_alerts_sent_total', 'Alerts delivered to a channel by this process.');
  sent.inc(undefined, 0);
  const failed = registry.counter('cyberbrief_alert_failures_total', 'Failed delivery attempts by this process, by outcome (retry: will be tried again; dead: dead-lettered; update_dropped: an edit abandoned).', [
    { outcome: 'retry' },
    { outcome: 'dead' },
    { outcome: 'update_dropped' },
  ]);
  const compactedItems = registry.counter('cyberbrief_compacted_items_total', 'Items whose bulky text this process emptied (storage.compact_after_days).');
  compactedItems.inc(undefined, 0);
  const compactedCache = registry.counter('cyberbrief_compacted_article_cache_total', 'Article-cache rows this process deleted as too old.');
  compactedCache.inc(undefined, 0);
  const pushes = registry.counter('cyberbrief_websub_pushes_total', 'Bodies pushed by WebSub hubs to this process, by outcome (stored; refused: signature missing or wrong; unreadable).', [
    { outcome: 'stored' },
    { outcome: 'refused' },
    { outcome: 'unreadable' },
  ]);

  // Concurrent scrapes share one set of storage queries.
  let inFlight: Promise<StorageStats> | null = null;
  const stats = () => {
    inFlight ??= deps.stats().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  async function scrape(): Promise<string> {
    const families: MetricFamily[] = [];
    let up = 1;
    try {
      const s = await stats();
      families.push(
        gauge('cyberbrief_feeds', 'Feeds in the database.', [{ value: s.feeds.total }]),
        gauge('cyberbrief_feeds_enabled', 'Feeds being polled.', [{ value: s.feeds.enabled }]),
        gauge('cyberbrief_feeds_failing', 'Enabled feeds whose last poll failed.', [{ value: s.feeds.failing }]),
        gauge('cyberbrief_feeds_quiet', 'Enabled feeds that answer but brought nothing new for polling.quiet_after_days.', [{ value: s.feeds.quiet }]),
        gauge('cyberbrief_feeds_disabled', 'Feeds not polled (disabled by an operator or after repeated failures).', [{ value: s.feeds.disabled }]),
        gauge(
          'cyberbrief_feed_consecutive_failures',
          'Consecutive failed polls of a failing enabled feed (the 100 worst), by feed id (cyberbrief feeds list names them).',
          s.failingFeeds.map((f) => ({ labels: { feed_id: String(f.feedId) }, value: f.errorCount })),
        ),
        gauge('cyberbrief_items', 'Items stored (the dedupe seen-set; compacted items included).', [{ value: s.items }]),
        gauge(
          'cyberbrief_alerts',
          'Outbox rows by status (held: kept for a brief or until quiet hours end).',
          (['pending', 'sending', 'sent', 'dead', 'held'] as const).map((status) => ({ labels: { status }, value: s.alerts[status] })),
        ),
        gauge('cyberbrief_oldest_pending_alert_age_seconds', 'Age of the oldest alert not yet delivered (pending or sending); 0 when none.', [{ value: Math.round(s.oldestPendingAlertSeconds) }]),
      );
      if (deps.websub) {
        const subs = await deps.websub();
        families.push(gauge('cyberbrief_websub_subscriptions', 'WebSub subscriptions by state (active: the feed is pushed and polled rarely).', Object.entries(subs).map(([state, value]) => ({ labels: { state }, value }))));
      }
    } catch (err) {
      up = 0;
      // An outage is logged once by the storage monitor, not once per scrape.
      if (isStorageFailure(err)) deps.logger.debug({ err: errorMessage(err) }, 'metrics: storage counts unavailable for this scrape');
      else deps.logger.warn({ err: errorMessage(err) }, 'metrics: storage counts unavailable for this scrape');
    }
    const status = deps.storage?.status();
    if (status && !status.ok) up = 0;
    const c = deps.storage?.counters();
    families.push(
      gauge('cyberbrief_storage_up', '1 when the database answers and takes writes (and the storage counts in this scrape were read), 0 otherwise.', [{ value: up }]),
      ...(c
        ? [
            total('cyberbrief_storage_connection_errors_total', 'Database queries and connection attempts that failed because the server did not answer, and connections it dropped, since this process started.', c.connectionErrors),
            total('cyberbrief_storage_outages_total', 'Times the database stopped answering or taking writes since this process started (one per outage, however many queries failed in it).', c.outages),
            total('cyberbrief_storage_lock_waits_total', 'SQLite writes that found the file locked by another process and waited for it (off the event loop) since this process started.', c.lockWaits),
          ]
        : []),
      ...registry.collect(),
      gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', [{ value: Math.floor(startedAt.getTime() / 1000) }]),
    );
    return renderMetrics(families);
  }

  return {
    counters: {
      polled: (outcome) => polls.inc({ outcome }),
      alertSent: () => sent.inc(),
      alertFailed: (outcome) => failed.inc({ outcome }),
      compacted: (r) => {
        compactedItems.inc(undefined, r.items);
        compactedCache.inc(undefined, r.articleCache);
      },
      pushed: (outcome) => pushes.inc({ outcome }),
    },
    scrape,
    route: {
      method: 'GET',
      path: '/metrics',
      handler: async (req, res) => {
        // Decided before any storage query: a refused scrape costs nothing.
        const access = metricsAccess({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, deps.token ?? null);
        if (!access.ok) {
          res.writeHead(access.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...access.headers });
          res.end(access.body);
          return;
        }
        const body = await scrape();
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
        res.end(body);
      },
    },
  };
}
