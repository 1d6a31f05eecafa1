// Hand-written stories and helpers to put them in a test database through the real repositories.
import { createHash } from 'node:crypto';
import type { Tenant } from '../../src/domain/tenancy.ts';
import type { NewItem, PlatformName } from '../../src/domain/types.ts';
import type { Storage } from '../../src/storage/index.ts';

export interface ItemSeed {
  key: string;
  title: string;
  summary?: string;
  content?: string;
  url?: string | null;
  publishedAt?: Date | null;
}

export function newItem(feedId: number, s: ItemSeed): NewItem {
  const summary = s.summary ?? '';
  const content = s.content ?? '';
  return {
    feedId,
    key: s.key,
    guid: s.key,
    url: s.url === undefined ? `https://news.example/${s.key}` : s.url,
    title: s.title,
    summary,
    content,
    html: null,
    author: null,
    publishedAt: s.publishedAt ?? null,
    contentHash: createHash('sha256').update(`${s.title}\n${summary}\n${content}`).digest('hex'),
  };
}

/**
 * Adds a feed and stores its items as new (processed = 0); returns the feed id and item ids in the order stored
 * (oldest first by date when every item has one, else as given: domain/story-order.ts).
 * `processed`: stored as already through the pipeline (storage's backlog rule: no alert keys), in the one
 * INSERT, so a pipeline running meanwhile never sees them as work.
 */
export async function seedFeed(
  storage: Storage,
  feed: { url: string; title: string },
  items: ItemSeed[],
  fetchedAt: Date,
  opts: { processed?: boolean; nextCheckAt?: Date } = {},
): Promise<{ feedId: number; itemIds: number[] }> {
  const { feed: f } = await storage.feeds.add({ url: feed.url, title: feed.title, source: 'cli', ...(opts.nextCheckAt ? { nextCheckAt: opts.nextCheckAt } : {}) }, fetchedAt);
  const r = await storage.items.storeForFeed(f.id, items.map((i) => newItem(f.id, i)), { fetchedAt, ...(opts.processed ? { alertKeys: new Set<string>() } : {}) });
  return { feedId: f.id, itemIds: r.inserted };
}

/** Adds a feed that belongs to one workspace or server (its `/news feeds add`), with its items as new. */
export async function seedTenantFeed(storage: Storage, tenant: Tenant, feed: { url: string; title: string }, items: ItemSeed[], fetchedAt: Date): Promise<{ feedId: number; itemIds: number[] }> {
  const { feed: f } = await storage.feeds.addForTenant({ url: feed.url, source: 'user' }, tenant, 'U1', fetchedAt);
  await storage.feeds.recordSuccess(f.id, { at: fetchedAt, nextCheckAt: fetchedAt, etag: null, lastModified: null, title: feed.title });
  const r = await storage.items.storeForFeed(f.id, items.map((i) => newItem(f.id, i)), { fetchedAt });
  return { feedId: f.id, itemIds: r.inserted };
}

export async function seedChannel(storage: Storage, platform: PlatformName, externalId: string, topics: string[], keywords: { term: string; exclude: boolean }[] = [], workspaceId = 'W1'): Promise<number> {
  const ch = await storage.channels.upsert({ platform, externalId, workspaceId, name: externalId });
  if (topics.length) await storage.channels.subscribe(ch.id, topics, 'U1');
  for (const k of keywords) await storage.channels.addKeyword(ch.id, k.term, k.exclude, 'U1');
  return ch.id;
}

/** A cluster per item, and an outbox row per (channel, item): the shape the pipeline leaves behind. */
export async function seedAlerts(storage: Storage, channelId: number, itemIds: number[], at: Date): Promise<number[]> {
  const ids: number[] = [];
  for (const itemId of itemIds) {
    const c = await storage.clusters.create({ signature: '0'.repeat(1024), title: `story ${itemId}`, firstItemId: itemId, at, createdAt: at });
    await storage.clusters.assignCluster(itemId, c.id);
    await storage.alerts.enqueue({ channelId, clusterId: c.id, itemId, at });
    const rows = await storage.alerts.forCluster(c.id);
    ids.push(rows[0]!.id);
  }
  return ids;
}
