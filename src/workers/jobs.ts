// The jobs a worker thread runs: pure functions of one structured-cloneable input, each the CPU-heavy part
// of a stage whose cost grows with its input. The pool (pool.ts) runs them with a deadline. linkedom (for
// article text and the parser's lenient walk; about a quarter of a second of CPU to load) is loaded on first
// use, so a worker started to read well-formed feeds, as in `poll --once`, never loads it; `preloadAll`
// loads it up front (the long-running bot's workers, so no loading lands in the middle of their work).
import { loadLenientReader } from '../feeds/parser.ts';
import { readFeed, type ReadFeedInput } from '../feeds/read-feed.ts';
import { extractiveSummary, type ExtractiveOptions } from '../summarize/extractive.ts';
import { cleanText } from '../summarize/text.ts';

let articleText: Promise<typeof import('../summarize/article-text.ts')> | null = null;
const loadArticleText = () => (articleText ??= import('../summarize/article-text.ts'));

/** Loads every module a job may need now rather than on first use. */
export async function preloadAll(): Promise<void> {
  await Promise.all([loadArticleText(), loadLenientReader()]);
}

export const jobs = {
  /** A fetched feed body to items: decode, parse, normalise. */
  readFeed: (input: ReadFeedInput) => readFeed(input),
  cleanText: (input: { text: string }) => cleanText(input.text),
  articleText: (input: { html: string; contentType: string | null }): Promise<string | null> =>
    loadArticleText().then((m) => m.extractArticleText(input.html, input.contentType)),
  extractive: (input: { text: string; opts: ExtractiveOptions }) => extractiveSummary(input.text, input.opts),
};

export type Jobs = typeof jobs;
