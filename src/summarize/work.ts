// The summariser's CPU work run in this thread: for the CLI and tests that need no deadline, and what each
// step of the worker-thread version (src/workers) runs.
import { extractArticleText } from './article-text.ts';
import { extractiveSummary } from './extractive.ts';
import type { SummaryWork } from './ports.ts';
import { cleanText } from './text.ts';

export const inlineSummaryWork: SummaryWork = {
  cleanText: async (text) => cleanText(text),
  articleText: async (html, contentType) => extractArticleText(html, contentType),
  extractive: async (text, opts) => extractiveSummary(text, opts),
};
