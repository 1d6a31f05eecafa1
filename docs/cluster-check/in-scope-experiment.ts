// Session 28's experiment (README, last section): among stories the shipped relevance model lets in, a looser rule
// L(T, n) also joins a story to a cluster whose first story is in scope too: MinHash similarity of at least T and n
// or more specific words shared (each used by at most two other stories of the window). Everything else is the
// shipped clusterer. Writes the item pairs each rule joins that the shipped clusterStream does not (and the other
// way), with their text, to OUT_DIR (outside the repository: the text is the publishers').
//   node --import tsx docs/cluster-check/in-scope-experiment.ts ../shared/data/news_items.jsonl MATCH_JSON OUT_DIR
// MATCH_JSON: `cyberbrief match --json` over the same items (the shipped model's decisions).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
const [file, matchFile, outDir] = process.argv.slice(2);
if (!file || !matchFile || !outDir) throw new Error('usage: in-scope-experiment.ts NEWS_ITEMS_JSONL MATCH_JSON OUT_DIR');
const inScope = new Set(readFileSync(matchFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; matched: boolean }).filter((d) => d.matched).map((d) => d.id));
interface Row { id: string; source: string; title: string | null; description: string | null; date: string | null }
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const sources = new Map<string, number>();
const stories = rows
  .filter((o) => o.id.startsWith('cybernews-'))
  .map((o) => ({ id: o.id, src: o.source.replace(/^.*:/, ''), title: o.title ?? '', summary: o.description ?? '', at: new Date(o.date ?? '') }))
  .filter((s) => !Number.isNaN(s.at.getTime()))
  .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1))
  .map((s) => ({ ...s, feedId: sources.get(s.src) ?? (sources.set(s.src, sources.size), sources.size - 1), scope: inScope.has(s.id) }));
const opts = cl.DEFAULT_CLUSTER_OPTIONS;
/** The shipped loop (clusterStream's), with L for two in-scope stories when `loose` is given. */
function run(loose: { T: number; n: number } | null): number[] {
  interface Live { id: number; scope: boolean; f: cl.Fingerprint; lastItemAt: number; feedIds: number[] }
  let live: Live[] = [];
  const counts = new cl.WordCounts();
  const out: number[] = [];
  let nextId = 0;
  const lowest = Math.min(cl.lowestSimilarity(opts), loose?.T ?? 1);
  for (const s of stories) {
    const f: cl.Fingerprint = { sig: cl.minhash(cl.shingles(s, opts.summaryWords)), words: cl.storyWords(s, opts.summaryWords) };
    const at = s.at.getTime();
    if (live.some((c) => at - c.lastItemAt > opts.windowMs)) {
      live = live.filter((c) => { const keep = at - c.lastItemAt <= opts.windowMs; if (!keep) counts.remove(c.f.words!); return keep; });
    }
    let best: Live | null = null;
    let bestSim = 0;
    for (const c of live) {
      if (c.feedIds.includes(s.feedId)) continue;
      const sim = cl.similarity(f.sig, c.f.sig);
      if (sim <= bestSim || sim < lowest) continue;
      counts.remove(c.f.words!);
      let same = cl.sameStory(sim, f.words, c.f.words, counts, opts);
      if (!same && loose && s.scope && c.scope && sim >= loose.T && counts.size >= 20) same = cl.sharedWords(f.words!, c.f.words!, counts, opts.specificMaxStories).specific >= loose.n;
      counts.add(c.f.words!);
      if (!same) continue;
      best = c;
      bestSim = sim;
    }
    if (best) {
      best.feedIds.push(s.feedId);
      if (at > best.lastItemAt) best.lastItemAt = at;
      out.push(best.id);
    } else {
      const id = nextId++;
      live.push({ id, scope: s.scope, f, lastItemAt: at, feedIds: [s.feedId] });
      counts.add(f.words!);
      out.push(id);
    }
  }
  return out;
}
function pairs(ids: number[]): Set<string> {
  const by = new Map<number, number[]>();
  ids.forEach((c, i) => by.set(c, [...(by.get(c) ?? []), i]));
  const out = new Set<string>();
  for (const m of by.values()) for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.add(`${stories[m[i]!]!.id} ${stories[m[j]!]!.id}`);
  return out;
}
const base = run(null);
const shipped = cl.clusterStream(stories);
if (base.some((c, i) => c !== shipped[i])) throw new Error('the copy of the clusterer loop differs from clusterStream');
const a = pairs(base);
const byId = new Map(stories.map((s) => [s.id, s]));
const show = (p: string) => p.split(' ').map((id) => { const s = byId.get(id)!; return { id, source: s.src, date: s.at.toISOString(), title: s.title, description: s.summary.slice(0, 300) }; });
process.stdout.write(`in-scope security stories: ${stories.filter((s) => s.scope).length} of ${stories.length}; shipped pairs ${a.size}\n`);
const grid = (process.env.GRID ?? '0.04:1,0.04:2,0.06:1,0.06:2,0.08:1,0.08:2,0.10:1,0.10:2').split(',').map((g) => ({ T: Number(g.split(':')[0]), n: Number(g.split(':')[1]) }));
for (const g of grid) {
  const b = pairs(run(g));
  const gained = [...b].filter((p) => !a.has(p));
  const lost = [...a].filter((p) => !b.has(p));
  process.stdout.write(`L(${g.T}, ${g.n}): pairs ${b.size}; gained ${gained.length}, lost ${lost.length}\n`);
  writeFileSync(path.join(outDir, `gained-${g.T}-${g.n}.json`), JSON.stringify(gained.map(show)));
  writeFileSync(path.join(outDir, `lost-${g.T}-${g.n}.json`), JSON.stringify(lost.map(show)));
}
