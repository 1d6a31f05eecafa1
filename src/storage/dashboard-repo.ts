// Read-only queries for the dashboard's pages, each bounded and each limited to what the signed-in person
// may see: `channels` (row ids; null: every channel, for the operator) and `tenants` (feeds visible to any
// of them: global ones and their own; null: every feed).
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Tenant } from '../domain/tenancy.ts';
import type { AlertStatus } from '../domain/types.ts';
import { listAlertRows, sourceName, type AlertListRow } from './alerts-repo.ts';
import { feedVisibleTo } from './feed-visibility.ts';
import type { Database } from './schema.ts';
import { shownDate, storyTimeSql, toDate } from './rows.ts';

const DAY_MS = 86_400_000;
/** Characters of a story's content a topic preview reads (stories are rarely longer; the lead decides most). */
export const PREVIEW_CONTENT_CHARS = 20_000;

export interface MatchedStory {
  itemId: number;
  clusterId: number | null;
  title: string;
  url: string | null;
  source: string;
  publishedAt: Date | null;
  fetchedAt: Date;
  /** Our summary, else the feed's own text. */
  summary: string;
  topics: { topicId: string; score: number; reasons: string[] }[];
}

export interface PreviewItem {
  itemId: number;
  title: string;
  url: string | null;
  source: string;
  fetchedAt: Date;
  description: string;
  content: string;
}

/** `feeds` is the alias of a feeds row: visible to one of the tenants (null: all feeds). */
function visibleToAny(feeds: string, tenants: readonly Tenant[] | null): Expression<SqlBool> {
  if (tenants === null) return sql<SqlBool>`1 = 1`;
  if (tenants.length === 0) return feedVisibleTo(feeds, null);
  return sql<SqlBool>`(${sql.join(tenants.map((t) => feedVisibleTo(feeds, t)), sql` or `)})`;
}

export class DashboardRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Alerts sent per UTC day from `since` on, for these channels (null: all). Days without alerts are absent. */
  async sentPerDay(channels: readonly number[] | null, since: Date): Promise<Map<number, number>> {
    if (channels && channels.length === 0) return new Map();
    let q = this.db
      .selectFrom('alerts')
      // A literal (not a parameter), so PostgreSQL sees the same expression in select and group by.
      .select([sql<number>`sent_at / ${sql.lit(DAY_MS)}`.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'sent')
      .where('sent_at', '>=', since.getTime())
      .groupBy(sql`sent_at / ${sql.lit(DAY_MS)}`);
    if (channels) q = q.where('channel_id', 'in', [...channels]);
    const rows = await q.execute();
    return new Map(rows.map((r) => [Math.floor(Number(r.day)), Number(r.n)]));
  }

  async alertCounts(channels: readonly number[] | null): Promise<Record<AlertStatus, number>> {
    const out: Record<AlertStatus, number> = { pending: 0, held: 0, sending: 0, sent: 0, dead: 0 };
    if (channels && channels.length === 0) return out;
    let q = this.db.selectFrom('alerts').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status');
    if (channels) q = q.where('channel_id', 'in', [...channels]);
    for (const r of await q.execute()) if (r.status in out) out[r.status as AlertStatus] = Number(r.n);
    return out;
  }

  /** Alerts of these channels (null: all), newest first; `status` narrows, `channel` picks one of them. */
  async alerts(opts: { channels: readonly number[] | null; channel?: number; status?: AlertStatus; limit: number }): Promise<AlertListRow[]> {
    if (opts.channels && opts.channels.length === 0) return [];
    return listAlertRows(this.db, {
      limit: opts.limit,
      ...(opts.channels ? { channelIds: opts.channels } : {}),
      ...(opts.channel !== undefined ? { channelId: opts.channel } : {}),
      ...(opts.status ? { status: opts.status } : {}),
    });
  }

  /**
   * The newest stories that matched a topic (by story time, so a catch-up of several feeds interleaves by when
   * things happened, not by which feed was read last), one per story cluster, from feeds the tenants see (null: all).
   */
  async latestMatched(tenants: readonly Tenant[] | null, limit: number): Promise<MatchedStory[]> {
    const rows = await this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .select(['i.id', 'i.cluster_id', 'i.title', 'i.url', 'i.published_at', 'i.fetched_at', 'i.digest', 'i.summary', 'f.title as feed_title', 'f.url as feed_url'])
      .where((eb) => eb.exists(eb.selectFrom('item_topics as t').select('t.item_id').whereRef('t.item_id', '=', 'i.id')))
      .where(visibleToAny('f', tenants))
      .orderBy(storyTimeSql('i'), 'desc')
      .orderBy('i.id', 'desc')
      .limit(limit * 4)
      .execute();
    const seen = new Set<number>();
    const picked = rows.filter((r) => {
      if (r.cluster_id === null) return true;
      const c = Number(r.cluster_id);
      if (seen.has(c)) return false;
      seen.add(c);
      return true;
    }).slice(0, limit);
    if (picked.length === 0) return [];
    const topicRows = await this.db
      .selectFrom('item_topics')
      .select(['item_id', 'topic_id', 'score', 'reasons'])
      .where('item_id', 'in', picked.map((r) => Number(r.id)))
      .orderBy('score', 'desc')
      .orderBy('topic_id')
      .execute();
    return picked.map((r) => ({
      itemId: Number(r.id),
      clusterId: r.cluster_id === null ? null : Number(r.cluster_id),
      title: r.title,
      url: r.url,
      source: sourceName(r.feed_title, r.feed_url),
      publishedAt: shownDate(r.published_at, r.fetched_at),
      fetchedAt: toDate(r.fetched_at)!,
      summary: r.digest ?? r.summary,
      topics: topicRows.filter((t) => Number(t.item_id) === Number(r.id)).map((t) => ({ topicId: t.topic_id, score: Number(t.score), reasons: parseReasons(t.reasons) })),
    }));
  }

  /** Workspaces and servers that added feeds of their own. */
  async feedTenants(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('feed_tenants').select(['platform', 'workspace_id']).distinct().orderBy('platform').orderBy('workspace_id').execute();
    return rows.map((r) => ({ platform: r.platform as Tenant['platform'], workspaceId: r.workspace_id }));
  }

  /** Stored items per feed, for the feeds table. */
  async itemCounts(feedIds: readonly number[]): Promise<Map<number, number>> {
    if (feedIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('items')
      .select(['feed_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('feed_id', 'in', [...feedIds])
      .groupBy('feed_id')
      .execute();
    return new Map(rows.map((r) => [Number(r.feed_id), Number(r.n)]));
  }

  /** Stored stories fetched since `since`, newest first, from feeds the tenants see (null: all): what a topic preview scores. */
  async previewItems(tenants: readonly Tenant[] | null, since: Date, limit: number): Promise<PreviewItem[]> {
    const rows = await this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .select(['i.id', 'i.title', 'i.url', 'i.fetched_at', 'i.summary', 'f.title as feed_title', 'f.url as feed_url'])
      // The content as the pipeline matches it (the feed's, else the article's), cut to a bound so a
      // preview of thousands of stories stays small in memory.
      .select(sql<string>`substr(coalesce(nullif(i.content, ''), i.article_text, ''), 1, ${sql.lit(PREVIEW_CONTENT_CHARS)})`.as('content'))
      .where('i.fetched_at', '>=', since.getTime())
      .where(visibleToAny('f', tenants))
      .orderBy('i.fetched_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      itemId: Number(r.id),
      title: r.title,
      url: r.url,
      source: sourceName(r.feed_title, r.feed_url),
      fetchedAt: toDate(r.fetched_at)!,
      description: r.summary,
      content: r.content ?? '',
    }));
  }
}

function parseReasons(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
