import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature } from '../../src/websub/signature.ts';

const SECRET = 'kJ3v0-per-subscription-secret_abcdefghijklmnop';
const BODY = Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>');
const sign = (alg: string, body: Buffer = BODY, secret = SECRET) => `${alg}=${createHmac(alg, secret).update(body).digest('hex')}`;

describe('X-Hub-Signature', () => {
  it.each([
    { name: 'sha1', header: sign('sha1'), want: { ok: true, algorithm: 'sha1' } },
    { name: 'sha256', header: sign('sha256'), want: { ok: true, algorithm: 'sha256' } },
    { name: 'sha384', header: sign('sha384'), want: { ok: true, algorithm: 'sha384' } },
    { name: 'sha512', header: sign('sha512'), want: { ok: true, algorithm: 'sha512' } },
    { name: 'upper-case method and digest', header: sign('sha256').toUpperCase(), want: { ok: true, algorithm: 'sha256' } },
    { name: 'surrounding spaces', header: `  ${sign('sha256')} `, want: { ok: true, algorithm: 'sha256' } },
    { name: 'no header', header: undefined, want: { ok: false, reason: 'missing' } },
    { name: 'empty header', header: '', want: { ok: false, reason: 'missing' } },
    { name: 'two headers', header: [sign('sha256'), sign('sha1')], want: { ok: false, reason: 'malformed' } },
    { name: 'no method', header: createHmac('sha256', SECRET).update(BODY).digest('hex'), want: { ok: false, reason: 'malformed' } },
    { name: 'not hex', header: 'sha256=zz', want: { ok: false, reason: 'malformed' } },
    { name: 'truncated digest', header: sign('sha256').slice(0, -2), want: { ok: false, reason: 'malformed' } },
    { name: 'sha1-length digest labelled sha256', header: `sha256=${sign('sha1').slice(5)}`, want: { ok: false, reason: 'malformed' } },
    { name: 'md5 (not allowed)', header: sign('md5'), want: { ok: false, reason: 'unsupported' } },
    { name: 'another secret', header: sign('sha256', BODY, 'guessed'), want: { ok: false, reason: 'mismatch' } },
    { name: 'another body', header: sign('sha256', Buffer.from('<rss/>')), want: { ok: false, reason: 'mismatch' } },
    { name: 'one bit flipped', header: sign('sha256').replace(/.$/, (c) => (c === '0' ? '1' : '0')), want: { ok: false, reason: 'mismatch' } },
  ])('$name', ({ header, want }) => {
    expect(checkSignature(SECRET, BODY, header)).toEqual(want);
  });

  it('checks the raw bytes: a body re-encoded differently does not match', () => {
    const latin1 = Buffer.from('<title>Caf\u00e9</title>', 'latin1');
    const utf8 = Buffer.from('<title>Caf\u00e9</title>', 'utf8');
    expect(checkSignature(SECRET, utf8, sign('sha256', latin1))).toEqual({ ok: false, reason: 'mismatch' });
    expect(checkSignature(SECRET, latin1, sign('sha256', latin1))).toEqual({ ok: true, algorithm: 'sha256' });
  });
});
