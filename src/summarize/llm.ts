// Optional abstractive summary through an OpenAI-compatible chat-completions API. The prompt confines the
// model to the given text; the input is capped (maxInputChars) and so is the output (max_tokens, then the
// character budget at a word boundary). Any failure throws LlmError; the summariser falls back to extractive.
import { removeElements } from '../lib/markup-spans.ts';
import { redactText, redactUrl, urlPasswords } from '../lib/redact.ts';
import { fitToBudget } from './budget.ts';
import type { LlmOptions } from './ports.ts';
import { cleanText } from './text.ts';

export const DEFAULT_MAX_INPUT_CHARS = 12_000;
/** A chat completion for one summary is a few kilobytes; a larger answer is cut off and refused. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The body as text, refusing more than `max` bytes (a broken or hostile server must not fill memory). */
async function boundedText(res: Response, max: number, shown: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new LlmError(`llm: ${shown} answered with more than ${max} bytes; check summary.llm.base_url`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class LlmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LlmError';
  }
}

export function buildMessages(title: string, text: string, maxChars: number): Array<{ role: 'system' | 'user'; content: string }> {
  return [
    {
      role: 'system',
      content:
        'You summarise news articles for a chat channel. Use only facts stated in the article text you are given; ' +
        'do not add background, opinions or anything you know from elsewhere. If the text is too short to say more, ' +
        `say less. Reply with the summary only: plain text, no heading, no lists, at most ${maxChars} characters.`,
    },
    { role: 'user', content: `Title: ${title || '(none)'}\n\nArticle text:\n${text}` },
  ];
}

interface ChatCompletion {
  choices?: Array<{ message?: { content?: unknown } }>;
}

export async function llmSummary(
  input: { title: string; text: string },
  llm: LlmOptions,
  maxChars: number,
): Promise<string> {
  const url = `${llm.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  // For messages: a password inside summary.llm.base_url is never shown.
  const shown = redactUrl(url);
  const text = fitToBudget(cleanText(input.text), llm.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (llm.apiKey) headers.authorization = `Bearer ${llm.apiKey}`;
  const body = JSON.stringify({
    model: llm.model,
    messages: buildMessages(input.title, text, maxChars),
    max_tokens: llm.maxTokens,
    temperature: 0,
    stream: false,
  });
  let res: Response;
  let raw: string;
  try {
    const signal = AbortSignal.timeout(llm.timeoutMs);
    res = await fetch(url, { method: 'POST', headers, body, signal });
    raw = await boundedText(res, MAX_RESPONSE_BYTES, shown);
  } catch (err) {
    if (err instanceof LlmError) throw err;
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new LlmError(`llm: no answer from ${shown} within ${llm.timeoutMs} ms`, { cause: err });
    throw new LlmError(`llm: cannot reach ${shown} (${redactText((err as Error).message, urlPasswords(url))}); check summary.llm.base_url`, { cause: err });
  }
  if (res.status !== 200) throw new LlmError(`llm: ${shown} answered HTTP ${res.status}; check the model name and LLM_API_KEY`);
  let parsed: ChatCompletion;
  try {
    parsed = JSON.parse(raw) as ChatCompletion;
  } catch (err) {
    throw new LlmError(`llm: ${shown} returned a body that is not JSON`, { cause: err });
  }
  const content = parsed?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new LlmError(`llm: ${shown} returned no choices[0].message.content`);
  // Reasoning models served by Ollama and others may prepend their thinking; it is not the summary.
  const cleaned = removeElements(content, ['think'], ' ')
    .replace(/^\s*(?:summary|tl;dr)\s*:\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  const summary = fitToBudget(cleaned, maxChars);
  if (summary.length < 20) throw new LlmError(`llm: ${shown} returned an empty or too short summary`);
  return summary;
}
