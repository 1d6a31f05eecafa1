// Session 28's experiment (README, "Different known groups are different stories"): two stories that name known
// threat actors, none in common and of no state in common, are not the same story (V). Compares the item pairs the
// shipped clusterer joins with those it joins under V, and writes the pairs only one side joins, with their text,
// to OUT_DIR (outside the repository: the text is the publishers').
//   node --import tsx docs/cluster-check/actors-experiment.ts ../shared/data/news_items.jsonl OUT_DIR
//   VARIANT=V2: a state written as the actor ("Iranian hackers") counts as well (reported beside V).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadKnowledge } from '../../src/matching/load-relevance.ts';
import { ALL_FEATURES, extractFeatures } from '../../src/matching/scorer/features.ts';
import { cluster, loadStories, multi, pairs, shippedClusters } from './stream-kit.ts';

const [file, outDir] = process.argv.slice(2);
if (!file || !outDir) throw new Error('usage: actors-experiment.ts NEWS_ITEMS_JSONL OUT_DIR');
const VARIANT = process.env.VARIANT ?? 'V';
const knowledge = await loadKnowledge(path.join(import.meta.dirname, '../../config/threat-actors.jsonl'));
const stories = loadStories(file);
/** Per story: the actors it names, their states, and (V2) those with a state written as the actor. */
const named = stories.map((s) => {
  const a = knowledge.analyse(s.title, s.summary);
  const hits = [...a.titleEntities, ...a.leadEntities].filter((e) => e.kind === 'actor');
  const agent = extractFeatures(knowledge, { title: s.title, description: s.summary }, ALL_FEATURES, [], true).evidence.get('fact:state_agent');
  const agentStates = agent ? [...a.titleEntities, ...a.leadEntities].filter((e) => e.kind === 'state' && agent.includes(e.written)).map((e) => e.state) : [];
  return { actors: new Set(hits.map((e) => e.key)), states: new Set(hits.map((e) => e.state)), attackers: new Set([...hits.map((e) => e.state), ...agentStates.slice(0, 1)]) };
});
const disjoint = (x: Set<string>, y: Set<string>) => [...x].every((v) => !y.has(v));
const veto = (i: number, j: number) => {
  const a = named[i]!;
  const b = named[j]!;
  if (VARIANT === 'V2') return a.attackers.size > 0 && b.attackers.size > 0 && disjoint(a.actors, b.actors) && disjoint(a.attackers, b.attackers);
  return a.actors.size > 0 && b.actors.size > 0 && disjoint(a.actors, b.actors) && disjoint(a.states, b.states);
};
const base = shippedClusters(stories);
const cand = cluster(stories, (k, first) => (veto(k, first) ? 'apart' : null));
const a = pairs(stories, base);
const b = pairs(stories, cand);
const onlyBase = [...a].filter((p) => !b.has(p));
const onlyCand = [...b].filter((p) => !a.has(p));
process.stdout.write(`variant ${VARIANT}; stories naming a state as the attacker (V2): ${named.filter((n) => n.attackers.size > 0).length}\n`);
process.stdout.write(`stories naming a known actor: ${named.filter((n) => n.actors.size > 0).length} of ${stories.length}\n`);
process.stdout.write(`joined pairs: shipped ${a.size}, with V ${b.size}; only shipped ${onlyBase.length}, only V ${onlyCand.length}\n`);
const [mb, mc] = [multi(base), multi(cand)];
process.stdout.write(`multi-item clusters: shipped ${mb.clusters} (${mb.items} items), with V ${mc.clusters} (${mc.items} items)\n`);
const byId = new Map(stories.map((s, k) => [s.id, { s, k }]));
const show = (p: string) => p.split(' ').map((id) => { const { s, k } = byId.get(id)!; return { id, source: s.src, title: s.title, description: s.summary.slice(0, 300), actors: [...named[k]!.actors], attackers: [...named[k]!.attackers] }; });
writeFileSync(path.join(outDir, `only-shipped-${VARIANT}.json`), JSON.stringify(onlyBase.map(show)));
writeFileSync(path.join(outDir, `only-veto-${VARIANT}.json`), JSON.stringify(onlyCand.map(show)));
