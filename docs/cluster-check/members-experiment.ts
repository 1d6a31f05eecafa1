// Session 27's experiment (README, last section): a story joins a cluster when it is the same story as ANY of the
// cluster's stories (single linkage over up to MAX_MEMBERS of them), not only its first. Word counts as the
// shipped clusterer keeps them (the first story's words per cluster). Compares the item pairs it joins with the
// shipped clusterStream's and writes those only one of them joins, with their text, to OUT_DIR (outside the
// repository: the text is the publishers').
//   node --import tsx docs/cluster-check/members-experiment.ts ../shared/data/news_items.jsonl OUT_DIR
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
import { loadStories, multi, pairs as joined } from './stream-kit.ts';
const [file, outDir] = process.argv.slice(2);
if (!file || !outDir) throw new Error('usage: members-experiment.ts NEWS_ITEMS_JSONL OUT_DIR');
const MAX_MEMBERS = Number(process.env.MAX_MEMBERS ?? 8);
const stories = loadStories(file);
const opts = cl.DEFAULT_CLUSTER_OPTIONS;
function members(): number[] {
  interface Live { id: number; fps: cl.Fingerprint[]; lastItemAt: number; feedIds: number[] }
  let live: Live[] = [];
  const counts = new cl.WordCounts();
  const out: number[] = [];
  let nextId = 0;
  const lowest = cl.lowestSimilarity(opts);
  for (const s of stories) {
    const f: cl.Fingerprint = { sig: cl.minhash(cl.shingles(s, opts.summaryWords)), words: cl.storyWords(s, opts.summaryWords) };
    const at = s.at.getTime();
    if (live.some((c) => at - c.lastItemAt > opts.windowMs)) {
      live = live.filter((c) => { const keep = at - c.lastItemAt <= opts.windowMs; if (!keep) counts.remove(c.fps[0]!.words!); return keep; });
    }
    let best: Live | null = null;
    let bestSim = 0;
    for (const c of live) {
      if (c.feedIds.includes(s.feedId)) continue;
      counts.remove(c.fps[0]!.words!);
      for (const m of c.fps) {
        const sim = cl.similarity(f.sig, m.sig);
        if (sim <= bestSim || sim < lowest) continue;
        if (!cl.sameStory(sim, f.words, m.words, counts, opts)) continue;
        best = c; bestSim = sim;
      }
      counts.add(c.fps[0]!.words!);
    }
    if (best) {
      best.feedIds.push(s.feedId);
      if (best.fps.length < MAX_MEMBERS) best.fps.push(f);
      if (at > best.lastItemAt) best.lastItemAt = at;
      out.push(best.id);
    } else {
      const id = nextId++;
      live.push({ id, fps: [f], lastItemAt: at, feedIds: [s.feedId] });
      counts.add(f.words!);
      out.push(id);
    }
  }
  return out;
}
const pairs = (ids: number[]) => joined(stories, ids);
const base = cl.clusterStream(stories);
const cand = members();
const a = pairs(base);
const b = pairs(cand);
const onlyBase = [...a].filter((p) => !b.has(p));
const onlyCand = [...b].filter((p) => !a.has(p));
const [mb, mc] = [multi(base), multi(cand)];
process.stdout.write(`multi-item clusters: base ${mb.clusters} (${mb.items} items), members ${mc.clusters} (${mc.items} items)\n`);
const byId = new Map(stories.map((s) => [s.id, s]));
const show = (p: string) => p.split(' ').map((id) => { const s = byId.get(id)!; return { id, source: s.src, title: s.title, description: s.summary.slice(0, 300) }; });
writeFileSync(path.join(outDir, 'only-first-story.json'), JSON.stringify(onlyBase.map(show)));
writeFileSync(path.join(outDir, 'only-any-member.json'), JSON.stringify(onlyCand.map(show)));
