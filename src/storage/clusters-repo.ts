// Story clusters and the processing state of items: which cluster an item joined, which topics it
// matched (item_topics), its digest, and whether the pipeline has finished with it. Every write is
// idempotent so a pipeline that crashes half-way simply runs again.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Cluster } from '../domain/types.ts';
import type { Dialect } from './db.ts';
import type { ClustersTable, Database, ItemsTable } from './schema.ts';
import { toDate } from './rows.ts';

/** Fingerprints a ClustersRepo keeps at least (recent). */
const SIGNATURES_MIN = 20_000;
/** Cluster ids per query when reading fingerprints (well under SQLite's 32,766 parameters). */
const SIGNATURE_BATCH = 500;

export interface ClusterCandidateRow {
  id: number;
  signature: string;
  lastItemAt: Date;
  /** The asked-about feed when it has an item in the cluster, else empty (see `recent`). */
  feedIds: readonly number[];
  /** The feed of the cluster's first item (whose signature the cluster keeps); null once that item is gone. */
  firstFeedId: number | null;
}

/** An item as the pipeline reads it. */
export interface PipelineItem {
  id: number;
  feedId: number;
  feedTitle: string | null;
  title: string;
  summary: string;
  content: string;
  url: string | null;
  publishedAt: Date | null;
  fetchedAt: Date;
  contentHash: string;
  clusterId: number | null;
  articleText: string | null;
  digest: string | null;
}

export interface ItemTopicRow {
  topicId: string;
  score: number;
  reasons: string[];
}

export function clusterFromRow(r: Selectable<ClustersTable>): Cluster {
  return {
    id: Number(r.id),
    signature: r.signature,
    title: r.title,
    firstItemId: Number(r.first_item_id),
    createdAt: toDate(r.created_at)!,
  };
}

function pipelineItemFromRow(r: Selectable<ItemsTable> & { feed_title: string | null }): PipelineItem {
  return {
    id: Number(r.id),
    feedId: Number(r.feed_id),
    feedTitle: r.feed_title,
    title: r.title,
    summary: r.summary,
    content: r.content,
    url: r.url,
    publishedAt: toDate(r.published_at),
    fetchedAt: toDate(r.fetched_at)!,
    contentHash: r.content_hash,
    clusterId: r.cluster_id === null ? null : Number(r.cluster_id),
    articleText: r.article_text,
    digest: r.digest,
  };
}

/** PostgreSQL advisory lock key held while one instance runs the pipeline ("cybr" "pipe"). */
const PIPELINE_LOCK = 0x63796272_7069;

const NO_FEEDS: readonly number[] = Object.freeze([]);

/** How long the kept window of clusters serves before it is read whole again (see currentWindow). */
const WINDOW_REREAD_MS = 60_000;
/** A whole read of the window reaches this much further back than asked. */
const WINDOW_LOOKBACK_MS = 24 * 3600_000;

/** Clusters with their newest item's time and their first item's feed. */
const windowQuery = (db: Kysely<Database>) =>
  db.selectFrom('clusters as c').leftJoin('items as first', 'first.id', 'c.first_item_id').select(['c.id', 'c.last_item_at', 'first.feed_id as first_feed_id']);
type WindowQuery = ReturnType<typeof windowQuery>;

/** The clusters of a window: id, newest item's time, first item's feed; and the largest id read. */
class ClusterWindow {
  /** By id; `listed` is the row `recent` hands out, made once its fingerprint is read (shared: never changed). */
  readonly rows = new Map<number, { lastItemAt: number; firstFeedId: number | null; listed: ClusterCandidateRow | null }>();
  maxId = 0;
  constructor(
    /** Clusters whose newest item is at or after this are all here. */
    readonly from: number,
    /** When it was read whole (performance.now()). */
    readonly readAt: number,
  ) {}

  add(r: { id: number | bigint | string; last_item_at: number | bigint | string; first_feed_id: number | bigint | string | null }): void {
    const id = Number(r.id);
    this.rows.set(id, { lastItemAt: Number(r.last_item_at), firstFeedId: r.first_feed_id === null ? null : Number(r.first_feed_id), listed: null });
    if (id > this.maxId) this.maxId = id;
  }

  /** Moves a kept time forward; false when the cluster is not kept but now belongs (the window is then out of date). */
  touch(id: number, at: number): boolean {
    const r = this.rows.get(id);
    if (r) {
      if (r.lastItemAt < at) {
        r.lastItemAt = at;
        r.listed = null;
      }
      return true;
    }
    return at < this.from;
  }
}

export class ClustersRepo {
  /** Fingerprints read so far, by cluster id; bounded by the last window and a quarter (see readSignatures). */
  private readonly signatures = new Map<number, string>();
  /** The window's clusters, kept between calls of `recent` (see currentWindow). */
  private window: ClusterWindow | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Runs `fn` while holding the pipeline lock, so instances sharing one PostgreSQL never cluster the same
   * items at once (two would open two clusters for one story). Returns null without running `fn` when
   * another instance holds it. The lock lives in a database session, so a crashed instance's lock goes
   * with its connection. SQLite has one writer process: `fn` simply runs.
   */
  async withPipelineLock<T>(fn: () => Promise<T>): Promise<T | null> {
    if (this.dialect !== 'postgres') return fn();
    return this.db.connection().execute(async (conn) => {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${PIPELINE_LOCK}) as ok`.execute(conn);
      if (!got.rows[0]?.ok) return null;
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(${PIPELINE_LOCK})`.execute(conn);
      }
    });
  }

  async get(id: number): Promise<Cluster | null> {
    const r = await this.db.selectFrom('clusters').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? clusterFromRow(r) : null;
  }

  /**
   * Clusters whose newest item is at or after `since` (and not after `until`), each with the feed of its first
   * item and, in `feedIds`, `feedId` when that feed already has an item in it (the only membership the
   * clusterer asks about: a feed never joins its own story twice). Read for each new item, so it reads little:
   * the feed's own items in the window, the clusters made since the last call, and fingerprints this repo has
   * not read before (a fingerprint never changes and ids are never reused). The window's ids and times are
   * kept between calls (see currentWindow), each cluster's row made once: read and built for every item, at
   * 24,000 clusters they were half of placing it (placement bench, README).
   */
  async recent(feedId: number, since: Date, until?: Date): Promise<ClusterCandidateRow[]> {
    const from = since.getTime();
    const to = until?.getTime() ?? Infinity;
    const window = await this.currentWindow(from);
    let joined = this.db
      .selectFrom('items as i')
      .innerJoin('clusters as c', 'c.id', 'i.cluster_id')
      .select('i.cluster_id')
      .distinct()
      .where('i.feed_id', '=', feedId)
      .where('c.last_item_at', '>=', from);
    if (until) joined = joined.where('c.last_item_at', '<=', to);
    const has = new Set((await joined.execute()).map((r) => Number(r.cluster_id)));
    const ids: number[] = [];
    for (const [id, r] of window.rows) if (r.lastItemAt >= from && r.lastItemAt <= to) ids.push(id);
    await this.readSignatures(ids);
    const out: ClusterCandidateRow[] = [];
    for (const id of ids) {
      const r = window.rows.get(id)!;
      if (!r.listed) {
        const signature = this.signatures.get(id);
        // Not found when its fingerprint was read: not a candidate.
        if (signature === undefined) continue;
        r.listed = { id, signature, lastItemAt: new Date(r.lastItemAt), feedIds: NO_FEEDS, firstFeedId: r.firstFeedId };
      }
      out.push(has.has(id) ? { ...r.listed, feedIds: [feedId] } : r.listed);
    }
    return out;
  }

  /**
   * The window's clusters as of now, from `from` on: read whole when there is none yet, when `from` is older
   * than what it holds, or once it is WINDOW_REREAD_MS old; otherwise brought up to date with the clusters
   * made since (ids only grow; on PostgreSQL clustering runs under the pipeline lock, one instance at a time,
   * so none commits out of order meanwhile). This repo's own `touch` moves a kept time forward at once; a
   * touch by another process shows at the next whole read.
   */
  private async currentWindow(from: number): Promise<ClusterWindow> {
    const now = performance.now();
    const w = this.window;
    if (w && from >= w.from && now - w.readAt < WINDOW_REREAD_MS) {
      for (const r of await this.windowRows((q) => q.where('c.id', '>', w.maxId))) w.add(r);
      return w;
    }
    // Read from a day earlier than asked: items a little older than this one do not each read it again.
    const start = from - WINDOW_LOOKBACK_MS;
    const fresh = new ClusterWindow(start, now);
    for (const r of await this.windowRows((q) => q.where('c.last_item_at', '>=', start))) fresh.add(r);
    this.window = fresh;
    return fresh;
  }

  private windowRows(where: (q: WindowQuery) => WindowQuery) {
    return where(windowQuery(this.db)).execute();
  }

  /** Reads the fingerprints of `ids` this repo has not read yet, a few hundred ids a query. */
  private async readSignatures(ids: readonly number[]): Promise<void> {
    const missing = ids.filter((id) => !this.signatures.has(id));
    if (missing.length === 0) return;
    if (this.signatures.size + missing.length > Math.max(SIGNATURES_MIN, ids.length + Math.ceil(ids.length / 4))) {
      // Keep the window's; drop the rest (clusters that left the window, or another window's).
      const keep = new Set(ids);
      for (const id of this.signatures.keys()) if (!keep.has(id)) this.signatures.delete(id);
    }
    for (let i = 0; i < missing.length; i += SIGNATURE_BATCH) {
      const rows = await this.db.selectFrom('clusters').select(['id', 'signature']).where('id', 'in', missing.slice(i, i + SIGNATURE_BATCH)).execute();
      for (const r of rows) this.signatures.set(Number(r.id), r.signature);
    }
  }

  async create(c: { signature: string; title: string; firstItemId: number; at: Date; createdAt: Date }): Promise<Cluster> {
    const row = await this.db
      .insertInto('clusters')
      .values({ signature: c.signature, title: c.title, first_item_id: c.firstItemId, created_at: c.createdAt.getTime(), last_item_at: c.at.getTime() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return clusterFromRow(row);
  }

  /** Moves the cluster's newest-item time forward to `at` (never back). */
  async touch(id: number, at: Date): Promise<void> {
    await this.db.updateTable('clusters').set({ last_item_at: at.getTime() }).where('id', '=', id).where('last_item_at', '<', at.getTime()).execute();
    // A cluster older than the kept window that comes back into it: the next call reads the window whole.
    if (this.window && !this.window.touch(id, at.getTime())) this.window = null;
  }

  /** Items of a cluster, oldest first. */
  async itemIds(clusterId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('items').select('id').where('cluster_id', '=', clusterId).orderBy('id').execute();
    return rows.map((r) => Number(r.id));
  }

  /** Up to `limit` items waiting for the pipeline (processed = 0), oldest first. */
  async unprocessedItems(limit: number): Promise<PipelineItem[]> {
    const rows = await this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .selectAll('i')
      .select('f.title as feed_title')
      .where('i.processed', '=', 0)
      .orderBy('i.id')
      .limit(limit)
      .execute();
    return rows.map(pipelineItemFromRow);
  }

  async assignCluster(itemId: number, clusterId: number): Promise<void> {
    await this.db.updateTable('items').set({ cluster_id: clusterId }).where('id', '=', itemId).execute();
  }

  /**
   * Replaces the item's topic matches and, when given, its relevance score (the scorer's probability;
   * null when the rules alone decided), which ranks the brief.
   */
  async setItemTopics(itemId: number, topics: readonly ItemTopicRow[], relevance?: number | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (relevance !== undefined) await trx.updateTable('items').set({ relevance: relevance !== null && Number.isFinite(relevance) ? relevance : null }).where('id', '=', itemId).execute();
      await trx.deleteFrom('item_topics').where('item_id', '=', itemId).execute();
      if (topics.length === 0) return;
      await trx
        .insertInto('item_topics')
        .values(topics.map((t) => ({ item_id: itemId, topic_id: t.topicId, score: t.score, reasons: JSON.stringify(t.reasons) })))
        .execute();
    });
  }

  /** The relevance score stored with the item (null when none). */
  async itemRelevance(itemId: number): Promise<number | null> {
    const r = await this.db.selectFrom('items').select('relevance').where('id', '=', itemId).executeTakeFirst();
    return r?.relevance === null || r?.relevance === undefined ? null : Number(r.relevance);
  }

  async itemTopics(itemId: number): Promise<ItemTopicRow[]> {
    const rows = await this.db.selectFrom('item_topics').selectAll().where('item_id', '=', itemId).orderBy('score', 'desc').orderBy('topic_id').execute();
    return rows.map((r) => ({ topicId: r.topic_id, score: Number(r.score), reasons: JSON.parse(r.reasons) as string[] }));
  }

  async saveDigest(itemId: number, d: { digest: string; fromExcerpt: boolean; articleText?: string | null }): Promise<void> {
    await this.db
      .updateTable('items')
      .set({ digest: d.digest, digest_from_excerpt: d.fromExcerpt ? 1 : 0, ...(d.articleText !== undefined ? { article_text: d.articleText } : {}) })
      .where('id', '=', itemId)
      .execute();
  }

  /**
   * Marks the item processed, unless it changed since it was read (its content hash moved on): then it
   * stays unprocessed and the next batch handles the new version. True when marked.
   */
  async markProcessed(itemId: number, contentHash: string): Promise<boolean> {
    const r = await this.db.updateTable('items').set({ processed: 1 }).where('id', '=', itemId).where('content_hash', '=', contentHash).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
