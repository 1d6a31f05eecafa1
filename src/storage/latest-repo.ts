// The `latest` query: the newest stories that matched some topics, one per story cluster, with their
// digest, matched topics and the other sources that covered the same story ("also covered by"), all
// from feeds the asking tenant may see.
import type { Kysely } from 'kysely';
import type { Tenant } from '../domain/tenancy.ts';
import { feedVisibleTo } from './feed-visibility.ts';
import type { Database } from './schema.ts';
import { shownDate, storyTimeSql, toDate } from './rows.ts';

export interface LatestQuery {
  /** Items that matched any of these topics. Empty: nothing. */
  topicIds: readonly string[];
  /** At most this many stories (clusters). */
  limit: number;
  /** Ignore items fetched before this time. */
  since?: Date;
  /** Only items (and coverage) from feeds this tenant may see: global ones and its own. */
  visibleTo: Tenant;
}

export interface CoverageRef {
  source: string;
  title: string;
  url: string | null;
}

export interface LatestStory {
  itemId: number;
  clusterId: number | null;
  title: string;
  url: string | null;
  /** The feed's title, or its host when it has none. */
  source: string;
  publishedAt: Date | null;
  fetchedAt: Date;
  /** The stored digest, or null when the item was not summarised yet. */
  digest: string | null;
  digestFromExcerpt: boolean;
  /** The feed's own summary text, for items without a digest. */
  feedSummary: string;
  /** Every topic the item matched, best score first. */
  topicIds: string[];
  alsoCoveredBy: CoverageRef[];
}

const ALSO_COVERED_MAX = 5;

export function feedSource(title: string | null, url: string): string {
  if (title && title.trim()) return title.trim();
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export class LatestRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async find(q: LatestQuery): Promise<LatestStory[]> {
    if (q.topicIds.length === 0 || q.limit <= 0) return [];
    let query = this.db
      .selectFrom('items')
      .innerJoin('feeds', 'feeds.id', 'items.feed_id')
      .select([
        'items.id as id',
        'items.cluster_id as cluster_id',
        'items.title as title',
        'items.url as url',
        'items.published_at as published_at',
        'items.fetched_at as fetched_at',
        'items.digest as digest',
        'items.digest_from_excerpt as digest_from_excerpt',
        'items.summary as summary',
        'feeds.title as feed_title',
        'feeds.url as feed_url',
      ])
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('item_topics')
            .select('item_topics.item_id')
            .whereRef('item_topics.item_id', '=', 'items.id')
            .where('item_topics.topic_id', 'in', [...q.topicIds]),
        ),
      )
      .where(feedVisibleTo('feeds', q.visibleTo));
    if (q.since) query = query.where('items.fetched_at', '>=', q.since.getTime());
    // Newest first by story time (the publication time; the fetch time when the feed gave none or a later one);
    // a few extra rows so that dropping same-story duplicates still fills the limit.
    const rows = await query
      .orderBy(storyTimeSql('items'), 'desc')
      .orderBy('items.id', 'desc')
      .limit(q.limit * 5)
      .execute();

    const picked: typeof rows = [];
    const clusters = new Set<number>();
    for (const r of rows) {
      if (picked.length >= q.limit) break;
      const cluster = r.cluster_id === null ? null : Number(r.cluster_id);
      if (cluster !== null) {
        if (clusters.has(cluster)) continue;
        clusters.add(cluster);
      }
      picked.push(r);
    }
    if (picked.length === 0) return [];

    const ids = picked.map((r) => Number(r.id));
    const topicRows = await this.db
      .selectFrom('item_topics')
      .select(['item_id', 'topic_id', 'score'])
      .where('item_id', 'in', ids)
      .orderBy('score', 'desc')
      .orderBy('topic_id')
      .execute();
    const topicsOf = new Map<number, string[]>();
    for (const t of topicRows) {
      const list = topicsOf.get(Number(t.item_id)) ?? [];
      list.push(t.topic_id);
      topicsOf.set(Number(t.item_id), list);
    }

    const clusterIds = [...clusters];
    const coverage = new Map<number, { itemId: number; ref: CoverageRef }[]>();
    if (clusterIds.length > 0) {
      const others = await this.db
        .selectFrom('items')
        .innerJoin('feeds', 'feeds.id', 'items.feed_id')
        .select(['items.id as id', 'items.cluster_id as cluster_id', 'items.title as title', 'items.url as url', 'feeds.title as feed_title', 'feeds.url as feed_url'])
        .where('items.cluster_id', 'in', clusterIds)
        .where(feedVisibleTo('feeds', q.visibleTo))
        .orderBy('items.id')
        .execute();
      for (const o of others) {
        const c = Number(o.cluster_id);
        const list = coverage.get(c) ?? [];
        list.push({ itemId: Number(o.id), ref: { source: feedSource(o.feed_title, o.feed_url), title: o.title, url: o.url } });
        coverage.set(c, list);
      }
    }

    return picked.map((r) => {
      const id = Number(r.id);
      const clusterId = r.cluster_id === null ? null : Number(r.cluster_id);
      const source = feedSource(r.feed_title, r.feed_url);
      const also = clusterId === null ? [] : (coverage.get(clusterId) ?? []).filter((o) => o.itemId !== id && o.ref.source !== source);
      const seen = new Set<string>();
      return {
        itemId: id,
        clusterId,
        title: r.title,
        url: r.url,
        source,
        publishedAt: shownDate(r.published_at, r.fetched_at),
        fetchedAt: toDate(r.fetched_at)!,
        digest: r.digest,
        digestFromExcerpt: !!r.digest_from_excerpt,
        feedSummary: r.summary,
        topicIds: topicsOf.get(id) ?? [],
        alsoCoveredBy: also
          .filter((o) => (seen.has(o.ref.source) ? false : (seen.add(o.ref.source), true)))
          .slice(0, ALSO_COVERED_MAX)
          .map((o) => o.ref),
      };
    });
  }
}
