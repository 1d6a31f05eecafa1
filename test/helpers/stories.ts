// Writes matched, summarised stories straight into a test database, for tests of what reads them
// (`/news latest`, status). Opens its own connection to the same database URL.
import { openDatabase, parseDatabaseUrl, type DatabaseHandle } from '../../src/storage/db.ts';

export interface StorySeed {
  feedUrl: string;
  feedTitle?: string | null;
  title: string;
  url?: string | null;
  summary?: string;
  digest?: string | null;
  digestFromExcerpt?: boolean;
  publishedAt?: Date | null;
  fetchedAt?: Date;
  topics: { id: string; score: number }[];
  /** Items given the same cluster key share one cluster. */
  cluster?: string;
  /** The feed belongs to this workspace or server only (default: a global feed). Applies when the feed is new. */
  owner?: { platform: 'slack' | 'discord'; workspaceId: string };
}

export interface StorySeeder {
  add(seed: StorySeed): Promise<number>;
  close(): Promise<void>;
}

export function storySeeder(databaseUrl: string): StorySeeder {
  const handle: DatabaseHandle = openDatabase(parseDatabaseUrl(databaseUrl));
  const clusters = new Map<string, number>();
  let n = 0;
  return {
    async add(seed) {
      n += 1;
      // Fetched when published unless the seed says otherwise (a feed read as it posts).
      const now = (seed.fetchedAt ?? seed.publishedAt ?? new Date('2026-03-01T00:00:00Z')).getTime();
      let feed = await handle.db.selectFrom('feeds').select('id').where('url', '=', seed.feedUrl).executeTakeFirst();
      if (!feed) {
        feed = await handle.db
          .insertInto('feeds')
          .values({ url: seed.feedUrl, title: seed.feedTitle ?? null, enabled: 1, next_check_at: now, error_count: 0, primed: 1, source: 'cli', is_global: seed.owner ? 0 : 1, created_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (seed.owner) {
          await handle.db.insertInto('feed_tenants').values({ feed_id: Number(feed.id), platform: seed.owner.platform, workspace_id: seed.owner.workspaceId, created_by: null, created_at: now }).execute();
        }
      }
      const item = await handle.db
        .insertInto('items')
        .values({
          feed_id: Number(feed.id),
          key: `seed-${n}-${seed.title}`,
          guid: null,
          url: seed.url ?? null,
          title: seed.title,
          summary: seed.summary ?? '',
          content: '',
          html: null,
          author: null,
          published_at: seed.publishedAt ? seed.publishedAt.getTime() : null,
          fetched_at: now,
          content_hash: `h${n}`,
          cluster_id: null,
          article_text: null,
          digest: seed.digest ?? null,
          digest_from_excerpt: seed.digestFromExcerpt ? 1 : 0,
          processed: 1,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const itemId = Number(item.id);
      if (seed.cluster) {
        let clusterId = clusters.get(seed.cluster);
        if (clusterId === undefined) {
          const c = await handle.db
            .insertInto('clusters')
            .values({ signature: '00', title: seed.title, first_item_id: itemId, created_at: now, last_item_at: now })
            .returning('id')
            .executeTakeFirstOrThrow();
          clusterId = Number(c.id);
          clusters.set(seed.cluster, clusterId);
        }
        await handle.db.updateTable('items').set({ cluster_id: clusterId }).where('id', '=', itemId).execute();
      }
      for (const t of seed.topics) {
        await handle.db.insertInto('item_topics').values({ item_id: itemId, topic_id: t.id, score: t.score, reasons: '[]' }).execute();
      }
      return itemId;
    },
    close: () => handle.close(),
  };
}
