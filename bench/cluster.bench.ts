// Story clustering over the 24,456 real news items in ../shared/data/news_items.jsonl: items per second and
// clusters formed by the MinHash clusterer (what the pipeline uses), beside a baseline in the same run that
// compares exact Jaccard similarity of the same shingle sets (no signatures). The agreement line says how
// many of the baseline's multi-item clusters MinHash reproduced exactly. A third line runs MinHash without
// the distinctive-word check (minSharedRare 0) on the items as they are and with titles only (a feed
// without descriptions), and counts the multi-item clusters the check changed.
// Run: node --import tsx bench/cluster.bench.ts
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterStream, DEFAULT_CLUSTER_OPTIONS, shingles, SIGNATURE_SIZE } from '../src/delivery/cluster.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, '..', 'shared', 'data', 'news_items.jsonl');
if (!existsSync(DATA)) {
  console.log(`cluster bench: skipped, ${DATA} is absent`);
  process.exit(0);
}

interface Row { source: string; title: string | null; description: string | null; date: string | null }
const feeds = new Map<string, number>();
const stories = readFileSync(DATA, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Row)
  .map((r) => {
    if (!feeds.has(r.source)) feeds.set(r.source, feeds.size);
    const d = new Date(r.date ?? '');
    return { title: r.title ?? '', summary: r.description ?? '', feedId: feeds.get(r.source)!, at: Number.isNaN(d.getTime()) ? new Date(0) : d };
  })
  .sort((a, b) => a.at.getTime() - b.at.getTime());

/** The same clustering rule with exact Jaccard on shingle sets. */
function exactStream(): number[] {
  const live: { id: number; set: Set<string>; last: number; feeds: number[] }[] = [];
  const out: number[] = [];
  let next = 0;
  for (const s of stories) {
    const set = shingles(s, DEFAULT_CLUSTER_OPTIONS.summaryWords);
    const at = s.at.getTime();
    let best: (typeof live)[number] | null = null;
    let bestSim = 0;
    for (const c of live) {
      if (c.feeds.includes(s.feedId) || Math.abs(at - c.last) > DEFAULT_CLUSTER_OPTIONS.windowMs) continue;
      let inter = 0;
      for (const x of set) if (c.set.has(x)) inter++;
      const union = set.size + c.set.size - inter;
      const sim = union ? inter / union : 0;
      if (sim >= DEFAULT_CLUSTER_OPTIONS.threshold && sim > bestSim) {
        best = c;
        bestSim = sim;
      }
    }
    if (best) {
      best.feeds.push(s.feedId);
      best.last = Math.max(best.last, at);
      out.push(best.id);
    } else {
      live.push({ id: next, set, last: at, feeds: [s.feedId] });
      out.push(next++);
    }
  }
  return out;
}

function groups(ids: number[]): Map<number, number[]> {
  const g = new Map<number, number[]>();
  ids.forEach((c, i) => g.set(c, [...(g.get(c) ?? []), i]));
  return g;
}

function time(fn: () => number[]): { ids: number[]; ms: number } {
  const t = performance.now();
  const ids = fn();
  return { ids, ms: performance.now() - t };
}

const minhash = time(() => clusterStream(stories));
const plain = time(() => clusterStream(stories, { ...DEFAULT_CLUSTER_OPTIONS, minSharedRare: 0 }));
const titlesOnly = stories.map((s) => ({ ...s, summary: '' }));
const titlesChecked = clusterStream(titlesOnly);
const titlesPlain = clusterStream(titlesOnly, { ...DEFAULT_CLUSTER_OPTIONS, minSharedRare: 0 });
const exact = time(exactStream);
const multi = (ids: number[]) => [...groups(ids).values()].filter((g) => g.length > 1);
const key = (g: number[]) => g.join(',');
const exactMulti = multi(exact.ids);
const minhashKeys = new Set(multi(minhash.ids).map(key));
const agree = exactMulti.filter((g) => minhashKeys.has(key(g))).length;
const rate = (ms: number) => Math.round(stories.length / (ms / 1000)).toLocaleString('en-US');

console.log(`items: ${stories.length}, window ${DEFAULT_CLUSTER_OPTIONS.windowMs / 3600_000} h, threshold ${DEFAULT_CLUSTER_OPTIONS.threshold}`);
console.log(`minhash (${SIGNATURE_SIZE} x 32-bit): ${rate(minhash.ms)} items/s, ${groups(minhash.ids).size} clusters, ${multi(minhash.ids).length} with >1 item`);
console.log(`baseline exact Jaccard: ${rate(exact.ms)} items/s, ${groups(exact.ids).size} clusters, ${exactMulti.length} with >1 item`);
const changed = (a: number[], b: number[]) => {
  const keys = new Set(multi(b).map(key));
  return `${multi(a).length} with >1 item, ${multi(a).filter((g) => !keys.has(key(g))).length} of them not formed without the check`;
};
console.log(`minhash without the distinctive-word check: ${rate(plain.ms)} items/s, ${multi(plain.ids).length} with >1 item; with it: ${changed(minhash.ids, plain.ids)}`);
console.log(`titles only: without the check ${multi(titlesPlain).length} with >1 item; with it: ${changed(titlesChecked, titlesPlain)}`);
console.log(`speed ratio minhash/baseline: ${(exact.ms / minhash.ms).toFixed(2)}x; multi-item clusters identical to baseline: ${agree} of ${exactMulti.length}`);
