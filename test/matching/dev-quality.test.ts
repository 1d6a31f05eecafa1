// Quality on the hand-labelled sets (../shared/data: matcher_train.jsonl for fitting, matcher_dev.jsonl for
// checking, items in news_items.jsonl). Skips, saying so, when the shared data is absent.
// - The shipped model's card tells the truth: scoring matcher_dev.jsonl now gives exactly the figures the
//   card records (the model never saw those items), and the recorded cross-validated figures meet the bar.
// - The topics' rules alone (matching.scorer: rules) still do what the README says on the dev set.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { decideItem, evaluate, loadRelevance, parseLabels, type ItemLine } from '../../src/matching/index.ts';
import { NEWS_ITEMS, readNewsItems, SHARED_DATA, shippedRelevance } from '../helpers/shared-data.ts';

const ROOT = process.cwd();
const DEV = path.join(SHARED_DATA, 'matcher_dev.jsonl');
const present = existsSync(NEWS_ITEMS) && existsSync(DEV);
if (!present) console.log(`dev-quality: skipped, ${SHARED_DATA} is absent`);

const settings = shippedRelevance;

function devItems(): { items: ItemLine[]; labels: ReturnType<typeof parseLabels> } {
  const labels = parseLabels(readFileSync(DEV, 'utf8'), DEV);
  const wanted = new Set(labels.map((l) => l.id));
  const items = readNewsItems((x) => wanted.has(x.id));
  return { items, labels };
}

describe.skipIf(!present)('matching quality on the hand-labelled sets', () => {
  it("the shipped model's recorded figures: cross-validated F1 and precision >= 0.90, and dev as the card says", async () => {
    const topics = await loadTopicsFile(path.join(ROOT, 'config', 'topics.yaml'));
    const { scorer, notice } = await loadRelevance(topics, settings('model'));
    expect(notice).toBeNull();
    const card = scorer.model!.file.figures;
    expect(card.cross_validated.metrics.f1).toBeGreaterThanOrEqual(0.9);
    expect(card.cross_validated.metrics.precision).toBeGreaterThanOrEqual(0.9);
    const { items, labels } = devItems();
    const ev = evaluate(new Map(items.map((it) => [it.id, decideItem(scorer, it).matched])), labels);
    console.log(`dev-quality (model): ${ev.total} items, precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, F1 ${ev.f1.toFixed(3)}`);
    expect(ev.missing).toEqual([]);
    const recorded = card.checked.find((c) => c.file === 'matcher_dev.jsonl');
    expect(recorded).toBeDefined();
    expect({ tp: ev.truePositives, fp: ev.falsePositives, fn: ev.falseNegatives }).toEqual({ tp: recorded!.metrics.tp, fp: recorded!.metrics.fp, fn: recorded!.metrics.fn });
  });

  it('the topics rules alone reach F1 >= 0.85 with precision >= 0.85 on the dev set', async () => {
    const topics = await loadTopicsFile(path.join(ROOT, 'config', 'topics.yaml'));
    const { scorer } = await loadRelevance(topics, settings('rules'));
    const { items, labels } = devItems();
    const ev = evaluate(new Map(items.map((it) => [it.id, decideItem(scorer, it).matched])), labels);
    console.log(`dev-quality (rules): ${ev.total} items, precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, F1 ${ev.f1.toFixed(3)}`);
    expect(ev.precision).toBeGreaterThanOrEqual(0.85);
    expect(ev.f1).toBeGreaterThanOrEqual(0.85);
  });
});
