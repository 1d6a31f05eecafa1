// The storage facade: one object holding every repository over one database. main.ts and cli/ open it;
// the rest of the code receives the repositories it needs.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CyberbriefError, errorMessage, isStorageFailure, type StorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { migrateToLatest, openDatabase, pendingMigrations, parseDatabaseUrl, describeTarget, type DatabaseHandle, type DatabaseTarget } from './db.ts';
import { FeedsRepo } from './feeds-repo.ts';
import { ItemsRepo } from './items-repo.ts';
import { PollWritesRepo } from './poll-writes-repo.ts';
import { AlertsRepo } from './alerts-repo.ts';
import { BriefsRepo } from './briefs-repo.ts';
import { ClustersRepo } from './clusters-repo.ts';
import { ChannelsRepo } from './channels-repo.ts';
import { LatestRepo } from './latest-repo.ts';
import { LeaderLocks } from './leader-locks.ts';
import { LeasesRepo } from './leases-repo.ts';
import { ArticlesRepo } from './articles-repo.ts';
import { CompactionRepo } from './compaction-repo.ts';
import { StatsRepo } from './stats-repo.ts';
import { FeedbackRepo } from './feedback-repo.ts';
import { StoryLookupRepo } from './story-lookup-repo.ts';
import { WebSessionsRepo } from './web-sessions-repo.ts';
import { TopicVersionsRepo } from './topic-versions-repo.ts';
import { SlackInstallationsRepo } from './slack-installations-repo.ts';
import { DashboardRepo } from './dashboard-repo.ts';
import { WebSubRepo } from './websub-repo.ts';
import { takeSqliteRunLock } from './sqlite-run-lock.ts';
import { driverCode, reasonOf, stillWaiting, waitBegins } from './startup-wait.ts';
import { postgresFailure } from './failures.ts';
import type { IntegrityOptions, IntegrityResult } from './integrity-check.ts';
import type { StorageMonitor, StorageStatus } from './monitor.ts';

export { parseDatabaseUrl, describeTarget, type DatabaseTarget, type Dialect } from './db.ts';
export type { FeedSource, AddFeedInput, FetchSuccess, FetchFailure } from './feeds-repo.ts';
export { FeedsRepo } from './feeds-repo.ts';
export { ItemsRepo, type StoreItemsOptions, type StoreItemsResult } from './items-repo.ts';
export { PollWritesRepo, type PollWrite } from './poll-writes-repo.ts';
export { AlertsRepo, type AlertListRow } from './alerts-repo.ts';
export { BriefsRepo, BRIEF_CANDIDATES_MAX, type BriefRow, type ClaimedBrief, type BriefCandidate, type CandidateQuery, type BriefKind, type BriefStatus, type BriefFailureOutcome } from './briefs-repo.ts';
export { ChannelsRepo, type ChannelRef } from './channels-repo.ts';
export { ArticlesRepo } from './articles-repo.ts';
export { CompactionRepo, type CompactOptions, type CompactResult } from './compaction-repo.ts';
export { StatsRepo, type StorageStats } from './stats-repo.ts';
export { LeaderLocks, type Leadership } from './leader-locks.ts';
export { FeedbackRepo, type RecordVerdict, type FeedbackCounts, type TrainingExample, type TrainingOptions } from './feedback-repo.ts';
export { StoryLookupRepo, type StoredStory, type AlertStory } from './story-lookup-repo.ts';
export { LeasesRepo } from './leases-repo.ts';
export { holdInstanceLiveness, takeBackDeadLeases, LIVE_OWNER_PREFIX, type InstanceLiveness } from './instance-liveness.ts';
export { LatestRepo, type LatestQuery, type LatestStory, type CoverageRef } from './latest-repo.ts';
export type { StorageMonitor, StorageStatus, StorageCounters } from './monitor.ts';
export type { IntegrityResult, IntegrityOptions } from './integrity-check.ts';
export { WebSessionsRepo, type StoredSession } from './web-sessions-repo.ts';
export { TopicVersionsRepo, type TopicVersion } from './topic-versions-repo.ts';
export { SlackInstallationsRepo, type StoredInstallation } from './slack-installations-repo.ts';
export { DashboardRepo, type MatchedStory, type PreviewItem } from './dashboard-repo.ts';
export { WebSubRepo, type WebSubSubscription, type WebSubState, type WebSubMode, type ClaimedSubscription } from './websub-repo.ts';
export { ClustersRepo, type PipelineItem, type ItemTopicRow } from './clusters-repo.ts';

export interface Storage {
  readonly dialect: DatabaseHandle['dialect'];
  readonly target: DatabaseTarget;
  readonly description: string;
  readonly feeds: FeedsRepo;
  readonly items: ItemsRepo;
  /** Many polls' items and feed states in one transaction (the scheduler's write batcher). */
  readonly pollWrites: PollWritesRepo;
  readonly alerts: AlertsRepo;
  /** The brief outbox: one brief (or quiet-hours release) per channel and period. */
  readonly briefs: BriefsRepo;
  readonly clusters: ClustersRepo;
  /**
   * Runs `fn` in one transaction with the clusters and alerts repositories bound to it: the pipeline writes
   * an item's topics, cluster, digest, outbox rows and processed mark together (one commit, not four or five), and a
   * failure part-way leaves none of them.
   */
  pipelineWrites<T>(fn: (clusters: ClustersRepo, alerts: AlertsRepo) => Promise<T>): Promise<T>;
  readonly channels: ChannelsRepo;
  /** Newest matched stories, for `/news latest`. */
  readonly latest: LatestRepo;
  /** Leadership for single-holder work (the Discord gateway): PostgreSQL advisory locks. */
  readonly locks: LeaderLocks;
  /** Leases by owner, across feeds and alerts (taking back a dead instance's at start-up). */
  readonly leases: LeasesRepo;
  /** Extracted article text by URL (the summariser's cache). */
  readonly articles: ArticlesRepo;
  /** Empties old items' bulky text and drops old article-cache rows (`db compact`, the compactor). */
  readonly compaction: CompactionRepo;
  /** Aggregate counts for GET /metrics. */
  readonly stats: StatsRepo;
  /** Analysts' verdicts on alerts (feedback buttons), their counts, and training examples from them. */
  readonly feedback: FeedbackRepo;
  /** One stored story by link or alert id, for `/news why`. */
  readonly stories: StoryLookupRepo;
  /** The dashboard's sessions, failed sign-ins and generated settings (migration 010). */
  readonly webSessions: WebSessionsRepo;
  /** Saved versions of the topics (the dashboard's topic editor). */
  readonly topicVersions: TopicVersionsRepo;
  /** Slack workspaces installed through Add to Slack (sealed installations). */
  readonly slackInstallations: SlackInstallationsRepo;
  /** Read-only queries for the dashboard's pages. */
  readonly dashboard: DashboardRepo;
  /** WebSub push subscriptions, one per feed whose hub we use (migration 011). */
  readonly websub: WebSubRepo;
  /** Runs pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Migrations not yet applied. */
  pending(): Promise<string[]>;
  /** A trivial round trip, for health checks and `doctor`. */
  ping(): Promise<void>;
  /**
   * For /healthz: not ok while the database does not answer or writes fail (a full disk, a damaged file),
   * answered at once from what recent queries found, else by a round trip bounded in time. A note while
   * ok says when writes are waiting for another process's lock. `detail` names the database (host and
   * name, or the file's path): for operators and logs, never for a public answer (see http/health.ts).
   */
  health(): Promise<{ ok: boolean; failure?: StorageFailure; detail?: string }>;
  /** Outages and lock waits seen by this process: status, counters, and `ready()` to wait for the database. */
  readonly monitor: Pick<StorageMonitor, 'status' | 'counters' | 'ready'>;
  /** SQLite: PRAGMA quick_check, bounded in time (doctor). PostgreSQL: null. */
  integrityCheck(opts?: IntegrityOptions): Promise<IntegrityResult | null>;
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  cwd?: string;
  poolSize?: number;
  /** Run migrations before returning (default true). */
  migrate?: boolean;
  /** Where database outages are logged, once each (silent when absent). */
  logger?: Logger;
  /** SQLite: how long a write waits for another process's lock before it fails (default 30 s). */
  lockWaitMs?: number;
  /**
   * SQLite: take the file's run lock for this owner first (sqlite-run-lock.ts), held until close(): `run`
   * refuses to start beside another bot on the same file. Ignored for PostgreSQL and :memory:.
   */
  runLockOwner?: string;
  /**
   * PostgreSQL: while the server does not answer (refused, reset, timed out, a name not resolving yet), wait
   * for it before migrating, with backoff, saying so once and then every minute, until it answers or this
   * signal aborts (then openStorage throws). Errors waiting cannot fix (a refused login, an unknown
   * database, a bad URL) throw at once. Without it, an unreachable server throws at once.
   */
  waitWhileUnreachable?: AbortSignal;
  /** How often that wait says it is still waiting (default STILL_WAITING_EVERY_MS: a minute). */
  stillWaitingEveryMs?: number;
  /**
   * SQLite: refuse a file that does not exist, naming it, instead of creating it and its folders (commands
   * that only read: a mistyped path must not pass as a new, empty database). Ignored for PostgreSQL.
   */
  existing?: boolean;
  /** SQLite file: copy the write-ahead log into the file on a thread of its own (db.ts, wal-checkpointer.ts). */
  backgroundCheckpoint?: boolean;
}

export async function openStorage(databaseUrl: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  const target = parseDatabaseUrl(databaseUrl, opts.cwd);
  if (opts.existing && target.dialect === 'sqlite' && target.location !== ':memory:' && !existsSync(target.location)) {
    throw new CyberbriefError('storage', `storage: SQLite file ${target.location} does not exist; check DATABASE_URL (\`cyberbrief run\` or \`cyberbrief db migrate\` creates it; nothing was created).`);
  }
  const runLock = opts.runLockOwner && target.dialect === 'sqlite' && target.location !== ':memory:' ? await takeSqliteRunLock(target.location, opts.runLockOwner) : null;
  let handle: DatabaseHandle;
  try {
    handle = openDatabase(target, { poolSize: opts.poolSize, logger: opts.logger, lockWaitMs: opts.lockWaitMs, backgroundCheckpoint: opts.backgroundCheckpoint });
  } catch (err) {
    runLock?.release();
    throw err;
  }
  const close = async () => {
    try {
      await handle.close();
    } finally {
      runLock?.release();
    }
  };
  const storage: Storage = {
    dialect: handle.dialect,
    target,
    description: describeTarget(target),
    feeds: new FeedsRepo(handle.db, handle.dialect),
    items: new ItemsRepo(handle.db, handle.dialect),
    pollWrites: new PollWritesRepo(handle.db, handle.dialect),
    alerts: new AlertsRepo(handle.db, handle.dialect),
    briefs: new BriefsRepo(handle.db, handle.dialect),
    clusters: new ClustersRepo(handle.db, handle.dialect),
    pipelineWrites: (fn) => handle.db.transaction().execute((trx) => fn(new ClustersRepo(trx, handle.dialect), new AlertsRepo(trx, handle.dialect))),
    channels: new ChannelsRepo(handle.db),
    latest: new LatestRepo(handle.db),
    locks: new LeaderLocks(target),
    leases: new LeasesRepo(handle.db),
    articles: new ArticlesRepo(handle.db),
    compaction: new CompactionRepo(handle.db, handle.dialect),
    stats: new StatsRepo(handle.db),
    feedback: new FeedbackRepo(handle.db),
    stories: new StoryLookupRepo(handle.db),
    webSessions: new WebSessionsRepo(handle.db),
    topicVersions: new TopicVersionsRepo(handle.db),
    slackInstallations: new SlackInstallationsRepo(handle.db),
    dashboard: new DashboardRepo(handle.db),
    websub: new WebSubRepo(handle.db, handle.dialect),
    migrate: async () => (await migrateToLatest(handle)).applied,
    pending: () => pendingMigrations(handle),
    ping: () => handle.ping(),
    monitor: handle.monitor,
    async health() {
      const before = handle.monitor.status();
      const down = (s: StorageStatus) => ({ ok: false, ...(s.failure ? { failure: s.failure } : {}), detail: s.detail ?? 'the database is not usable' });
      if (!before.ok) return down(before);
      try {
        await handle.ping();
      } catch (err) {
        return { ok: false, failure: isStorageFailure(err) ? err.failure : 'unavailable', detail: errorMessage(err) };
      }
      const now = handle.monitor.status();
      if (!now.ok) return down(now);
      return now.detail ? { ok: true, detail: now.detail } : { ok: true };
    },
    integrityCheck: (o) => handle.integrityCheck(o),
    close,
  };
  if (opts.migrate !== false) {
    try {
      await (opts.waitWhileUnreachable ? migrateOnceReachable(storage, opts.waitWhileUnreachable, opts.logger, opts.stillWaitingEveryMs ?? STILL_WAITING_EVERY_MS) : storage.migrate());
    } catch (err) {
      await close();
      throw err;
    }
  }
  return storage;
}

/** The host name of a PostgreSQL URL ('' when it names none, e.g. a unix socket). */
function hostOf(location: string): string {
  try {
    return new URL(location).hostname;
  } catch {
    return '';
  }
}

/** How often start-up says it is still waiting for the database. */
export const STILL_WAITING_EVERY_MS = 60_000;

/** Runs the migrations once the database answers (see OpenStorageOptions.waitWhileUnreachable). */
async function migrateOnceReachable(storage: Storage, signal: AbortSignal, logger: Logger | undefined, everyMs: number): Promise<void> {
  const started = Date.now();
  let noted = 0;
  for (;;) {
    try {
      await storage.migrate();
      if (noted) logger?.info({ database: storage.description, waited_ms: Date.now() - started }, `storage: ${storage.description} answers; start-up goes on after ${Math.round((Date.now() - started) / 1000)} s of waiting`);
      return;
    } catch (err) {
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      if (storage.dialect !== 'postgres' || postgresFailure(cause) !== 'unavailable') throw err;
      if (signal.aborted) throw new CyberbriefError('storage', `storage: start-up stopped while waiting for ${storage.description} to answer.`, { cause: err });
      const state = { database: storage.description, host: hostOf(storage.target.location), reason: reasonOf(cause), code: driverCode(cause) };
      if (noted === 0) {
        logger?.warn({ database: storage.description, code: state.code || undefined }, waitBegins(state));
        noted = Date.now();
      } else if (Date.now() - noted >= everyMs) {
        noted = Date.now();
        logger?.warn({ database: storage.description, waited_ms: noted - started, code: state.code || undefined }, stillWaiting(state, noted - started));
      }
      // The monitor probes with backoff (0.1 s doubling to 5 s) and wakes this when the server answers; its
      // timers do not keep the process alive, this one does (nothing else runs yet).
      const keepAlive = new AbortController();
      const abortKeepAlive = () => keepAlive.abort();
      signal.addEventListener('abort', abortKeepAlive, { once: true });
      await Promise.race([storage.monitor.ready(signal), sleep(everyMs, undefined, { signal: keepAlive.signal }).catch(() => undefined)]);
      keepAlive.abort();
      signal.removeEventListener('abort', abortKeepAlive);
      await sleep(250, undefined, { signal }).catch(() => undefined);
    }
  }
}
