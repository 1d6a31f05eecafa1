// The jobs a worker thread runs: pure functions of one structured-cloneable input, each the CPU-heavy part
// of a stage whose cost grows with its input. The pool (pool.ts) runs them with a deadline. Article text
// (Readability over linkedom, about a quarter of a second of CPU to load) is loaded on its first job: a
// worker started to read feeds, as in `poll --once`, never loads it.
import { readFeed, type ReadFeedInput } from '../feeds/read-feed.ts';
import { extractiveSummary, type ExtractiveOptions } from '../summarize/extractive.ts';
import { cleanText } from '../summarize/text.ts';

let articleText: Promise<typeof import('../summarize/article-text.ts')> | null = null;

export const jobs = {
  /** A fetched feed body to items: decode, parse, normalise. */
  readFeed: (input: ReadFeedInput) => readFeed(input),
  cleanText: (input: { text: string }) => cleanText(input.text),
  articleText: (input: { html: string; contentType: string | null }): Promise<string | null> =>
    (articleText ??= import('../summarize/article-text.ts')).then((m) => m.extractArticleText(input.html, input.contentType)),
  extractive: (input: { text: string; opts: ExtractiveOptions }) => extractiveSummary(input.text, input.opts),
};

export type Jobs = typeof jobs;
