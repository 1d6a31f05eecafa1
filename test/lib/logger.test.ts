import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createLogger, redactNested, redactText } from '../../src/lib/logger.ts';

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

// The wildcard paths the logger gave pino before redactNested did their part, kept here as the reference: a line
// must come out exactly as pino's own redaction wrote it with them.
const PINO_PATHS = [
  'token', 'password', 'secret', 'apiKey', 'api_key', 'authorization', 'signingSecret', 'signing_secret',
  '*.token', '*.password', '*.secret', '*.apiKey', '*.api_key', '*.authorization', '*.signingSecret', '*.signing_secret',
  'headers.authorization', 'req.headers.authorization', '*.headers.authorization', '*.headers["x-slack-signature"]',
];

describe('secrets one level down (redactNested), as pino wrote them with wildcard paths', () => {
  const withToken = Object.assign(new Error('boom'), { token: 'err-token-123', code: 'E_X' });
  // Node 22's errors keep their stack in an own accessor that reads the error it is called on; this one does the
  // same on any Node, so a copy that carries the accessor over, not its value, loses the stack here too.
  const stacks = new WeakMap<object, string>();
  const accessorStack = Object.assign(new Error('boom'), { token: 'err-token-456' });
  stacks.set(accessorStack, 'Error: boom\n    at a frame (file.js:1:1)');
  Object.defineProperty(accessorStack, 'stack', { get(this: object) { return stacks.get(this) ?? ''; }, set() {}, enumerable: false, configurable: true });
  const inherited = Object.create({ token: 'inherited-tok' }) as Record<string, unknown>;
  inherited.visible = 1;
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a poll line', { feed_id: 7, url: 'http://127.1.0.1:8080/f/1.xml', status: 'new', items: 20, new: 1, duration_ms: 12 }],
    ['a top-level secret', { token: 'top-token-1', apiKey: 'k-123456', keep: 'shown' }],
    ['secrets one level down', { slack: { token: 'nested-tok', team: 'T1', signing_secret: 'sig-abc' }, other: { password: undefined, user: 'u' } }],
    ['headers one level down', { res: { status: 401, headers: { authorization: 'Bot abc', 'x-slack-signature': 'v0=abc', accept: '*/*' } } }],
    ['top-level headers', { headers: { authorization: 'Bearer x', 'x-slack-signature': 'v0=top', accept: '*/*', headers: { authorization: 'deep' } } }],
    ['a request', { req: { url: '/slack/events', headers: { authorization: 'Basic x', 'x-slack-signature': 'v0=req', host: 'h' } } }],
    ['an error holding a token', { err: withToken }],
    ['an error holding a token, its stack an accessor (as on Node 22)', { err: accessorStack }],
    ['two levels down, arrays and inherited keys (left as they are)', { a: { b: { token: 'two-down' } }, list: [{ token: 'in-array' }], inherited }],
    ['nothing at all', {}],
  ];

  it.each(cases)('%s', (_name, fields) => {
    const ours = capture();
    const theirs = capture();
    const log = createLogger({ level: 'info', pretty: false, secrets: [], destination: ours.stream });
    const reference = pino(
      { level: 'info', base: undefined, timestamp: false, redact: { paths: PINO_PATHS, censor: '[redacted]' }, formatters: { level: (label) => ({ level: label }) } },
      theirs.stream,
    );
    const before = JSON.stringify(fields);
    log.info(fields, 'line');
    log.child({ component: 'c' }).warn(fields, 'from a child');
    reference.info(fields, 'line');
    reference.child({ component: 'c' }).warn(fields, 'from a child');
    const withoutTime = (text: string) => text.replace(/"time":"[^"]*",/g, '');
    expect(withoutTime(ours.text())).toBe(theirs.text());
    expect(JSON.stringify(fields)).toBe(before); // the caller's objects are not changed
  });

  it('hands back the fields themselves when nothing is hidden (no copy per line)', () => {
    const fields = { feed_id: 1, url: 'http://x.example/feed', meta: { etag: '"abc"' }, list: [1, 2] };
    expect(redactNested(fields)).toBe(fields);
    expect(redactNested({ meta: { token: 'abcdef' } })).toEqual({ meta: { token: '[redacted]' } });
  });
});
