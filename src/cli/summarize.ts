// cyberbrief summarize: extractive summaries of JSONL articles; --eval prints ROUGE F1 for ours and Lead-3.
import { UsageError } from '../lib/errors.ts';
import { DEFAULT_MAX_CHARS } from '../summarize/extractive.ts';
import {
  evaluateSummaries,
  parseArticleLine,
  parseReferenceLine,
  summarizeArticle,
  type ArticleLine,
} from '../summarize/evaluate.ts';
import type { RougeScores } from '../summarize/rouge.ts';
import { parseJsonLines, readInput } from './read-input.ts';
import type { CliCommand } from './types.ts';

function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`summarize: ${flag} expects a positive whole number, got "${String(value)}".`);
  return n;
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
    const articles: ArticleLine[] = parseJsonLines(await readInput(ctx, input, 'summarize'), input, parseArticleLine, 'summarize');

    const refsFile = ctx.args.values.eval;
    if (typeof refsFile !== 'string') {
      for (const a of articles) {
        const summary = summarizeArticle(a, opts);
        ctx.stdout(ctx.args.values.json ? JSON.stringify({ id: a.id, summary }) : `${a.id}\t${summary}`);
      }
      return 0;
    }
    if (refsFile === '-' && input === '-') throw new UsageError('summarize: --input and --eval cannot both read standard input.');
    const refs = parseJsonLines(await readInput(ctx, refsFile, 'summarize'), refsFile, parseReferenceLine, 'summarize');
    const ev = evaluateSummaries(articles, new Map(refs.map((r) => [r.id, r.summary])), opts);
    if (ev.items === 0) {
      ctx.stderr(`summarize: no article in ${input} has a reference in ${refsFile} (ids must match).`);
      return 1;
    }
    if (ctx.args.values.json) {
      ctx.stdout(JSON.stringify(ev));
    } else {
      ctx.stdout(`items ${ev.items}${ev.missing ? `  (${ev.missing} reference id(s) not in ${input})` : ''}`);
      ctx.stdout(`ours    ${fmt(ev.ours)}`);
      ctx.stdout(`lead-3  ${fmt(ev.lead3)}`);
    }
    return 0;
  },
};
