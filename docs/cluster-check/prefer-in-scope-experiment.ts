// Session 30's experiment (README, "An in-scope story prefers a cluster whose first story was in scope"): P, a story
// the shipped relevance model lets in that passes the rules for several clusters joins the most similar of those
// whose first story was let in. Runs clusterStream's loop over the security items with the model's decisions, with
// and without P (without, it must equal clusterStream), and writes, for each story P places differently, the pair
// it gains (it and the first story of the cluster it now joins) and the pair it loses, with their text, to OUT_DIR
// (outside the repository: the text is the publishers').
//   node --import tsx docs/cluster-check/prefer-in-scope-experiment.ts ../shared/data/news_items.jsonl MATCH_JSON OUT_DIR
// MATCH_JSON: `cyberbrief match --json` over the same items (the shipped model's decisions).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
import { loadStories, type Story } from './stream-kit.ts';

const [file, matchFile, outDir] = process.argv.slice(2);
if (!file || !matchFile || !outDir) throw new Error('usage: prefer-in-scope-experiment.ts NEWS_ITEMS_JSONL MATCH_JSON OUT_DIR');
const inScope = new Set(readFileSync(matchFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; matched: boolean }).filter((d) => d.matched).map((d) => d.id));
const stories = loadStories(file).map((s) => ({ ...s, inScope: inScope.has(s.id) }));

/** clusterStream's loop; with `prefer`, an in-scope story takes the most similar joinable cluster whose first story was in scope. Returns each story's cluster and each cluster's first story. */
function run(list: readonly (Story & { inScope: boolean })[], prefer: boolean): { ids: number[]; first: number[] } {
  const opts = cl.DEFAULT_CLUSTER_OPTIONS;
  interface Live { id: number; f: cl.Fingerprint; lastItemAt: number; feedIds: number[]; firstAt: number; firstInScope: boolean }
  let live: Live[] = [];
  const counts = new cl.WordCounts();
  const ids: number[] = [];
  const first: number[] = [];
  const lowestAll = cl.lowestSimilarity(opts);
  const lowestInScope = Math.min(lowestAll, cl.lowestInScopeSimilarity(opts));
  list.forEach((s, k) => {
    const f: cl.Fingerprint = { sig: cl.minhash(cl.shingles(s, opts.summaryWords)), words: cl.storyWords(s, opts.summaryWords) };
    const at = s.at.getTime();
    if (live.some((c) => at - c.lastItemAt > opts.windowMs)) {
      live = live.filter((c) => {
        const keep = at - c.lastItemAt <= opts.windowMs;
        if (!keep) counts.remove(c.f.words!);
        return keep;
      });
    }
    let best: Live | null = null;
    let bestSim = 0;
    let bestIn: Live | null = null;
    let bestInSim = 0;
    for (const c of live) {
      if (c.feedIds.includes(s.feedId)) continue;
      const sim = cl.similarity(f.sig, c.f.sig);
      if (sim < (s.inScope ? lowestInScope : lowestAll)) continue;
      counts.remove(c.f.words!);
      const same = cl.sameStory(sim, f.words, c.f.words, counts, opts) || (s.inScope && c.firstInScope && cl.sameStoryInScope(sim, f.words, c.f.words, counts, at - c.firstAt, opts));
      counts.add(c.f.words!);
      if (!same) continue;
      if (sim > bestSim) { best = c; bestSim = sim; }
      if (c.firstInScope && sim > bestInSim) { bestIn = c; bestInSim = sim; }
    }
    const join = prefer && s.inScope && bestIn ? bestIn : best;
    if (join) {
      join.feedIds.push(s.feedId);
      if (at > join.lastItemAt) join.lastItemAt = at;
      ids.push(join.id);
    } else {
      const id = first.length;
      first.push(k);
      live.push({ id, f, lastItemAt: at, feedIds: [s.feedId], firstAt: at, firstInScope: s.inScope });
      counts.add(f.words!);
      ids.push(id);
    }
  });
  return { ids, first };
}

const shipped = run(stories, false);
const product = cl.clusterStream(stories);
if (shipped.ids.some((c, i) => c !== product[i])) throw new Error('the copy of the clusterer loop differs from clusterStream');
const withP = run(stories, true);
const show = (k: number) => { const s = stories[k]!; return { id: s.id, source: s.src, date: s.at.toISOString(), inScope: s.inScope, title: s.title, description: s.summary.slice(0, 300) }; };
const moved: unknown[] = [];
stories.forEach((s, k) => {
  const a = shipped.first[shipped.ids[k]!]!;
  const b = withP.first[withP.ids[k]!]!;
  if (a === b) return;
  moved.push({ story: show(k), lost: a === k ? null : show(a), gained: b === k ? null : show(b) });
});
process.stdout.write(`in-scope security stories: ${stories.filter((s) => s.inScope).length} of ${stories.length}; stories P places differently: ${moved.length}\n`);
writeFileSync(path.join(outDir, 'prefer-in-scope-moved.json'), JSON.stringify(moved, null, 1));
