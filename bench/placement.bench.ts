// Placing a new item in a story cluster, as the pipeline does for every new item, on a SQLite file holding
// N clusters in one window (N = 2,000, 10,000, 24,000 and 30,000: a bot of 10,000 feeds that each post a
// story a day keeps about 30,000 in a 72-hour window). Now: the pipeline's ClusterWindow brings its
// ClusterIndex up to date (the clusters made since the last item), the index ranks the clusters sharing a
// distinctive word with the item, and storage says which of the best its feed is already in. Beside it,
// in the same run on the same file, the baseline: the path before the index (bench/helpers/
// linear-placement.ts: storage lists every cluster of the window for each item, the tenancy filter runs
// over them, findCluster visits each). Probes alternate between the two and every decision is compared.
// Then the heap each keeps for the window, measured after a full collection. Last, an item dated years back
// arriving a month later: placed in an index of its own window, against the whole read from its time that
// placement made before (every cluster since, fingerprints and all). Stories are the real news items of
// ../shared/data/news_items.jsonl (skipped, saying so, when absent).
// Run: npm run bench -- placement
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import { decodeFingerprint, storySignature, DEFAULT_CLUSTER_OPTIONS } from '../src/delivery/cluster.ts';
import type { RankWork } from '../src/delivery/cluster-index.ts';
import { ClusterWindow } from '../src/delivery/cluster-window.ts';
import { mayJoinCluster, NO_AUDIENCE, type FeedAudience } from '../src/domain/tenancy.ts';
import { openDatabase, parseDatabaseUrl } from '../src/storage/db.ts';
import { openStorage } from '../src/storage/index.ts';
import { LinearClusterListing, linearFindCluster } from './helpers/linear-placement.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, '..', 'shared', 'data', 'news_items.jsonl');
if (!existsSync(DATA)) {
  console.log(`placement bench: skipped, ${DATA} is absent`);
  process.exit(0);
}
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Heap and array buffers in use after a full collection. */
const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

interface Row { title: string | null; description: string | null }
const rows = readFileSync(DATA, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const WINDOW = DEFAULT_CLUSTER_OPTIONS.windowMs;
const THRESHOLD = DEFAULT_CLUSTER_OPTIONS.threshold;
const PROBES = 30;
const fmt = (n: number) => n.toFixed(1);
const sizes = (process.env.PLACEMENT_SIZES ?? '2000,10000,24000,30000').split(',').map(Number);

const now = Date.parse('2026-03-01T00:00:00Z');
for (const n of sizes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyberbrief-placement-'));
  const file = path.join(dir, 'bench.db');
  try {
    let storage = await openStorage(file);
    const { feed } = await storage.feeds.add({ url: 'https://feeds.example/a', title: 'A', source: 'cli' }, new Date(now));
    const { feed: probeFeed } = await storage.feeds.add({ url: 'https://feeds.example/b', title: 'B', source: 'cli' }, new Date(now));
    await storage.close();
    // N clusters (each the first story of an item of feed A), their newest items spread over two days.
    const db = new Database(file);
    db.transaction(() => {
      const item = db.prepare("insert into items (feed_id, key, guid, url, title, summary, content, content_hash, fetched_at, processed) values (?, ?, ?, null, ?, '', '', 'x', ?, 1)");
      const cluster = db.prepare('insert into clusters (signature, title, first_item_id, created_at, last_item_at) values (?, ?, ?, ?, ?)');
      for (let i = 0; i < n; i++) {
        const r = rows[i % rows.length]!;
        const title = `${r.title ?? ''}${i >= rows.length ? ` (${i})` : ''}`;
        const id = Number(item.run(feed.id, `k${i}`, `k${i}`, title, now).lastInsertRowid);
        cluster.run(storySignature({ title, summary: r.description ?? '' }), title, id, now, now - (i % 2880) * 60_000);
      }
    })();
    db.close();
    storage = await openStorage(file);
    const handle = openDatabase(parseDatabaseUrl(file));
    const audiences = await storage.feeds.audiences();
    const audience: FeedAudience = audiences.get(probeFeed.id) ?? NO_AUDIENCE;
    const probes = Array.from({ length: PROBES }, (_, k) => rows[(k * 7919 + 13) % rows.length]!).map((r) => storySignature({ title: r.title ?? '', summary: r.description ?? '' }));
    const at = new Date(now);

    // The pipeline's placement (pipeline.ts: prepare, rank, the first cluster the feed is not in).
    let before = used();
    const window = new ClusterWindow(storage.clusters, { windowMs: WINDOW });
    window.setAudiences(audiences);
    const work: RankWork = { visited: 0, compared: 0 };
    const place = async (signature: string) => {
      await window.prepare(now);
      const ranked = window.index.rank({ fingerprint: decodeFingerprint(signature), at: now, audience }, { threshold: THRESHOLD, windowMs: WINDOW }, work);
      const own = ranked.length ? await storage.clusters.feedClusters(probeFeed.id, ranked.slice(0, 50).map((r) => r.clusterId)) : new Set<number>();
      return ranked.find((r) => !own.has(r.clusterId))?.clusterId ?? null;
    };
    await place(probes[0]!);
    const indexBytes = used() - before;

    // The path before the index.
    before = used();
    const listing = new LinearClusterListing(handle.db);
    const linear = async (signature: string) => {
      const candidates = (await listing.recent(probeFeed.id, new Date(now - WINDOW), new Date(now + WINDOW))).filter(
        (c) => c.firstFeedId !== null && mayJoinCluster(audience, audiences.get(c.firstFeedId) ?? NO_AUDIENCE),
      );
      return linearFindCluster({ signature, feedId: probeFeed.id, at }, candidates, { threshold: THRESHOLD, windowMs: WINDOW })?.clusterId ?? null;
    };
    await linear(probes[0]!);
    const linearBytes = used() - before;

    work.visited = 0;
    work.compared = 0;
    let tPlace = 0;
    let tLinear = 0;
    let differ = 0;
    let joined = 0;
    for (const p of probes) {
      let t = performance.now();
      const a = await place(p);
      tPlace += performance.now() - t;
      t = performance.now();
      const b = await linear(p);
      tLinear += performance.now() - t;
      if (a !== b) differ++;
      if (a !== null) joined++;
    }
    const perCluster = (bytes: number) => `${Math.round(bytes / n).toLocaleString('en-US')} B a cluster (${fmt(bytes / 2 ** 20)} MB)`;
    console.log(
      `${n.toLocaleString('en-US')} clusters in the window: the cluster index ${fmt(tPlace / PROBES)} ms an item, ` +
        `the linear path before it ${fmt(tLinear / PROBES)} ms (${fmt(tLinear / tPlace)}x); ${joined} of ${PROBES} items joined a cluster; decisions that differ: ${differ}; ` +
        `the index visited ${Math.round(work.visited / PROBES).toLocaleString('en-US')} postings and compared ${Math.round(work.compared / PROBES).toLocaleString('en-US')} clusters an item; ` +
        `kept for the window: index ${perCluster(indexBytes)}, linear path's caches ${perCluster(linearBytes)}`,
    );
    // An item dated years back (a feed's archive piece), a month on (the N clusters all older than the current
    // window): placed in an index of its own window (indexFor), against reading the window whole from its time
    // (prepare: what placement did before session 29, every cluster since with its fingerprint).
    const later = now + 30 * 86_400_000;
    const pastAt = Date.parse('2015-06-01T00:00:00Z');
    const timed = async (fn: (w: ClusterWindow) => Promise<unknown>) => {
      const w = new ClusterWindow(storage.clusters, { windowMs: WINDOW });
      w.setAudiences(audiences);
      await w.prepare(later);
      const m = used();
      const t = performance.now();
      await fn(w);
      const ms = performance.now() - t;
      return { ms, mb: (used() - m) / 2 ** 20, kept: w.index.size };
    };
    const own = await timed((w) => w.indexFor(pastAt));
    const whole = await timed((w) => w.prepare(pastAt));
    console.log(
      `  an item dated 2015, a month after these ${n.toLocaleString('en-US')} clusters: its own window ${fmt(own.ms)} ms (+${fmt(own.mb)} MB, ${own.kept} clusters kept), ` +
        `reading the window whole from its time ${fmt(whole.ms)} ms (+${fmt(whole.mb)} MB, ${whole.kept.toLocaleString('en-US')} kept)`,
    );
    await handle.close();
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
