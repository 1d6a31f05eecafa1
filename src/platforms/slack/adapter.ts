// The Slack adapter: a Bolt App that turns `/news` slash commands into Commands and replies, clicks on
// an alert's feedback buttons (block_actions) into FeedbackClicks, and posts alerts as Block Kit. Over
// HTTP, our own HTTP server mounts /slack/events (commands and interactivity share it): every request's
// signature and timestamp are verified here (verifySlackSignature: at most 5 minutes off in either
// direction; Bolt alone refuses only old ones) before Bolt's HTTPReceiver, which checks again, sees it.
// With Socket Mode, Bolt holds the websocket. No matching or routing here.
import type http from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { App, HTTPReceiver, SocketModeReceiver, type BlockButtonAction, type SlashCommand } from '@slack/bolt';
import type { BriefView, ChatPlatform, Command, CommandHandler, DigestView, FeedbackHandler, Reply, SentMessage, StoryView } from '../../domain/chat.ts';
import type { Route } from '../../http/server.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { redactText, redactUrl, urlPasswords } from '../../lib/redact.ts';
import { parseCommandText } from '../../commands/parse-text.ts';
import { digestMessage, FEEDBACK_ACTION_PREFIX, followUpMessage, noticeMessage, replyMessage, storyMessage, type SlackMessage } from './blocks.ts';
import { briefMessages, type SlackBriefMessage } from './brief-blocks.ts';
import { escapeMrkdwn, unescapeSlackText } from './escape.ts';
import { classifySlackError } from './errors.ts';
import { boltLogger } from './logger.ts';
import { verifySlackSignature } from './signature.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Message metadata event type carrying a delivery's ref (StoryView.ref). */
const ALERT_EVENT = 'cyberbrief_alert';

export interface SlackOptions {
  botToken: string;
  /** Needed for the HTTP endpoint. */
  signingSecret: string | null;
  /** Needed for Socket Mode (xapp-...). */
  appToken: string | null;
  socketMode: boolean;
  /** Web API base URL (default https://slack.com/api/); tests and proxies set it. */
  apiUrl: string | null;
  /** Users who may change subscriptions besides workspace admins and owners. */
  adminUserIds: readonly string[];
  /** The bot's operators (may change global feeds): user ids, or TEAM:USER for one workspace only. */
  operatorUserIds?: readonly string[];
  logger: Logger;
  /** The slash command name (default /news). */
  commandName?: string;
  /** Reply in the acknowledgement when the command finishes within this time, else ack and use response_url. */
  ackDeadlineMs?: number;
  /** How long a user's admin flag is cached. */
  adminCacheMs?: number;
  /** The time request timestamps are checked against (default: the system clock). */
  clock?: Clock;
}

export interface SlackPlatform extends ChatPlatform {
  /** Routes to mount on the HTTP server (none in Socket Mode). */
  readonly httpRoutes: Route[];
}

export function createSlackPlatform(opts: SlackOptions): SlackPlatform {
  const log = opts.logger.child({ platform: 'slack' });
  const commandName = opts.commandName ?? '/news';
  const ackDeadlineMs = opts.ackDeadlineMs ?? 2500;
  const adminCacheMs = opts.adminCacheMs ?? 60_000;
  const clock = opts.clock ?? systemClock;
  const allowlist = new Set(opts.adminUserIds);
  const operators = new Set(opts.operatorUserIds ?? []);
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/` } : {}),
    // The dispatcher owns retries and rate-limit waits; the client reports them at once.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };

  let receiver: HTTPReceiver | null = null;
  let app: App;
  if (opts.socketMode) {
    if (!opts.appToken) throw new Error('slack: Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write).');
    // Built here rather than by App so that SLACK_API_URL also reaches apps.connections.open.
    const socket = new SocketModeReceiver({ appToken: opts.appToken, logger: boltLogger(log), installerOptions: { clientOptions } });
    app = new App({ token: opts.botToken, receiver: socket, clientOptions, logger: boltLogger(log), deferInitialization: true });
  } else {
    if (!opts.signingSecret) throw new Error('slack: the HTTP endpoint needs SLACK_SIGNING_SECRET (Basic Information > App Credentials), or set slack.socket_mode.');
    receiver = new HTTPReceiver({ signingSecret: opts.signingSecret, endpoints: SLACK_EVENTS_PATH, logger: boltLogger(log), processBeforeResponse: false });
    // Deferred: Bolt would otherwise call auth.test in the constructor, unawaited.
    app = new App({ token: opts.botToken, receiver, clientOptions, logger: boltLogger(log), deferInitialization: true });
  }

  let handler: CommandHandler | null = null;
  let feedback: FeedbackHandler | null = null;
  let running = false;
  const admins = new Map<string, { isAdmin: boolean; until: number }>();

  // An admin of the workspace the command came from (team_id of the signed payload): the flags users.info
  // reports count only when the user belongs to that workspace, so an admin of another workspace (say,
  // a guest in a shared channel) is not taken for one here. Cached per workspace and user.
  async function isWorkspaceAdmin(teamId: string, userId: string): Promise<boolean> {
    const key = `${teamId}:${userId}`;
    const cached = admins.get(key);
    if (cached && cached.until > Date.now()) return cached.isAdmin;
    try {
      const r = await app.client.users.info({ user: userId });
      const u = r.user;
      const sameTeam = !u?.team_id || u.team_id === teamId;
      const isAdmin = sameTeam && !!(u?.is_admin || u?.is_owner || u?.is_primary_owner);
      admins.set(key, { isAdmin, until: Date.now() + adminCacheMs });
      return isAdmin;
    } catch (err) {
      log.warn({ user: userId, err: errorMessage(err) }, 'slack: users.info failed; treating the user as a non-admin (needs the users:read scope)');
      return false;
    }
  }

  async function toCommand(c: SlashCommand): Promise<Command> {
    const text = unescapeSlackText(c.text ?? '');
    const { name, args } = parseCommandText(text);
    const isAdmin = await isWorkspaceAdmin(c.team_id, c.user_id);
    return {
      platform: 'slack',
      // The tenant: the workspace of the signed payload, never anything the user typed.
      workspaceId: c.team_id,
      channelId: c.channel_id,
      channelName: c.channel_name ?? null,
      userId: c.user_id,
      userIsAdmin: isAdmin,
      userIsOperator: operators.has(c.user_id) || operators.has(`${c.team_id}:${c.user_id}`),
      userCanManageChannel: isAdmin || allowlist.has(c.user_id),
      name,
      args,
      text,
    };
  }

  app.command(commandName, async ({ command, ack, respond }) => {
    if (!handler || !running) {
      await ack({ response_type: 'ephemeral', text: 'cyberbrief is starting or stopping; try again in a moment.' });
      return;
    }
    const run = handler;
    const work: Promise<Reply> = toCommand(command).then((cmd) => run(cmd));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ackDeadlineMs);
    });
    const quick = await Promise.race([work, late]).finally(() => clearTimeout(timer));
    if (quick) {
      await ack(replyMessage(quick));
      return;
    }
    // Slow: acknowledge now (Slack wants an answer within 3 seconds), answer through response_url.
    await ack();
    try {
      await respond({ ...replyMessage(await work), replace_original: false });
    } catch (err) {
      log.error({ err: errorMessage(err), channel: command.channel_id }, 'slack: could not answer a slow command through response_url');
    }
  });

  // A feedback button: acknowledged at once (Slack's 3 seconds), then recorded, and the outcome told to the
  // clicking user alone: through response_url (ephemeral, the alert left as it is), else chat.postEphemeral.
  app.action<BlockButtonAction>({ type: 'block_actions', action_id: new RegExp(`^${FEEDBACK_ACTION_PREFIX}`) }, async ({ ack, body, action, respond }) => {
    await ack();
    const channelId = body.channel?.id;
    const userId = body.user.id;
    let text: string;
    if (!channelId) text = 'Feedback works on alerts posted in a channel.';
    else if (!running) text = 'cyberbrief is starting or stopping; try again in a moment.';
    else if (!feedback) text = 'Feedback is not available in this deployment.';
    else {
      const click = { platform: 'slack' as const, workspaceId: body.team?.id ?? body.user.team_id ?? '', channelId, userId, buttonId: String(action.value ?? '') };
      text = await feedback(click).then(
        (r) => r.text,
        (err: unknown) => {
          log.error({ err: errorMessage(err), channel: channelId }, 'slack: feedback handler failed');
          return 'Sorry, your feedback could not be saved; the error was logged for the operator.';
        },
      );
    }
    const safe = escapeMrkdwn(text);
    try {
      if (!body.response_url) throw new Error('no response_url in the payload');
      await respond({ response_type: 'ephemeral', replace_original: false, text: safe });
    } catch (err) {
      if (!channelId) return;
      log.warn({ err: errorMessage(err), channel: channelId }, 'slack: could not answer a feedback click through response_url; trying chat.postEphemeral');
      try {
        await app.client.chat.postEphemeral({ channel: channelId, user: userId, text: safe });
      } catch (err2) {
        log.error({ err: errorMessage(err2), channel: channelId }, 'slack: could not tell the user their feedback was recorded');
      }
    }
  });

  async function send(what: string, call: () => Promise<{ ts?: string }>): Promise<SentMessage> {
    let r: { ts?: string };
    try {
      r = await call();
    } catch (err) {
      throw classifySlackError(err, what);
    }
    if (!r.ts) throw classifySlackError(new Error('no ts in the response'), what);
    return { messageId: r.ts };
  }

  // A delivery's ref rides along as message metadata, so findStory can recognise a post whose outcome was
  // lost in a crash (conversations.history needs the channels:history / groups:history scope).
  const post = (channelId: string, m: SlackMessage | SlackBriefMessage, what: string, ref?: string, threadTs?: string) =>
    send(`${what} to ${channelId}`, () =>
      app.client.chat.postMessage({
        channel: channelId,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        unfurl_media: false,
        link_names: false,
        parse: 'none',
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(ref ? { metadata: { event_type: ALERT_EVENT, event_payload: { ref } } } : {}),
      }),
    );

  // A brief is split once per view: counting its parts and posting each reads the same split.
  const briefs = new WeakMap<BriefView, SlackBriefMessage[]>();
  const briefOf = (view: BriefView) => {
    let m = briefs.get(view);
    if (!m) briefs.set(view, (m = briefMessages(view)));
    return m;
  };

  /**
   * Reads the body (the HTTP server has bounded it) and verifies it against the signing secret and our
   * clock. On success the buffered body is left on the request as `rawBody`, where Bolt's receiver picks
   * it up instead of reading the stream again. Slack's `ssl_check=1` pings are unsigned; Bolt answers
   * them and drops anything else in their body.
   */
  async function verifiedBody(req: http.IncomingMessage): Promise<boolean> {
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = Buffer.concat(chunks);
    } catch {
      return false;
    }
    (req as http.IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    const text = body.toString('utf8');
    // The same test Bolt applies, so nothing passes here that Bolt would not treat as an ssl_check.
    if (req.headers['content-type'] === 'application/x-www-form-urlencoded' && parseQuery(text).ssl_check === '1') return true;
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    try {
      verifySlackSignature({
        signingSecret: opts.signingSecret!,
        timestamp: header('x-slack-request-timestamp'),
        signature: header('x-slack-signature'),
        rawBody: text,
        nowMs: clock.now().getTime(),
      });
      return true;
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'slack: refused a request to /slack/events (401)');
      return false;
    }
  }

  const routes: Route[] = receiver
    ? [
        {
          method: 'POST',
          path: SLACK_EVENTS_PATH,
          handler: async (req, res) => {
            if (!running) {
              res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
              res.end('not ready\n');
              return;
            }
            if (!(await verifiedBody(req))) {
              res.writeHead(401, { 'content-type': 'text/plain' });
              res.end('invalid request signature or timestamp\n');
              return;
            }
            receiver!.requestListener(req, res);
          },
        },
      ]
    : [];

  return {
    name: 'slack',
    httpRoutes: routes,
    async start(h, f) {
      handler = h;
      feedback = f ?? null;
      try {
        const who = await app.client.auth.test();
        log.info({ team: who.team_id, bot_user: who.user_id }, `slack: connected to workspace ${who.team ?? who.team_id} as ${who.user ?? who.user_id}`);
      } catch (err) {
        // The client's error may quote the URL it called: no password from SLACK_API_URL goes with it.
        const why = redactText(classifySlackError(err, 'auth.test').message, urlPasswords(opts.apiUrl));
        throw new Error(`slack: auth.test failed (${why}); check SLACK_BOT_TOKEN${opts.apiUrl ? ` and SLACK_API_URL=${redactUrl(opts.apiUrl)}` : ''}.`);
      }
      await app.init();
      if (opts.socketMode) await app.start();
      running = true;
      log.info(opts.socketMode ? 'slack: receiving commands and button clicks over Socket Mode' : `slack: receiving commands and button clicks at ${SLACK_EVENTS_PATH}`);
    },
    async stop() {
      running = false;
      if (opts.socketMode) await app.stop();
    },
    postStory: (channelId, story: StoryView) => post(channelId, storyMessage(story), 'chat.postMessage (story)', story.ref),
    async updateStory(channelId, messageId, story) {
      const m = storyMessage(story);
      await send(`chat.update of ${messageId} in ${channelId}`, () => app.client.chat.update({ channel: channelId, ts: messageId, text: m.text, blocks: m.blocks, link_names: false, parse: 'none' }));
    },
    postDigest: (channelId, digest: DigestView) => post(channelId, digestMessage(digest), 'chat.postMessage (digest)', digest.ref),
    postNotice: (channelId, text) => post(channelId, noticeMessage(text), 'chat.postMessage (notice)'),
    briefParts: (view) => briefOf(view).length,
    postBriefPart(channelId, view, part, ref) {
      const m = briefOf(view)[part];
      if (!m) return Promise.reject(new Error(`slack: the brief has no part ${part + 1}`));
      return post(channelId, m, `chat.postMessage (brief part ${part + 1})`, ref);
    },
    postFollowUp: (channelId, parentTs, f) => post(channelId, followUpMessage(f), `chat.postMessage (reply in thread ${parentTs})`, f.ref, parentTs),
    async findStory(channelId, ref, threadOf) {
      // Replies live in their thread (conversations.replies), posts in the channel's history.
      let messages: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: unknown } }>;
      try {
        const r = threadOf
          ? await app.client.conversations.replies({ channel: channelId, ts: threadOf, limit: 200, include_all_metadata: true })
          : await app.client.conversations.history({ channel: channelId, limit: 100, include_all_metadata: true });
        messages = (r.messages ?? []) as typeof messages;
      } catch (err) {
        throw classifySlackError(err, `${threadOf ? 'conversations.replies' : 'conversations.history'} of ${channelId}`);
      }
      const hit = messages.find((m) => m.metadata?.event_type === ALERT_EVENT && (m.metadata.event_payload as { ref?: unknown } | undefined)?.ref === ref);
      return hit?.ts ? { messageId: hit.ts } : null;
    },
  };
}
