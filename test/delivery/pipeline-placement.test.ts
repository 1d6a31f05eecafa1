// The pipeline's placement through real storage, on both databases, against the path before the cluster
// index: real news items (a dense stretch of the security-news items of ../shared/data/news_items.jsonl,
// one feed per source, one source a workspace's own feed, one feed's stories told twice so its own
// clusters rank first and identical fingerprints tie) go through createPipeline one at a time; before
// each, the reference reads every cluster of the item's window straight from the database with the feed's
// memberships, applies the tenancy filter and linearFindCluster (findCluster as it was). The item must
// land where the reference says (or start a cluster when it says none).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline } from '../../src/delivery/pipeline.ts';
import { storyTime } from '../../src/domain/story-order.ts';
import { DEFAULT_CLUSTER_OPTIONS, storySignature } from '../../src/delivery/cluster.ts';
import { mayJoinCluster, NO_AUDIENCE } from '../../src/domain/tenancy.ts';
import { fixedClock, systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { linearFindCluster } from '../../bench/helpers/linear-placement.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedFeed, seedTenantFeed, type ItemSeed } from './fixtures.ts';

notePostgresSkip();

const DATA = path.resolve(process.cwd(), '..', 'shared', 'data', 'news_items.jsonl');
const haveData = existsSync(DATA);
if (!haveData) console.log(`pipeline placement against the linear path skipped: ${DATA} is absent`);
const W = DEFAULT_CLUSTER_OPTIONS.windowMs;
const ITEMS = 500;

describe.skipIf(!haveData).each(testDatabases)('pipeline placement against the linear path on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  // With the clock at the stretch, placement reads the kept window; with the clock months later (as when the bot
  // catches up on old items), each item's window lies before the last week and is read with its own bounds.
  it.each([
    { path: 'the kept window', clockAtStretch: true },
    { path: 'windows read with their own bounds', clockAtStretch: false },
  ])('places each real item where the linear path does ($path)', async ({ clockAtStretch }) => {
    interface Row { id: string; source: string; title: string | null; description: string | null; date: string | null }
    const rows = readFileSync(DATA, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row)
      .filter((r) => r.id.startsWith('cybernews-') && !Number.isNaN(Date.parse(r.date ?? '')))
      .sort((a, b) => Date.parse(a.date!) - Date.parse(b.date!));
    // The densest stretch: the ITEMS items ending where the most fall within one window.
    let best = 0;
    let end = ITEMS;
    for (let i = ITEMS; i <= rows.length; i++) {
      const span = Date.parse(rows[i - 1]!.date!) - Date.parse(rows[i - ITEMS]!.date!);
      if (i === ITEMS || span < best) [best, end] = [span, i];
    }
    const stretch = rows.slice(end - ITEMS, end);
    const bySource = new Map<string, ItemSeed[]>();
    for (const [n, r] of stretch.entries()) {
      const seed = { key: `k${n}`, title: r.title ?? '', summary: r.description ?? '', publishedAt: new Date(r.date!) };
      bySource.set(r.source, [...(bySource.get(r.source) ?? []), seed]);
    }
    const fetchedAt = new Date(Date.parse(stretch[stretch.length - 1]!.date!) + 3600_000);
    const sources = [...bySource.keys()].sort();
    for (const [i, source] of sources.entries()) {
      const items = bySource.get(source)!;
      // The first source re-tells each of its stories an hour later, so its own clusters rank for its items.
      const seeds = i === 0 ? items.flatMap((s) => [s, { ...s, key: `${s.key}-again`, publishedAt: new Date(s.publishedAt!.getTime() + 3600_000) }]) : items;
      const feed = { url: `https://feeds.example/${i}`, title: source };
      if (i === 1) await seedTenantFeed(storage, { platform: 'slack', workspaceId: 'T1' }, feed, seeds, fetchedAt);
      else await seedFeed(storage, feed, seeds, fetchedAt);
    }
    const pipeline = createPipeline(
      {
        store: storage.clusters,
        outbox: storage.alerts,
        channelRules: async () => [],
        feedAudiences: () => storage.feeds.audiences(),
        match: () => ({ topics: [], relevance: null }),
        summarize: async (input) => ({ summary: input.title, fromExcerpt: true }),
        clock: clockAtStretch ? fixedClock(fetchedAt) : systemClock,
        logger: silentLogger(),
      },
      { batchSize: 1, clusterWindowMs: W, editOnChange: false, idleMs: 50 },
    );
    const audiences = await storage.feeds.audiences();
    let placed = 0;
    let joined = 0;
    let ownRanked = 0;
    const mismatches: string[] = [];
    for (;;) {
      const [item] = await storage.clusters.unprocessedItems(1);
      if (!item) break;
      // The reference, from the database as it stands before the item.
      const at = storyTime(item);
      const t = at.getTime();
      const inWindow = (await storage.clusters.clustersSince(new Date(t - W))).filter((r) => r.lastItemAt <= t + W);
      const withSignatures = await storage.clusters.clusterRows(inWindow.map((r) => r.id));
      const own = await storage.clusters.feedClusters(item.feedId, inWindow.map((r) => r.id));
      const audience = audiences.get(item.feedId) ?? NO_AUDIENCE;
      const candidates = withSignatures
        .filter((r) => r.firstFeedId !== null && mayJoinCluster(audience, audiences.get(r.firstFeedId) ?? NO_AUDIENCE))
        .map((r) => ({ id: r.id, signature: r.signature, lastItemAt: new Date(r.lastItemAt), feedIds: own.has(r.id) ? [item.feedId] : [] }));
      const signature = storySignature({ title: item.title, summary: item.summary || item.content });
      const want = linearFindCluster({ signature, feedId: item.feedId, at }, candidates, { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: W })?.clusterId ?? null;
      if (want !== null && own.size) {
        const withoutOwn = linearFindCluster({ signature, feedId: -1, at }, candidates, { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: W })?.clusterId;
        if (withoutOwn !== want) ownRanked++;
      }
      await pipeline.runOnce(1);
      const got = (await storage.items.get(item.id))!.clusterId!;
      const started = (await storage.clusters.get(got))!.firstItemId === item.id;
      const ok = want === null ? started : got === want && !started;
      if (!ok && mismatches.length < 5) mismatches.push(`item ${item.id} (${item.title}): linear ${want ?? 'new'}, pipeline ${started ? 'new' : got}`);
      placed++;
      if (want !== null) joined++;
    }
    console.log(`pipeline vs linear path on ${database.name}, ${clockAtStretch ? 'the kept window' : 'windows of their own'}: ${placed} items from ${sources.length} feeds, ${joined} joined a cluster (${ownRanked} past a cluster of their own feed)`);
    expect(mismatches).toEqual([]);
    expect(placed).toBeGreaterThan(ITEMS);
    expect(joined).toBeGreaterThan(30);
    expect(ownRanked).toBeGreaterThan(0);
  }, 300_000);
});
