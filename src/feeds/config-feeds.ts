// Feeds listed in the configuration are added to storage as global feeds (idempotent: an existing URL is
// left as it is, including a feed an operator disabled, except that a workspace's own feed with that URL
// becomes global, as the configuration says).
import type { Config } from '../config/schema.ts';
import type { FeedsRepo } from '../storage/feeds-repo.ts';
import { cleanFeedTitle } from './feed-title.ts';

export async function syncConfigFeeds(feeds: FeedsRepo, entries: Config['feeds'], now = new Date()): Promise<number> {
  return feeds.addGlobalMany(
    entries.map((e) => ({ url: e.url, title: cleanFeedTitle(e.title), intervalSeconds: e.interval_seconds ?? null, source: 'config' as const })),
    now,
  );
}
