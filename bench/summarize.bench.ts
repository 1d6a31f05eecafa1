// Summarising throughput: every article of ../shared/data/summaries.jsonl summarised extractively (3
// sentences, and the 400-character chat budget), beside Lead-3 on the same articles, in the same run.
// Also the ROUGE F1 of both against the references, so speed and quality are read together.
// Run: node --import tsx bench/summarize.bench.ts
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractiveSummary, lead3, rouge } from '../src/summarize/index.ts';
import { meanScores } from '../src/summarize/rouge.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILE = path.resolve(root, '..', 'shared', 'data', 'summaries.jsonl');

if (!existsSync(FILE)) {
  console.log(`summarize bench: skipped, ${FILE} is absent`);
  process.exit(0);
}

const rows = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { id: string; article: string; summary: string });
const chars = rows.reduce((n, r) => n + r.article.length, 0);

/** Best of `rounds` passes over every article: articles per second. */
function throughput(name: string, fn: (text: string) => string, rounds = 3): { name: string; perSecond: number; out: string[] } {
  let best = Infinity;
  let out: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    out = rows.map((r) => fn(r.article));
    best = Math.min(best, performance.now() - t0);
  }
  return { name, perSecond: (rows.length / best) * 1000, out };
}

// Warm up the JIT on a slice so the first measured pass is not the cold one.
for (const r of rows.slice(0, 100)) {
  extractiveSummary(r.article, { sentences: 3 });
  lead3(r.article);
}

const results = [
  throughput('lead-3 (baseline)', (t) => lead3(t)),
  throughput('extractive --sentences 3', (t) => extractiveSummary(t, { sentences: 3 })),
  throughput('extractive 400 chars', (t) => extractiveSummary(t)),
];
const base = results[0]?.perSecond ?? 1;
console.log(`summarize bench: ${rows.length} articles, ${(chars / rows.length).toFixed(0)} chars on average`);
for (const r of results) {
  const q = meanScores(r.out.map((s, i) => rouge(s, rows[i]?.summary ?? '')));
  const pct = (x: number) => (x * 100).toFixed(2);
  console.log(
    `  ${r.name.padEnd(26)} ${r.perSecond.toFixed(0).padStart(7)} articles/s  (${(r.perSecond / base).toFixed(2)}x lead-3)` +
      `  ROUGE-1 ${pct(q.rouge1)}  ROUGE-2 ${pct(q.rouge2)}  ROUGE-L ${pct(q.rougeL)}`,
  );
}
