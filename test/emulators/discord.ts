// A local stand-in for Discord: the REST API (gateway info, command registration, channel messages,
// threads started from a message, interaction callbacks and webhook edits; a server's roles, members and
// channel overwrites for the bot) and a websocket gateway that speaks enough of the protocol for discord.js:
// HELLO, IDENTIFY -> READY, GUILD_CREATE, heartbeat ACKs, and INTERACTION_CREATE on demand (slash commands,
// and clicks on message buttons). Messages over Discord's limits are refused as Discord does (400, 50035
// Invalid Form Body: more than 10 embeds, over 6,000 characters in all embeds, a description over 4,096, a
// title over 256), and so are empty ones (400, 50006). With `oauth`, also Discord's OAuth2 authorization code flow for signing in: an
// authorisation page listing the known users (links a browser follows), the token endpoint, users/@me and
// users/@me/guilds.
// Every request is recorded with its payload.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { json, readBody, waitFor } from './http-util.ts';

export interface FakeChannel {
  id: string;
  name: string;
  /** Permission overwrites (type 0 role, 1 member; allow/deny as decimal strings). */
  overwrites?: Array<{ id: string; type: 0 | 1; allow: string; deny: string }>;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
  /** The owner's user id (default 100000000000000001). */
  ownerId?: string;
  /** Roles besides @everyone (whose id is the guild's), with their permission bits. */
  roles?: Array<{ id: string; name: string; permissions: bigint }>;
  /** @everyone's permissions (default View Channel and Send Messages). */
  everyone?: bigint;
  /** Members: user id -> role ids. A user not listed is not a member. */
  members?: Record<string, string[]>;
}

/** A person who can sign in through the emulator's OAuth2 page. */
export interface FakeDiscordUser {
  id: string;
  username: string;
}

export interface DiscordRequest {
  method: string;
  /** Path after /api/v10 */
  path: string;
  auth: string | null;
  body: Record<string, unknown> | unknown[] | null;
}

export interface DiscordFailure {
  status: number;
  code: number;
  message: string;
}

export interface InteractionInput {
  guildId: string;
  channelId: string;
  userId: string;
  /** Permission bit set as Discord sends it (decimal string). */
  permissions: bigint;
  subcommand: string;
  options?: Array<{ name: string; type: 3 | 4; value: string | number }>;
  commandName?: string;
}

export interface ComponentInteractionInput {
  guildId: string;
  /** The channel the click comes from (the message's channel). */
  channelId: string;
  userId: string;
  permissions: bigint;
  /** The clicked button's custom_id. */
  customId: string;
  /** The message the button is on (default: the newest message created in the channel). */
  messageId?: string;
}

/** Random faults on channel message routes: each call fails with probability `rate`, with one of `statuses`. */
export interface DiscordChaos {
  rate: number;
  /** e.g. [429, 500]; 429 carries Retry-After: retryAfterSeconds and a rate-limit body. */
  statuses: number[];
  retryAfterSeconds?: number;
  random?: () => number;
}

export interface FakeDiscord {
  /** DISCORD_API_URL for the client. */
  readonly apiUrl: string;
  /** The emulator's origin (its OAuth2 authorisation page is /oauth2/authorize). */
  readonly baseUrl: string;
  readonly requests: DiscordRequest[];
  /** Messages created in channels, in order (POST /channels/:id/messages, PATCH edits included). */
  readonly messages: Array<{ kind: 'create' | 'edit'; channelId: string; id: string; body: Record<string, unknown> }>;
  /** Interaction callbacks (reply, defer) and webhook edits of the original reply. */
  readonly interactionReplies: Array<{ kind: 'callback' | 'edit' | 'delete' | 'followup'; interactionId: string | null; token: string; body: Record<string, unknown> }>;
  readonly identifies: Array<Record<string, unknown>>;
  /** Gateway websockets currently open. */
  readonly gatewayConnections: number;
  failNext(methodAndPath: string, failure: DiscordFailure): void;
  /** Every call to `methodAndPath` whose JSON body passes `when` fails like this (a message Discord refuses). */
  failWhen(methodAndPath: string, when: (body: Record<string, unknown>) => boolean, failure: DiscordFailure): void;
  /** Deletes a message (as a moderator would): editing it answers 404 Unknown Message. */
  deleteMessage(channelId: string, messageId: string): void;
  /** Starts (or, with null, stops) failing message creates and edits at random; failed calls record nothing. */
  chaos(c: DiscordChaos | null): void;
  /** Calls that chaos failed, by status. */
  readonly chaosFailures: Map<number, number>;
  /** Sends INTERACTION_CREATE for /news <subcommand>; returns the interaction id. */
  sendInteraction(input: InteractionInput): string;
  /** Sends INTERACTION_CREATE of type MESSAGE_COMPONENT: a click on a button of a message; returns the interaction id. */
  sendComponentInteraction(input: ComponentInteractionInput): string;
  /** Resolves once a client identified and got READY + GUILD_CREATE. */
  ready(): Promise<void>;
  /** Threads started from a message: the thread's id is the message's (as Discord does), in its parent channel. */
  readonly threads: Array<{ id: string; parentId: string; name: string }>;
  /**
   * Runs after a message is created and before Discord's answer is sent (the message exists, the caller
   * does not know yet): a test can kill the bot at exactly that moment.
   */
  beforeAnswer: ((call: { channelId: string; id: string; body: Record<string, unknown> }) => Promise<void> | void) | null;
  close(): Promise<void>;
}

/** Why Discord would refuse these embeds (its documented limits), or null. */
export function discordLimitError(body: Record<string, unknown>): string | null {
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Array<{ title?: string; description?: string; footer?: { text?: string }; author?: { name?: string }; fields?: Array<{ name: string; value: string }> }>) : [];
  if (embeds.length > 10) return 'embeds: must be 10 or fewer in length';
  let total = 0;
  for (const e of embeds) {
    if ((e.title?.length ?? 0) > 256) return 'embeds.title: must be 256 or fewer in length';
    if ((e.description?.length ?? 0) > 4096) return 'embeds.description: must be 4096 or fewer in length';
    if ((e.fields?.length ?? 0) > 25) return 'embeds.fields: must be 25 or fewer in length';
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text?.length ?? 0) + (e.author?.name?.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  }
  if (total > 6000) return 'embeds: Embed size exceeds maximum size of 6000';
  if (typeof body.content === 'string' && body.content.length > 2000) return 'content: must be 2000 or fewer in length';
  return null;
}

/**
 * Whether Discord would refuse this message as empty (400, code 50006 "Cannot send an empty message"): no
 * content but white space, no embeds, components, attachments or stickers. An edit that leaves the content
 * alone (no `content` key) is not checked.
 */
export function emptyMessage(body: Record<string, unknown>, edit = false): boolean {
  if (edit && !('content' in body)) return false;
  const some = (v: unknown) => Array.isArray(v) && v.length > 0;
  const content = typeof body.content === 'string' ? body.content.trim() : '';
  return content === '' && !some(body.embeds) && !some(body.components) && !some(body.attachments) && !some(body.sticker_ids);
}

const EMPTY_MESSAGE = { message: 'Cannot send an empty message', code: 50006 };

export const PERMISSIONS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  Administrator: 1n << 3n,
};

const EPOCH = 1420070400000n;
let snowflakeSeq = 0n;
function snowflake(): string {
  snowflakeSeq += 1n;
  return String(((BigInt(Date.now()) - EPOCH) << 22n) | (snowflakeSeq & 0xfffn));
}

export async function startFakeDiscord(opts: { token: string; applicationId: string; guilds: FakeGuild[]; oauth?: { clientSecret: string; users: FakeDiscordUser[] } }): Promise<FakeDiscord> {
  const codes = new Map<string, { user: FakeDiscordUser; redirectUri: string }>();
  const userTokens = new Map<string, FakeDiscordUser>();
  const everyoneOf = (g: FakeGuild) => g.everyone ?? PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;
  const ownerOf = (g: FakeGuild) => g.ownerId ?? '100000000000000001';
  const rolesOf = (g: FakeGuild) => [{ id: g.id, name: '@everyone', permissions: String(everyoneOf(g)) }, ...(g.roles ?? []).map((r) => ({ id: r.id, name: r.name, permissions: String(r.permissions) }))];
  /** The member's server-wide permissions, as users/@me/guilds reports them. */
  const guildPermissions = (g: FakeGuild, userId: string) => {
    if (userId === ownerOf(g)) return (1n << 50n) - 1n;
    let p = everyoneOf(g);
    for (const r of g.members?.[userId] ?? []) p |= g.roles?.find((x) => x.id === r)?.permissions ?? 0n;
    return p;
  };
  const requests: DiscordRequest[] = [];
  const messages: FakeDiscord['messages'] = [];
  const interactionReplies: FakeDiscord['interactionReplies'] = [];
  const identifies: FakeDiscord['identifies'] = [];
  const failures = new Map<string, DiscordFailure[]>();
  const rules: Array<{ pattern: string; when: (body: Record<string, unknown>) => boolean; failure: DiscordFailure }> = [];
  const deleted = new Set<string>();
  const botUser = { id: '900000000000000001', username: 'cyberbrief', discriminator: '0', global_name: 'cyberbrief', avatar: null, bot: true };
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let isReady = false;
  let base = '';
  let chaos: DiscordChaos | null = null;
  const chaosFailures = new Map<number, number>();
  const threads: FakeDiscord['threads'] = [];
  let beforeAnswer: FakeDiscord['beforeAnswer'] = null;

  const channelOf = (id: string) => {
    const all = opts.guilds.flatMap((g) => g.channels.map((c) => ({ ...c, guild_id: g.id })));
    const thread = threads.find((t) => t.id === id);
    if (thread) {
      const parent = all.find((c) => c.id === thread.parentId);
      return parent ? { id: thread.id, name: thread.name, guild_id: parent.guild_id } : undefined;
    }
    return all.find((c) => c.id === id);
  };
  const messageObject = (channelId: string, id: string, body: Record<string, unknown>) => ({
    id, channel_id: channelId, type: 0, content: body.content ?? '', embeds: body.embeds ?? [], attachments: [], mentions: [], mention_roles: [],
    mention_everyone: false, pinned: false, tts: false, timestamp: new Date().toISOString(), edited_timestamp: null, flags: body.flags ?? 0,
    components: body.components ?? [], author: botUser,
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = await readBody(req);
      const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
      const method = req.method ?? 'GET';
      let body: DiscordRequest['body'] = null;
      if (raw) {
        try {
          body = JSON.parse(raw) as DiscordRequest['body'];
        } catch {
          body = null;
        }
      }
      const auth = req.headers.authorization ?? null;
      requests.push({ method, path, auth, body });
      const signIn = opts.oauth ? oauthRoute(url, path, method, raw, auth) : null;
      if (signIn) {
        if (signIn.html !== undefined) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(signIn.html);
          return;
        }
        return json(res, signIn.status ?? 200, signIn.body);
      }
      const pattern = `${method} ${path.replace(/\/\d{5,}/g, '/:id')}`;
      const fail = failures.get(pattern)?.shift() ?? rules.find((r) => r.pattern === pattern && r.when((body ?? {}) as Record<string, unknown>))?.failure;
      if (fail) return json(res, fail.status, { message: fail.message, code: fail.code });

      const b = (body ?? {}) as Record<string, unknown>;
      if (chaos && /^\/channels\/\d+\/messages(\/\d+)?$/.test(path) && (method === 'POST' || method === 'PATCH')) {
        const rnd = chaos.random ?? Math.random;
        if (rnd() < chaos.rate) {
          const status = chaos.statuses[Math.floor(rnd() * chaos.statuses.length)] ?? 500;
          chaosFailures.set(status, (chaosFailures.get(status) ?? 0) + 1);
          if (status !== 429) return json(res, status, { message: 'Server Error', code: 0 });
          const after = chaos.retryAfterSeconds ?? 1;
          return json(res, 429, { message: 'You are being rate limited.', retry_after: after, global: false }, { 'retry-after': String(after), 'x-ratelimit-scope': 'user' });
        }
      }
      let m: RegExpMatchArray | null;
      // Interaction answers meet the limits Discord puts on them (a reply of more than 2,000 characters is refused).
      const answerLimit = (body: unknown) => discordLimitError((body ?? {}) as Record<string, unknown>);
      if ((m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/)) && method === 'POST') {
        const refused = answerLimit(b.data);
        if (b.type === 4 && emptyMessage((b.data ?? {}) as Record<string, unknown>)) return json(res, 400, EMPTY_MESSAGE);
        if (refused) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { data: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: refused }] } } });
        interactionReplies.push({ kind: 'callback', interactionId: m[1]!, token: m[2]!, body: b });
        res.writeHead(204);
        res.end();
        return;
      }
      if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/)) && method === 'DELETE') {
        interactionReplies.push({ kind: 'delete', interactionId: null, token: m[2]!, body: {} });
        res.writeHead(204);
        res.end();
        return;
      }
      if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/@original)?$/)) && (method === 'POST' || method === 'PATCH') && answerLimit(b)) {
        return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: answerLimit(b) }] } } });
      }
      if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(\/messages\/@original)?$/)) && (method === 'POST' || method === 'PATCH') && emptyMessage(b, method === 'PATCH')) {
        return json(res, 400, EMPTY_MESSAGE);
      }
      if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)$/)) && method === 'POST') {
        interactionReplies.push({ kind: 'followup', interactionId: null, token: m[2]!, body: b });
        const channelId = opts.guilds[0]?.channels[0]?.id ?? '0';
        return json(res, 200, { ...messageObject(channelId, snowflake(), b), webhook_id: opts.applicationId, application_id: opts.applicationId });
      }
      if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/)) && method === 'PATCH') {
        interactionReplies.push({ kind: 'edit', interactionId: null, token: m[2]!, body: b });
        const channelId = opts.guilds[0]?.channels[0]?.id ?? '0';
        return json(res, 200, { ...messageObject(channelId, snowflake(), b), webhook_id: opts.applicationId, application_id: opts.applicationId });
      }
      if (auth !== `Bot ${opts.token}`) return json(res, 401, { message: '401: Unauthorized', code: 0 });
      if (path === '/gateway/bot' && method === 'GET') {
        return json(res, 200, { url: `${base.replace(/^http/, 'ws')}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
      }
      if ((m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/)) && method === 'PUT') {
        if (m[1] !== opts.applicationId) return json(res, 403, { message: 'Missing Access', code: 50001 });
        const list = Array.isArray(body) ? body : [];
        return json(res, 200, list.map((c) => ({ ...(c as object), id: snowflake(), application_id: opts.applicationId, version: snowflake(), ...(m![2] ? { guild_id: m![2] } : {}) })));
      }
      if ((m = path.match(/^\/guilds\/(\d+)(?:\/(members|channels)(?:\/(\d+))?)?$/)) && method === 'GET') {
        const g = opts.guilds.find((x) => x.id === m![1]);
        if (!g) return json(res, 404, { message: 'Unknown Guild', code: 10004 });
        if (!m[2]) return json(res, 200, { id: g.id, name: g.name, owner_id: ownerOf(g), roles: rolesOf(g) });
        if (m[2] === 'channels' && !m[3]) {
          return json(res, 200, g.channels.map((c, position) => ({ id: c.id, type: 0, name: c.name, position, guild_id: g.id, permission_overwrites: c.overwrites ?? [] })));
        }
        if (m[2] === 'members' && m[3]) {
          const roles = g.members?.[m[3]];
          if (!roles && m[3] !== ownerOf(g)) return json(res, 404, { message: 'Unknown Member', code: 10007 });
          return json(res, 200, { user: { id: m[3], username: `user${m[3].slice(-4)}` }, roles: roles ?? [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 });
        }
      }
      if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/)) && method === 'POST') {
        const parent = channelOf(m[1]!);
        if (!parent) return json(res, 404, { message: 'Unknown Channel', code: 10003 });
        if (!messages.some((x) => x.kind === 'create' && x.channelId === m![1] && x.id === m![2])) return json(res, 404, { message: 'Unknown Message', code: 10008 });
        if (threads.some((t) => t.id === m![2])) return json(res, 400, { message: 'A thread has already been created for this message', code: 160004 });
        const name = String(b.name ?? '');
        if (name.length < 1 || name.length > 100) return json(res, 400, { message: 'Invalid Form Body', code: 50035 });
        threads.push({ id: m[2]!, parentId: m[1]!, name });
        return json(res, 201, { id: m[2]!, type: 11, guild_id: parent.guild_id, parent_id: m[1]!, name, owner_id: botUser.id, thread_metadata: { archived: false, auto_archive_duration: b.auto_archive_duration ?? 4320, locked: false } });
      }
      if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'POST') {
        if (!channelOf(m[1]!)) return json(res, 404, { message: 'Unknown Channel', code: 10003 });
        const limit = discordLimitError(b);
        if (limit) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { detail: limit } });
        if (emptyMessage(b)) return json(res, 400, EMPTY_MESSAGE);
        // enforce_nonce: a create repeating a recent nonce returns the message it made the first time.
        if (b.enforce_nonce === true && b.nonce !== undefined) {
          const dup = messages.find((x) => x.kind === 'create' && x.channelId === m![1] && x.body.nonce === b.nonce);
          if (dup) return json(res, 200, messageObject(m[1]!, dup.id, dup.body));
        }
        const id = snowflake();
        messages.push({ kind: 'create', channelId: m[1]!, id, body: b });
        await beforeAnswer?.({ channelId: m[1]!, id, body: b });
        return json(res, 200, messageObject(m[1]!, id, b));
      }
      if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/)) && method === 'PATCH') {
        const found = messages.find((x) => x.id === m![2] && x.channelId === m![1]);
        if (!found || deleted.has(`${m[1]!}/${m[2]!}`)) return json(res, 404, { message: 'Unknown Message', code: 10008 });
        const limit = discordLimitError(b);
        if (limit) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { detail: limit } });
        if (emptyMessage(b, true)) return json(res, 400, EMPTY_MESSAGE);
        messages.push({ kind: 'edit', channelId: m[1]!, id: m[2]!, body: b });
        return json(res, 200, messageObject(m[1]!, m[2]!, b));
      }
      return json(res, 404, { message: '404: Not Found', code: 0 });
    })().catch((err: unknown) => json(res, 500, { message: String(err), code: 0 }));
  });

  const page = (title: string, links: Array<{ href: string; text: string }>) =>
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1><ul>${links.map((l) => `<li><a href="${l.href.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">${l.text}</a></li>`).join('')}</ul></main></body></html>`;

  /** Discord's OAuth2 pages and endpoints for signing in; null for every other path. */
  function oauthRoute(url: URL, path: string, method: string, raw: string, auth: string | null): { status?: number; body?: unknown; html?: string } | null {
    const o = opts.oauth!;
    if (url.pathname === '/oauth2/authorize' && method === 'GET') {
      const q = url.searchParams;
      const scopes = (q.get('scope') ?? '').split(' ');
      if (q.get('client_id') !== opts.applicationId) return { html: page('Unknown application', []) };
      // The bot invite (scope bot) is a page of its own; sign-in needs identify and guilds.
      if (scopes.includes('bot')) return { html: page(`Add the bot to a server (permissions ${q.get('permissions') ?? '0'})`, []) };
      if (!scopes.includes('identify') || !scopes.includes('guilds')) return { html: page('Missing scopes', []) };
      const redirectUri = q.get('redirect_uri') ?? '';
      const links = o.users.map((user) => {
        const code = `dcode-${Math.random().toString(36).slice(2, 12)}`;
        codes.set(code, { user, redirectUri });
        const u = new URL(redirectUri);
        u.searchParams.set('code', code);
        u.searchParams.set('state', q.get('state') ?? '');
        return { href: u.toString(), text: `Authorize as ${user.username}` };
      });
      return { html: page('Sign in with Discord', links) };
    }
    if (path === '/oauth2/token' && method === 'POST') {
      const f = new URLSearchParams(raw);
      if (f.get('client_id') !== opts.applicationId || f.get('client_secret') !== o.clientSecret) return { status: 401, body: { error: 'invalid_client' } };
      const grant = codes.get(f.get('code') ?? '');
      if (f.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== f.get('redirect_uri')) return { status: 400, body: { error: 'invalid_grant' } };
      codes.delete(f.get('code')!);
      const token = `duser-${Math.random().toString(36).slice(2, 14)}`;
      userTokens.set(token, grant.user);
      return { body: { access_token: token, token_type: 'Bearer', expires_in: 604800, refresh_token: 'r', scope: 'identify guilds' } };
    }
    if (auth?.startsWith('Bearer ') && (path === '/users/@me' || path === '/users/@me/guilds') && method === 'GET') {
      const user = userTokens.get(auth.slice(7));
      if (!user) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
      if (path === '/users/@me') return { body: { id: user.id, username: user.username, global_name: user.username, discriminator: '0', avatar: null } };
      const mine = opts.guilds.filter((g) => g.members?.[user.id] !== undefined || ownerOf(g) === user.id);
      return { body: mine.map((g) => ({ id: g.id, name: g.name, icon: null, owner: ownerOf(g) === user.id, permissions: String(guildPermissions(g, user.id)), features: [] })) };
    }
    return null;
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/gateway')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const dispatch = (ws: WebSocket, t: string, d: unknown) => ws.send(JSON.stringify({ op: 0, t, s: (seq += 1), d }));

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> };
      if (msg.op === 1) {
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      } else if (msg.op === 2) {
        identifies.push(msg.d);
        if (msg.d.token !== opts.token) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        dispatch(ws, 'READY', {
          v: 10, user: botUser, guilds: opts.guilds.map((g) => ({ id: g.id, unavailable: true })), session_id: `session-${Date.now()}`,
          resume_gateway_url: `${base.replace(/^http/, 'ws')}/gateway`, shard: [0, 1], application: { id: opts.applicationId, flags: 0 },
        });
        for (const g of opts.guilds) {
          dispatch(ws, 'GUILD_CREATE', {
            id: g.id, name: g.name, icon: null, owner_id: ownerOf(g), afk_timeout: 300, verification_level: 0, default_message_notifications: 0,
            explicit_content_filter: 0, roles: rolesOf(g).map((r, position) => ({ ...r, position, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 })),
            emojis: [], stickers: [], features: [], mfa_level: 0, system_channel_flags: 0, premium_tier: 0, preferred_locale: 'en-US', nsfw_level: 0,
            joined_at: new Date().toISOString(), large: false, unavailable: false, member_count: 2, voice_states: [], members: [], presences: [], threads: [],
            stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
            channels: g.channels.map((c, position) => ({ id: c.id, type: 0, name: c.name, position, permission_overwrites: c.overwrites ?? [], guild_id: g.id, nsfw: false, parent_id: null, topic: null })),
          });
        }
        isReady = true;
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** INTERACTION_CREATE of `type` (2 application command, 3 message component) from a guild member. */
  function sendInteractionCreate(input: { guildId: string; channelId: string; userId: string; permissions: bigint }, type: 2 | 3, data: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    // The newest connection: after a takeover the old one may still be closing.
    const ws = [...sockets].at(-1);
    if (!ws) throw new Error('emulator: no gateway connection to send the interaction on');
    const id = snowflake();
    const channel = channelOf(input.channelId);
    const user = { id: input.userId, username: `user${input.userId.slice(-4)}`, discriminator: '0', global_name: null, avatar: null };
    dispatch(ws, 'INTERACTION_CREATE', {
      id, application_id: opts.applicationId, type, token: `itoken-${id}`, version: 1, guild_id: input.guildId, channel_id: input.channelId,
      channel: { id: input.channelId, type: 0, name: channel?.name ?? 'unknown', guild_id: input.guildId, permissions: String(input.permissions) },
      member: { user, roles: [], permissions: String(input.permissions), joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null, premium_since: null, pending: false },
      app_permissions: String(PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages), locale: 'en-US', guild_locale: 'en-US', entitlements: [],
      authorizing_integration_owners: { '0': input.guildId }, context: 0,
      data,
      ...extra,
    });
    return id;
  }

  return {
    apiUrl: `${base}/api`,
    baseUrl: base,
    threads,
    get beforeAnswer() {
      return beforeAnswer;
    },
    set beforeAnswer(f) {
      beforeAnswer = f;
    },
    requests,
    messages,
    interactionReplies,
    identifies,
    get gatewayConnections() {
      return sockets.size;
    },
    chaos(c) {
      chaos = c;
    },
    chaosFailures,
    failNext(methodAndPath, failure) {
      const list = failures.get(methodAndPath) ?? [];
      list.push(failure);
      failures.set(methodAndPath, list);
    },
    failWhen(methodAndPath, when, failure) {
      rules.push({ pattern: methodAndPath, when, failure });
    },
    deleteMessage(channelId, messageId) {
      deleted.add(`${channelId}/${messageId}`);
    },
    sendInteraction(input) {
      return sendInteractionCreate(input, 2, {
        id: '910000000000000001', name: input.commandName ?? 'news', type: 1, guild_id: input.guildId,
        options: [{ type: 1, name: input.subcommand, options: input.options ?? [] }],
      });
    },
    sendComponentInteraction(input) {
      const made = input.messageId
        ? messages.find((m) => m.kind === 'create' && m.id === input.messageId)
        : messages.filter((m) => m.kind === 'create' && m.channelId === input.channelId).at(-1);
      const messageId = input.messageId ?? made?.id ?? snowflake();
      const message = messageObject(made?.channelId ?? input.channelId, messageId, made?.body ?? {});
      return sendInteractionCreate(input, 3, { custom_id: input.customId, component_type: 2 }, { message });
    },
    ready: () => waitFor('the Discord client to identify', () => isReady).then(() => undefined),
    close: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
