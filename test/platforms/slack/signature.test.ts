import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../../../src/platforms/slack/signature.ts';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BODY = 'token=x&team_id=T1&command=%2Fnews&text=subscribe';
const NOW = 1_800_000_000;
const good = `v0=${createHmac('sha256', SECRET).update(`v0:${NOW}:${BODY}`).digest('hex')}`;

describe('Slack signatures', () => {
  it('computes the v0 HMAC Slack sends', () => {
    expect(slackSignature(SECRET, NOW, BODY)).toBe(good);
  });

  it.each([
    { name: 'authentic, now', ts: String(NOW), sig: good, nowMs: NOW * 1000, ok: true },
    { name: 'authentic, 299 s old', ts: String(NOW), sig: good, nowMs: (NOW + 299) * 1000, ok: true },
    { name: 'authentic, exactly 300 s old', ts: String(NOW), sig: good, nowMs: (NOW + 300) * 1000, ok: true },
    { name: 'authentic, 299 s ahead (a fast clock at Slack)', ts: String(NOW), sig: good, nowMs: (NOW - 299) * 1000, ok: true },
    { name: 'authentic, exactly 300 s ahead', ts: String(NOW), sig: good, nowMs: (NOW - 300) * 1000, ok: true },
    { name: 'stale (301 s old)', ts: String(NOW), sig: good, nowMs: (NOW + 301) * 1000, ok: false, why: /more than 300 seconds/ },
    { name: 'stale (6 minutes old)', ts: String(NOW), sig: good, nowMs: (NOW + 360) * 1000, ok: false, why: /more than 300 seconds/ },
    { name: 'from the future (301 s ahead)', ts: String(NOW), sig: good, nowMs: (NOW - 301) * 1000, ok: false, why: /more than 300 seconds/ },
    { name: 'from the future (400 s ahead)', ts: String(NOW), sig: good, nowMs: (NOW - 400) * 1000, ok: false, why: /more than 300 seconds/ },
    { name: 'from the far future (a day ahead)', ts: String(NOW), sig: good, nowMs: (NOW - 86_400) * 1000, ok: false, why: /more than 300 seconds/ },
    ...[NOW + 3600, NOW + 10 * 365 * 86_400, 999_999_999_999].map((ts) => ({
      name: `signed for ${ts} (far future, correctly signed)`,
      ts: String(ts),
      sig: `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${BODY}`).digest('hex')}`,
      nowMs: NOW * 1000,
      ok: false,
      why: /more than 300 seconds/,
    })),
    { name: 'wrong signature', ts: String(NOW), sig: `v0=${'0'.repeat(64)}`, nowMs: NOW * 1000, ok: false, why: /signature mismatch/ },
    { name: 'truncated signature', ts: String(NOW), sig: good.slice(0, 20), nowMs: NOW * 1000, ok: false, why: /signature mismatch/ },
    { name: 'no signature', ts: String(NOW), sig: undefined, nowMs: NOW * 1000, ok: false, why: /missing or malformed x-slack-signature/ },
    { name: 'no timestamp', ts: undefined, sig: good, nowMs: NOW * 1000, ok: false, why: /x-slack-request-timestamp/ },
    { name: 'timestamp not a number', ts: '17e8', sig: good, nowMs: NOW * 1000, ok: false, why: /x-slack-request-timestamp/ },
  ])('$name', ({ ts, sig, nowMs, ok, why }) => {
    const run = () => verifySlackSignature({ signingSecret: SECRET, timestamp: ts, signature: sig, rawBody: BODY, nowMs });
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(why);
  });

  it('refuses a body changed after signing', () => {
    expect(() => verifySlackSignature({ signingSecret: SECRET, timestamp: String(NOW), signature: good, rawBody: `${BODY}x`, nowMs: NOW * 1000 })).toThrow(/SLACK_SIGNING_SECRET/);
  });
});
