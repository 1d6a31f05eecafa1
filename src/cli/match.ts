// cyberbrief match: match JSONL items against topics; --eval prints precision, recall and F1.
import { loadTopicsFile } from '../config/topics.ts';
import { UsageError } from '../lib/errors.ts';
import { compileTopics } from '../matching/compile-topics.ts';
import { evaluate, parseLabelLine } from '../matching/evaluate.ts';
import { matchItem, parseItemLine, type ItemResult } from '../matching/match-items.ts';
import { parseJsonLines, readInput } from './read-input.ts';
import type { CliCommand, CliContext } from './types.ts';

async function topicsPath(ctx: CliContext): Promise<string> {
  const given = ctx.args.values.topics;
  if (typeof given === 'string') return given;
  return (await ctx.loadConfig()).topics.file;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const command: CliCommand = {
  name: 'match',
  summary: 'match items (JSONL) against topics; --eval prints precision/recall/F1',
  usage: [
    'Usage: cyberbrief match --input ITEMS.jsonl [--topics FILE] [--json] [--eval LABELS.jsonl [--errors]]',
    '',
    'Reads one item per line, {"id", "title", "description"?, "content"?}, and writes one line per item in',
    'the same order: {"id", "matched", "topics": [{"id", "score", "matched", "reasons"}]} with --json, a',
    'short text line otherwise. Topics come from --topics or the configured topics file.',
    '',
    'Options:',
    '  --input FILE    items, JSON Lines ("-" for standard input)',
    '  --topics FILE   topics YAML (default: topics.file from the configuration)',
    '  --json          JSON lines',
    '  --eval FILE     labels, {"id", "label": 0|1} per line: print precision, recall and F1 instead',
    '  --errors        with --eval, list false positives and false negatives with their reasons',
  ].join('\n'),
  options: {
    input: { type: 'string' },
    topics: { type: 'string' },
    json: { type: 'boolean' },
    eval: { type: 'string' },
    errors: { type: 'boolean' },
  },
  async run(ctx) {
    const input = ctx.args.values.input;
    if (typeof input !== 'string') throw new UsageError('match: --input ITEMS.jsonl is required.');
    const topics = await loadTopicsFile(await topicsPath(ctx));
    const matcher = compileTopics(topics);
    const labelsFile = ctx.args.values.eval;
    if (ctx.args.values.errors && typeof labelsFile !== 'string') throw new UsageError('match: --errors lists the errors of --eval; give --eval LABELS.jsonl too.');
    if (input === '-' && labelsFile === '-') throw new UsageError('match: --input and --eval cannot both read standard input.');
    // Every line is checked before anything is printed: a bad line at the end leaves no partial output.
    const items = parseJsonLines(await readInput(ctx, input, 'match'), input, parseItemLine, 'match');
    const labels = typeof labelsFile === 'string' ? parseJsonLines(await readInput(ctx, labelsFile, 'match'), labelsFile, parseLabelLine, 'match') : null;
    const wanted = labels ? new Set(labels.map((l) => l.id)) : null;
    const results = new Map<string, ItemResult>();
    const titles = new Map<string, string>();
    for (const item of items) {
      if (wanted && !wanted.has(item.id)) continue;
      const result = matchItem(matcher, item);
      if (labels) {
        results.set(item.id, result);
        titles.set(item.id, item.title);
      } else if (ctx.args.values.json) {
        ctx.stdout(JSON.stringify(result));
      } else {
        const top = result.topics.filter((t) => t.matched).map((t) => `${t.id}(${t.score})`);
        ctx.stdout(`${result.matched ? 'MATCH' : '-    '}  ${item.id}  ${top.join(' ')}`);
      }
    }
    if (!labels) return 0;
    const predicted = new Map([...results].map(([id, r]) => [id, r.matched]));
    const ev = evaluate(predicted, labels);
    if (ctx.args.values.json) {
      ctx.stdout(JSON.stringify(ev));
    } else {
      ctx.stdout(
        `items ${ev.total}  tp ${ev.truePositives}  fp ${ev.falsePositives}  fn ${ev.falseNegatives}  tn ${ev.trueNegatives}`,
      );
      ctx.stdout(`precision ${pct(ev.precision)}  recall ${pct(ev.recall)}  F1 ${pct(ev.f1)}`);
      if (ev.missing.length > 0) ctx.stdout(`${ev.missing.length} labelled id(s) not found in ${input}`);
      if (ctx.args.values.errors) {
        for (const [kind, ids] of [['FP', ev.falsePositiveIds], ['FN', ev.falseNegativeIds]] as const) {
          for (const id of ids) {
            const r = results.get(id);
            ctx.stdout(`${kind} ${id}  ${titles.get(id) ?? ''}`);
            for (const t of r?.topics ?? []) ctx.stdout(`     ${t.id} ${t.score}${t.matched ? ' MATCH' : ''}: ${t.reasons.join('; ')}`);
          }
        }
      }
    }
    return 0;
  },
};
