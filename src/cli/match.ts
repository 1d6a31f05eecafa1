// cyberbrief match: decide JSONL items as the bot would (the relevance scorer says what is in scope, the
// topics' rules which topics); --eval prints precision, recall and F1; --explain shows every reason.
import { loadTopicsFile } from '../config/topics.ts';
import { UsageError } from '../lib/errors.ts';
import { evaluate, parseLabelLine } from '../matching/evaluate.ts';
import { loadRelevance } from '../matching/load-relevance.ts';
import { decideItem, parseItemLine, type ItemResult } from '../matching/match-items.ts';
import { describeFeature } from '../matching/relevance.ts';
import { parseJsonLines, readInput } from './read-input.ts';
import type { CliCommand, CliContext } from './types.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function printExplained(ctx: CliContext, r: ItemResult, title: string): void {
  ctx.stdout(`${r.matched ? 'IN ' : 'OUT'}  ${r.id}  ${title}`);
  ctx.stdout(`     ${r.why}`);
  if (r.filed?.length) ctx.stdout(`     filed under: ${r.filed.join(', ')}`);
  for (const c of r.contributions ?? []) ctx.stdout(`     ${c.points >= 0 ? '+' : ''}${c.points.toFixed(3)}  ${describeFeature(c.feature, c.evidence)}`);
  for (const t of r.topics) ctx.stdout(`     rule ${t.id} ${t.score}${t.matched ? ' MATCH' : ''}: ${t.reasons.join('; ')}`);
}

export const command: CliCommand = {
  name: 'match',
  summary: 'decide items (JSONL) as the bot would; --eval prints precision/recall/F1, --explain every reason',
  usage: [
    'Usage: cyberbrief match --input ITEMS.jsonl [--topics FILE] [--scorer model|rules] [--json] [--explain]',
    '                        [--eval LABELS.jsonl [--errors]]',
    '',
    'Reads one item per line, {"id", "title", "description"?, "content"?}, and writes one line per item in',
    'the same order: whether it is in scope, its relevance (the fitted model\'s probability) against the',
    'threshold, the topics it is filed under and why. With --json: {"id", "matched", "relevance",',
    '"threshold", "filed", "why", "topics": [{"id", "score", "matched", "reasons"}]}.',
    '',
    'Options:',
    '  --input FILE    items, JSON Lines ("-" for standard input)',
    '  --topics FILE   topics YAML (default: topics.file from the configuration)',
    '  --scorer NAME   model (default: matching.scorer) or rules (the topics\' rules alone)',
    '  --json          JSON lines',
    '  --explain       every reason: the model\'s feature contributions and each topic\'s rule hits',
    '  --eval FILE     labels, {"id", "label": 0|1} per line: print precision, recall and F1 instead',
    '  --errors        with --eval, list false positives and false negatives with their reasons',
  ].join('\n'),
  options: {
    input: { type: 'string' },
    topics: { type: 'string' },
    scorer: { type: 'string' },
    json: { type: 'boolean' },
    explain: { type: 'boolean' },
    eval: { type: 'string' },
    errors: { type: 'boolean' },
  },
  async run(ctx) {
    const input = ctx.args.values.input;
    if (typeof input !== 'string') throw new UsageError('match: --input ITEMS.jsonl is required.');
    const scorerName = ctx.args.values.scorer;
    if (scorerName !== undefined && scorerName !== 'model' && scorerName !== 'rules') throw new UsageError(`match: --scorer ${String(scorerName)} is invalid; use model or rules.`);
    const labelsFile = ctx.args.values.eval;
    if (ctx.args.values.errors && typeof labelsFile !== 'string') throw new UsageError('match: --errors lists the errors of --eval; give --eval LABELS.jsonl too.');
    if (input === '-' && labelsFile === '-') throw new UsageError('match: --input and --eval cannot both read standard input.');
    const config = await ctx.loadConfig();
    const topicsFile = typeof ctx.args.values.topics === 'string' ? ctx.args.values.topics : config.topics.file;
    const { scorer, notice } = await loadRelevance(await loadTopicsFile(topicsFile), { ...config.matching, ...(scorerName ? { scorer: scorerName } : {}) });
    if (notice && scorerName !== 'rules') ctx.stderr(notice.replace(/^matching:/, 'match:').replace('set matching.scorer: rules to say so', 'give --scorer rules to say so'));
    // Every line is checked before anything is printed: a bad line at the end leaves no partial output.
    const items = parseJsonLines(await readInput(ctx, input, 'match'), input, parseItemLine, 'match');
    const labels = typeof labelsFile === 'string' ? parseJsonLines(await readInput(ctx, labelsFile, 'match'), labelsFile, parseLabelLine, 'match') : null;
    const wanted = labels ? new Set(labels.map((l) => l.id)) : null;
    const explain = ctx.args.values.explain === true;
    const results = new Map<string, ItemResult>();
    const titles = new Map<string, string>();
    for (const item of items) {
      if (wanted && !wanted.has(item.id)) continue;
      const result = decideItem(scorer, item, explain || ctx.args.values.errors === true);
      if (labels) {
        results.set(item.id, result);
        titles.set(item.id, item.title);
      } else if (ctx.args.values.json) {
        ctx.stdout(JSON.stringify(result));
      } else if (explain) {
        printExplained(ctx, result, item.title);
      } else {
        const rel = result.relevance !== undefined ? ` ${result.relevance.toFixed(2)}` : '';
        ctx.stdout(`${result.matched ? 'MATCH' : '-    '}${rel}  ${item.id}  ${result.filed?.join(' ') ?? ''}`);
      }
    }
    if (!labels) return 0;
    const predicted = new Map([...results].map(([id, r]) => [id, r.matched]));
    const ev = evaluate(predicted, labels);
    // Figures over no item are not figures: say why instead (an empty label file, or ids that differ).
    if (ev.total === 0) {
      ctx.stderr(labels.length === 0 ? `cyberbrief match: ${String(labelsFile)} holds no labels; give one {"id", "label": 0|1} per line.` : `cyberbrief match: no item in ${input} has a label in ${String(labelsFile)} (ids must match).`);
      return 1;
    }
    if (ctx.args.values.json) {
      ctx.stdout(JSON.stringify(ev));
    } else {
      ctx.stdout(`items ${ev.total}  tp ${ev.truePositives}  fp ${ev.falsePositives}  fn ${ev.falseNegatives}  tn ${ev.trueNegatives}`);
      ctx.stdout(`precision ${pct(ev.precision)}  recall ${pct(ev.recall)}  F1 ${pct(ev.f1)}`);
      if (ev.missing.length > 0) ctx.stdout(`${ev.missing.length} ${ev.missing.length === 1 ? 'labelled id' : 'labelled ids'} not found in ${input}`);
      if (ctx.args.values.errors) {
        for (const [kind, ids] of [['FP', ev.falsePositiveIds], ['FN', ev.falseNegativeIds]] as const) {
          for (const id of ids) printExplained(ctx, results.get(id)!, `${kind} ${titles.get(id) ?? ''}`);
        }
      }
    }
    return 0;
  },
};
