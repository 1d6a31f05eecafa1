// The second check of the relevance scorer (docs/relevance-check/): the shipped model on the labelled half of
// the security news outside the training and dev sets gives the figures the README states, and lets in
// nothing from that half that was not labelled (else the figures would leave some of its decisions out); the
// random sample of the rest of the half belongs to it and was let in by nothing. The later label files
// (half A, the general news let in, the sample drawn like the training file, the blind reading of the
// model-alone path, the fresh sample read by two helpers) are held to their descriptions.
// Skips, saying so, when the shared data is absent.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { decideItem, evaluate, loadRelevance, parseLabels, type ItemLine } from '../../src/matching/index.ts';
import { NEWS_ITEMS, readNewsItems, SHARED_DATA, shippedRelevance } from '../helpers/shared-data.ts';

const ROOT = process.cwd();
const SETS = ['matcher_train.jsonl', 'matcher_dev.jsonl'].map((f) => path.join(SHARED_DATA, f));
const present = existsSync(NEWS_ITEMS) && SETS.every((f) => existsSync(f));
if (!present) console.log(`check-set: skipped, ${SHARED_DATA} is absent`);

/** A half of the security news in neither set: SHA-256 of the id odd (1, the checked half) or even (0). */
function half(parity: 0 | 1): ItemLine[] {
  const used = new Set(SETS.flatMap((f) => parseLabels(readFileSync(f, 'utf8'), f).map((l) => l.id)));
  return readNewsItems((x) => x.id.startsWith('cybernews-') && !used.has(x.id) && parseInt(createHash('sha256').update(x.id).digest('hex').slice(-1), 16) % 2 === parity);
}
const checkedHalf = () => half(1);

/** The shipped relevance model with the default topics, as the bot loads them. */
async function shippedScorer() {
  const topics = await loadTopicsFile(path.join(ROOT, 'config', 'topics.yaml'));
  return (await loadRelevance(topics, shippedRelevance('model'))).scorer;
}

/** A label file of docs/relevance-check/. */
function checkLabels(name: string) {
  const file = path.join(ROOT, 'docs', 'relevance-check', name);
  return parseLabels(readFileSync(file, 'utf8'), file);
}

describe.skipIf(!present)('the relevance scorer on the second check set', () => {
  it('gives the README figures and lets in nothing unlabelled', async () => {
    const scorer = await shippedScorer();
    const labels = checkLabels('labels.jsonl');
    const half = checkedHalf();
    expect(half.length).toBe(2498);
    const decided = new Map(half.map((it) => [it.id, decideItem(scorer, it).matched]));
    const labelled = new Set(labels.map((l) => l.id));
    expect([...decided].filter(([id, inScope]) => inScope && !labelled.has(id))).toEqual([]);
    const ev = evaluate(decided, labels);
    console.log(`check-set: ${ev.total} items, precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, F1 ${ev.f1.toFixed(3)}`);
    expect(ev.missing).toEqual([]);
    // Session 15: a demonym describing the target and a state named as the target in a compound no longer make
    // the state the actor, and a North Korean group named alone is a named group, not the regime at work: 2 false
    // alarms fewer.
    // Session 16: a zero-day against a region's government networks meets government-espionage, and hackers sabotaging
    // a country's energy facility (labelled in session 16, when it was first let in) critical-infrastructure-attacks.
    // Session 27: a national cyber strategy against adversaries meets cyber-strategy (labelled then, when it was
    // first let in, by the guide's "national cyber strategy/policy explicitly aimed at foreign state threats").
    // And a campaign a vendor attributes to a group the threat-actor list knows (APT23's alias), its tool
    // "trojanized": labelled 1 then, as the issue's first kind of miss ("a campaign named only by its
    // threat-actor name").
    expect({ tp: ev.truePositives, fp: ev.falsePositives, fn: ev.falseNegatives }).toEqual({ tp: 155, fp: 7, fn: 14 });
    // The random sample of the rest of the half (README): 150 items of the half, none labelled above, none let in.
    const sample = checkLabels('random-sample.jsonl');
    expect(new Set(sample.map((l) => l.id)).size).toBe(150);
    expect(sample.filter((l) => !decided.has(l.id) || labelled.has(l.id))).toEqual([]);
    const sampled = evaluate(decided, sample);
    expect({ tp: sampled.truePositives, fp: sampled.falsePositives, fn: sampled.falseNegatives, missing: sampled.missing }).toEqual({ tp: 0, fp: 0, fn: 0, missing: [] });
  });
});

describe.skipIf(!present)('the labels of the other half (docs/relevance-check/README.md, session 9)', () => {
  it('belong to the even half, and give the shipped model the figures the README states', async () => {
    const scorer = await shippedScorer();
    const labels = checkLabels('half-a-labels.jsonl');
    const items = half(0);
    expect(items.length).toBe(2536);
    expect(new Set(labels.map((l) => l.id)).size).toBe(287);
    expect(labels.filter((l) => l.label === 1).length).toBe(165);
    const decided = new Map(items.map((it) => [it.id, decideItem(scorer, it).matched]));
    const ev = evaluate(decided, labels);
    expect(ev.missing).toEqual([]);
    // Session 13 (second part): the topics' rules no longer count "breach" as cyber, one false alarm fewer.
    // Session 15: a state named in a compound as the target ("Iran-targeted") is not the actor, one fewer.
    // Session 16: a malware campaign against an army and a wiper campaign against a country's energy firms (four
    // reports) meet government-espionage and critical-infrastructure-attacks: five more found.
    expect({ tp: ev.truePositives, fp: ev.falsePositives, fn: ev.falseNegatives }).toEqual({ tp: 149, fp: 9, fn: 16 });
  });
});

describe.skipIf(!present)('the labels of the general news let in (docs/relevance-check/README.md, session 11)', () => {
  it('cover every general-news item the shipped model lets in, with the figures the README states', async () => {
    const scorer = await shippedScorer();
    const used = new Set(SETS.flatMap((f) => parseLabels(readFileSync(f, 'utf8'), f).map((l) => l.id)));
    const items = readNewsItems((x) => !x.id.startsWith('cybernews-') && !used.has(x.id));
    expect(items.length).toBe(18_122);
    const labels = checkLabels('general-news-labels.jsonl');
    expect(new Set(labels.map((l) => l.id)).size).toBe(24);
    const decided = new Map(items.map((it) => [it.id, decideItem(scorer, it).matched]));
    const labelled = new Set(labels.map((l) => l.id));
    expect([...decided].filter(([id, inScope]) => inScope && !labelled.has(id))).toEqual([]);
    const ev = evaluate(decided, labels);
    expect(ev.missing).toEqual([]);
    // Session 13 (second part): election politics and a breach of sanctions no longer count: 3 false alarms
    // fewer, and 2 stories this labeller counted (politicians on Russia's election interference) lost.
    // Session 14: a story no rule matched needs its kind told in one sentence: 2 false alarms fewer (long texts
    // whose kind was made of words from several sentences), nothing relevant lost.
    expect({ tp: ev.truePositives, fp: ev.falsePositives, fn: ev.falseNegatives }).toEqual({ tp: 13, fp: 2, fn: 2 });
  });
});

describe.skipIf(!present)('the sample drawn like the training file (docs/relevance-check/README.md, session 13)', () => {
  const labels = () => checkLabels('drawn-like-train.jsonl');
  const sourceOf = (id: string) => id.split('-')[0];
  /** Half B of split-halves.py: SHA-256 of "drawn-like-train:" + id ends in an odd hex digit. */
  const inHalfB = (id: string) => parseInt(createHash('sha256').update(`drawn-like-train:${id}`).digest('hex').slice(-1), 16) % 2 === 1;

  it("holds 572 items outside both sets, in the training file's shares by source", () => {
    const rows = labels();
    const used = new Set(SETS.flatMap((f) => parseLabels(readFileSync(f, 'utf8'), f).map((l) => l.id)));
    expect(new Set(rows.map((l) => l.id)).size).toBe(572);
    expect(rows.filter((l) => used.has(l.id))).toEqual([]);
    const known = new Set(readNewsItems(() => true).map((x) => x.id));
    expect(rows.filter((l) => !known.has(l.id))).toEqual([]);
    const count = (ids: string[]) => Object.fromEntries(['cybernews', 'agnews', 'huffpost', 'feed'].map((s) => [s, ids.filter((id) => sourceOf(id) === s).length]));
    expect(count(rows.map((l) => l.id))).toEqual({ cybernews: 443, agnews: 65, huffpost: 57, feed: 7 });
    // The training file's counts (774 / 114 / 99 / 13) scaled to 572 round to the same.
    const trainFile = path.join(SHARED_DATA, 'matcher_train.jsonl');
    const train = parseLabels(readFileSync(trainFile, 'utf8'), trainFile).map((l) => l.id);
    const drawn = count(rows.map((l) => l.id));
    for (const [s, n] of Object.entries(count(train))) expect(Math.abs((n / train.length) * 572 - (drawn[s] ?? 0)), s).toBeLessThan(1);
    expect(rows.filter((l) => l.label === 1).length).toBe(59);
  });

  it('gives the shipped model the figures the README states, in all, by source and on half B', async () => {
    const scorer = await shippedScorer();
    const rows = labels();
    const ids = new Set(rows.map((l) => l.id));
    const decided = new Map(readNewsItems((x) => ids.has(x.id)).map((it) => [it.id, decideItem(scorer, it).matched]));
    const cases: { name: string; keep: (id: string) => boolean; want: { tp: number; fp: number; fn: number } }[] = [
      { name: 'all', keep: () => true, want: { tp: 48, fp: 0, fn: 11 } },
      { name: 'security news', keep: (id) => sourceOf(id) === 'cybernews', want: { tp: 48, fp: 0, fn: 10 } },
      { name: 'general news', keep: (id) => sourceOf(id) !== 'cybernews', want: { tp: 0, fp: 0, fn: 1 } },
      { name: 'half B', keep: inHalfB, want: { tp: 20, fp: 0, fn: 6 } },
      { name: 'half A', keep: (id) => !inHalfB(id), want: { tp: 28, fp: 0, fn: 5 } },
    ];
    for (const c of cases) {
      const ev = evaluate(decided, rows.filter((l) => c.keep(l.id)));
      expect(ev.missing, c.name).toEqual([]);
      expect({ tp: ev.truePositives, fp: ev.falsePositives, fn: ev.falseNegatives }, c.name).toEqual(c.want);
    }
  });
});

describe.skipIf(!present)('the blind reading of the model-alone path (docs/relevance-check/README.md, session 28)', () => {
  interface Reading { id: string; part: 'model-alone' | 'rule-match' | 'calibration'; helper_1: 0 | 1; helper_2: 0 | 1 }
  const readings = () => readFileSync(path.join(ROOT, 'docs', 'relevance-check', 'alone-path-check.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reading);

  it('holds every story the shipped model lets in by itself outside both sets, and gives the README figures', async () => {
    const scorer = await shippedScorer();
    const [train, dev] = SETS.map((f) => new Map(parseLabels(readFileSync(f, 'utf8'), f).map((l) => [l.id, l.label])));
    const rows = readings();
    const part = (p: Reading['part']) => rows.filter((r) => r.part === p);
    expect(new Set(rows.map((r) => r.id)).size).toBe(81);
    // The path as shipped: let in, with no topic's rules matched.
    const alone = new Set<string>();
    const ruleMatch = new Set<string>();
    for (const it of readNewsItems((x) => !train!.has(x.id) && !dev!.has(x.id))) {
      const d = decideItem(scorer, it);
      if (d.matched) (d.topics.some((t) => t.matched) ? ruleMatch : alone).add(it.id);
    }
    expect(part('model-alone').map((r) => r.id).sort()).toEqual([...alone].sort());
    expect(part('rule-match').filter((r) => !ruleMatch.has(r.id))).toEqual([]);
    expect(part('rule-match')).toHaveLength(30);
    expect(part('calibration').filter((r) => !train!.has(r.id))).toEqual([]);
    expect(part('calibration')).toHaveLength(30);
    const both = (rs: Reading[]) => rs.filter((r) => r.helper_1 === 1 && r.helper_2 === 1).length;
    const agree = (rs: Reading[]) => rs.filter((r) => r.helper_1 === r.helper_2).length;
    expect([part('model-alone'), part('rule-match'), part('calibration')].map((rs) => [agree(rs), both(rs)])).toEqual([[21, 17], [29, 28], [30, 13]]);
    expect(part('calibration').filter((r) => r.helper_1 === train!.get(r.id) && r.helper_2 === train!.get(r.id))).toHaveLength(28);
  });
});

describe.skipIf(!present)('a fresh sample drawn like the training file, read by two helpers (docs/relevance-check/README.md, session 31)', () => {
  interface Reading { id: string; draw: 1 | 2; part: 'drawn' | 'calibration'; helper_1: 0 | 1; helper_2: 0 | 1 }
  const readings = () => readFileSync(path.join(ROOT, 'docs', 'relevance-check', 'fresh-sample.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reading);

  it('holds two draws of 301 items outside both sets, each read beside 40 training items', () => {
    const [train, dev] = SETS.map((f) => new Map(parseLabels(readFileSync(f, 'utf8'), f).map((l) => [l.id, l.label])));
    const rows = readings();
    for (const draw of [1, 2] as const) {
      const drawn = rows.filter((r) => r.draw === draw && r.part === 'drawn');
      const calibration = rows.filter((r) => r.draw === draw && r.part === 'calibration');
      expect(new Set(drawn.map((r) => r.id)).size, `draw ${draw}`).toBe(301);
      expect(drawn.filter((r) => train!.has(r.id) || dev!.has(r.id)), `draw ${draw}`).toEqual([]);
      expect(calibration.filter((r) => !train!.has(r.id)), `draw ${draw}`).toEqual([]);
      expect(calibration, `draw ${draw}`).toHaveLength(40);
    }
    const matched = (draw: 1 | 2) => rows.filter((r) => r.draw === draw && r.part === 'calibration').map((r) => [r.helper_1, r.helper_2].filter((h) => h === train!.get(r.id)).length);
    expect(matched(1).every((n) => n === 2)).toBe(true);
    expect(matched(2).reduce((a, b) => a + b, 0)).toBe(76);
  });

  it('gives the shipped model the figures the README states, with "relevant" read as both readers saying so', async () => {
    const scorer = await shippedScorer();
    const rows = readings().filter((r) => r.part === 'drawn');
    const ids = new Set(rows.map((r) => r.id));
    const decided = new Map(readNewsItems((x) => ids.has(x.id)).map((it) => [it.id, decideItem(scorer, it).matched]));
    for (const { draw, want } of [
      { draw: 1, want: { tp: 0, fp: 0, fn: 6 } },
      { draw: 2, want: { tp: 28, fp: 2, fn: 2 } },
    ]) {
      const labels = rows.filter((r) => r.draw === draw).map((r) => ({ id: r.id, label: Math.min(r.helper_1, r.helper_2) as 0 | 1 }));
      const ev = evaluate(decided, labels);
      expect(ev.missing, `draw ${draw}`).toEqual([]);
      expect({ tp: ev.truePositives, fp: ev.falsePositives, fn: ev.falseNegatives }, `draw ${draw}`).toEqual(want);
    }
  });
});
