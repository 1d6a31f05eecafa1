// What the summariser needs from the outside world, as ports: the composition root (main.ts) wires the
// real fetcher (limits, private-address guard) and the storage-backed cache; tests pass loopback fakes.

/** GET a page, decoded to text. Throws on any failure (network, status, size, blocked address). */
export type FetchPage = (url: string) => Promise<{ body: string; contentType: string | null; finalUrl: string }>;

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
