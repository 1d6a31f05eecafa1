// Story clusters and the processing state of items: which cluster an item joined, which topics it
// matched (item_topics), its digest, and whether the pipeline has finished with it. Every write is
// idempotent so a pipeline that crashes half-way simply runs again.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Cluster, ClusterEntryRow, ClusterWindowRow } from '../domain/types.ts';
import type { Dialect } from './db.ts';
import type { ClustersTable, Database, ItemsTable } from './schema.ts';
import { storyTimeSql, toDate } from './rows.ts';

/** Unprocessed items, in the order stored, among which each pipeline batch takes the ones that happened first. */
export const UNPROCESSED_WINDOW = 5_000;

/** Cluster ids per query when reading fingerprints or memberships (well under SQLite's 32,766 parameters). */
const ID_BATCH = 500;

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

/** Clusters with their newest item's time and their first item's feed. */
const windowQuery = (db: Kysely<Database>) =>
  db.selectFrom('clusters as c').leftJoin('items as first', 'first.id', 'c.first_item_id').select(['c.id', 'c.last_item_at', 'first.feed_id as first_feed_id']);

function clusterRow(r: { id: number | bigint | string; last_item_at: number | bigint | string; first_feed_id: number | bigint | string | null }): ClusterWindowRow {
  return { id: Number(r.id), lastItemAt: Number(r.last_item_at), firstFeedId: r.first_feed_id === null ? null : Number(r.first_feed_id) };
}

/**
 * Clusters as placement first reads them: with their fingerprints, their first items' times, and whether the
 * relevance scorer let the first item in (it has topics: one index probe of item_topics' key).
 */
const entryQuery = (db: Kysely<Database>) =>
  windowQuery(db).select((eb) => [
    'c.signature',
    // Null once the first item is gone (the left join finds no row).
    storyTimeSql('first').as('first_at'),
    eb.exists(eb.selectFrom('item_topics as t').select('t.item_id').whereRef('t.item_id', '=', 'c.first_item_id')).as('first_in_scope'),
  ]);

function entryRow(r: {
  id: number | bigint | string;
  last_item_at: number | bigint | string;
  first_feed_id: number | bigint | string | null;
  signature: string;
  first_at: number | bigint | string | null;
  first_in_scope: unknown;
}): ClusterEntryRow {
  // SQLite answers 0 or 1, PostgreSQL a boolean.
  const firstInScope = r.first_in_scope === true || Number(r.first_in_scope) === 1;
  return { ...clusterRow(r), signature: r.signature, firstAt: r.first_at === null ? null : Number(r.first_at), firstInScope };
}

export class ClustersRepo {
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
   * Clusters whose newest item is at or after `from` (and at or before `until`, when given): ids, times and first
   * feeds, from an index holding every column read (migration 013), never the clusters' rows with their
   * fingerprints. The pipeline reads its window whole this way about once a minute (delivery/cluster-window.ts).
   */
  async clustersSince(from: Date, until?: Date): Promise<ClusterWindowRow[]> {
    let q = windowQuery(this.db).where('c.last_item_at', '>=', from.getTime());
    if (until) q = q.where('c.last_item_at', '<=', until.getTime());
    return (await q.execute()).map(clusterRow);
  }

  /**
   * Clusters made since cluster `id` (ids only grow), with their fingerprints and first items' time and scope:
   * read before each item is placed.
   */
  async clustersAfter(id: number): Promise<ClusterEntryRow[]> {
    return (await entryQuery(this.db).where('c.id', '>', id).orderBy('c.id').execute()).map(entryRow);
  }

  /** These clusters, as `clustersAfter` gives them, a few hundred ids a query (ids not found are left out). */
  async clusterRows(ids: readonly number[]): Promise<ClusterEntryRow[]> {
    const out: ClusterEntryRow[] = [];
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      for (const r of await entryQuery(this.db).where('c.id', 'in', ids.slice(i, i + ID_BATCH)).execute()) out.push(entryRow(r));
    }
    return out;
  }

  /**
   * Which of these clusters already hold an item of feed `feedId` (a feed never joins its own story twice).
   * Asked only about the clusters an item could join, so it reads a handful of rows.
   */
  async feedClusters(feedId: number, clusterIds: readonly number[]): Promise<Set<number>> {
    const out = new Set<number>();
    for (let i = 0; i < clusterIds.length; i += ID_BATCH) {
      const rows = await this.db
        .selectFrom('items')
        .select('cluster_id')
        .distinct()
        .where('feed_id', '=', feedId)
        .where('cluster_id', 'in', clusterIds.slice(i, i + ID_BATCH))
        .execute();
      for (const r of rows) if (r.cluster_id !== null) out.add(Number(r.cluster_id));
    }
    return out;
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
  }

  /** Items of a cluster, oldest first. */
  async itemIds(clusterId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('items').select('id').where('cluster_id', '=', clusterId).orderBy('id').execute();
    return rows.map((r) => Number(r.id));
  }

  /**
   * Up to `limit` items waiting for the pipeline (processed = 0): the ones that happened first (storyTime: the
   * publication date, unless missing or later than the fetch; then by id) among the first UNPROCESSED_WINDOW
   * stored, so a catch-up from several feeds reaches channels in the order of events, while a large backlog costs
   * each batch a bounded read of the (processed, id) index.
   */
  async unprocessedItems(limit: number): Promise<PipelineItem[]> {
    const happened = storyTimeSql('i');
    const waiting = this.db
      .selectFrom('items as i')
      .select(['i.id', happened.as('t')])
      .where('i.processed', '=', 0)
      .orderBy('i.id')
      .limit(UNPROCESSED_WINDOW);
    const first = this.db.selectFrom(waiting.as('w')).select('w.id').orderBy('w.t').orderBy('w.id').limit(limit);
    const rows = await this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .selectAll('i')
      .select('f.title as feed_title')
      .where('i.id', 'in', first)
      .orderBy(happened)
      .orderBy('i.id')
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
    const write = async (trx: Kysely<Database>): Promise<void> => {
      if (relevance !== undefined) await trx.updateTable('items').set({ relevance: relevance !== null && Number.isFinite(relevance) ? relevance : null }).where('id', '=', itemId).execute();
      await trx.deleteFrom('item_topics').where('item_id', '=', itemId).execute();
      if (topics.length === 0) return;
      await trx
        .insertInto('item_topics')
        .values(topics.map((t) => ({ item_id: itemId, topic_id: t.topicId, score: t.score, reasons: JSON.stringify(t.reasons) })))
        .execute();
    };
    // Inside the pipeline's transaction for an item (Storage.pipelineWrites) its writes join that one.
    await (this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write));
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
