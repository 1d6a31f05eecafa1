// Placing a new item in a story cluster, as the pipeline does for every new item: list the clusters in the
// item's window from storage (ClustersRepo.recent) and choose one (findCluster), on a SQLite file holding
// N clusters in one window (N = 2,000, 10,000, 24,000: a bot of 10,000 feeds that each post a story a day
// keeps about 30,000 in a 72-hour window). Beside it, in the same run on the same file, the baseline: the
// same rules done plainly, every cluster of the window read with its fingerprint and decoded, and every word
// of every fingerprint counted, for each item. Stories are the real news items of
// ../shared/data/news_items.jsonl (skipped, saying so, when absent).
// Run: npm run bench -- placement
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { decodeFingerprint, findCluster, similarity, storySignature, WordCounts, DEFAULT_CLUSTER_OPTIONS, type Fingerprint } from '../src/delivery/cluster.ts';
import { openStorage } from '../src/storage/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, '..', 'shared', 'data', 'news_items.jsonl');
if (!existsSync(DATA)) {
  console.log(`placement bench: skipped, ${DATA} is absent`);
  process.exit(0);
}
interface Row { title: string | null; description: string | null }
const rows = readFileSync(DATA, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const WINDOW = DEFAULT_CLUSTER_OPTIONS.windowMs;
const PROBES = 30;
const fmt = (n: number) => n.toFixed(1);

/** The baseline: the clustering rules without any of the pipeline's shortcuts. */
function plainPlace(db: Database.Database, signature: string, at: number): number | null {
  const list = db.prepare('select id, signature, last_item_at from clusters where last_item_at >= ? and last_item_at <= ?').all(at - WINDOW, at + WINDOW) as { id: number; signature: string; last_item_at: number }[];
  const self = decodeFingerprint(signature);
  const window: { id: number; f: Fingerprint }[] = list.map((r) => ({ id: r.id, f: decodeFingerprint(r.signature) }));
  const counts = new WordCounts();
  for (const w of window) if (w.f.words) counts.add(w.f.words);
  let best: { id: number; s: number } | null = null;
  for (const w of window) {
    const s = similarity(self.sig, w.f.sig);
    if (s < DEFAULT_CLUSTER_OPTIONS.threshold) continue;
    if (self.words && w.f.words) {
      counts.remove(w.f.words);
      let shared = 0;
      for (const x of self.words) if (w.f.words.includes(x) && counts.isRare(x)) shared++;
      counts.add(w.f.words);
      if (shared < DEFAULT_CLUSTER_OPTIONS.minSharedRare) continue;
    }
    if (!best || s > best.s || (s === best.s && w.id < best.id)) best = { id: w.id, s };
  }
  return best?.id ?? null;
}

const now = Date.parse('2026-03-01T00:00:00Z');
for (const n of [2_000, 10_000, 24_000]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cyberbrief-placement-'));
  const file = path.join(dir, 'bench.db');
  try {
    let storage = await openStorage(file);
    const { feed } = await storage.feeds.add({ url: 'https://feeds.example/a', title: 'A', source: 'cli' }, new Date(now));
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
    storage = await openStorage(file);
    const probes = Array.from({ length: PROBES }, (_, k) => rows[(k * 7919 + 13) % rows.length]!).map((r) => storySignature({ title: r.title ?? '', summary: r.description ?? '' }));
    const at = new Date(now);
    const place = async (signature: string) => {
      const candidates = await storage.clusters.recent(feed.id + 1, new Date(now - WINDOW), new Date(now + WINDOW));
      return findCluster({ signature, feedId: feed.id + 1, at }, candidates, { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: WINDOW })?.clusterId ?? null;
    };
    const plain = (signature: string) => plainPlace(db, signature, now);
    // One warm-up each (the pipeline's first item of a run reads every fingerprint once), then the probes,
    // alternating, each decision compared.
    await place(probes[0]!);
    plain(probes[0]!);
    let tPlace = 0;
    let tPlain = 0;
    let differ = 0;
    let joined = 0;
    for (const p of probes) {
      let t = performance.now();
      const a = await place(p);
      tPlace += performance.now() - t;
      t = performance.now();
      const b = plain(p);
      tPlain += performance.now() - t;
      if (a !== b) differ++;
      if (a !== null) joined++;
    }
    console.log(
      `${n.toLocaleString('en-US')} clusters in the window: the pipeline's placement ${fmt(tPlace / PROBES)} ms an item, ` +
        `the plain baseline ${fmt(tPlain / PROBES)} ms (${fmt(tPlain / tPlace)}x); ${joined} of ${PROBES} items joined a cluster; decisions that differ: ${differ}`,
    );
    db.close();
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
