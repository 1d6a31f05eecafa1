// The storage facade: one object holding every repository over one database. main.ts and cli/ open it;
// the rest of the code receives the repositories it needs.
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, pendingMigrations, parseDatabaseUrl, describeTarget, type DatabaseHandle, type DatabaseTarget } from './db.ts';
import { FeedsRepo } from './feeds-repo.ts';
import { ItemsRepo } from './items-repo.ts';
import { AlertsRepo } from './alerts-repo.ts';
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

export { parseDatabaseUrl, describeTarget, type DatabaseTarget, type Dialect } from './db.ts';
export type { FeedSource, AddFeedInput, FetchSuccess, FetchFailure } from './feeds-repo.ts';
export { FeedsRepo } from './feeds-repo.ts';
export { ItemsRepo, type StoreItemsOptions, type StoreItemsResult } from './items-repo.ts';
export { AlertsRepo, type ClaimedAlert, type AlertListRow, type StoryRecord, type FailureOutcome } from './alerts-repo.ts';
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
export { ClustersRepo, type PipelineItem, type ItemTopicRow, type ClusterCandidateRow } from './clusters-repo.ts';

export interface Storage {
  readonly dialect: DatabaseHandle['dialect'];
  readonly target: DatabaseTarget;
  readonly description: string;
  readonly feeds: FeedsRepo;
  readonly items: ItemsRepo;
  readonly alerts: AlertsRepo;
  readonly clusters: ClustersRepo;
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
  /** Runs pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Migrations not yet applied. */
  pending(): Promise<string[]>;
  /** A trivial round trip, for health checks and `doctor`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  cwd?: string;
  poolSize?: number;
  /** Run migrations before returning (default true). */
  migrate?: boolean;
}

export async function openStorage(databaseUrl: string, opts: OpenStorageOptions = {}): Promise<Storage> {
  const target = parseDatabaseUrl(databaseUrl, opts.cwd);
  const handle = openDatabase(target, { poolSize: opts.poolSize });
  const storage: Storage = {
    dialect: handle.dialect,
    target,
    description: describeTarget(target),
    feeds: new FeedsRepo(handle.db, handle.dialect),
    items: new ItemsRepo(handle.db, handle.dialect),
    alerts: new AlertsRepo(handle.db, handle.dialect),
    clusters: new ClustersRepo(handle.db, handle.dialect),
    channels: new ChannelsRepo(handle.db),
    latest: new LatestRepo(handle.db),
    locks: new LeaderLocks(target),
    leases: new LeasesRepo(handle.db),
    articles: new ArticlesRepo(handle.db),
    compaction: new CompactionRepo(handle.db, handle.dialect),
    stats: new StatsRepo(handle.db),
    feedback: new FeedbackRepo(handle.db),
    stories: new StoryLookupRepo(handle.db),
    migrate: async () => (await migrateToLatest(handle)).applied,
    pending: () => pendingMigrations(handle),
    ping: async () => {
      await sql`select 1`.execute(handle.db);
    },
    close: () => handle.close(),
  };
  if (opts.migrate !== false) {
    try {
      await storage.migrate();
    } catch (err) {
      await handle.close();
      throw err;
    }
  }
  return storage;
}
