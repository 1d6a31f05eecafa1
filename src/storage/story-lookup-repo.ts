// Finds one stored story by its link or by an alert id, with the text it was matched on, for
// `/news why`. Links are stored in canonical form (feeds/normalise.ts); callers pass the canonical form.
import type { Kysely } from 'kysely';
import type { Tenant } from '../domain/tenancy.ts';
import { feedVisibleTo } from './feed-visibility.ts';
import type { Database } from './schema.ts';
import { sourceName } from './alerts-repo.ts';
import { shownDate } from './rows.ts';

export interface StoredStory {
  itemId: number;
  clusterId: number | null;
  title: string;
  url: string | null;
  source: string;
  publishedAt: Date | null;
  /** The feed's description. */
  summary: string;
  /** The feed's full content, else the fetched article text ('' when neither is stored). */
  content: string;
  digest: string | null;
  digestFromExcerpt: boolean;
}

export interface AlertStory extends StoredStory {
  alertId: number;
  /** The channel row the alert belongs to. */
  channelId: number;
}

const URL_MAX = 4096;

export class StoryLookupRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private items() {
    return this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .select(['i.id', 'i.cluster_id', 'i.title', 'i.url', 'i.published_at', 'i.fetched_at', 'i.summary', 'i.content', 'i.article_text', 'i.digest', 'i.digest_from_excerpt', 'f.title as feed_title', 'f.url as feed_url']);
  }

  /**
   * The newest stored item with this (canonical) link, or null. With a tenant, only items of feeds that
   * tenant may see (global feeds and its own): another tenant's story answers like an unknown link.
   */
  async byUrl(url: string, tenant?: Tenant): Promise<StoredStory | null> {
    if (url.length === 0 || url.length > URL_MAX) return null;
    let q = this.items().where('i.url', '=', url);
    if (tenant) q = q.where(feedVisibleTo('f', tenant));
    const r = await q.orderBy('i.id', 'desc').limit(1).executeTakeFirst();
    return r ? storyOf(r) : null;
  }

  /** The item an alert delivered, with the alert's channel, or null when there is no such alert. */
  async byAlert(alertId: number): Promise<AlertStory | null> {
    if (!Number.isSafeInteger(alertId) || alertId < 1) return null;
    const a = await this.db.selectFrom('alerts').select(['id', 'channel_id', 'item_id']).where('id', '=', alertId).executeTakeFirst();
    if (!a) return null;
    const r = await this.items().where('i.id', '=', Number(a.item_id)).executeTakeFirst();
    return r ? { ...storyOf(r), alertId: Number(a.id), channelId: Number(a.channel_id) } : null;
  }
}

type Row = {
  id: number;
  cluster_id: number | null;
  title: string;
  url: string | null;
  published_at: number | null;
  fetched_at: number;
  summary: string;
  content: string;
  article_text: string | null;
  digest: string | null;
  digest_from_excerpt: number;
  feed_title: string | null;
  feed_url: string;
};

function storyOf(r: Row): StoredStory {
  return {
    itemId: Number(r.id),
    clusterId: r.cluster_id === null ? null : Number(r.cluster_id),
    title: r.title,
    url: r.url,
    source: sourceName(r.feed_title, r.feed_url),
    publishedAt: shownDate(r.published_at, r.fetched_at),
    summary: r.summary,
    content: r.content || r.article_text || '',
    digest: r.digest,
    digestFromExcerpt: !!r.digest_from_excerpt,
  };
}
