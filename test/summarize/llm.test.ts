import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { createSummarizer, llmSummary, LlmError, type LlmOptions } from '../../src/summarize/index.ts';
import { startLoopback, type Loopback } from './loopback.ts';

const ARTICLE = [
  'Officials from Northland and Southland agreed on Tuesday to form a standing working group on cybersecurity.',
  'The agreement follows months of accusations that state-backed hackers stole trade secrets from energy firms.',
  'Dr. Maria Ortiz, who led the Northland delegation, said the group would meet every quarter in Geneva.',
  'Southland denied any involvement in the intrusions and called the accusations baseless.',
  'Analysts said protecting power grids from attacks would be the first real test of the new group.',
].join(' ');
const MODEL_ANSWER = 'Northland and Southland will form a cyber working group after accusations of trade-secret theft.';
const LONG_ANSWER = `${'Northland and Southland agreed to meet every quarter on cybersecurity. '.repeat(20)}`;

function completion(content: unknown) {
  return JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
}

let server: Loopback;
beforeAll(async () => {
  const json = { 'content-type': 'application/json' };
  server = await startLoopback({
    '/ok/v1/chat/completions': (_req, _body, res) => res.writeHead(200, json).end(completion(MODEL_ANSWER)),
    '/long/v1/chat/completions': (_req, _body, res) => res.writeHead(200, json).end(completion(LONG_ANSWER)),
    '/think/v1/chat/completions': (_req, _body, res) =>
      res.writeHead(200, json).end(completion(`<think>The user wants a summary. Let me think.</think>\n\nSummary: ${MODEL_ANSWER}`)),
    '/error/v1/chat/completions': (_req, _body, res) => res.writeHead(500, json).end('{"error":{"message":"boom"}}'),
    '/slow/v1/chat/completions': (_req, _body, res) => {
      const t = setTimeout(() => res.writeHead(200, json).end(completion(MODEL_ANSWER)), 5_000);
      res.on('close', () => clearTimeout(t));
    },
    '/malformed/v1/chat/completions': (_req, _body, res) => res.writeHead(200, json).end('{"choices": [ {"mess'),
    '/empty/v1/chat/completions': (_req, _body, res) => res.writeHead(200, json).end(completion('   ')),
    '/nochoices/v1/chat/completions': (_req, _body, res) => res.writeHead(200, json).end('{"choices": []}'),
    '/huge/v1/chat/completions': (_req, _body, res) => {
      // A server that never stops answering: the client must stop reading at the cap.
      res.writeHead(200, json);
      res.write('{"choices": [{"message": {"content": "');
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    },
  });
});
afterAll(() => server.close());

const opts = (path: string, extra: Partial<LlmOptions> = {}): LlmOptions => ({
  baseUrl: `${server.url}/${path}/v1/`,
  model: 'test-model',
  apiKey: 'sk-test-secret-123',
  // Long enough that a loaded machine never makes a quick answer late; the slow server's case sets its own.
  timeoutMs: 10_000,
  maxTokens: 120,
  ...extra,
});

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ level: 'info', pretty: false, secrets: ['sk-test-secret-123'], destination }), lines };
}

describe('llmSummary', () => {
  it('posts an OpenAI-style chat completion request and returns the answer', async () => {
    const before = server.requests.length;
    const out = await llmSummary({ title: 'Cyber talks', text: ARTICLE }, opts('ok'), 400);
    expect(out).toBe(MODEL_ANSWER);
    const req = server.requests[before];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/ok/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-test-secret-123');
    const body = JSON.parse(req?.body ?? '{}') as { model: string; max_tokens: number; temperature: number; messages: Array<{ role: string; content: string }> };
    expect(body.model).toBe('test-model');
    expect(body.max_tokens).toBe(120);
    expect(body.temperature).toBe(0);
    expect(body.messages[0]?.role).toBe('system');
    expect(body.messages[0]?.content).toMatch(/only facts stated in the article text/);
    expect(body.messages[1]?.content).toContain(ARTICLE);
  });

  it('sends no authorization header without a key, and caps the article in the prompt', async () => {
    const before = server.requests.length;
    await llmSummary({ title: 't', text: `${ARTICLE} ${ARTICLE}` }, opts('ok', { apiKey: null, maxInputChars: 200 }), 400);
    const req = server.requests[before];
    expect(req?.headers.authorization).toBeUndefined();
    const user = (JSON.parse(req?.body ?? '{}') as { messages: Array<{ content: string }> }).messages[1]?.content ?? '';
    expect(user.length).toBeLessThan(260);
  });

  it('bounds the answer to the character budget at a word boundary', async () => {
    const out = await llmSummary({ title: 't', text: ARTICLE }, opts('long'), 150);
    expect(out.length).toBeLessThanOrEqual(150);
    expect(out.endsWith('…')).toBe(true);
    expect(LONG_ANSWER.startsWith(out.slice(0, -1))).toBe(true);
    expect(LONG_ANSWER[out.length - 1]).toBe(' ');
  });

  it('drops a reasoning model\'s <think> block and a "Summary:" prefix', async () => {
    expect(await llmSummary({ title: 't', text: ARTICLE }, opts('think'), 400)).toBe(MODEL_ANSWER);
  });

  const failures: Array<{ path: string; message: RegExp; extra?: Partial<LlmOptions> }> = [
    { path: 'error', message: /HTTP 500/ },
    { path: 'slow', message: /within 300 ms/, extra: { timeoutMs: 300 } }, // the server answers after 5 s
    { path: 'malformed', message: /not JSON/ },
    { path: 'empty', message: /empty or too short/ },
    { path: 'nochoices', message: /no choices/ },
    { path: 'missing', message: /HTTP 404/ },
    { path: 'huge', message: /answered with more than 1048576 bytes/ },
  ];
  for (const f of failures) {
    it(`throws LlmError for ${f.path}`, async () => {
      const err = await llmSummary({ title: 't', text: ARTICLE }, opts(f.path, f.extra), 400).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LlmError);
      expect((err as Error).message).toMatch(f.message);
    });
  }

  it('throws LlmError when nothing listens', async () => {
    const err = await llmSummary({ title: 't', text: ARTICLE }, { ...opts('ok'), baseUrl: 'http://127.0.0.1:1/v1' }, 400).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as Error).message).toMatch(/cannot reach/);
  });
});

describe('createSummarizer with an LLM', () => {
  it('uses the model when it answers', async () => {
    const { logger } = capturingLogger();
    const s = createSummarizer({ maxChars: 400, llm: opts('ok'), logger });
    expect(await s.summarize({ title: 'Cyber talks', text: ARTICLE })).toEqual({ summary: MODEL_ANSWER, method: 'llm', fromExcerpt: false });
  });

  for (const path of ['error', 'slow', 'malformed', 'empty']) {
    it(`falls back to the extractive summary and logs a warning (${path})`, async () => {
      const { logger, lines } = capturingLogger();
      const s = createSummarizer({ maxChars: 400, llm: opts(path, path === 'slow' ? { timeoutMs: 300 } : {}), logger });
      const r = await s.summarize({ title: 'Cyber talks', text: ARTICLE, topicTerms: ['working group'] });
      expect(r.method).toBe('extractive');
      expect(r.summary).toContain('working group on cybersecurity');
      expect(r.summary.length).toBeLessThanOrEqual(400);
      const warn = lines.find((l) => l.level === 'warn');
      expect(warn?.msg).toMatch(/LLM summary failed/);
      expect(typeof warn?.err).toBe('string');
      expect(JSON.stringify(warn)).not.toContain('stack');
      expect(JSON.stringify(lines)).not.toContain('sk-test-secret-123');
    });
  }
});
