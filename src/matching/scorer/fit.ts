// Fitting and choosing the relevance model: vocabulary, stratified story-grouped k-fold cross-validation,
// threshold choice, a small grid over feature families and regularisation, nested cross-validation for an
// honest estimate of the whole procedure, and the final fit. Seeded: the same data and seed give the same
// model. Kept apart from scoring (scorer.ts), as fitting, selection and scoring are in scikit-learn.
import { GUIDE_PRIOR, type FeatureSet } from './features.ts';
import { fitLogistic, type Sample } from './logistic.ts';

export interface Example {
  id: string;
  label: 0 | 1;
  /** Story number (stories.ts): items of one story stay in one fold and count once for the vocabulary. */
  story: number;
  values: Map<string, number>;
  /** Weight of this example in the fit (feedback may count more or less than shipped labels). */
  weight?: number;
  /**
   * No topic's rules matched it and no kind of story is told in its title with one sentence (one-sentence.ts):
   * the model alone may not let it in. Set by buildExamples; absent means told in one sentence.
   */
  scattered?: boolean;
}

export interface FitConfig {
  families: FeatureSet;
  /**
   * A sparse feature (a word, a word pair, a named state, one kind of story) is kept when at least this many
   * different stories use it: a weight learned from a handful of stories remembers them, not the beat.
   */
  minStories: number;
  lambda: number;
  /** Weight of positive examples (there are far fewer of them). */
  positiveWeight: number;
  /**
   * Scale of the word families (words, bigrams, title words) relative to the others: below 1 regularises
   * them harder, so the general knowledge, concept and rule features carry more of the decision.
   */
  wordScale?: number;
  /** Scale of the rule features: above 1 regularises them less, so a rule match counts for much. */
  ruleScale?: number;
  /** Strength of the labelling guide's prior (features.ts GUIDE_PRIOR); 0 shrinks every weight to zero. */
  priorWeight?: number;
}

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface CvOptions {
  folds: number;
  repeats: number;
  seed: number;
  /** Threshold choice: the best F1 among thresholds whose precision reaches this, if any. */
  minPrecision: number;
  /** Precision the stories no topic's rules matched must reach on their own (chooseThresholdWithoutRules). */
  minPrecisionWithoutRules?: number;
}

export const DEFAULT_CV: CvOptions = { folds: 5, repeats: 5, seed: 1, minPrecision: 0.9, minPrecisionWithoutRules: 0.95 };

const FAMILY_PREFIX: Record<keyof FeatureSet, string[]> = {
  words: ['word:'],
  bigrams: ['bigram:'],
  titleWords: ['title:'],
  knowledge: ['fact:', 'state:', 'kind:'],
  concepts: ['concept:'],
  pairs: ['both:'],
  allPairs: ['with:'],
  rules: ['rule:'],
};

/**
 * Features counted per story for minStories; the rest are always kept. A named state is one of them (no prior
 * says what a state's own weight should be); a kind of story is not: its weight shrinks toward the labelling
 * guide's prior, so a kind few training stories show keeps the guide's weight instead of remembering them.
 */
const SPARSE_PREFIXES = ['word:', 'bigram:', 'title:', 'state:', 'with:'];

export function familyOf(name: string): keyof FeatureSet | null {
  for (const [family, prefixes] of Object.entries(FAMILY_PREFIX) as [keyof FeatureSet, string[]][]) {
    if (prefixes.some((p) => name.startsWith(p))) return family;
  }
  return null;
}

/** Seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fold per example: whole stories are dealt to folds, positives' stories and negatives' stories separately
 * (stratified), each in seeded random order, to the fold with the fewest examples so far.
 */
export function storyFolds(examples: readonly Example[], k: number, seed: number): number[] {
  const rand = rng(seed);
  const stories = new Map<number, { label: number; members: number[] }>();
  examples.forEach((e, i) => {
    const s = stories.get(e.story) ?? { label: 0, members: [] };
    s.members.push(i);
    if (e.label === 1) s.label = 1;
    stories.set(e.story, s);
  });
  const fold = new Array<number>(examples.length).fill(0);
  const sizes = new Array<number>(k).fill(0);
  for (const label of [1, 0]) {
    const list = [...stories.values()].filter((s) => s.label === label);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const labelSizes = new Array<number>(k).fill(0);
    for (const s of list) {
      let best = 0;
      for (let f = 1; f < k; f++) if (labelSizes[f]! < labelSizes[best]! || (labelSizes[f] === labelSizes[best] && sizes[f]! < sizes[best]!)) best = f;
      for (const m of s.members) fold[m] = best;
      labelSizes[best]! += s.members.length;
      sizes[best]! += s.members.length;
    }
  }
  return fold;
}

function allowed(name: string, families: FeatureSet): boolean {
  const f = familyOf(name);
  return f !== null && families[f];
}

/** Feature name -> index, for the features of `examples` that the config keeps. Sorted: deterministic. */
export function vocabulary(examples: readonly Example[], config: FitConfig): Map<string, number> {
  const stories = new Map<string, Set<number>>();
  const dense = new Set<string>();
  for (const e of examples) {
    for (const name of e.values.keys()) {
      if (!allowed(name, config.families)) continue;
      if (SPARSE_PREFIXES.some((p) => name.startsWith(p))) {
        let s = stories.get(name);
        if (!s) stories.set(name, (s = new Set()));
        s.add(e.story);
      } else {
        dense.add(name);
      }
    }
  }
  const names = [...dense, ...[...stories].filter(([, s]) => s.size >= config.minStories).map(([n]) => n)].sort();
  return new Map(names.map((n, i) => [n, i]));
}

const WORD_PREFIXES = ['word:', 'bigram:', 'title:'];

export interface Scales {
  words: number;
  rules: number;
}

export function scalesOf(config: FitConfig): Scales {
  return { words: config.wordScale ?? 1, rules: config.ruleScale ?? 1 };
}

/** The value a feature enters the model with: word and rule features scaled as the config says. */
export function scaled(name: string, value: number, scales: Scales): number {
  if (scales.words !== 1 && WORD_PREFIXES.some((p) => name.startsWith(p))) return value * scales.words;
  if (scales.rules !== 1 && name.startsWith('rule:')) return value * scales.rules;
  return value;
}

export function toSample(values: ReadonlyMap<string, number>, vocab: ReadonlyMap<string, number>, scales: Scales = { words: 1, rules: 1 }): Sample {
  const idx: number[] = [];
  const val: number[] = [];
  for (const [name, v] of values) {
    const i = vocab.get(name);
    if (i === undefined || v === 0) continue;
    idx.push(i);
    val.push(scaled(name, v, scales));
  }
  return { indices: Int32Array.from(idx), values: Float64Array.from(val) };
}

export interface FittedModel {
  bias: number;
  /** Feature name -> weight, zero weights left out. */
  weights: Map<string, number>;
}

export function fitModel(examples: readonly Example[], config: FitConfig, prior?: FittedModel, priorLambda?: number): FittedModel {
  const ws = scalesOf(config);
  const vocab = vocabulary(examples, config);
  if (prior) for (const name of prior.weights.keys()) if (!vocab.has(name) && allowed(name, config.families)) vocab.set(name, vocab.size);
  const samples = examples.map((e) => toSample(e.values, vocab, ws));
  const labels = examples.map((e) => e.label);
  let priorVec: Float64Array | undefined;
  const guide = config.priorWeight ?? 0;
  if (prior) {
    priorVec = new Float64Array(vocab.size);
    for (const [name, i] of vocab) priorVec[i] = (prior.weights.get(name) ?? 0) / scaled(name, 1, ws);
  } else if (guide !== 0) {
    priorVec = new Float64Array(vocab.size);
    for (const [name, i] of vocab) priorVec[i] = (guide * (GUIDE_PRIOR[name] ?? 0)) / scaled(name, 1, ws);
  }
  const m = fitLogistic(samples, labels, vocab.size, {
    lambda: prior && priorLambda !== undefined ? priorLambda : config.lambda,
    positiveWeight: config.positiveWeight,
    ...(priorVec ? { prior: priorVec } : {}),
    ...(examples.some((e) => e.weight !== undefined) ? { sampleWeights: examples.map((e) => e.weight ?? 1) } : {}),
  });
  const weights = new Map<string, number>();
  for (const [name, i] of vocab) {
    // Stored as the weight of the raw value, so scoring needs no scale.
    const w = Math.round(scaled(name, m.weights[i]!, ws) * 1e6) / 1e6;
    if (w !== 0) weights.set(name, w);
  }
  return { bias: Math.round(m.bias * 1e6) / 1e6, weights };
}

export function probability(model: FittedModel, values: ReadonlyMap<string, number>): number {
  let z = model.bias;
  for (const [name, v] of values) z += (model.weights.get(name) ?? 0) * v;
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function metricsAt(probs: readonly number[], labels: readonly number[], threshold: number): Metrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  probs.forEach((p, i) => {
    const yes = p >= threshold;
    if (yes && labels[i] === 1) tp++;
    else if (yes) fp++;
    else if (labels[i] === 1) fn++;
    else tn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, tp, fp, fn, tn };
}

/**
 * The decision threshold: among thresholds whose precision reaches `minPrecision` (all, when none does), the
 * best F1 sits on a plateau a little noise moves about; the highest threshold whose F1 is within `tolerance`
 * of the best is taken, so the choice is stable and leans toward fewer false alarms (the one-standard-error
 * idea). Candidates are midpoints between consecutive distinct probabilities, so the threshold does not sit
 * on one example's score.
 */
export function chooseThreshold(probs: readonly number[], labels: readonly number[], minPrecision: number, tolerance = 0.01): { threshold: number; metrics: Metrics } {
  const sorted = [...new Set(probs)].sort((a, b) => a - b);
  const candidates = [0.5];
  for (let i = 0; i + 1 < sorted.length; i++) candidates.push((sorted[i]! + sorted[i + 1]!) / 2);
  const scored = candidates.map((t) => ({ threshold: t, metrics: metricsAt(probs, labels, t) }));
  const precise = scored.filter((c) => c.metrics.precision >= minPrecision);
  const pool = precise.length > 0 ? precise : scored;
  const best = Math.max(...pool.map((c) => c.metrics.f1));
  const near = pool.filter((c) => c.metrics.f1 >= best - tolerance);
  return near.reduce((a, b) => (b.threshold > a.threshold ? b : a));
}

/** Whether a topic's rules matched the story (the rule features say so). */
export function ruleMatched(values: ReadonlyMap<string, number>): boolean {
  return values.has('rule:any');
}

/** Per example: no topic's rules matched it and its kind of story is not told in one sentence (Example.scattered). */
export function scatteredOf(examples: readonly Example[]): boolean[] {
  return examples.map((e) => e.scattered === true);
}

/**
 * In scope: the probability reaches the threshold, the stricter one when no topic's rules matched; and then
 * only when its kind of story is told in one sentence (`scattered` false).
 */
export function decide(probability: number, rule: boolean, threshold: number, withoutRules: number, scattered = false): boolean {
  if (rule) return probability >= threshold;
  return !scattered && probability >= Math.max(threshold, withoutRules);
}

/** Precision, recall and F1 of decisions made with both thresholds (and the one-sentence condition). */
export function metricsWithRules(probs: readonly number[], labels: readonly number[], rules: readonly boolean[], threshold: number, withoutRules: number, scattered?: readonly boolean[]): Metrics {
  return metricsAt(probs.map((p, i) => (decide(p, rules[i]!, threshold, withoutRules, scattered?.[i] === true) ? 1 : 0)), labels, 0.5);
}

/**
 * The threshold for stories no topic's rules matched. Those rest on the model alone, and it is there that
 * cross-validated figures flatter it most (the knowledge lists were written while reading these same training
 * items), so they are held to a stricter precision: the lowest threshold, at or above `threshold`, at which
 * the stories the model alone lets in were relevant with cross-validated precision `minPrecision`; above
 * every score when none is.
 */
export function chooseThresholdWithoutRules(probs: readonly number[], labels: readonly number[], rules: readonly boolean[], threshold: number, minPrecision: number): number {
  const alone = probs.map((p, i) => ({ p, y: labels[i]!, rule: rules[i]! })).filter((x) => !x.rule && x.p >= threshold).sort((a, b) => b.p - a.p);
  let best = 0.999999;
  let tp = 0;
  for (let i = 0; i < alone.length; i++) {
    if (alone[i]!.y === 1) tp++;
    const next = alone[i + 1]?.p;
    // Cut only between distinct scores, halfway, so the threshold does not sit on one example's score.
    if (next === alone[i]!.p) continue;
    if (tp / (i + 1) >= minPrecision) best = next === undefined ? threshold : (alone[i]!.p + next) / 2;
  }
  return Math.max(threshold, best);
}

export interface CvResult {
  /** Out-of-fold probability per example, per repeat. */
  oof: number[][];
  threshold: number;
  /** Threshold for stories no topic's rules matched (chooseThresholdWithoutRules). */
  thresholdWithoutRules: number;
  /** Pooled over repeats at the chosen threshold. */
  metrics: Metrics;
  /** Mean and spread of F1 across folds and repeats at that threshold. */
  foldF1: { mean: number; sd: number };
}

export function crossValidate(examples: readonly Example[], config: FitConfig, cv: CvOptions, prior?: { model: FittedModel; lambda: number }): CvResult {
  const oof: number[][] = [];
  const foldsOf: number[][] = [];
  for (let r = 0; r < cv.repeats; r++) {
    const folds = storyFolds(examples, cv.folds, cv.seed + r * 7919);
    foldsOf.push(folds);
    const probs = new Array<number>(examples.length).fill(0);
    for (let f = 0; f < cv.folds; f++) {
      const train = examples.filter((_, i) => folds[i] !== f);
      const model = prior ? fitModel(train, config, prior.model, prior.lambda) : fitModel(train, config);
      examples.forEach((e, i) => {
        if (folds[i] === f) probs[i] = probability(model, e.values);
      });
    }
    oof.push(probs);
  }
  const pooledP = oof.flat();
  const pooledY = oof.flatMap(() => examples.map((e) => e.label));
  const rules = examples.map((e) => ruleMatched(e.values));
  const pooledR = oof.flatMap(() => rules);
  const scattered = scatteredOf(examples);
  const pooledS = oof.flatMap(() => scattered);
  const { threshold } = chooseThreshold(pooledP, pooledY, cv.minPrecision);
  // Chosen over every story no rule matched, scattered or not: the one-sentence condition only takes away, and
  // the precision cross-validation gives this path is its most flattered figure, so it must not lower this.
  const thresholdWithoutRules = chooseThresholdWithoutRules(pooledP, pooledY, pooledR, threshold, cv.minPrecisionWithoutRules ?? cv.minPrecision);
  const metrics = metricsWithRules(pooledP, pooledY, pooledR, threshold, thresholdWithoutRules, pooledS);
  const f1s: number[] = [];
  oof.forEach((probs, r) => {
    for (let f = 0; f < cv.folds; f++) {
      const idx = examples.map((_, i) => i).filter((i) => foldsOf[r]![i] === f);
      f1s.push(metricsWithRules(idx.map((i) => probs[i]!), idx.map((i) => examples[i]!.label), idx.map((i) => rules[i]!), threshold, thresholdWithoutRules, idx.map((i) => scattered[i]!)).f1);
    }
  });
  const mean = f1s.reduce((a, b) => a + b, 0) / f1s.length;
  const sd = Math.sqrt(f1s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, f1s.length - 1));
  return { oof, threshold, thresholdWithoutRules, metrics, foldF1: { mean, sd } };
}

export interface Candidate {
  config: FitConfig;
  result: CvResult;
}

/**
 * Orders configurations from the most cautious on news unlike the training items to the least: no word
 * features before words, a weaker labelling-guide prior (it lifts the kinds of story before any data, and the
 * kinds were written while reading these items), rule matches counting for more (the rules hold up on new
 * news; the knowledge lists' extra finds are where cross-validation flatters), stronger regularisation.
 */
export function cautionOrder(a: FitConfig, b: FitConfig): number {
  return (
    Number(a.families.words) - Number(b.families.words) ||
    (a.priorWeight ?? 0) - (b.priorWeight ?? 0) ||
    (b.ruleScale ?? 1) - (a.ruleScale ?? 1) ||
    b.lambda - a.lambda
  );
}

/**
 * Cross-validates every config and puts first the most cautious one (cautionOrder) whose pooled F1 is within
 * one standard error of the best (the one-standard-error rule; the error is the spread of fold F1 over
 * sqrt(folds x repeats)): configurations that close differ by noise on these items, and on news nobody tuned
 * for the cautious one loses less. The rest follow by pooled F1.
 */
export function selectConfig(examples: readonly Example[], grid: readonly FitConfig[], cv: CvOptions, onProgress?: (c: Candidate) => void): Candidate[] {
  const results = grid.map((config) => {
    const c = { config, result: crossValidate(examples, config, cv) };
    onProgress?.(c);
    return c;
  });
  results.sort((a, b) => b.result.metrics.f1 - a.result.metrics.f1 || cautionOrder(a.config, b.config));
  const top = results[0];
  if (!top) return results;
  const se = top.result.foldF1.sd / Math.sqrt(cv.folds * cv.repeats);
  const chosen = results.filter((c) => c.result.metrics.f1 >= top.result.metrics.f1 - se).sort((a, b) => cautionOrder(a.config, b.config))[0]!;
  return [chosen, ...results.filter((c) => c !== chosen)];
}

/**
 * Nested cross-validation: an estimate of the whole procedure (grid search and threshold choice included)
 * on stories it never saw. Each outer fold runs the selection on the rest and scores the held-out fold.
 */
export function nestedCrossValidate(examples: readonly Example[], grid: readonly FitConfig[], cv: CvOptions, outerFolds = 5): Metrics {
  const folds = storyFolds(examples, outerFolds, cv.seed + 104729);
  const probs = new Array<number>(examples.length).fill(0);
  const decided = new Array<number>(examples.length).fill(0);
  for (let f = 0; f < outerFolds; f++) {
    const train = examples.filter((_, i) => folds[i] !== f);
    const best = selectConfig(train, grid, { ...cv, repeats: 1 })[0]!;
    const model = fitModel(train, best.config);
    examples.forEach((e, i) => {
      if (folds[i] !== f) return;
      probs[i] = probability(model, e.values);
      decided[i] = decide(probs[i]!, ruleMatched(e.values), best.result.threshold, best.result.thresholdWithoutRules, e.scattered === true) ? 1 : 0;
    });
  }
  return metricsAt(decided, examples.map((e) => e.label), 0.5);
}
