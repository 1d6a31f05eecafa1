// Session 31's experiment (README, "The publisher's footer is not the story"): clusterStream over the security items
// with the shipped model's decisions, once on the excerpts as they are and once without the publisher's footer
// (withoutPublisherFooter, as the summariser reads them). Writes the item pairs the second joins that the first does
// not (gained), and the other way (lost), with their text, to OUT_DIR (outside the repository: the text is the
// publishers').
//   node --import tsx docs/cluster-check/footer-experiment.ts ../shared/data/news_items.jsonl MATCH_JSON OUT_DIR
// MATCH_JSON: `cyberbrief match --json` over the same items (the shipped model's decisions).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cl from '../../src/delivery/cluster.ts';
import { withoutPublisherFooter } from '../../src/summarize/text.ts';
import { loadStories, multi, pairs } from './stream-kit.ts';

const [file, matchFile, outDir] = process.argv.slice(2);
if (!file || !matchFile || !outDir) throw new Error('usage: footer-experiment.ts NEWS_ITEMS_JSONL MATCH_JSON OUT_DIR');
const inScope = new Set(readFileSync(matchFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; matched: boolean }).filter((d) => d.matched).map((d) => d.id));
const stories = loadStories(file).map((s) => ({ ...s, inScope: inScope.has(s.id) }));
const withFooter = stories.filter((s) => withoutPublisherFooter(s.summary) !== s.summary);
const asTheyAre = cl.clusterStream(stories);
const withoutFooters = cl.clusterStream(stories.map((s) => ({ ...s, summary: withoutPublisherFooter(s.summary) })));
const a = pairs(stories, asTheyAre);
const b = pairs(stories, withoutFooters);
const gained = [...b].filter((p) => !a.has(p));
const lost = [...a].filter((p) => !b.has(p));
const byId = new Map(stories.map((s) => [s.id, s]));
const show = (p: string) => p.split(' ').map((id) => { const s = byId.get(id)!; return { id, source: s.src, date: s.at.toISOString(), title: s.title, description: withoutPublisherFooter(s.summary).slice(0, 300), inScope: s.inScope }; });
const bySource = new Map<string, number>();
for (const s of withFooter) bySource.set(s.src, (bySource.get(s.src) ?? 0) + 1);
process.stdout.write(`security stories ${stories.length} (in scope ${stories.filter((s) => s.inScope).length}); with a footer ${withFooter.length}: ${[...bySource].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
process.stdout.write(`pairs as they are ${a.size}, without footers ${b.size}; gained ${gained.length}, lost ${lost.length}\n`);
process.stdout.write(`multi-story clusters: ${multi(asTheyAre).clusters} -> ${multi(withoutFooters).clusters}\n`);
writeFileSync(path.join(outDir, 'gained.json'), JSON.stringify(gained.map(show)));
writeFileSync(path.join(outDir, 'lost.json'), JSON.stringify(lost.map(show)));
