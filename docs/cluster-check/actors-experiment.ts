// Session 28's experiment (README, last section): two stories that name known threat actors, none in common and
// of no state in common, are not the same story (V). Compares the item pairs the shipped clusterStream joins with
// those it joins under V, and writes the pairs only one side joins, with their text, to OUT_DIR (outside the
// repository: the text is the publishers').
//   node --import tsx docs/cluster-check/actors-experiment.ts ../shared/data/news_items.jsonl OUT_DIR
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
import { loadKnowledge } from '../../src/matching/load-relevance.ts';
import { ALL_FEATURES, extractFeatures } from '../../src/matching/scorer/features.ts';
const [file, outDir] = process.argv.slice(2);
if (!file || !outDir) throw new Error('usage: actors-experiment.ts NEWS_ITEMS_JSONL OUT_DIR');
const knowledge = await loadKnowledge(path.join(import.meta.dirname, '../../config/threat-actors.jsonl'));
interface Row { id: string; source: string; title: string | null; description: string | null; date: string | null }
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const sources = new Map<string, number>();
const stories = rows
  .filter((o) => o.id.startsWith('cybernews-'))
  .map((o) => ({ id: o.id, src: o.source.replace(/^.*:/, ''), title: o.title ?? '', summary: o.description ?? '', at: new Date(o.date ?? '') }))
  .filter((s) => !Number.isNaN(s.at.getTime()))
  .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1))
  .map((s) => ({ ...s, feedId: sources.get(s.src) ?? (sources.set(s.src, sources.size), sources.size - 1) }));
/** Per story: the actors it names and their states. */
const named = stories.map((s) => {
  const a = knowledge.analyse(s.title, s.summary);
  const hits = [...a.titleEntities, ...a.leadEntities].filter((e) => e.kind === 'actor');
  // V2 (reported beside V, not the candidate): a state written as the actor ("Iranian hackers") counts as well.
  const ex = extractFeatures(knowledge, { title: s.title, description: s.summary }, ALL_FEATURES, [], true);
  const agent = ex.evidence.get('fact:state_agent');
  const agentStates = agent ? [...a.titleEntities, ...a.leadEntities].filter((e) => e.kind === 'state' && agent.includes(e.written)).map((e) => e.state) : [];
  return { actors: new Set(hits.map((e) => e.key)), states: new Set(hits.map((e) => e.state)), attackers: new Set([...hits.map((e) => e.state), ...agentStates.slice(0, 1)]) };
});
const disjoint = (x: Set<string>, y: Set<string>) => [...x].every((v) => !y.has(v));
const VARIANT = process.env.VARIANT ?? 'V';
const veto = (i: number, j: number) => {
  const a = named[i]!;
  const b = named[j]!;
  if (VARIANT === 'V2') return a.attackers.size > 0 && b.attackers.size > 0 && disjoint(a.actors, b.actors) && disjoint(a.attackers, b.attackers);
  return a.actors.size > 0 && b.actors.size > 0 && disjoint(a.actors, b.actors) && disjoint(a.states, b.states);
};
const opts = cl.DEFAULT_CLUSTER_OPTIONS;
/** clusterStream's loop, with the story index of each cluster's first story kept for the veto. */
function run(withVeto: boolean): number[] {
  interface Live { id: number; first: number; f: cl.Fingerprint; lastItemAt: number; feedIds: number[] }
  let live: Live[] = [];
  const counts = new cl.WordCounts();
  const out: number[] = [];
  let nextId = 0;
  const lowest = cl.lowestSimilarity(opts);
  stories.forEach((s, k) => {
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
      if (withVeto && veto(k, c.first)) continue;
      counts.remove(c.f.words!);
      const same = cl.sameStory(sim, f.words, c.f.words, counts, opts);
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
      live.push({ id, first: k, f, lastItemAt: at, feedIds: [s.feedId] });
      counts.add(f.words!);
      out.push(id);
    }
  });
  return out;
}
function pairs(ids: number[]): Set<string> {
  const by = new Map<number, number[]>();
  ids.forEach((c, i) => by.set(c, [...(by.get(c) ?? []), i]));
  const out = new Set<string>();
  for (const m of by.values()) for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.add(`${stories[m[i]!]!.id} ${stories[m[j]!]!.id}`);
  return out;
}
const base = run(false);
const shipped = cl.clusterStream(stories);
if (base.some((c, i) => c !== shipped[i])) throw new Error('the copy of the clusterer loop differs from clusterStream');
const cand = run(true);
const a = pairs(base);
const b = pairs(cand);
const onlyBase = [...a].filter((p) => !b.has(p));
const onlyCand = [...b].filter((p) => !a.has(p));
const multi = (ids: number[]) => { const n = new Map<number, number>(); ids.forEach((c) => n.set(c, (n.get(c) ?? 0) + 1)); return [...n.values()].filter((x) => x > 1); };
process.stdout.write(`variant ${VARIANT}; stories naming a state as the attacker (V2): ${named.filter((n) => n.attackers.size > 0).length}\n`);
process.stdout.write(`stories naming a known actor: ${named.filter((n) => n.actors.size > 0).length} of ${stories.length}\n`);
process.stdout.write(`joined pairs: shipped ${a.size}, with V ${b.size}; only shipped ${onlyBase.length}, only V ${onlyCand.length}\n`);
process.stdout.write(`multi-item clusters: shipped ${multi(base).length} (${multi(base).reduce((x, y) => x + y, 0)} items), with V ${multi(cand).length} (${multi(cand).reduce((x, y) => x + y, 0)} items)\n`);
const byId = new Map(stories.map((s, k) => [s.id, { s, k }]));
const show = (p: string) => p.split(' ').map((id) => { const { s, k } = byId.get(id)!; return { id, source: s.src, title: s.title, description: s.summary.slice(0, 300), actors: [...named[k]!.actors], attackers: [...named[k]!.attackers] }; });
writeFileSync(path.join(outDir, `only-shipped-${VARIANT}.json`), JSON.stringify(onlyBase.map(show)));
writeFileSync(path.join(outDir, `only-veto-${VARIANT}.json`), JSON.stringify(onlyCand.map(show)));
