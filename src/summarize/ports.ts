// What the summariser needs from the outside world, as ports: the composition root (main.ts) wires the
// real fetcher (limits, private-address guard) and the storage-backed cache; tests pass loopback fakes.
import type { ExtractiveOptions } from './extractive.ts';

/**
 * GET a page, decoded to text. Throws on any failure (network, status, size, blocked address). `scope`: who
 * added the feed the page's link came from (the feeds' fetcher's FetchScope); chat-added feeds' pages may not
 * reach the operator's private hosts. Absent: the operator (a CLI call).
 */
export type FetchPage = (url: string, scope?: 'operator' | 'chat') => Promise<{ body: string; contentType: string | null; finalUrl: string }>;

/** Extracted article text by URL. `null` records "tried, nothing usable", so we do not fetch it again. */
export interface ArticleCache {
  /** `undefined`: never tried; `null`: tried and found nothing; a string: the article text. */
  get(url: string): Promise<string | null | undefined>;
  put(url: string, text: string | null): Promise<void>;
}

/** An OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, llama.cpp server, vLLM...). */
export interface LlmOptions {
  /** Base URL up to and including the version, e.g. http://127.0.0.1:11434/v1; we POST {baseUrl}/chat/completions. */
  baseUrl: string;
  model: string;
  apiKey?: string | null;
  timeoutMs: number;
  /** Upper bound on generated tokens (max_tokens). */
  maxTokens: number;
  /** Article characters sent in the prompt (bounds prompt tokens); default 12,000. */
  maxInputChars?: number;
}

/**
 * The summariser's CPU work, whose cost grows with the text: cleaning feed text, extracting an article from a
 * page, the extractive summary. The bot runs it on worker threads with a deadline (src/workers); a step past
 * its deadline rejects with a classified error (`summarize_timeout`) and the summariser falls back to the
 * title or a short lead. `inlineSummaryWork` runs it in this thread.
 */
export interface SummaryWork {
  cleanText(text: string): Promise<string>;
  /** Main text of a page (at most MAX_ARTICLE_CHARS), or null when it has none. */
  articleText(html: string, contentType: string | null): Promise<string | null>;
  extractive(text: string, opts: ExtractiveOptions): Promise<string>;
}
