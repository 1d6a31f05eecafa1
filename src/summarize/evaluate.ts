// Batch summarising and ROUGE evaluation for `cyberbrief summarize`: JSON Lines in, one result per line
// out in input order; with references, mean ROUGE F1 of ours and of Lead-3 on the same items.
import { extractiveSummary, lead3, type ExtractiveOptions } from './extractive.ts';
import { meanScores, rouge, type RougeScores } from './rouge.ts';

export interface ArticleLine {
  id: string;
  title?: string;
  text: string;
}

/** Parse one `{id, title?, text}` line; `where` names the file and line for the error message. */
export function parseArticleLine(line: string, where: string): ArticleLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`summarize: ${where}: not valid JSON`);
  }
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error(`summarize: ${where}: expected a JSON object`);
  const id = typeof o.id === 'number' ? String(o.id) : o.id;
  if (typeof id !== 'string' || !id) throw new Error(`summarize: ${where}: "id" must be a non-empty string`);
  if (typeof o.text !== 'string') throw new Error(`summarize: ${where}: "text" must be a string`);
  if (o.title !== undefined && o.title !== null && typeof o.title !== 'string') throw new Error(`summarize: ${where}: "title" must be a string`);
  return { id, text: o.text, ...(typeof o.title === 'string' ? { title: o.title } : {}) };
}

/** Parse one `{id, summary}` reference line. */
export function parseReferenceLine(line: string, where: string): { id: string; summary: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`summarize: ${where}: not valid JSON`);
  }
  const o = (v ?? {}) as Record<string, unknown>;
  const id = typeof o.id === 'number' ? String(o.id) : o.id;
  if (typeof id !== 'string' || !id) throw new Error(`summarize: ${where}: "id" must be a non-empty string`);
  if (typeof o.summary !== 'string') throw new Error(`summarize: ${where}: "summary" must be a string`);
  return { id, summary: o.summary };
}

export function summarizeArticle(a: ArticleLine, opts: Pick<ExtractiveOptions, 'sentences' | 'maxChars'>): string {
  return extractiveSummary(a.text, { ...opts, ...(a.title ? { title: a.title } : {}) });
}

export interface SummaryEvaluation {
  items: number;
  /** Reference ids with no article in the input. */
  missing: number;
  ours: RougeScores;
  lead3: RougeScores;
}

/** `summaryOf`: our summary of an article (the CLI passes the ones its worker threads made). */
export function evaluateSummaries(
  articles: readonly ArticleLine[],
  references: ReadonlyMap<string, string>,
  opts: Pick<ExtractiveOptions, 'sentences' | 'maxChars'>,
  summaryOf: (a: ArticleLine) => string = (a) => summarizeArticle(a, opts),
): SummaryEvaluation {
  const ours: RougeScores[] = [];
  const base: RougeScores[] = [];
  const seen = new Set<string>();
  for (const a of articles) {
    const ref = references.get(a.id);
    if (ref === undefined) continue;
    seen.add(a.id);
    ours.push(rouge(summaryOf(a), ref));
    base.push(rouge(lead3(a.text), ref));
  }
  let missing = 0;
  for (const id of references.keys()) if (!seen.has(id)) missing++;
  return { items: ours.length, missing, ours: meanScores(ours), lead3: meanScores(base) };
}
