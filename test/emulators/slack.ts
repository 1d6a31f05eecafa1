// A local stand-in for the Slack Web API (auth.test, users.info, users.conversations, chat.postMessage
// (thread_ts replies too), chat.update, chat.postEphemeral, conversations.history and .replies) and for
// response_url, recording every call with its payload; plus senders of signed slash-command requests and of
// signed interactivity payloads (block_actions: a click on a button). Messages over Slack's limits are refused
// as Slack does (more than 50 blocks, a section text over 3,000 or a header over 150 characters:
// invalid_blocks; text over 40,000: msg_too_long), on response_url too, which also takes only five posts. The real @slack/web-api client talks to it through
// SLACK_API_URL. With `oauth`, it is also Slack's OAuth v2 install (/oauth/v2/authorize, oauth.v2.access: each
// install adds a workspace with its own bot token) and Sign in with Slack (OpenID Connect:
// /openid/connect/authorize, openid.connect.token and .userInfo); the authorisation pages list links a
// browser (or a test) follows to approve as a given workspace or user.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { slackSignature } from '../../src/platforms/slack/signature.ts';
import { json, readBody } from './http-util.ts';

export interface SlackCall {
  method: string;
  token: string | null;
  args: Record<string, unknown>;
}

export interface SlackUser {
  id: string;
  is_admin?: boolean;
  is_owner?: boolean;
  /** The user's own workspace (default: the emulator's team), as users.info reports it. */
  team_id?: string;
}

export type SlackFailure = { error: string } | { status: number; retryAfter?: number };

/** A workspace the emulator serves: its bot token authenticates the Web API calls made for it. */
export interface SlackWorkspace {
  teamId: string;
  teamName: string;
  token: string;
  botUserId: string;
}

/** OAuth v2 install and OpenID Connect sign-in (the app's credentials as registered with "Slack"). */
export interface SlackOAuthSetup {
  clientId: string;
  clientSecret: string;
}

/** Random faults: each call to one of `methods` fails with probability `rate`, with one of `statuses`. */
export interface SlackChaos {
  rate: number;
  /** HTTP statuses to answer, e.g. [429, 500]; 429 carries Retry-After: retryAfterSeconds. */
  statuses: number[];
  retryAfterSeconds?: number;
  /** Default: chat.postMessage and chat.update. */
  methods?: string[];
  random?: () => number;
}

export interface FakeSlack {
  /** SLACK_API_URL for the client, ending in /api/. */
  readonly apiUrl: string;
  /** Base for response_url values. */
  readonly baseUrl: string;
  readonly calls: SlackCall[];
  /** Messages posted or updated, in order. */
  readonly messages: Array<{ method: 'chat.postMessage' | 'chat.update'; channel: string; ts: string; text: string; blocks: unknown[]; args: Record<string, unknown> }>;
  /** Payloads posted to response_url, by path. */
  readonly responses: Array<{ path: string; body: Record<string, unknown> }>;
  /** Messages posted with chat.postEphemeral (seen by `user` only). */
  readonly ephemerals: Array<{ channel: string; user: string; text: string; args: Record<string, unknown> }>;
  users: Map<string, SlackUser>;
  /** Channels the bot cannot post to (answered with channel_not_found). */
  readonly goneChannels: Set<string>;
  /** The next call to `method` fails like this. */
  failNext(method: string, failure: SlackFailure): void;
  /** Every call to `method` whose arguments pass `when` fails like this (a message Slack refuses). */
  failWhen(method: string, when: (args: Record<string, unknown>) => boolean, failure: SlackFailure): void;
  /** Deletes a posted message (as a user would): chat.update of it answers message_not_found. */
  deleteMessage(channel: string, ts: string): void;
  /** Starts (or, with null, stops) failing calls at random; failed calls record nothing. */
  chaos(c: SlackChaos | null): void;
  /** Calls that chaos failed, by status. */
  readonly chaosFailures: Map<number, number>;
  responseUrl(id: string): string;
  /** Socket Mode: sends a slash command over the app's websocket; resolves with the app's acknowledgement payload. */
  sendSocketSlashCommand(input: Omit<SlashCommandInput, 'url' | 'signingSecret' | 'timestamp' | 'signature'>): Promise<Record<string, unknown>>;
  /** Socket Mode: sends a block_actions payload (a button click) over the app's websocket; resolves with the app's acknowledgement. */
  sendSocketBlockAction(input: Omit<BlockActionInput, 'url' | 'signingSecret' | 'timestamp' | 'signature'>): Promise<Record<string, unknown>>;
  /** Socket Mode connections currently open. */
  readonly socketConnections: number;
  /** Workspaces by bot token: the first one, and each added by an install. */
  readonly workspaces: Map<string, SlackWorkspace>;
  /** Channel id -> member user ids (users.conversations answers from it). */
  readonly channelMembers: Map<string, Set<string>>;
  /** Workspaces the install page offers (Add to Slack), approved by following their link. */
  readonly installable: Array<{ teamId: string; teamName: string; userId: string }>;
  /** People the sign-in page offers (Sign in with Slack). */
  readonly signInUsers: Array<{ userId: string; teamId: string; teamName: string; name: string }>;
  /** Installs completed (oauth.v2.access answered), in order. */
  readonly installs: SlackWorkspace[];
  /**
   * Runs after a message is recorded and before Slack's answer is sent (the message exists, the caller
   * does not know yet): a test can kill the bot at exactly that moment.
   */
  beforeAnswer: ((call: { method: string; args: Record<string, unknown>; ts: string }) => Promise<void> | void) | null;
  close(): Promise<void>;
}

/** Why Slack would refuse this message (its documented limits), or null. */
export function slackLimitError(args: Record<string, unknown>): string | null {
  const blocks = Array.isArray(args.blocks) ? (args.blocks as Array<{ type?: string; text?: { text?: string } }>) : [];
  if (blocks.length > 50) return 'invalid_blocks';
  for (const b of blocks) {
    const len = b.text?.text?.length ?? 0;
    if (b.type === 'section' && len > 3000) return 'invalid_blocks';
    // A text object needs at least one character that is not white space.
    if (b.text && (b.text.text ?? '').trim() === '') return 'invalid_blocks';
    if (b.type === 'header' && len > 150) return 'invalid_blocks';
  }
  if (String(args.text ?? '').length > 40_000) return 'msg_too_long';
  return null;
}

export async function startFakeSlack(opts: { token: string; appToken?: string; teamId?: string; users?: SlackUser[]; oauth?: SlackOAuthSetup }): Promise<FakeSlack> {
  const teamId = opts.teamId ?? 'T0TEST';
  const workspaces = new Map<string, SlackWorkspace>([[opts.token, { teamId, teamName: 'Test Team', token: opts.token, botUserId: 'UBOT' }]]);
  const channelMembers = new Map<string, Set<string>>();
  const installable: FakeSlack['installable'] = [];
  const signInUsers: FakeSlack['signInUsers'] = [];
  const installs: SlackWorkspace[] = [];
  /** Codes handed out by the authorisation pages, and access tokens of signed-in people. */
  const codes = new Map<string, { kind: 'install'; teamId: string; teamName: string; userId: string; redirectUri: string } | { kind: 'signin'; user: FakeSlack['signInUsers'][number]; nonce: string; redirectUri: string }>();
  const userTokens = new Map<string, FakeSlack['signInUsers'][number]>();
  let codeSeq = 0;
  const calls: SlackCall[] = [];
  const messages: FakeSlack['messages'] = [];
  const responses: FakeSlack['responses'] = [];
  const ephemerals: FakeSlack['ephemerals'] = [];
  const failures = new Map<string, SlackFailure[]>();
  const rules: Array<{ method: string; when: (args: Record<string, unknown>) => boolean; failure: SlackFailure }> = [];
  const deleted = new Set<string>();
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const goneChannels = new Set<string>();
  // Message timestamps as Slack makes them: the posting time in seconds with six decimals, each one later
  // than the last (so `oldest` in conversations.history means what it means on Slack).
  let lastMicros = 0;
  const nextTs = (): string => {
    lastMicros = Math.max(lastMicros + 1, Date.now() * 1000);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };
  let chaos: SlackChaos | null = null;
  const chaosFailures = new Map<number, number>();
  let beforeAnswer: FakeSlack['beforeAnswer'] = null;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = await readBody(req);
      if (url.pathname.startsWith('/respond/')) {
        // As Slack does: a message over its limits is refused, and a response_url takes five posts.
        const body = JSON.parse(raw) as Record<string, unknown>;
        const refused = slackLimitError(body) ?? (responses.filter((r) => r.path === url.pathname).length >= 5 ? 'used_url' : null);
        if (refused) {
          res.writeHead(refused === 'used_url' ? 404 : 400, { 'content-type': 'text/plain' });
          res.end(refused);
          return;
        }
        responses.push({ path: url.pathname, body });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return;
      }
      const method = url.pathname.replace(/^\/api\//, '');
      const type = req.headers['content-type'] ?? '';
      const args: Record<string, unknown> = type.includes('application/json')
        ? (JSON.parse(raw || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      if (typeof args.blocks === 'string') args.blocks = JSON.parse(args.blocks);
      if (typeof args.metadata === 'string') args.metadata = JSON.parse(args.metadata);
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : null;
      calls.push({ method, token, args });

      if (chaos && (chaos.methods ?? ['chat.postMessage', 'chat.update']).includes(method)) {
        const rnd = chaos.random ?? Math.random;
        if (rnd() < chaos.rate) {
          const status = chaos.statuses[Math.floor(rnd() * chaos.statuses.length)] ?? 500;
          chaosFailures.set(status, (chaosFailures.get(status) ?? 0) + 1);
          return json(res, status, { ok: false }, status === 429 ? { 'retry-after': String(chaos.retryAfterSeconds ?? 1) } : {});
        }
      }
      const fail = failures.get(method)?.shift() ?? rules.find((r) => r.method === method && r.when(args))?.failure;
      if (fail) {
        if ('error' in fail) return json(res, 200, { ok: false, error: fail.error });
        return json(res, fail.status, { ok: false }, fail.retryAfter !== undefined ? { 'retry-after': String(fail.retryAfter) } : {});
      }
      const oauthAnswer = opts.oauth ? oauthRoute(url, method, args, req) : null;
      if (oauthAnswer) {
        if (oauthAnswer.html !== undefined) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(oauthAnswer.html);
          return;
        }
        return json(res, oauthAnswer.status ?? 200, oauthAnswer.body);
      }
      if (method === 'apps.connections.open') {
        if (!opts.appToken || token !== opts.appToken) return json(res, 200, { ok: false, error: 'invalid_auth' });
        return json(res, 200, { ok: true, url: `${base.replace(/^http/, 'ws')}/socket?ticket=t1` });
      }
      const ws = token ? workspaces.get(token) : undefined;
      if (!ws) return json(res, 200, { ok: false, error: 'invalid_auth' });
      switch (method) {
        case 'auth.test':
          return json(res, 200, { ok: true, url: 'https://test.slack.invalid/', team: ws.teamName, user: 'cyberbrief', team_id: ws.teamId, user_id: ws.botUserId, bot_id: `B${ws.botUserId}` });
        case 'users.conversations': {
          const user = String(args.user ?? '');
          const ids = [...channelMembers].filter(([, members]) => members.has(user)).map(([id]) => id);
          return json(res, 200, { ok: true, channels: ids.map((id) => ({ id, is_channel: true })), response_metadata: { next_cursor: '' } });
        }
        case 'users.info': {
          const u = users.get(String(args.user));
          if (!u) return json(res, 200, { ok: false, error: 'user_not_found' });
          return json(res, 200, { ok: true, user: { id: u.id, team_id: u.team_id ?? teamId, name: u.id.toLowerCase(), is_admin: !!u.is_admin, is_owner: !!u.is_owner, is_primary_owner: false } });
        }
        case 'chat.postMessage':
        case 'chat.update': {
          const channel = String(args.channel ?? '');
          if (!channel || goneChannels.has(channel)) return json(res, 200, { ok: false, error: 'channel_not_found' });
          if (method === 'chat.update') {
            const known = messages.some((m) => m.method === 'chat.postMessage' && m.channel === channel && m.ts === String(args.ts));
            if (!known || deleted.has(`${channel}/${String(args.ts)}`)) return json(res, 200, { ok: false, error: 'message_not_found' });
          }
          const limit = slackLimitError(args);
          if (limit) return json(res, 200, { ok: false, error: limit });
          if (args.thread_ts !== undefined && !messages.some((m) => m.method === 'chat.postMessage' && m.channel === channel && m.ts === String(args.thread_ts))) {
            return json(res, 200, { ok: false, error: 'thread_not_found' });
          }
          const ts = method === 'chat.update' ? String(args.ts) : nextTs();
          messages.push({ method, channel, ts, text: String(args.text ?? ''), blocks: (args.blocks as unknown[]) ?? [], args });
          await beforeAnswer?.({ method, args, ts });
          return json(res, 200, { ok: true, channel, ts, message: { text: args.text, ts, ...(args.thread_ts !== undefined ? { thread_ts: String(args.thread_ts) } : {}) } });
        }
        case 'chat.postEphemeral': {
          const channel = String(args.channel ?? '');
          if (!channel || goneChannels.has(channel)) return json(res, 200, { ok: false, error: 'channel_not_found' });
          if (!args.user) return json(res, 200, { ok: false, error: 'user_not_in_channel' });
          ephemerals.push({ channel, user: String(args.user), text: String(args.text ?? ''), args });
          return json(res, 200, { ok: true, message_ts: nextTs() });
        }
        case 'conversations.history': {
          // Newest first, with message metadata when asked for (include_all_metadata); thread replies are not in the history.
          const withMeta = args.include_all_metadata === true || args.include_all_metadata === 'true';
          // `oldest` (seconds) leaves out older messages; `cursor` continues where the last page ended.
          const limit = Number(args.limit ?? 100) || 100;
          const oldest = args.oldest === undefined ? -Infinity : Number(args.oldest);
          const from = args.cursor ? Number(String(args.cursor).replace(/^page:/, '')) : 0;
          const all = messages.filter((m) => m.method === 'chat.postMessage' && m.channel === String(args.channel ?? '') && m.args.thread_ts === undefined && Number(m.ts) >= oldest).reverse();
          const posted = all.slice(from, from + limit);
          const more = from + limit < all.length;
          return json(res, 200, {
            ok: true,
            has_more: more,
            ...(more ? { response_metadata: { next_cursor: `page:${from + limit}` } } : {}),
            messages: posted.map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMeta && m.args.metadata ? { metadata: m.args.metadata } : {}) })),
          });
        }
        case 'conversations.replies': {
          // The parent, then its replies, oldest first.
          const withMeta = args.include_all_metadata === true || args.include_all_metadata === 'true';
          const channel = String(args.channel ?? '');
          const parent = messages.find((m) => m.method === 'chat.postMessage' && m.channel === channel && m.ts === String(args.ts));
          if (!parent) return json(res, 200, { ok: false, error: 'thread_not_found' });
          const thread = [parent, ...messages.filter((m) => m.method === 'chat.postMessage' && m.channel === channel && m.args.thread_ts === parent.ts)];
          return json(res, 200, { ok: true, has_more: false, messages: thread.map((m) => ({ type: 'message', ts: m.ts, thread_ts: parent.ts, text: m.text, ...(withMeta && m.args.metadata ? { metadata: m.args.metadata } : {}) })) });
        }
        default:
          return json(res, 200, { ok: false, error: 'unknown_method' });
      }
    })().catch((err: unknown) => json(res, 500, { ok: false, error: String(err) }));
  });
  // Socket Mode: a websocket that says hello, carries envelopes to the app and collects its acks.
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (payload: Record<string, unknown>) => void>();
  let envelopeSeq = 0;
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/socket')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (msg.envelope_id) acks.get(msg.envelope_id)?.(msg.payload ?? {});
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0TEST' } }));
    });
  });

  const page = (title: string, links: Array<{ href: string; text: string }>) =>
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1><ul>${links.map((l) => `<li><a href="${l.href.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">${l.text}</a></li>`).join('')}</ul></main></body></html>`;
  const redirectWith = (redirectUri: string, params: Record<string, string>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  };
  const newCode = () => `code-${(codeSeq += 1)}-${Math.random().toString(36).slice(2, 10)}`;
  const jwt = (claims: Record<string, unknown>) => `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;

  /** Slack's install and sign-in pages and their token endpoints; null for every other path. */
  function oauthRoute(url: URL, method: string, args: Record<string, unknown>, req: http.IncomingMessage): { status?: number; body?: unknown; html?: string } | null {
    const o = opts.oauth!;
    const q = url.searchParams;
    const clientOk = () => {
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString() : null;
      const [id, secret] = basic ? basic.split(':') : [String(args.client_id ?? ''), String(args.client_secret ?? '')];
      return id === o.clientId && secret === o.clientSecret;
    };
    if (url.pathname === '/oauth/v2/authorize') {
      if (q.get('client_id') !== o.clientId) return { html: page('Unknown app', []) };
      const redirectUri = q.get('redirect_uri') ?? '';
      const links = installable.map((w) => {
        const code = newCode();
        codes.set(code, { kind: 'install', ...w, redirectUri });
        return { href: redirectWith(redirectUri, { code, state: q.get('state') ?? '' }), text: `Allow cyberbrief in ${w.teamName}` };
      });
      return { html: page('Install cyberbrief', links) };
    }
    if (url.pathname === '/openid/connect/authorize') {
      if (q.get('client_id') !== o.clientId || !(q.get('scope') ?? '').split(' ').includes('openid')) return { html: page('Unknown app or scope', []) };
      const redirectUri = q.get('redirect_uri') ?? '';
      const links = signInUsers.map((user) => {
        const code = newCode();
        codes.set(code, { kind: 'signin', user, nonce: q.get('nonce') ?? '', redirectUri });
        return { href: redirectWith(redirectUri, { code, state: q.get('state') ?? '' }), text: `Continue as ${user.name} (${user.teamName})` };
      });
      return { html: page('Sign in to Slack', links) };
    }
    if (method === 'oauth.v2.access') {
      const grant = codes.get(String(args.code ?? ''));
      if (!clientOk()) return { body: { ok: false, error: 'invalid_client_id' } };
      if (!grant || grant.kind !== 'install' || (args.redirect_uri && args.redirect_uri !== grant.redirectUri)) return { body: { ok: false, error: 'invalid_code' } };
      codes.delete(String(args.code));
      const w: SlackWorkspace = { teamId: grant.teamId, teamName: grant.teamName, token: `xoxb-${grant.teamId.toLowerCase()}-${Math.random().toString(36).slice(2, 12)}`, botUserId: `UBOT${grant.teamId}` };
      workspaces.set(w.token, w);
      installs.push(w);
      return {
        body: {
          ok: true, app_id: 'A0TEST', authed_user: { id: grant.userId }, scope: 'commands,chat:write,users:read', token_type: 'bot', access_token: w.token,
          bot_user_id: w.botUserId, team: { id: w.teamId, name: w.teamName }, enterprise: null, is_enterprise_install: false,
        },
      };
    }
    if (method === 'openid.connect.token') {
      const grant = codes.get(String(args.code ?? ''));
      if (!clientOk()) return { body: { ok: false, error: 'invalid_client_id' } };
      if (!grant || grant.kind !== 'signin' || args.redirect_uri !== grant.redirectUri) return { body: { ok: false, error: 'invalid_code' } };
      codes.delete(String(args.code));
      const access = `xoxp-${Math.random().toString(36).slice(2, 14)}`;
      userTokens.set(access, grant.user);
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: 'https://slack.com', sub: grant.user.userId, aud: o.clientId, exp: now + 300, iat: now, nonce: grant.nonce, 'https://slack.com/user_id': grant.user.userId, 'https://slack.com/team_id': grant.user.teamId };
      return { body: { ok: true, access_token: access, token_type: 'Bearer', id_token: jwt(claims) } };
    }
    if (method === 'openid.connect.userInfo') {
      const auth = req.headers.authorization ?? '';
      const user = auth.startsWith('Bearer ') ? userTokens.get(auth.slice(7)) : undefined;
      if (!user) return { body: { ok: false, error: 'invalid_auth' } };
      return { body: { ok: true, sub: user.userId, name: user.name, 'https://slack.com/user_id': user.userId, 'https://slack.com/team_id': user.teamId, 'https://slack.com/team_name': user.teamName } };
    }
    return null;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  function sendEnvelope(type: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ws = [...sockets][0];
    if (!ws) return Promise.reject(new Error('emulator: no Socket Mode connection'));
    const envelopeId = `env-${(envelopeSeq += 1)}`;
    const acked = new Promise<Record<string, unknown>>((resolve) => acks.set(envelopeId, resolve));
    ws.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: type === 'slash_commands', payload }));
    return acked;
  }
  return {
    get socketConnections() {
      return sockets.size;
    },
    get beforeAnswer() {
      return beforeAnswer;
    },
    set beforeAnswer(f) {
      beforeAnswer = f;
    },
    sendSocketSlashCommand(input) {
      return sendEnvelope('slash_commands', slashFields({ ...input, teamId: input.teamId ?? teamId }));
    },
    sendSocketBlockAction(input) {
      return sendEnvelope('interactive', blockActionPayload({ ...input, teamId: input.teamId ?? teamId }));
    },
    apiUrl: `${base}/api/`,
    baseUrl: base,
    workspaces,
    channelMembers,
    installable,
    signInUsers,
    installs,
    calls,
    messages,
    responses,
    ephemerals,
    users,
    goneChannels,
    failNext(method, failure) {
      const list = failures.get(method) ?? [];
      list.push(failure);
      failures.set(method, list);
    },
    failWhen(method, when, failure) {
      rules.push({ method, when, failure });
    },
    deleteMessage(channel, ts) {
      deleted.add(`${channel}/${ts}`);
    },
    chaos(c) {
      chaos = c;
    },
    chaosFailures,
    responseUrl: (id) => `${base}/respond/${id}`,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export interface SlashCommandInput {
  /** Full URL of the app's /slack/events endpoint. */
  url: string;
  signingSecret: string;
  text: string;
  userId: string;
  channelId: string;
  channelName?: string;
  teamId?: string;
  command?: string;
  responseUrl?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Overrides the computed signature (to forge one). */
  signature?: string;
}

function slashFields(input: Omit<SlashCommandInput, 'url' | 'signingSecret' | 'timestamp' | 'signature'>): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: input.teamId ?? 'T0TEST',
    team_domain: 'test',
    channel_id: input.channelId,
    channel_name: input.channelName ?? 'news',
    user_id: input.userId,
    user_name: input.userId.toLowerCase(),
    command: input.command ?? '/news',
    // As Slack does: &, < and > typed by the user arrive as entities.
    text: input.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    api_app_id: 'A0TEST',
    response_url: input.responseUrl ?? 'http://127.0.0.1:9/unused',
    trigger_id: '123.456.abc',
  };
}

/** Sends a slash command the way Slack does: form-encoded, signed with the signing secret. */
export async function sendSlashCommand(input: SlashCommandInput): Promise<{ status: number; body: string; json: Record<string, unknown> | null }> {
  const form = new URLSearchParams(slashFields(input)).toString();
  const ts = input.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(input.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': input.signature ?? slackSignature(input.signingSecret, ts, form),
    },
    body: form,
  });
  const body = await res.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = body ? (JSON.parse(body) as Record<string, unknown>) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body, json: parsed };
}

export interface BlockActionInput {
  /** Full URL of the app's /slack/events endpoint (interactivity shares it with slash commands). */
  url: string;
  signingSecret: string;
  userId: string;
  /** The channel of the message whose button was clicked; null for a click outside a channel (a modal). */
  channelId: string | null;
  teamId?: string;
  /** The button's action_id and value, as the message carried them. */
  actionId: string;
  value: string;
  /** The ts of the message the button is on. */
  messageTs?: string;
  responseUrl?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Overrides the computed signature (to forge one). */
  signature?: string;
}

function blockActionPayload(input: Omit<BlockActionInput, 'url' | 'signingSecret' | 'timestamp' | 'signature'>): Record<string, unknown> {
  const teamId = input.teamId ?? 'T0TEST';
  const ts = input.messageTs ?? '1700000001.000100';
  return {
    type: 'block_actions',
    team: { id: teamId, domain: 'test' },
    user: { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0TEST',
    token: 'deprecated-verification-token',
    container: input.channelId ? { type: 'message', message_ts: ts, channel_id: input.channelId, is_ephemeral: false } : { type: 'view', view_id: 'V1' },
    trigger_id: '123.456.def',
    ...(input.channelId ? { channel: { id: input.channelId, name: 'news' }, message: { type: 'message', ts, text: 'an alert', user: 'UBOT', bot_id: 'BBOT' } } : {}),
    response_url: input.responseUrl ?? 'http://127.0.0.1:9/unused',
    actions: [
      { type: 'button', action_id: input.actionId, block_id: 'cyberbrief-feedback', text: { type: 'plain_text', text: 'a button', emoji: false }, value: input.value, action_ts: `${Math.floor(Date.now() / 1000)}.000300` },
    ],
  };
}

/** Sends a button click the way Slack does: `payload=<json>`, form-encoded, signed with the signing secret. */
export async function sendBlockAction(input: BlockActionInput): Promise<{ status: number; body: string }> {
  const form = new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
  const ts = input.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(input.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': input.signature ?? slackSignature(input.signingSecret, ts, form),
    },
    body: form,
  });
  return { status: res.status, body: await res.text() };
}
