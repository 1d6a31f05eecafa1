// The jobs a worker thread runs: pure functions of one structured-cloneable input, each the CPU-heavy part
// of a stage whose cost grows with its input. The pool (pool.ts) runs them with a deadline.
import { readFeed, type ReadFeedInput } from '../feeds/read-feed.ts';
import { extractArticleText } from '../summarize/article-text.ts';
import { extractiveSummary, type ExtractiveOptions } from '../summarize/extractive.ts';
import { cleanText } from '../summarize/text.ts';

export const jobs = {
  /** A fetched feed body to items: decode, parse, normalise. */
  readFeed: (input: ReadFeedInput) => readFeed(input),
  cleanText: (input: { text: string }) => cleanText(input.text),
  articleText: (input: { html: string; contentType: string | null }) => extractArticleText(input.html, input.contentType),
  extractive: (input: { text: string; opts: ExtractiveOptions }) => extractiveSummary(input.text, input.opts),
};

export type Jobs = typeof jobs;
