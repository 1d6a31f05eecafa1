// The relevance model as a versioned JSON file (config/relevance-model.json): the fitted weights, how they
// were chosen, and the figures that describe them. Read with every field checked; written with sorted keys
// so that the same fit gives the same bytes.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseTopics } from '../../config/topics.ts';
import type { Topic } from '../../domain/types.ts';
import type { FeatureSet } from './features.ts';
import type { FitConfig, FittedModel, Metrics } from './fit.ts';

export const MODEL_FORMAT = 'cyberbrief-relevance-model';
export const MODEL_VERSION = 1;
const MAX_MODEL_BYTES = 20 * 1024 * 1024;
const MAX_WEIGHTS = 200_000;

const metrics = z
  .object({
    precision: z.number().min(0).max(1),
    recall: z.number().min(0).max(1),
    f1: z.number().min(0).max(1),
    tp: z.number().int().min(0),
    fp: z.number().int().min(0),
    fn: z.number().int().min(0),
    tn: z.number().int().min(0),
  })
  .strict();

const families = z
  .object({
    words: z.boolean(),
    bigrams: z.boolean(),
    titleWords: z.boolean(),
    knowledge: z.boolean(),
    concepts: z.boolean(),
    pairs: z.boolean(),
    allPairs: z.boolean(),
    rules: z.boolean(),
  })
  .strict();

const schema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    version: z.literal(MODEL_VERSION),
    fitted_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    seed: z.number().int(),
    config: z
      .object({
        families,
        min_stories: z.number().int().min(1),
        lambda: z.number().positive(),
        positive_weight: z.number().positive(),
        word_scale: z.number().positive(),
        rule_scale: z.number().positive(),
        prior_weight: z.number().min(0),
      })
      .strict(),
    threshold: z.number().gt(0).lt(1),
    /** For stories no topic's rules matched (absent in older files: the threshold). */
    threshold_without_rules: z.number().gt(0).lt(1).optional(),
    /** A story no topic's rules matched needs its kind of story told in one sentence (absent in older files: no). */
    one_sentence_without_rules: z.boolean().optional(),
    topics: z.array(z.string()).max(1000),
    /**
     * The topics' rules the model was fitted with, in the topics file's shape: its rule features are read with
     * these, whatever the topics in force say (absent in older files: the topics in force).
     */
    rules: z.array(z.unknown()).max(200).optional(),
    data: z
      .object({
        labels: z.array(z.object({ file: z.string(), items: z.number().int(), positive: z.number().int() }).strict()),
        feedback: z.number().int().min(0),
        stories: z.number().int().min(0),
      })
      .strict(),
    figures: z
      .object({
        cross_validated: z
          .object({
            folds: z.number().int(),
            repeats: z.number().int(),
            metrics,
            fold_f1_mean: z.number(),
            fold_f1_sd: z.number(),
            /** The same out-of-fold decisions counted per source (each label file, then feedback), when there are several. */
            by_source: z.array(z.object({ source: z.string(), items: z.number().int(), metrics }).strict()).max(1000).optional(),
          })
          .strict(),
        nested_cross_validated: metrics.nullable(),
        checked: z.array(z.object({ file: z.string(), items: z.number().int(), metrics }).strict()),
      })
      .strict(),
    bias: z.number(),
    weights: z.record(z.string().max(300), z.number().finite()),
  })
  .strict();

export type ModelFile = z.infer<typeof schema>;

export interface RelevanceModel {
  file: ModelFile;
  fitted: FittedModel;
  config: FitConfig;
  /** The rules it was fitted with (`rules` of the file), null for a file from before they were kept. */
  rules: Topic[] | null;
}

/** Throws, naming `where`, when the file's rules are not a valid topics list or name other topics than `topics`. */
export function modelFromFile(file: ModelFile, where = 'model file'): RelevanceModel {
  const c = file.config;
  const config: FitConfig = {
    families: c.families as FeatureSet,
    minStories: c.min_stories,
    lambda: c.lambda,
    positiveWeight: c.positive_weight,
    wordScale: c.word_scale,
    ruleScale: c.rule_scale,
    priorWeight: c.prior_weight,
  };
  let rules: Topic[] | null = null;
  if (file.rules) {
    try {
      rules = parseTopics({ topics: file.rules }, `${where} (rules)`);
    } catch (err) {
      throw new Error(`model: ${(err as Error).message} Refit it with cyberbrief model fit or restore the shipped file.`, { cause: err });
    }
    const ids = rules.map((t) => t.id).join(',');
    if (ids !== file.topics.join(',')) throw new Error(`model: ${where}: rules name the topics ${ids}, not the fitted ones (${file.topics.join(', ')}); refit it with cyberbrief model fit or restore the shipped file.`);
  }
  return { file, config, fitted: { bias: file.bias, weights: new Map(Object.entries(file.weights)) }, rules };
}

/** Checks a parsed model document; throws an Error naming the file and the first problem. */
export function parseModel(doc: unknown, where: string): RelevanceModel {
  const r = schema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const at = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new Error(`model: ${where}: ${at}: ${issue.message}; refit it with cyberbrief model fit or restore the shipped file.`);
  }
  if (Object.keys(r.data.weights).length > MAX_WEIGHTS) throw new Error(`model: ${where} holds more than ${MAX_WEIGHTS} weights.`);
  return modelFromFile(r.data, where);
}

export async function loadModelFile(file: string): Promise<RelevanceModel> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`model: cannot read ${file} (${code ?? (err as Error).message}); check matching.model_file, or set matching.scorer: rules.`, { cause: err });
  }
  if (text.length > MAX_MODEL_BYTES) throw new Error(`model: ${file} is larger than ${MAX_MODEL_BYTES} bytes; point matching.model_file at a file written by cyberbrief model fit.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`model: ${file} is not valid JSON (${(err as Error).message}); refit it with cyberbrief model fit, restore config/relevance-model.json, or set matching.scorer: rules.`, { cause: err });
  }
  return parseModel(doc, file);
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function roundMetrics(m: Metrics): Metrics {
  return { ...m, precision: round(m.precision), recall: round(m.recall), f1: round(m.f1) };
}

/** The JSON text of a model: keys in a fixed order, the rules one topic per line, weights sorted by name, one per line. */
export function renderModel(file: ModelFile): string {
  const { weights, rules, ...head } = file;
  const names = Object.keys(weights).sort();
  const body = names.map((n) => `    ${JSON.stringify(n)}: ${weights[n]}`).join(',\n');
  const headText = JSON.stringify(head, null, 2);
  const rulesText = rules ? `  "rules": [\n${rules.map((t) => `    ${JSON.stringify(t)}`).join(',\n')}\n  ],\n` : '';
  return `${headText.slice(0, -2)},\n${rulesText}  "weights": {\n${body}\n  }\n}\n`;
}
