// Public surface of the summariser.
export { splitSentences } from './sentences.ts';
export { extractiveSummary, lead3, DEFAULT_MAX_CHARS, type ExtractiveOptions } from './extractive.ts';
export { rouge, type RougeScores } from './rouge.ts';
export { tokenize } from './tokens.ts';
export { cleanText, withoutPublisherFooter, withoutReadOn } from './text.ts';
export { fitToBudget } from './budget.ts';
export { extractArticleText } from './article-text.ts';
export { llmSummary, LlmError } from './llm.ts';
export {
  createSummarizer,
  isShortExcerpt,
  DEFAULT_MIN_EXCERPT_CHARS,
  type Summarizer,
  type SummarizerOptions,
  type SummarizeInput,
  type SummaryResult,
} from './summarizer.ts';
export type { ArticleCache, FetchPage, LlmOptions } from './ports.ts';
export { evaluateSummaries, type SummaryEvaluation } from './evaluate.ts';
