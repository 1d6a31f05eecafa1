// The summariser the pipeline calls: decides the source text (feed text, or the fetched article when the
// feed only carries a short excerpt), then summarises it with the LLM when configured, extractively
// otherwise or whenever the LLM fails. It never throws for a bad page or a bad model; it logs and falls back.
import type { Logger } from '../lib/logger.ts';
import { extractArticleText } from './article-text.ts';
import { DEFAULT_MAX_CHARS, extractiveSummary } from './extractive.ts';
import { llmSummary } from './llm.ts';
import type { ArticleCache, FetchPage, LlmOptions } from './ports.ts';
import { cleanText } from './text.ts';

/** Feed text shorter than this (in characters, after cleaning) counts as "only a short description". */
export const DEFAULT_MIN_EXCERPT_CHARS = 400;

export interface SummarizerOptions {
  maxChars: number;
  llm?: LlmOptions | null;
  fetchPage?: FetchPage;
  cache?: ArticleCache;
  minExcerptChars?: number;
  logger: Logger;
}

export interface SummarizeInput {
  title: string;
  text: string;
  url?: string | null;
  topicTerms?: string[];
}

export interface SummaryResult {
  summary: string;
  method: 'extractive' | 'llm';
  /** True when the summary was made from the feed's short excerpt only (no article text available). */
  fromExcerpt: boolean;
}

export interface Summarizer {
  summarize(input: SummarizeInput): Promise<SummaryResult>;
}

/** A feed excerpt (under 3x the threshold) ending in "[…]", "..." or "Read more" was cut short by its publisher. */
const TRUNCATED = /(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.|\b(?:read|continue reading|read more)\W*)$/iu;

export function isShortExcerpt(text: string, minExcerptChars: number): boolean {
  return text.length < minExcerptChars || (text.length < minExcerptChars * 3 && TRUNCATED.test(text));
}

export function createSummarizer(opts: SummarizerOptions): Summarizer {
  const maxChars = opts.maxChars || DEFAULT_MAX_CHARS;
  const minExcerptChars = opts.minExcerptChars ?? DEFAULT_MIN_EXCERPT_CHARS;
  const log = opts.logger;

  async function articleText(url: string): Promise<string | null> {
    const fetchPage = opts.fetchPage;
    if (!fetchPage) return null;
    try {
      const cached = await opts.cache?.get(url);
      if (cached !== undefined) return cached;
    } catch (err) {
      log.warn({ err, url }, 'summarize: article cache read failed; fetching the page');
    }
    let text: string | null = null;
    try {
      const page = await fetchPage(url);
      text = extractArticleText(page.body, page.contentType);
      if (!text) log.info({ url, final_url: page.finalUrl, content_type: page.contentType }, 'summarize: no article text on the page');
    } catch (err) {
      // Not cached: a network failure may be temporary.
      log.warn({ err, url }, 'summarize: article fetch failed; summarising the feed excerpt');
      return null;
    }
    try {
      await opts.cache?.put(url, text);
    } catch (err) {
      log.warn({ err, url }, 'summarize: article cache write failed');
    }
    return text;
  }

  return {
    async summarize(input) {
      const feedText = cleanText(input.text);
      let source = feedText;
      let fromExcerpt = false;
      if (isShortExcerpt(feedText, minExcerptChars)) {
        const article = input.url ? await articleText(input.url) : null;
        if (article && article.length > feedText.length) source = article;
        else fromExcerpt = true;
      }
      if (!source) source = cleanText(input.title);
      if (opts.llm) {
        try {
          const summary = await llmSummary({ title: input.title, text: source }, opts.llm, maxChars);
          return { summary, method: 'llm', fromExcerpt };
        } catch (err) {
          log.warn({ err, model: opts.llm.model }, 'summarize: LLM summary failed; using the extractive summary');
        }
      }
      const summary = extractiveSummary(source, { title: input.title, topicTerms: input.topicTerms, maxChars });
      return { summary, method: 'extractive', fromExcerpt };
    },
  };
}
