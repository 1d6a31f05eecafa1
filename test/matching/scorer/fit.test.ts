// Cross-validation machinery: story-grouped stratified folds, vocabulary by story count, the threshold
// choice, and seeded reproducibility.
import { describe, expect, it } from 'vitest';
import {
  cautionOrder,
  chooseThreshold,
  chooseThresholdWithoutRules,
  crossValidate,
  decide,
  fitModel,
  metricsAt,
  metricsWithRules,
  rng,
  selectConfig,
  storyFolds,
  vocabulary,
  type Example,
  type FitConfig,
} from '../../../src/matching/scorer/fit.ts';
import { ALL_FEATURES } from '../../../src/matching/scorer/features.ts';
import { storyGroups } from '../../../src/matching/scorer/stories.ts';

function examples(n: number, seed: number): Example[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 4 === 0 ? 1 : 0) as 0 | 1;
    const values = new Map<string, number>([[`word:common${i % 7}`, 1]]);
    if (label === 1 ? r() < 0.9 : r() < 0.05) values.set('fact:actor', 1);
    if (r() < 0.3) values.set(`word:rare${i}`, 1);
    return { id: `e${i}`, label, story: Math.floor(i / 2), values };
  });
}

const CONFIG: FitConfig = { families: ALL_FEATURES, minStories: 2, lambda: 0.01, positiveWeight: 2 };

describe('storyFolds', () => {
  it('keeps a story in one fold, spreads positives evenly, and follows the seed', () => {
    const ex = examples(200, 3);
    const folds = storyFolds(ex, 5, 7);
    for (let i = 0; i < ex.length; i += 2) expect(folds[i]).toBe(folds[i + 1]);
    const pos = [0, 1, 2, 3, 4].map((f) => ex.filter((e, i) => e.label === 1 && folds[i] === f).length);
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(2);
    expect(storyFolds(ex, 5, 7)).toEqual(folds);
    expect(storyFolds(ex, 5, 8)).not.toEqual(folds);
  });
});

describe('vocabulary', () => {
  it('keeps a word only when enough different stories use it, and every knowledge feature', () => {
    const ex: Example[] = [
      { id: 'a', label: 1, story: 0, values: new Map([['word:spy', 1], ['fact:actor', 1]]) },
      { id: 'b', label: 1, story: 0, values: new Map([['word:spy', 1]]) },
      { id: 'c', label: 0, story: 1, values: new Map([['word:cup', 1]]) },
      { id: 'd', label: 0, story: 2, values: new Map([['word:cup', 1]]) },
    ];
    expect([...vocabulary(ex, CONFIG).keys()]).toEqual(['fact:actor', 'word:cup']);
    expect([...vocabulary(ex, { ...CONFIG, families: { ...ALL_FEATURES, words: false } }).keys()]).toEqual(['fact:actor']);
  });

  it('keeps a named state only when enough stories use it; kinds of story always (their weight has a prior)', () => {
    const ex: Example[] = [0, 1, 2].map((story) => ({
      id: `s${story}`,
      label: 1,
      story,
      values: new Map([['fact:kind', 1], ['kind:ip_theft', 1], ['state:China', 1], ...(story === 0 ? [['kind:influence_operation', 1] as [string, number], ['state:Taiwan', 1] as [string, number]] : [])]),
    }));
    expect([...vocabulary(ex, { ...CONFIG, minStories: 2 }).keys()]).toEqual(['fact:kind', 'kind:influence_operation', 'kind:ip_theft', 'state:China']);
    expect([...vocabulary(ex, { ...CONFIG, minStories: 4 }).keys()]).toEqual(['fact:kind', 'kind:influence_operation', 'kind:ip_theft']);
  });
});

describe('chooseThreshold', () => {
  it('takes the best F1 among thresholds reaching the precision asked for', () => {
    const probs = [0.95, 0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2];
    const labels = [1, 1, 0, 1, 1, 0, 1, 0];
    const t = chooseThreshold(probs, labels, 0.9);
    expect(t.metrics.precision).toBeGreaterThanOrEqual(0.9);
    expect(t.threshold).toBeCloseTo(0.85, 5);
    const loose = chooseThreshold(probs, labels, 0);
    expect(loose.metrics.f1).toBeGreaterThan(t.metrics.f1);
    expect(metricsAt(probs, labels, loose.threshold)).toEqual(loose.metrics);
  });
});

describe('the threshold for stories no rule matched', () => {
  // Stories no rule matched, by score: the model alone is right about the top two, then wrong, then right.
  const probs = [0.97, 0.93, 0.85, 0.8, 0.75, 0.99, 0.6];
  const labels = [1, 1, 0, 1, 0, 0, 1];
  const rules = [false, false, false, false, false, true, true];

  it.each([
    { name: 'a precision the top two reach alone', minPrecision: 0.95, want: (0.93 + 0.85) / 2 },
    { name: 'a precision the top four reach (3 of 4)', minPrecision: 0.75, want: (0.8 + 0.75) / 2 },
    { name: 'a precision every story reaches: the main threshold', minPrecision: 0.5, want: 0.7 },
  ])('is the lowest cut reaching $name', ({ minPrecision, want }) => {
    expect(chooseThresholdWithoutRules(probs, labels, rules, 0.7, minPrecision)).toBeCloseTo(want, 9);
  });

  it('is above every score when no cut reaches the precision, and never below the main threshold', () => {
    expect(chooseThresholdWithoutRules([0.9, 0.8], [0, 1], [false, false], 0.5, 0.95)).toBeGreaterThan(0.9);
    expect(chooseThresholdWithoutRules([0.9, 0.8], [1, 1], [false, false], 0.85, 0.95)).toBe(0.85);
  });

  it('decides a rule-matched story on the main threshold and any other on the stricter one', () => {
    expect(decide(0.8, true, 0.7, 0.9)).toBe(true);
    expect(decide(0.8, false, 0.7, 0.9)).toBe(false);
    expect(decide(0.95, false, 0.7, 0.9)).toBe(true);
    // An older model file with no second threshold: the main one for every story.
    expect(decide(0.75, false, 0.7, 0)).toBe(true);
    expect(metricsWithRules(probs, labels, rules, 0.7, 0.89)).toEqual(metricsAt([1, 1, 0, 0, 0, 1, 0], labels, 0.5));
  });

  it.each([
    { name: 'a rule-matched story, scattered or not, on the main threshold', p: 0.8, rule: true, scattered: true, want: true },
    { name: 'a story no rule matched, its kind told in one sentence, over the stricter threshold', p: 0.95, rule: false, scattered: false, want: true },
    { name: 'a story no rule matched, its kind scattered, over the stricter threshold', p: 0.95, rule: false, scattered: true, want: false },
    { name: 'a story no rule matched, its kind scattered, under it', p: 0.8, rule: false, scattered: true, want: false },
  ])('decides $name', ({ p, rule, scattered, want }) => {
    expect(decide(p, rule, 0.7, 0.9, scattered)).toBe(want);
  });

  it('counts a scattered story no rule matched as left out, and leaves the threshold to every such story', () => {
    // The top story no rule matched (0.97, relevant) is scattered: left out, so a false negative.
    const scattered = [true, false, false, false, false, true, false];
    expect(metricsWithRules(probs, labels, rules, 0.7, 0.89, scattered)).toEqual(metricsAt([0, 1, 0, 0, 0, 1, 0], labels, 0.5));
  });
});

describe('crossValidate', () => {
  it('scores every example out of fold, the same way twice', () => {
    const ex = examples(160, 5);
    const a = crossValidate(ex, CONFIG, { folds: 4, repeats: 2, seed: 1, minPrecision: 0.8 });
    const b = crossValidate(ex, CONFIG, { folds: 4, repeats: 2, seed: 1, minPrecision: 0.8 });
    expect(a.oof).toHaveLength(2);
    expect(a.oof[0]).toHaveLength(160);
    expect(a).toEqual(b);
    expect(a.metrics.f1).toBeGreaterThan(0.7);
  });

  it('fits weights by name, zero weights left out', () => {
    const m = fitModel(examples(120, 9), CONFIG);
    expect(m.weights.get('fact:actor')).toBeGreaterThan(0);
    expect([...m.weights.keys()].every((k) => k === 'fact:actor' || k.startsWith('word:common'))).toBe(true);
  });
});

describe('choosing a configuration', () => {
  const base: FitConfig = { ...CONFIG, families: { ...ALL_FEATURES, words: false }, priorWeight: 1, ruleScale: 1, lambda: 0.01 };
  it.each([
    { name: 'no words before words', a: base, b: { ...base, families: ALL_FEATURES } },
    { name: 'a weaker guide prior', a: { ...base, priorWeight: 0 }, b: base },
    { name: 'more weight on rule matches', a: { ...base, ruleScale: 3 }, b: base },
    { name: 'stronger regularisation', a: { ...base, lambda: 0.03 }, b: base },
    { name: 'the prior before the rules and the regularisation', a: { ...base, priorWeight: 0.5, lambda: 0.001 }, b: { ...base, ruleScale: 3, lambda: 0.1 } },
  ])('puts the cautious one first: $name', ({ a, b }) => {
    expect(cautionOrder(a, b)).toBeLessThan(0);
    expect(cautionOrder(b, a)).toBeGreaterThan(0);
  });

  it('takes the most cautious configuration within one standard error of the best F1', () => {
    const ex = examples(160, 5);
    const cv = { folds: 4, repeats: 2, seed: 1, minPrecision: 0.8 };
    // Without word features the examples hold almost nothing to learn: the most cautious by order, but far
    // below the best. The other two differ by a lambda of 1e-9: the same F1 up to noise, so the stronger wins.
    const blind: FitConfig = { ...CONFIG, families: { ...ALL_FEATURES, words: false, knowledge: false } };
    const grid = [{ ...CONFIG, lambda: 0.01 }, { ...CONFIG, lambda: 0.01 + 1e-9 }, blind];
    const ranked = selectConfig(ex, grid, cv);
    expect(ranked).toHaveLength(3);
    const best = Math.max(...ranked.map((c) => c.result.metrics.f1));
    const se = ranked.find((c) => c.result.metrics.f1 === best)!.result.foldF1.sd / Math.sqrt(8);
    expect(ranked.find((c) => c.config === blind)!.result.metrics.f1).toBeLessThan(best - se);
    expect(cautionOrder(blind, CONFIG)).toBeLessThan(0);
    expect(ranked[0]!.config.lambda).toBe(0.01 + 1e-9);
  });
});

describe('storyGroups', () => {
  it('groups titles that share most of their words, transitively', () => {
    expect(
      storyGroups([
        'Hackers breach the ministry of defence networks',
        'Ministry of defence networks breached by hackers',
        'Local team wins the cup',
        'Defence ministry networks breach: hackers suspected',
      ]),
    ).toEqual([0, 0, 1, 0]);
  });
});
