// The sign-in providers' checks, against a provider on loopback whose answers each case sets: an ID token
// for another app, for another sign-in (nonce), expired, or naming someone else than userInfo does; a
// refused code; an oversized answer; Discord without the guilds scope. Each is refused with one sentence.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordOAuth, slackOidc } from '../../src/web/oauth.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const exp = Math.floor(NOW.getTime() / 1000) + 300;
const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const goodClaims = { aud: 'CID', nonce: 'N1', exp, 'https://slack.com/user_id': 'U0ADA1', 'https://slack.com/team_id': 'T0NEWS' };
const goodInfo = { ok: true, name: 'Ada', 'https://slack.com/user_id': 'U0ADA1', 'https://slack.com/team_id': 'T0NEWS', 'https://slack.com/team_name': 'Newsroom' };

describe('sign-in providers', () => {
  let server: http.Server;
  let base = '';
  let answers: Record<string, unknown> = {};
  const requests: Array<{ path: string; body: string; auth: string | undefined }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        requests.push({ path, body, auth: req.headers.authorization });
        const a = answers[path];
        res.writeHead(200, { 'content-type': 'application/json' });
        if (path === '/stalls') {
          // A megabyte, then nothing more and no end: only a reader that stops at its cap answers at once.
          res.write(`{"ok":true,"pad":"${'x'.repeat(1024 * 1024)}`);
          return;
        }
        res.end(typeof a === 'string' ? a : JSON.stringify(a ?? {}));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const slack = () => slackOidc({ clientId: 'CID', clientSecret: 'CSECRET', authorizeUrl: `${base}/authorize`, tokenUrl: `${base}/token`, userinfoUrl: `${base}/userinfo` });
  const finish = () => slack().finish({ code: 'C', nonce: 'N1', redirectUri: 'http://app/auth/slack/callback', now: NOW });

  it('asks Slack for openid with state, nonce and redirect URI', () => {
    const u = new URL(slack().authorizeUrl({ state: 'S', nonce: 'N1', redirectUri: 'http://app/cb' }));
    expect(Object.fromEntries(u.searchParams)).toEqual({ response_type: 'code', scope: 'openid profile', client_id: 'CID', state: 'S', nonce: 'N1', redirect_uri: 'http://app/cb' });
  });

  it('signs in the user and workspace userInfo names, after checking the ID token', async () => {
    answers = { '/token': { ok: true, access_token: 'xoxp-1', id_token: jwt(goodClaims) }, '/userinfo': goodInfo };
    // Only this sign-in's requests (the refusal cases before it, in whatever order, sent theirs with token x).
    requests.length = 0;
    expect(await finish()).toEqual({ kind: 'slack', teamId: 'T0NEWS', teamName: 'Newsroom', userId: 'U0ADA1', name: 'Ada' });
    const token = requests.find((r) => r.path === '/token')!;
    expect(Object.fromEntries(new URLSearchParams(token.body))).toMatchObject({ client_id: 'CID', client_secret: 'CSECRET', code: 'C', grant_type: 'authorization_code' });
    expect(requests.find((r) => r.path === '/userinfo')!.auth).toBe('Bearer xoxp-1');
  });

  it.each([
    ['a refused code', { ok: false, error: 'invalid_code' }, goodInfo, 'Slack refused the sign-in (invalid_code)'],
    ['an ID token for another app', { ok: true, access_token: 'x', id_token: jwt({ ...goodClaims, aud: 'OTHER' }) }, goodInfo, 'the ID token is for another app'],
    ['an ID token of another sign-in', { ok: true, access_token: 'x', id_token: jwt({ ...goodClaims, nonce: 'N2' }) }, goodInfo, 'the ID token does not answer this sign-in (nonce)'],
    ['an expired ID token', { ok: true, access_token: 'x', id_token: jwt({ ...goodClaims, exp: exp - 3600 }) }, goodInfo, 'the ID token has expired'],
    ['userInfo naming another user', { ok: true, access_token: 'x', id_token: jwt(goodClaims) }, { ...goodInfo, 'https://slack.com/user_id': 'U0MAX2' }, 'the ID token and userInfo name different users'],
    ['userInfo without a workspace', { ok: true, access_token: 'x', id_token: jwt(goodClaims) }, { ok: true, 'https://slack.com/user_id': 'U0ADA1' }, 'Slack did not say which user and workspace signed in'],
    ['an oversized answer', JSON.stringify({ ok: true, pad: 'x'.repeat(300_000) }), goodInfo, "Slack's token endpoint answered with an oversized body"],
  ])('refuses %s', async (_, token, info, sentence) => {
    answers = { '/token': token, '/userinfo': info };
    await expect(finish()).rejects.toThrow(sentence);
  });

  it('stops reading an answer at its cap instead of holding it all (one that never ends included)', async () => {
    // The answer never ends: a reader that held it all would fail only at the request's timeout, saying so
    // ("did not answer (timed out)"); the sentence shows the cap stopped it, with no clock in the test.
    const stalls = slackOidc({ clientId: 'CID', clientSecret: 'CSECRET', authorizeUrl: `${base}/authorize`, tokenUrl: `${base}/stalls`, userinfoUrl: `${base}/userinfo` });
    await expect(stalls.finish({ code: 'C', nonce: 'N1', redirectUri: 'http://app/auth/slack/callback', now: NOW })).rejects.toThrow("Slack's token endpoint answered with an oversized body");
  }, 15_000);

  const discord = () => discordOAuth({ clientId: '800000000000000041', clientSecret: 'DS', authorizeUrl: `${base}/oauth2/authorize`, tokenUrl: `${base}/oauth2/token`, apiUrl: `${base}/api` });

  it('signs in with Discord and notes which servers the person manages', async () => {
    answers = {
      '/oauth2/token': { access_token: 'd1', token_type: 'Bearer', scope: 'guilds identify' },
      '/api/users/@me': { id: '600000000000000041', username: 'dee', global_name: 'Dee' },
      '/api/users/@me/guilds': [
        { id: '700000000000000041', name: 'Managed', owner: false, permissions: String(1n << 5n) },
        { id: '700000000000000042', name: 'Owned', owner: true, permissions: '0' },
        { id: '700000000000000043', name: 'Member', owner: false, permissions: String(1n << 10n) },
        { id: 'not-a-snowflake', name: 'Bad' },
      ],
    };
    expect(await discord().finish({ code: 'C', nonce: '', redirectUri: 'http://app/cb', now: NOW })).toEqual({
      kind: 'discord',
      userId: '600000000000000041',
      name: 'Dee',
      guilds: [
        { id: '700000000000000041', name: 'Managed', manageGuild: true },
        { id: '700000000000000042', name: 'Owned', manageGuild: true },
        { id: '700000000000000043', name: 'Member', manageGuild: false },
      ],
    });
    const u = new URL(discord().authorizeUrl({ state: 'S', nonce: '', redirectUri: 'http://app/cb' }));
    expect([u.searchParams.get('scope'), u.searchParams.get('state'), u.searchParams.get('response_type')]).toEqual(['identify guilds', 'S', 'code']);
  });

  // Names come from the provider (remote text), are kept in the session and shown on every page and in a topic
  // version's author: one clean line, at most 100 characters, never cut inside a character.
  it('keeps the names Slack and Discord send as bounded text', async () => {
    answers = { '/token': { ok: true, access_token: 'xoxp-1', id_token: jwt(goodClaims) }, '/userinfo': { ...goodInfo, name: 'Ada\u202e\r\nLovelace', 'https://slack.com/team_name': 'News\u0007room' } };
    expect(await finish()).toMatchObject({ name: 'Ada Lovelace', teamName: 'News room' });
    answers = {
      '/oauth2/token': { access_token: 'd1', token_type: 'Bearer', scope: 'guilds identify' },
      '/api/users/@me': { id: '600000000000000041', username: 'dee', global_name: 'Dee\u001b[31m\u200b' },
      '/api/users/@me/guilds': [
        { id: '700000000000000044', name: `E${'😀'.repeat(99)}`, owner: true },
        { id: '700000000000000045', name: `Ops\u202e room ${'x'.repeat(150)}`, owner: true },
      ],
    };
    const user = await discord().finish({ code: 'C', nonce: '', redirectUri: 'http://app/cb', now: NOW });
    expect(user).toMatchObject({ name: 'Dee', guilds: [{ name: `E${'😀'.repeat(99)}` }, { name: `Ops room ${'x'.repeat(61)} …[cut: 159 characters in all]` }] });
  });

  it('refuses a Discord sign-in without the guilds scope', async () => {
    answers = { '/oauth2/token': { access_token: 'd1', token_type: 'Bearer', scope: 'identify' } };
    await expect(discord().finish({ code: 'C', nonce: '', redirectUri: 'http://app/cb', now: NOW })).rejects.toThrow('Discord did not grant the identify and guilds scopes');
  });
});
