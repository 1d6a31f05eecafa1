// Quality on the shared evaluation set: with 3 sentences our extractive summary must score at least
// Lead-3's ROUGE-1, ROUGE-2 and ROUGE-L F1, measured here in the same run. Skips when the data is absent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractiveSummary, lead3, rouge, type RougeScores } from '../../src/summarize/index.ts';
import { meanScores } from '../../src/summarize/rouge.ts';

const FILE = path.resolve(process.cwd(), '..', 'shared', 'data', 'summaries.jsonl');
const exists = existsSync(FILE);
if (!exists) console.log(`summarize dataset test skipped: ${FILE} not found`);

interface Row {
  id: string;
  article: string;
  summary: string;
}

describe.skipIf(!exists)('extractive summary vs Lead-3 on ../shared/data/summaries.jsonl (--sentences 3)', () => {
  const rows = exists
    ? readFileSync(FILE, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Row)
    : [];
  // Score every item once; the groups below average the same per-item scores.
  const scored: Array<{ id: string; ours: RougeScores; lead3: RougeScores }> = [];
  beforeAll(() => {
    for (const r of rows) {
      scored.push({ id: r.id, ours: rouge(extractiveSummary(r.article, { sentences: 3 }), r.summary), lead3: rouge(lead3(r.article), r.summary) });
    }
  }, 60_000);
  const groups: Array<[string, (id: string) => boolean]> = [
    ['all', () => true],
    ['CNN/DailyMail', (id) => id.startsWith('cnndm-')],
    ['BBC', (id) => id.startsWith('bbcsum-')],
  ];
  for (const [name, inGroup] of groups) {
    it(`${name}: ours >= Lead-3 on ROUGE-1, ROUGE-2 and ROUGE-L`, () => {
      const subset = scored.filter((s) => inGroup(s.id));
      expect(subset.length).toBeGreaterThan(50);
      const ours = meanScores(subset.map((s) => s.ours));
      const base = meanScores(subset.map((s) => s.lead3));
      const pct = (x: number) => (x * 100).toFixed(2);
      console.log(
        `${name} (${subset.length}): ours R1 ${pct(ours.rouge1)} R2 ${pct(ours.rouge2)} RL ${pct(ours.rougeL)} | ` +
          `lead-3 R1 ${pct(base.rouge1)} R2 ${pct(base.rouge2)} RL ${pct(base.rougeL)}`,
      );
      expect(ours.rouge1).toBeGreaterThanOrEqual(base.rouge1);
      expect(ours.rouge2).toBeGreaterThanOrEqual(base.rouge2);
      expect(ours.rougeL).toBeGreaterThanOrEqual(base.rougeL);
    });
  }
});
