// The summariser the pipeline calls: decides the source text (feed text, or the fetched article when the
// feed only carries a short excerpt), then summarises it with the LLM when configured, extractively
// otherwise or whenever the LLM fails. It never throws for a bad page or a bad model; it logs and falls back.
// Its CPU work (cleaning, article extraction, the extractive summary) goes through a SummaryWork port, on
// worker threads with a deadline in the bot; a step that fails there yields a cheap, bounded summary: the
// lead of the feed text cut to the budget, or the title.
import { CyberbriefError, errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { fitToBudget } from './budget.ts';
import { DEFAULT_MAX_CHARS } from './extractive.ts';
import { llmSummary } from './llm.ts';
import type { ArticleCache, FetchPage, LlmOptions, SummaryWork } from './ports.ts';
import { cleanText, withoutPublisherFooter, withoutReadOn } from './text.ts';
import { inlineSummaryWork } from './work.ts';

/** Feed text shorter than this (in characters, after cleaning) counts as "only a short description". */
export const DEFAULT_MIN_EXCERPT_CHARS = 400;

export interface SummarizerOptions {
  maxChars: number;
  llm?: LlmOptions | null;
  fetchPage?: FetchPage;
  cache?: ArticleCache;
  minExcerptChars?: number;
  /** Where the CPU work runs (the bot: worker threads with a deadline); this thread by default. */
  work?: SummaryWork;
  logger: Logger;
}

export interface SummarizeInput {
  title: string;
  text: string;
  url?: string | null;
  topicTerms?: string[];
  /** Who added the item's feed; its article page is fetched in that scope (ports.ts FetchPage). */
  scope?: 'operator' | 'chat';
}

export interface SummaryResult {
  summary: string;
  /** `fallback`: the work failed or ran past its deadline; the summary is the lead or the title. */
  method: 'extractive' | 'llm' | 'fallback';
  /** True when the summary was made from the feed's short excerpt only (no article text available). */
  fromExcerpt: boolean;
}

export interface Summarizer {
  summarize(input: SummarizeInput): Promise<SummaryResult>;
}

/** A feed excerpt (under 3x the threshold) ending in "[…]", "..." or "Read more" was cut short by its publisher. */
const TRUNCATED = /(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.|\b(?:read|continue reading|read more)\W*)$/iu;

const errorClass = (err: unknown): string => (err instanceof CyberbriefError ? err.code : 'internal');

export function isShortExcerpt(text: string, minExcerptChars: number): boolean {
  return text.length < minExcerptChars || (text.length < minExcerptChars * 3 && TRUNCATED.test(text));
}

/**
 * The summary when the real one could not be made in time: the start of the feed text cut to the budget (at
 * the last sentence end that keeps half of it, else at a word), if it reads as words, else the title. Reads
 * at most a few budgets of text, whatever its length.
 */
export function fallbackSummary(title: string, text: string, maxChars: number): string {
  const head = withoutReadOn(withoutPublisherFooter(text.slice(0, maxChars * 4))).replace(/\s+/g, ' ').trim();
  let lead = head;
  if (head.length > maxChars) {
    const room = head.slice(0, maxChars);
    const end = Math.max(room.lastIndexOf('. '), room.lastIndexOf('? '), room.lastIndexOf('! '));
    lead = end >= maxChars / 2 ? room.slice(0, end + 1) : fitToBudget(head, maxChars);
  }
  if (/\p{L}{2,}/u.test(lead)) return lead;
  return fitToBudget(title.slice(0, maxChars * 4), maxChars) || title.slice(0, maxChars);
}

export function createSummarizer(opts: SummarizerOptions): Summarizer {
  const maxChars = opts.maxChars || DEFAULT_MAX_CHARS;
  const minExcerptChars = opts.minExcerptChars ?? DEFAULT_MIN_EXCERPT_CHARS;
  const log = opts.logger;
  const work = opts.work ?? inlineSummaryWork;

  async function articleText(url: string, scope: 'operator' | 'chat'): Promise<string | null> {
    const fetchPage = opts.fetchPage;
    if (!fetchPage) return null;
    try {
      const cached = await opts.cache?.get(url);
      if (cached !== undefined) return cached;
    } catch (err) {
      log.warn({ err, url }, 'summarize: article cache read failed; fetching the page');
    }
    let text: string | null = null;
    let page: Awaited<ReturnType<FetchPage>>;
    try {
      page = await fetchPage(url, scope);
    } catch (err) {
      // Not cached: a network failure may be temporary. Expected (a 404, a timeout): its message, no stack.
      log.warn({ url, error_class: errorClass(err), err: errorMessage(err) }, 'summarize: article fetch failed; summarising the feed excerpt');
      return null;
    }
    try {
      text = await work.articleText(page.body, page.contentType);
      if (!text) log.info({ url, final_url: page.finalUrl, content_type: page.contentType }, 'summarize: no article text on the page');
    } catch (err) {
      // Not cached either: a deadline missed on a busy machine may be met next time.
      log.warn({ url, error_class: errorClass(err), err: errorMessage(err) }, 'summarize: article extraction failed; summarising the feed excerpt');
      return null;
    }
    try {
      await opts.cache?.put(url, text);
    } catch (err) {
      log.warn({ err, url }, 'summarize: article cache write failed');
    }
    return text;
  }

  async function summarize(input: SummarizeInput): Promise<SummaryResult> {
    // The publisher's footer ("The post ... appeared first on ...") is not part of the story, nor of its length.
    const feedText = withoutPublisherFooter(await work.cleanText(input.text));
    // Nor is its link to the rest ("[…]", "Continue reading..."), though it tells that the excerpt was cut.
    const excerpt = withoutReadOn(feedText);
    let source = excerpt;
    let fromExcerpt = false;
    if (isShortExcerpt(feedText, minExcerptChars)) {
      const article = input.url ? await articleText(input.url, input.scope ?? 'operator') : null;
      if (article && article.length > excerpt.length) source = article;
      else fromExcerpt = true;
    }
    if (!source) source = cleanText(input.title);
    if (opts.llm) {
      try {
        const summary = await llmSummary({ title: input.title, text: source }, opts.llm, maxChars);
        return { summary, method: 'llm', fromExcerpt };
      } catch (err) {
        // Expected (the server is down, slow or answers badly): its message, no stack trace.
        log.warn({ model: opts.llm.model, error_class: errorClass(err), err: errorMessage(err) }, 'summarize: LLM summary failed; using the extractive summary');
      }
    }
    const summary = await work.extractive(source, { title: input.title, topicTerms: input.topicTerms, maxChars });
    // Text with no words at all (100 KB of dots) leaves nothing to say: the title says it.
    return { summary: /[\p{L}\p{N}]/u.test(summary) ? summary : fallbackSummary(input.title, '', maxChars), method: 'extractive', fromExcerpt };
  }

  return {
    async summarize(input) {
      try {
        return await summarize(input);
      } catch (err) {
        // The work ran past its deadline (summarize_timeout) or its worker died (summarize_failed).
        log.warn({ url: input.url ?? null, error_class: errorClass(err), err: errorMessage(err) }, 'summarize: could not summarise in time; using the lead of the feed text or the title');
        return { summary: fallbackSummary(input.title, input.text, maxChars), method: 'fallback', fromExcerpt: true };
      }
    },
  };
}
