import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactText } from '../../src/lib/logger.ts';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const TOKEN = 'xoxb-1234567890-abcdefghijklmnop';
const SIGNING = '8f742231b10e8888abcd99yyyzzz85a5';

describe('logger redaction', () => {
  it.each([false, true])('never writes a configured secret (pretty=%s)', (pretty) => {
    const out = capture();
    const log = createLogger({ level: 'trace', pretty, secrets: [TOKEN, SIGNING], destination: out.stream });
    log.info(`message with ${TOKEN} inline`);
    log.warn({ token: TOKEN, nested: { deeper: { header: `Bearer ${TOKEN}` } } }, 'object fields');
    log.error({ err: new Error(`request failed with ${SIGNING}`) }, 'error with secret in message and stack');
    log.debug({ url: 'postgres://cyber:s3cretpass@db.internal:5432/cb' }, 'database url');
    log.info({ url: 'https://api.example/feed?token=abc123456&x=1' }, 'query secret');
    log.info({ headers: { authorization: 'Bot some.discord.token' } }, 'header');
    const text = out.text();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SIGNING);
    expect(text).not.toContain('s3cretpass');
    expect(text).not.toContain('abc123456');
    expect(text).not.toContain('some.discord.token');
    expect(text).toContain('[redacted]');
    expect(text).toContain('object fields');
    expect(text).toContain('db.internal:5432');
  });

  it('writes JSON lines with a level label by default', () => {
    const out = capture();
    createLogger({ level: 'info', pretty: false, secrets: [], destination: out.stream }).info({ feed_id: 7 }, 'polled');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', feed_id: 7, msg: 'polled' });
    expect(typeof line.time).toBe('string');
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', pretty: false, secrets: [], destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.text()).not.toContain('hidden');
    expect(out.text()).toContain('shown');
  });

  it.each([
    ['postgres://u:pw12345@h/db', 'postgres://u:[redacted]@h/db'],
    ['see https://x.example/?api_key=k-999&y=2', 'see https://x.example/?api_key=[redacted]&y=2'],
    ['plain text stays', 'plain text stays'],
  ])('redactText(%s)', (input, expected) => {
    expect(redactText(input, [])).toBe(expected);
  });
});
