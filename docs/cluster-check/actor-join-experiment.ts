// Session 29's second experiment (README, "One known group named by two outlets within a day"): on top of the shipped
// rules (the in-scope rule G(0.08, 2, 24) included), A(T, H) also joins two stories the scorer let in that name a
// common known threat actor, published within H hours of each other, at similarity T or more. Writes the item pairs
// each rule joins that the shipped clusterer does not (gained), and the other way (lost), with their text, to OUT_DIR
// (outside the repository: the text is the publishers').
//   node --import tsx docs/cluster-check/actor-join-experiment.ts ../shared/data/news_items.jsonl MATCH_JSON OUT_DIR
// MATCH_JSON: `cyberbrief match --json` over the same items (the shipped model's decisions).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
import { loadKnowledge } from '../../src/matching/load-relevance.ts';
import { cluster, loadStories, pairs, type Hook } from './stream-kit.ts';

const [file, matchFile, outDir] = process.argv.slice(2);
if (!file || !matchFile || !outDir) throw new Error('usage: actor-join-experiment.ts NEWS_ITEMS_JSONL MATCH_JSON OUT_DIR');
const inScope = new Set(readFileSync(matchFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; matched: boolean }).filter((d) => d.matched).map((d) => d.id));
const knowledge = await loadKnowledge(path.join(import.meta.dirname, '../../config/threat-actors.jsonl'));
const stories = loadStories(file);
const scope = stories.map((s) => inScope.has(s.id));
const actors = stories.map((s) => {
  const a = knowledge.analyse(s.title, s.summary);
  return new Set([...a.titleEntities, ...a.leadEntities].filter((e) => e.kind === 'actor').map((e) => e.key));
});
const opts = cl.DEFAULT_CLUSTER_OPTIONS;
const gap = (k: number, first: number) => Math.abs(stories[k]!.at.getTime() - stories[first]!.at.getTime());
// The shipped in-scope rule, as the product asks it (sameStoryInScope).
const shippedG: Hook = (k, first, sim, f, cf, counts) =>
  scope[k] && scope[first] && cl.sameStoryInScope(sim, f.words, cf.words, counts, gap(k, first), opts) ? 'same' : null;
// Check the hook against the product: clusterStream with the scorer's decisions.
const base = cluster(stories, shippedG, opts.scopeThreshold);
const product = cl.clusterStream(stories.map((s, k) => ({ ...s, inScope: scope[k] })));
if (base.some((c, i) => c !== product[i])) throw new Error('the in-scope hook differs from clusterStream with inScope');
const a = pairs(stories, base);
const byId = new Map(stories.map((s, k) => [s.id, k]));
const show = (p: string) => p.split(' ').map((id) => { const k = byId.get(id)!; const s = stories[k]!; return { id, source: s.src, date: s.at.toISOString(), title: s.title, description: s.summary.slice(0, 300), actors: [...actors[k]!] }; });
process.stdout.write(`in-scope stories ${scope.filter(Boolean).length}, naming a known actor ${stories.filter((_, k) => scope[k] && actors[k]!.size).length}; shipped pairs ${a.size}\n`);
for (const T of [0, 0.04, 0.06]) {
  for (const H of [24, 36]) {
    const hook: Hook = (k, first, sim, f, cf, counts) => {
      if (shippedG(k, first, sim, f, cf, counts)) return 'same';
      if (!scope[k] || !scope[first] || sim < T || gap(k, first) > H * 3_600_000) return null;
      return [...actors[k]!].some((x) => actors[first]!.has(x)) ? 'same' : null;
    };
    const b = pairs(stories, cluster(stories, hook, Math.min(T, opts.scopeThreshold)));
    const gained = [...b].filter((p) => !a.has(p));
    const lost = [...a].filter((p) => !b.has(p));
    process.stdout.write(`A(${T}, ${H}): pairs ${b.size}; gained ${gained.length}, lost ${lost.length}\n`);
    writeFileSync(path.join(outDir, `gained-${T}-${H}.json`), JSON.stringify(gained.map(show)));
    writeFileSync(path.join(outDir, `lost-${T}-${H}.json`), JSON.stringify(lost.map(show)));
  }
}
