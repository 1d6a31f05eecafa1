// cyberbrief model: fit the relevance scorer and look at it. `fit` cross-validates a small grid of
// configurations on labelled stories, refits the best on all of them and writes the weights (JSON) with a
// model card (.md) beside them; `--check FILE` scores held-out labels without using them to choose.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTopicsFile } from '../config/topics.ts';
import { UsageError } from '../lib/errors.ts';
import { compileTopics } from '../matching/compile-topics.ts';
import { loadKnowledge } from '../matching/load-relevance.ts';
import { stripMarkup } from '../matching/text.ts';
import { DEFAULT_CV, metricsWithRules, probability, ruleMatched, scatteredOf, type CvOptions, type Metrics } from '../matching/scorer/fit.ts';
import { loadModelFile, renderModel, type ModelFile } from '../matching/scorer/model-file.ts';
import { buildExamples, checkFitData, defaultGrid, fitRelevance, renderModelCard, type LabelledStory } from '../matching/scorer/train.ts';
import { parseJsonLines, readInput } from './read-input.ts';
import { didYouMean, echoed } from './format.ts';
import type { CliCommand, CliContext } from './types.ts';

const USAGE = [
  'Usage: cyberbrief model fit --labels FILE... [--items FILE] [--check FILE...] [--out FILE] [--seed N]',
  '                            [--folds K] [--repeats R] [--no-nested] [--words] [--with-feedback] [--dry-run]',
  '       cyberbrief model show',
  '',
  'fit: cross-validates the scorer\'s configurations on labelled stories (folds grouped by story), refits the',
  'best on all of them, and writes the weights to matching.model_file (or --out) with a model card beside',
  'them (same name, .md). Seeded: the same inputs and seed give the same file.',
  '',
  'Options:',
  '  --labels FILE    labelled stories, JSON Lines {"id", "label": 0|1} (with "title", "description"? inline,',
  '                   or looked up by id in --items); repeat for several files',
  '  --items FILE     stories by id, JSON Lines {"id", "title", "description"?, "content"?}',
  '  --check FILE     held-out labels scored by the fitted model and reported; never used to fit or choose',
  '  --with-feedback  add this deployment\'s "Relevant"/"Not relevant" verdicts; without --labels, refit the',
  '                   current model toward them (its weights act as the prior, its threshold is kept)',
  '  --out FILE       write here instead of matching.model_file',
  '  --seed N         folds and their order (default 1)',
  '  --folds K        cross-validation folds (default 5); --repeats R, repetitions (default 5)',
  '  --no-nested      skip the nested cross-validation estimate (faster)',
  '  --words          also try word and word-pair features (off by default: a word can name one story)',
  '  --dry-run        print the figures, write nothing',
  '',
  'show: the current model\'s date, data, configuration and figures.',
].join('\n');

interface LabelLine {
  id: string;
  label: 0 | 1;
  title?: string;
  description?: string | null;
  content?: string | null;
}

function parseLabel(line: string, where: string): LabelLine {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new UsageError(`model fit: ${where} is not valid JSON; expected {"id", "label": 0|1}.`);
  }
  if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || (v.label !== 0 && v.label !== 1)) {
    throw new UsageError(`model fit: ${where} needs a string "id" and a "label" of 0 or 1.`);
  }
  const text = (x: unknown) => (typeof x === 'string' ? x : null);
  return { id: v.id, label: v.label, ...(typeof v.title === 'string' ? { title: v.title, description: text(v.description), content: text(v.content) } : {}) };
}

function parseItem(line: string, where: string): { id: string; title: string; description: string | null; content: string | null } {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new UsageError(`model fit: ${where} is not valid JSON; expected {"id", "title", "description"?}.`);
  }
  if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || typeof v.title !== 'string') {
    throw new UsageError(`model fit: ${where} needs a string "id" and "title".`);
  }
  return { id: v.id, title: v.title, description: typeof v.description === 'string' ? v.description : null, content: typeof v.content === 'string' ? v.content : null };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function intOption(ctx: CliContext, name: string, fallback: number, min: number, max: number): number {
  const v = ctx.args.values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`model fit: --${name} ${String(v)} is invalid; expected a whole number from ${min} to ${max}.`);
  return n;
}

const f3 = (x: number) => x.toFixed(3);
const line = (m: Metrics) => `precision ${f3(m.precision)}  recall ${f3(m.recall)}  F1 ${f3(m.f1)}  (tp ${m.tp}, fp ${m.fp}, fn ${m.fn})`;

async function storiesFrom(ctx: CliContext, files: string[], items: Map<string, ReturnType<typeof parseItem>> | null): Promise<{ file: string; stories: LabelledStory[] }[]> {
  const out: { file: string; stories: LabelledStory[] }[] = [];
  for (const file of files) {
    const labels = parseJsonLines(await readInput(ctx, file, 'model fit'), file, parseLabel, 'model fit');
    const seen = new Set<string>();
    const stories: LabelledStory[] = labels.map((l) => {
      if (seen.has(l.id)) throw new UsageError(`model fit: ${file} labels ${l.id} twice; keep one line per story.`);
      seen.add(l.id);
      const item = l.title !== undefined ? l : items?.get(l.id);
      if (!item || item.title === undefined) {
        throw new UsageError(items ? `model fit: ${file}: ${l.id} is not in the --items file.` : `model fit: ${file}: ${l.id} has no "title"; give --items FILE to look stories up by id.`);
      }
      return {
        id: l.id,
        label: l.label,
        title: stripMarkup(item.title),
        description: item.description ? stripMarkup(item.description) : null,
        content: item.content ? stripMarkup(item.content) : null,
      };
    });
    out.push({ file, stories });
  }
  return out;
}

/**
 * Feedback verdicts of this deployment, as labelled stories (one label per story: the majority of verdicts).
 * Only reads: a SQLite file that is not there is refused, naming it, never created.
 */
async function feedbackStories(ctx: CliContext): Promise<LabelledStory[]> {
  return ctx.withStorage(async (storage) => {
    const rows = await storage.feedback.trainingExamples();
    return rows.map((r) => ({
      id: `feedback-${r.itemId}`,
      label: r.label,
      title: stripMarkup(r.title),
      description: r.description ? stripMarkup(r.description) : null,
      content: r.content ? stripMarkup(r.content) : null,
    }));
  }, { existing: true });
}

async function fit(ctx: CliContext): Promise<number> {
  const config = await ctx.loadConfig();
  const labelFiles = list(ctx.args.values.labels);
  const withFeedback = ctx.args.values['with-feedback'] === true;
  if (labelFiles.length === 0 && !withFeedback) throw new UsageError('model fit: give --labels FILE (labelled stories), or --with-feedback to refit from this deployment\'s verdicts.');
  const itemsFile = ctx.args.values.items;
  const items = typeof itemsFile === 'string' ? new Map(parseJsonLines(await readInput(ctx, itemsFile, 'model fit'), itemsFile, parseItem, 'model fit').map((i) => [i.id, i])) : null;
  const labelled = await storiesFrom(ctx, labelFiles, items);
  const checks = await storiesFrom(ctx, list(ctx.args.values.check), items);
  const feedback = withFeedback ? await feedbackStories(ctx) : [];
  const cv: CvOptions = { ...DEFAULT_CV, seed: intOption(ctx, 'seed', 1, 0, 2 ** 31 - 1), folds: intOption(ctx, 'folds', 5, 2, 20), repeats: intOption(ctx, 'repeats', 5, 1, 20) };

  // Feedback alone refits the current model toward the verdicts: its features are read with the rules it was
  // fitted with. Otherwise the topics in force are the rules, kept in the new model file.
  const current = labelFiles.length === 0 ? await loadModelFile(config.matching.model_file) : null;
  const topics = current?.rules ?? (await loadTopicsFile(config.topics.file));
  const matcher = compileTopics(topics);
  const knowledge = await loadKnowledge(config.matching.actors_file);
  const all = [...labelled.flatMap((l) => l.stories), ...feedback];
  const examples = buildExamples(knowledge, matcher, all);
  try {
    checkFitData(examples, cv.folds);
  } catch (err) {
    if (labelFiles.length > 0) throw new UsageError((err as Error).message);
    // Feedback alone: one sentence on what is missing, not the count line followed by an error.
    throw new UsageError(
      `model fit: this deployment has feedback verdicts on ${feedback.length} stor${feedback.length === 1 ? 'y' : 'ies'}, too few to refit on (at least ${cv.folds * 2}, ${cv.folds} of them relevant and ${cv.folds} not, for ${cv.folds}-fold cross-validation); collect more Relevant / Not relevant clicks, or give --labels FILE too.`,
    );
  }
  if (withFeedback) ctx.stdout(`model fit: ${feedback.length} stories with feedback verdicts from this deployment.`);
  const checkExamples = checks.map((c) => ({ file: path.basename(c.file), examples: buildExamples(knowledge, matcher, c.stories) }));
  const out = typeof ctx.args.values.out === 'string' ? path.resolve(ctx.cwd, ctx.args.values.out) : config.matching.model_file;

  let prior: { model: { bias: number; weights: Map<string, number> }; lambda: number; threshold: number; thresholdWithoutRules: number } | undefined;
  let grid = defaultGrid({ words: ctx.args.values.words === true });
  if (current) {
    // Feedback alone: the current model stands in for the data it was fitted on.
    const withoutRules = current.file.threshold_without_rules ?? current.file.threshold;
    prior = { model: current.fitted, lambda: current.config.lambda, threshold: current.file.threshold, thresholdWithoutRules: withoutRules };
    grid = [current.config];
    const before = metricsWithRules(
      examples.map((e) => probability(current.fitted, e.values)),
      examples.map((e) => e.label),
      examples.map((e) => ruleMatched(e.values)),
      current.file.threshold,
      withoutRules,
      current.file.one_sentence_without_rules === true ? scatteredOf(examples) : undefined,
    );
    ctx.stdout(`current model on the feedback:   ${line(before)}`);
  }
  ctx.stdout(`model fit: ${examples.length} labelled stories (${examples.filter((e) => e.label === 1).length} relevant); ${grid.length} ${grid.length === 1 ? 'configuration' : 'configurations'}, ${cv.folds}-fold cross-validation x ${cv.repeats}, seed ${cv.seed}.`);
  const report = fitRelevance({
    examples,
    topics,
    labels: labelled.map((l) => ({ file: path.basename(l.file), items: l.stories.length, positive: l.stories.filter((s) => s.label === 1).length })),
    feedback: feedback.length,
    checks: checkExamples,
    cv,
    grid,
    nested: ctx.args.values['no-nested'] !== true && !prior,
    date: new Date().toISOString().slice(0, 10),
    ...(prior ? { prior } : {}),
  });
  const m: ModelFile = report.model;
  if (!prior) {
    ctx.stdout('configurations (cross-validated, pooled; first the one chosen: the most cautious within one standard error of the best F1):');
    for (const c of report.candidates.slice(0, 5)) {
      const f = c.config;
      ctx.stdout(`  F1 ${f3(c.result.metrics.f1)}  P ${f3(c.result.metrics.precision)}  R ${f3(c.result.metrics.recall)}  ${f.families.words ? 'words+' : ''}knowledge+rules  lambda ${f.lambda}  word scale ${f.wordScale ?? 1}  rule scale ${f.ruleScale ?? 1}  prior ${f.priorWeight ?? 0}`);
    }
  }
  ctx.stdout(`cross-validated:                 ${line(m.figures.cross_validated.metrics)}  threshold ${f3(m.threshold)} (${f3(m.threshold_without_rules ?? m.threshold)} without a rule match)`);
  for (const s of m.figures.cross_validated.by_source ?? []) ctx.stdout(`  of which ${s.source} (${s.items}):`.padEnd(33) + line(s.metrics));
  if (m.figures.nested_cross_validated) ctx.stdout(`nested cross-validation:         ${line(m.figures.nested_cross_validated)}`);
  for (const c of m.figures.checked) ctx.stdout(`checked on ${c.file} (${c.items}):`.padEnd(33) + line(c.metrics));
  if (ctx.args.values['dry-run']) {
    ctx.stdout(`model fit: dry run; ${out} was not changed.`);
    return 0;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, renderModel(m));
  await rename(tmp, out);
  const card = out.replace(/\.json$/i, '') + '.md';
  await writeFile(card, renderModelCard(m));
  ctx.stdout(`model fit: wrote ${out} (${Object.keys(m.weights).length} weights) and ${card}. Restart the bot to use it.`);
  return 0;
}

async function show(ctx: CliContext): Promise<number> {
  const config = await ctx.loadConfig();
  const { file: m } = await loadModelFile(config.matching.model_file);
  const alone = m.threshold_without_rules !== undefined && m.threshold_without_rules > m.threshold ? ` (${m.threshold_without_rules} without a rule match)` : '';
  ctx.stdout(`${config.matching.model_file}: fitted ${m.fitted_on}, seed ${m.seed}, threshold ${m.threshold}${alone}, ${Object.keys(m.weights).length} weights`);
  ctx.stdout(`data: ${m.data.labels.map((l) => `${l.file} (${l.items}, ${l.positive} relevant)`).join(', ') || 'none'}; ${m.data.feedback} feedback verdicts`);
  ctx.stdout(`cross-validated:  ${line(m.figures.cross_validated.metrics)}`);
  if (m.figures.nested_cross_validated) ctx.stdout(`nested:           ${line(m.figures.nested_cross_validated)}`);
  for (const c of m.figures.checked) ctx.stdout(`checked ${c.file}: ${line(c.metrics)}`);
  if (config.matching.scorer === 'rules') ctx.stdout('(matching.scorer is rules: the bot does not use this model)');
  return 0;
}

export const command: CliCommand = {
  name: 'model',
  summary: 'the relevance scorer: fit it on labelled stories (and feedback), show it',
  usage: USAGE,
  allowPositionals: true,
  options: {
    labels: { type: 'string', multiple: true },
    items: { type: 'string' },
    check: { type: 'string', multiple: true },
    out: { type: 'string' },
    seed: { type: 'string' },
    folds: { type: 'string' },
    repeats: { type: 'string' },
    'no-nested': { type: 'boolean' },
    words: { type: 'boolean' },
    'with-feedback': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run(ctx) {
    const [sub, ...rest] = ctx.args.positionals;
    if (rest.length) throw new UsageError(`model: unexpected argument "${echoed(rest[0]!)}"; see cyberbrief model --help.`);
    if (sub === 'fit') return fit(ctx);
    if (sub === 'show') return show(ctx);
    throw new UsageError(sub ? `model: unknown subcommand "${echoed(sub)}"${didYouMean(sub, ['fit', 'show'], '"')}; use fit or show.` : 'model: say fit or show; see cyberbrief model --help.');
  },
};
