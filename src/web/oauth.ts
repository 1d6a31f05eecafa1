// Sign in with Slack (OpenID Connect) and Sign in with Discord (OAuth2 authorization code, scopes identify
// and guilds). Both endpoints sets come from configuration (web.slack.*, web.discord.*), so tests run against
// local emulators. Plain HTTPS calls from the server: the code is exchanged with the client secret, the ID
// token arrives straight from the token endpoint (so its claims are checked, not its signature: OpenID
// Connect Core 3.1.3.7), and who the person is comes from the provider's userInfo / users/@me answers.
import type { WebUser } from './types.ts';
import { boundedText as boundedLine } from '../lib/bounded-text.ts';

export interface OAuthProvider {
  readonly name: 'slack' | 'discord';
  /** Where to send the browser. */
  authorizeUrl(p: { state: string; nonce: string; redirectUri: string }): string;
  /** Exchanges the code and says who signed in; throws a sentence for the sign-in page. */
  finish(p: { code: string; nonce: string; redirectUri: string; now: Date }): Promise<WebUser>;
}

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 256 * 1024;

/**
 * The body as text, read only up to MAX_BYTES (past it, the rest is not read and the connection is closed) and
 * within the request's deadline.
 */
async function boundedText(res: Response, what: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch (err) {
      throw new Error(`${what} did not answer (${(err as Error).name === 'TimeoutError' ? 'timed out' : 'network error'})`);
    }
    if (step.done) break;
    size += step.value.byteLength;
    if (size > MAX_BYTES) {
      void reader.cancel().catch(() => undefined);
      throw new Error(`${what} answered with an oversized body`);
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

async function call(url: string, init: RequestInit, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new Error(`${what} did not answer (${(err as Error).name === 'TimeoutError' ? 'timed out' : 'network error'})`);
  }
  const text = await boundedText(res, what);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what} answered HTTP ${res.status} without JSON`);
  }
  if (!res.ok) throw new Error(`${what} answered HTTP ${res.status}`);
  return body;
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: new URLSearchParams(fields).toString(),
});

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);
/**
 * A name the provider sends (a person, a workspace, a server): kept in the session, shown on every page and
 * in a topic version's author, so one clean line of at most NAME_MAX characters (lib/bounded-text.ts), or null.
 */
const NAME_MAX = 100;
const nameOf = (v: unknown): string | null => {
  const s = str(v);
  return s === null ? null : boundedLine(s, NAME_MAX) || null;
};

/** The claims of a JWT (not its signature: it came straight from the token endpoint over TLS). */
function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('the ID token is malformed');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('the ID token is malformed');
  }
}

export interface SlackOidcSettings {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
}

export function slackOidc(s: SlackOidcSettings): OAuthProvider {
  return {
    name: 'slack',
    authorizeUrl({ state, nonce, redirectUri }) {
      const u = new URL(s.authorizeUrl);
      u.search = new URLSearchParams({ response_type: 'code', scope: 'openid profile', client_id: s.clientId, state, nonce, redirect_uri: redirectUri }).toString();
      return u.toString();
    },
    async finish({ code, nonce, redirectUri, now }) {
      const tok = (await call(s.tokenUrl, form({ client_id: s.clientId, client_secret: s.clientSecret, code, redirect_uri: redirectUri, grant_type: 'authorization_code' }), 'Slack\'s token endpoint')) as Record<string, unknown>;
      if (tok.ok !== true) throw new Error(`Slack refused the sign-in (${str(tok.error) ?? 'no reason given'})`);
      const access = str(tok.access_token) ?? (typeof tok.access_token === 'string' ? tok.access_token : null);
      const idToken = typeof tok.id_token === 'string' ? tok.id_token : null;
      if (!access || !idToken) throw new Error('Slack\'s token endpoint sent no access or ID token');
      const claims = jwtClaims(idToken);
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(s.clientId)) throw new Error('the ID token is for another app');
      if (claims.nonce !== nonce) throw new Error('the ID token does not answer this sign-in (nonce)');
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < now.getTime() - 60_000) throw new Error('the ID token has expired');
      const info = (await call(s.userinfoUrl, { headers: { authorization: `Bearer ${access}`, accept: 'application/json' } }, 'Slack\'s userInfo endpoint')) as Record<string, unknown>;
      if (info.ok !== true) throw new Error(`Slack's userInfo refused (${str(info.error) ?? 'no reason given'})`);
      const userId = str(info['https://slack.com/user_id']);
      const teamId = str(info['https://slack.com/team_id']);
      if (!userId || !teamId || !/^[UW][A-Z0-9]{2,30}$/.test(userId) || !/^[TE][A-Z0-9]{2,30}$/.test(teamId)) throw new Error('Slack did not say which user and workspace signed in');
      if (claims['https://slack.com/user_id'] !== undefined && claims['https://slack.com/user_id'] !== userId) throw new Error('the ID token and userInfo name different users');
      if (claims['https://slack.com/team_id'] !== undefined && claims['https://slack.com/team_id'] !== teamId) throw new Error('the ID token and userInfo name different workspaces');
      return { kind: 'slack', teamId, teamName: nameOf(info['https://slack.com/team_name']), userId, name: nameOf(info.name) ?? userId };
    },
  };
}

export interface DiscordOAuthSettings {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  apiUrl: string;
}

const ADMINISTRATOR = 1n << 3n;
const MANAGE_GUILD = 1n << 5n;
const MAX_GUILDS = 200;

export function discordOAuth(s: DiscordOAuthSettings): OAuthProvider {
  const api = s.apiUrl.replace(/\/+$/, '');
  return {
    name: 'discord',
    authorizeUrl({ state, redirectUri }) {
      const u = new URL(s.authorizeUrl);
      u.search = new URLSearchParams({ response_type: 'code', client_id: s.clientId, scope: 'identify guilds', state, redirect_uri: redirectUri, prompt: 'none' }).toString();
      return u.toString();
    },
    async finish({ code, redirectUri }) {
      const tok = (await call(s.tokenUrl, form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: s.clientId, client_secret: s.clientSecret }), 'Discord\'s token endpoint')) as Record<string, unknown>;
      const access = typeof tok.access_token === 'string' && tok.access_token.length <= 500 ? tok.access_token : null;
      if (!access) throw new Error(`Discord refused the sign-in (${str(tok.error) ?? 'no access token'})`);
      const scopes = new Set(String(tok.scope ?? '').split(' '));
      if (!scopes.has('identify') || !scopes.has('guilds')) throw new Error('Discord did not grant the identify and guilds scopes');
      const headers = { authorization: `Bearer ${access}`, accept: 'application/json' };
      const me = (await call(`${api}/users/@me`, { headers }, 'Discord\'s users/@me')) as Record<string, unknown>;
      const userId = str(me.id);
      if (!userId || !/^\d{5,25}$/.test(userId)) throw new Error('Discord did not say who signed in');
      const list = await call(`${api}/users/@me/guilds`, { headers }, 'Discord\'s users/@me/guilds');
      const guilds = (Array.isArray(list) ? list : []).slice(0, MAX_GUILDS).flatMap((g: Record<string, unknown>) => {
        const id = str(g.id);
        if (!id || !/^\d{5,25}$/.test(id)) return [];
        let perms = 0n;
        try {
          perms = BigInt(String(g.permissions ?? '0'));
        } catch {
          perms = 0n;
        }
        // Only which servers to ask about: what the person may do is asked of the bot (platforms/discord).
        return [{ id, name: nameOf(g.name) ?? id, manageGuild: g.owner === true || (perms & (ADMINISTRATOR | MANAGE_GUILD)) !== 0n }];
      });
      return { kind: 'discord', userId, name: nameOf(me.global_name) ?? nameOf(me.username) ?? userId, guilds };
    },
  };
}
