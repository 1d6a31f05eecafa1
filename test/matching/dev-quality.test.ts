// Quality of the default topics on the hand-labelled dev set (../shared/data/matcher_dev.jsonl, items in
// news_items.jsonl). Skips, saying so, when the shared data is absent.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { compileTopics, evaluate, matchItem, parseItemLine, parseLabels } from '../../src/matching/index.ts';

const DATA = path.resolve(process.cwd(), '..', 'shared', 'data');
const ITEMS = path.join(DATA, 'news_items.jsonl');
const LABELS = path.join(DATA, 'matcher_dev.jsonl');
const present = existsSync(ITEMS) && existsSync(LABELS);
if (!present) console.log(`dev-quality: skipped, ${DATA} is absent`);

describe.skipIf(!present)('default topics on the dev set', () => {
  it('reach F1 >= 0.85 with precision >= 0.85', async () => {
    const matcher = compileTopics(await loadTopicsFile(path.resolve(process.cwd(), 'config', 'topics.yaml')));
    const labels = parseLabels(readFileSync(LABELS, 'utf8'), LABELS);
    const wanted = new Set(labels.map((l) => l.id));
    const predicted = new Map<string, boolean>();
    readFileSync(ITEMS, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const item = parseItemLine(line, `news_items.jsonl:${i + 1}`);
        if (wanted.has(item.id)) predicted.set(item.id, matchItem(matcher, item).matched);
      });
    const ev = evaluate(predicted, labels);
    console.log(
      `dev-quality: ${ev.total} items, precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, F1 ${ev.f1.toFixed(3)}`,
    );
    expect(ev.missing).toEqual([]);
    expect(ev.precision).toBeGreaterThanOrEqual(0.85);
    expect(ev.f1).toBeGreaterThanOrEqual(0.85);
  });
});
