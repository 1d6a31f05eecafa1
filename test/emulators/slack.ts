// A local stand-in for the Slack Web API (auth.test, users.info, chat.postMessage (thread_ts replies too),
// chat.update, chat.postEphemeral, conversations.history and .replies) and for response_url, recording
// every call with its payload; plus senders of signed slash-command requests and of signed interactivity
// payloads (block_actions: a click on a button). Messages over Slack's limits are refused as Slack does
// (more than 50 blocks, a section text over 3,000 or a header over 150 characters: invalid_blocks; text
// over 40,000: msg_too_long). The real @slack/web-api client talks to it through SLACK_API_URL.
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
    if (b.type === 'header' && len > 150) return 'invalid_blocks';
  }
  if (String(args.text ?? '').length > 40_000) return 'msg_too_long';
  return null;
}

export async function startFakeSlack(opts: { token: string; appToken?: string; teamId?: string; users?: SlackUser[] }): Promise<FakeSlack> {
  const teamId = opts.teamId ?? 'T0TEST';
  const calls: SlackCall[] = [];
  const messages: FakeSlack['messages'] = [];
  const responses: FakeSlack['responses'] = [];
  const ephemerals: FakeSlack['ephemerals'] = [];
  const failures = new Map<string, SlackFailure[]>();
  const rules: Array<{ method: string; when: (args: Record<string, unknown>) => boolean; failure: SlackFailure }> = [];
  const deleted = new Set<string>();
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const goneChannels = new Set<string>();
  let seq = 1_700_000_000;
  let chaos: SlackChaos | null = null;
  const chaosFailures = new Map<number, number>();
  let beforeAnswer: FakeSlack['beforeAnswer'] = null;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = await readBody(req);
      if (url.pathname.startsWith('/respond/')) {
        responses.push({ path: url.pathname, body: JSON.parse(raw) as Record<string, unknown> });
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
      if (method === 'apps.connections.open') {
        if (!opts.appToken || token !== opts.appToken) return json(res, 200, { ok: false, error: 'invalid_auth' });
        return json(res, 200, { ok: true, url: `${base.replace(/^http/, 'ws')}/socket?ticket=t1` });
      }
      if (token !== opts.token) return json(res, 200, { ok: false, error: 'invalid_auth' });
      switch (method) {
        case 'auth.test':
          return json(res, 200, { ok: true, url: 'https://test.slack.invalid/', team: 'Test Team', user: 'cyberbrief', team_id: teamId, user_id: 'UBOT', bot_id: 'BBOT' });
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
          const ts = method === 'chat.update' ? String(args.ts) : `${(seq += 1)}.000100`;
          messages.push({ method, channel, ts, text: String(args.text ?? ''), blocks: (args.blocks as unknown[]) ?? [], args });
          await beforeAnswer?.({ method, args, ts });
          return json(res, 200, { ok: true, channel, ts, message: { text: args.text, ts, ...(args.thread_ts !== undefined ? { thread_ts: String(args.thread_ts) } : {}) } });
        }
        case 'chat.postEphemeral': {
          const channel = String(args.channel ?? '');
          if (!channel || goneChannels.has(channel)) return json(res, 200, { ok: false, error: 'channel_not_found' });
          if (!args.user) return json(res, 200, { ok: false, error: 'user_not_in_channel' });
          ephemerals.push({ channel, user: String(args.user), text: String(args.text ?? ''), args });
          return json(res, 200, { ok: true, message_ts: `${(seq += 1)}.000200` });
        }
        case 'conversations.history': {
          // Newest first, with message metadata when asked for (include_all_metadata); thread replies are not in the history.
          const withMeta = args.include_all_metadata === true || args.include_all_metadata === 'true';
          const limit = Number(args.limit ?? 100) || 100;
          const posted = messages.filter((m) => m.method === 'chat.postMessage' && m.channel === String(args.channel ?? '') && m.args.thread_ts === undefined).reverse().slice(0, limit);
          return json(res, 200, { ok: true, has_more: false, messages: posted.map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMeta && m.args.metadata ? { metadata: m.args.metadata } : {}) })) });
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
