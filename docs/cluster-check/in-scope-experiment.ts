// Session 28's experiment (README, "A looser rule between stories that are both in scope"): among stories the
// shipped relevance model lets in, L(T, n) also joins a story to a cluster whose first story is in scope too:
// MinHash similarity of at least T and n or more specific words shared (each used by at most two other stories of
// the window, only once the window holds 20). Everything else is the shipped clusterer. Writes the item pairs each
// rule joins that the shipped one does not (gained), and the other way (lost), with their text, to OUT_DIR
// (outside the repository: the text is the publishers').
//   node --import tsx docs/cluster-check/in-scope-experiment.ts ../shared/data/news_items.jsonl MATCH_JSON OUT_DIR
// Session 29's G(T, n, H): with HOURS=H (and GRID "T:n:H,..."), the story must also be published within H hours of
// the cluster's first story; a grid entry's H overrides HOURS.
// MATCH_JSON: `cyberbrief match --json` over the same items (the shipped model's decisions).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
import { cluster, loadStories, pairs, shippedClusters } from './stream-kit.ts';

const [file, matchFile, outDir] = process.argv.slice(2);
if (!file || !matchFile || !outDir) throw new Error('usage: in-scope-experiment.ts NEWS_ITEMS_JSONL MATCH_JSON OUT_DIR');
const inScope = new Set(readFileSync(matchFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; matched: boolean }).filter((d) => d.matched).map((d) => d.id));
const stories = loadStories(file);
const scope = stories.map((s) => inScope.has(s.id));
const opts = cl.DEFAULT_CLUSTER_OPTIONS;
const a = pairs(stories, shippedClusters(stories));
const byId = new Map(stories.map((s) => [s.id, s]));
const show = (p: string) => p.split(' ').map((id) => { const s = byId.get(id)!; return { id, source: s.src, date: s.at.toISOString(), title: s.title, description: s.summary.slice(0, 300) }; });
process.stdout.write(`in-scope security stories: ${scope.filter(Boolean).length} of ${stories.length}; shipped pairs ${a.size}\n`);
const grid = (process.env.GRID ?? '0.04:1,0.04:2,0.06:1,0.06:2,0.08:1,0.08:2,0.10:1,0.10:2').split(',').map((g) => {
  const [T, n, H] = g.split(':');
  return { T: Number(T), n: Number(n), H: Number(H ?? process.env.HOURS ?? Infinity) };
});
for (const g of grid) {
  const within = (k: number, first: number) => Math.abs(stories[k]!.at.getTime() - stories[first]!.at.getTime()) <= g.H * 3_600_000;
  const loose: Parameters<typeof cluster>[1] = (k, first, sim, f, cf, counts) =>
    scope[k] && scope[first] && within(k, first) && sim >= g.T && counts.size >= 20 && cl.sharedWords(f.words!, cf.words!, counts, opts.specificMaxStories).specific >= g.n ? 'same' : null;
  const b = pairs(stories, cluster(stories, loose, g.T));
  const gained = [...b].filter((p) => !a.has(p));
  const lost = [...a].filter((p) => !b.has(p));
  const tag = Number.isFinite(g.H) ? `G(${g.T}, ${g.n}, ${g.H})` : `L(${g.T}, ${g.n})`;
  process.stdout.write(`${tag}: pairs ${b.size}; gained ${gained.length}, lost ${lost.length}\n`);
  writeFileSync(path.join(outDir, `gained-${g.T}-${g.n}${Number.isFinite(g.H) ? `-${g.H}` : ''}.json`), JSON.stringify(gained.map(show)));
  writeFileSync(path.join(outDir, `lost-${g.T}-${g.n}${Number.isFinite(g.H) ? `-${g.H}` : ''}.json`), JSON.stringify(lost.map(show)));
}
