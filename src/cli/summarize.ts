// cyberbrief summarize: extractive summaries of JSONL articles; --eval prints ROUGE F1 for ours and Lead-3.
// Summaries are made on worker threads with the configured deadline (workers.summarize_timeout_ms); an
// article past it gets its lead instead, and stderr says so.
import { CyberbriefError, UsageError } from '../lib/errors.ts';
import { DEFAULT_MAX_CHARS, type ExtractiveOptions } from '../summarize/extractive.ts';
import { evaluateSummaries, parseArticleLine, parseReferenceLine, type ArticleLine } from '../summarize/evaluate.ts';
import type { RougeScores } from '../summarize/rouge.ts';
import { fallbackSummary } from '../summarize/summarizer.ts';
import { createWorkers, type Workers } from '../workers/index.ts';
import { parseJsonLines, readInput } from './read-input.ts';
import { echoed } from './format.ts';
import type { CliContext, CliCommand } from './types.ts';

function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`summarize: ${flag} expects a positive whole number, got "${echoed(String(value))}".`);
  return n;
}

/** Our summaries of `articles`, in order, made a few at a time on the worker threads. */
async function summarizeAll(ctx: CliContext, workers: Workers, articles: readonly ArticleLine[], opts: Pick<ExtractiveOptions, 'sentences' | 'maxChars'>): Promise<string[]> {
  const one = async (a: ArticleLine): Promise<string> => {
    try {
      return await workers.summaryWork.extractive(a.text, { ...opts, ...(a.title ? { title: a.title } : {}) });
    } catch (err) {
      if (!(err instanceof CyberbriefError)) throw err;
      ctx.stderr(`cyberbrief summarize: ${a.id}: ${err.message} Its lead is printed instead.`);
      return fallbackSummary(a.title ?? '', a.text, opts.maxChars ?? DEFAULT_MAX_CHARS);
    }
  };
  const out: string[] = [];
  const window = workers.pool.stats().threads * 2;
  for (let i = 0; i < articles.length; i += window) out.push(...(await Promise.all(articles.slice(i, i + window).map(one))));
  return out;
}

const fmt = (s: RougeScores) =>
  `ROUGE-1 ${(s.rouge1 * 100).toFixed(2)}  ROUGE-2 ${(s.rouge2 * 100).toFixed(2)}  ROUGE-L ${(s.rougeL * 100).toFixed(2)}`;

export const command: CliCommand = {
  name: 'summarize',
  summary: 'summarise articles (JSONL); --eval prints ROUGE against references',
  usage: [
    'Usage: cyberbrief summarize --input ARTICLES.jsonl [--sentences N | --max-chars N] [--json] [--eval REFS.jsonl]',
    '',
    'Reads one article per line, {"id", "title"?, "text"}, and writes one extractive summary per line in the',
    'same order: {"id", "summary"} with --json, "id<TAB>summary" otherwise. Without --sentences or',
    `--max-chars the budget is ${DEFAULT_MAX_CHARS} characters (up to 3 sentences); --sentences N alone keeps N`,
    'sentences with no character budget. Give one of the two, not both.',
    '',
    'Options:',
    '  --input FILE      articles, JSON Lines ("-" for standard input)',
    '  --sentences N     most sentences per summary',
    '  --max-chars N     character budget per summary (cut at sentence, else word, boundaries)',
    '  --json            JSON lines',
    '  --eval FILE       references, {"id", "summary"} per line: print mean ROUGE-1/2/L F1 of our summaries and',
    '                    of Lead-3 (first three sentences) on the same items instead of the summaries',
    '',
    'ROUGE uses lowercased runs of letters and digits as tokens, no stemming; ROUGE-L is whole-text LCS F1.',
    'Summaries are made on worker threads; an article past workers.summarize_timeout_ms gets its lead instead',
    '(stderr names it).',
  ].join('\n'),
  options: {
    input: { type: 'string' },
    sentences: { type: 'string' },
    'max-chars': { type: 'string' },
    json: { type: 'boolean' },
    eval: { type: 'string' },
  },
  async run(ctx) {
    const input = ctx.args.values.input;
    if (typeof input !== 'string') throw new UsageError('summarize: --input ARTICLES.jsonl is required.');
    const sentences = positiveInt(ctx.args.values.sentences, '--sentences');
    const maxChars = positiveInt(ctx.args.values['max-chars'], '--max-chars');
    if (sentences !== undefined && maxChars !== undefined) {
      throw new UsageError('summarize: --sentences and --max-chars are alternatives; give one of them.');
    }
    const opts = { ...(sentences ? { sentences } : {}), ...(maxChars ? { maxChars } : {}) };
    const refsFile = ctx.args.values.eval;
    if (refsFile === '-' && input === '-') throw new UsageError('summarize: --input and --eval cannot both read standard input.');
    const articles: ArticleLine[] = parseJsonLines(await readInput(ctx, input, 'summarize'), input, parseArticleLine, 'summarize');
    const refs = typeof refsFile === 'string' ? parseJsonLines(await readInput(ctx, refsFile, 'summarize'), refsFile, parseReferenceLine, 'summarize') : null;

    const workers = createWorkers((await ctx.loadConfig()).workers);
    const summaryOf = new Map<ArticleLine, string>();
    try {
      const wanted = refs ? new Set(refs.map((r) => r.id)) : null;
      const toSummarize = wanted ? articles.filter((a) => wanted.has(a.id)) : articles;
      const made = await summarizeAll(ctx, workers, toSummarize, opts);
      toSummarize.forEach((a, i) => summaryOf.set(a, made[i] ?? ''));
    } finally {
      await workers.close();
    }
    if (!refs) {
      for (const a of articles) {
        const summary = summaryOf.get(a) ?? '';
        ctx.stdout(ctx.args.values.json ? JSON.stringify({ id: a.id, summary }) : `${a.id}\t${summary}`);
      }
      return 0;
    }
    const ev = evaluateSummaries(articles, new Map(refs.map((r) => [r.id, r.summary])), opts, (a) => summaryOf.get(a) ?? '');
    if (ev.items === 0) {
      ctx.stderr(`cyberbrief summarize: no article in ${input} has a reference in ${refsFile} (ids must match).`);
      return 1;
    }
    if (ctx.args.values.json) {
      ctx.stdout(JSON.stringify(ev));
    } else {
      ctx.stdout(`items ${ev.items}${ev.missing ? `  (${ev.missing} ${ev.missing === 1 ? 'reference id' : 'reference ids'} not in ${input})` : ''}`);
      ctx.stdout(`ours    ${fmt(ev.ours)}`);
      ctx.stdout(`lead-3  ${fmt(ev.lead3)}`);
    }
    return 0;
  },
};
