// The candidate pairs of docs/cluster-check: cross-source pairs of the security-news items (cybernews-*) of
// news_items.jsonl within 72 h that share a distinctive word, with MinHash similarity >= 0.06; for each, the
// window's size and each shared distinctive word's document frequency among the window's other stories (the
// window: the stories of the 72 h before the later item). Prints JSON to stdout.
//   node --import tsx docs/cluster-check/pairs.ts ../shared/data/news_items.jsonl > /tmp/pairs.json
import { readFileSync } from 'node:fs';
import { minhash, shingles, similarity, storyWords } from '../../src/delivery/cluster.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: pairs.ts NEWS_ITEMS_JSONL');
interface Row { id: string; source: string; title: string | null; description: string | null; date: string | null }
const stories = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Row)
  .filter((o) => o.id.startsWith('cybernews-'))
  .map((o) => ({ id: o.id, source: o.source.replace(/^.*:/, ''), title: o.title ?? '', summary: o.description ?? '', at: new Date(o.date ?? '').getTime() }))
  .filter((s) => !Number.isNaN(s.at))
  .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
const sigs = stories.map((s) => minhash(shingles(s)));
const words = stories.map((s) => storyWords(s));
const WINDOW = 72 * 3600_000;
const out: { a: string; b: string; sim: number; size: number; df: number[] }[] = [];
let lo = 0;
for (let j = 0; j < stories.length; j++) {
  while (stories[j]!.at - stories[lo]!.at > WINDOW) lo++;
  const df = new Map<number, number>();
  for (let k = lo; k < j; k++) for (const w of words[k]!) if (!(w & 1)) df.set(w, (df.get(w) ?? 0) + 1);
  for (let i = lo; i < j; i++) {
    if (stories[i]!.source === stories[j]!.source) continue;
    const mine = new Set(words[i]);
    // Odd hashes are the beat's common words; the earlier story itself is taken out of the frequencies.
    const shared = [...words[j]!].filter((w) => !(w & 1) && mine.has(w)).map((w) => (df.get(w) ?? 1) - 1);
    if (shared.length === 0) continue;
    const sim = similarity(sigs[i]!, sigs[j]!);
    if (sim < 0.06) continue;
    out.push({ a: stories[i]!.id, b: stories[j]!.id, sim, size: j - lo - 1, df: shared.sort((x, y) => x - y) });
  }
}
process.stdout.write(JSON.stringify(out));
