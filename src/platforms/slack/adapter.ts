// The Slack adapter: a Bolt App that turns `/news` slash commands into Commands and replies, clicks on
// an alert's feedback buttons (block_actions) into FeedbackClicks, and posts alerts as Block Kit. Over
// HTTP, our own HTTP server mounts /slack/events (commands and interactivity share it): every request's
// signature and timestamp are verified here (verifySlackSignature: at most 5 minutes off in either
// direction; Bolt alone refuses only old ones) before Bolt's HTTPReceiver, which checks again, sees it.
// With Socket Mode, Bolt holds the websocket. No matching or routing here.
//
// One workspace (SLACK_BOT_TOKEN), or many: with "Add to Slack" (OAuth v2 through @slack/oauth's
// InstallProvider, installations in Bolt's installation store kept sealed in the database), every command,
// click and send uses the bot token of the workspace it belongs to (Bolt's authorize; for sends, the
// workspace of the channel). SLACK_BOT_TOKEN keeps serving its workspace, and any other not installed.
import type http from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type BlockButtonAction, type SlashCommand } from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import { DeliveryError, type BriefView, type ChatPlatform, type Command, type CommandHandler, type DigestView, type FeedbackHandler, type Reply, type SentMessage, type StoryView } from '../../domain/chat.ts';
import type { Route } from '../../http/server.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { redactText, redactUrl, urlPasswords } from '../../lib/redact.ts';
import { parseCommandText } from '../../commands/parse-text.ts';
import { digestMessage, FEEDBACK_ACTION_PREFIX, followUpMessage, noticeMessage, replyMessages, storyMessage, type SlackMessage, type SlackReplyMessage } from './blocks.ts';
import { briefMessages, type SlackBriefMessage } from './brief-blocks.ts';
import { escapeMrkdwn, unescapeSlackText } from './escape.ts';
import { rotatingStateStore } from './state-store.ts';
import { classifySlackError } from './errors.ts';
import { boltLogger } from './logger.ts';
import { createSlackRights } from './rights.ts';
import { verifySlackSignature } from './signature.ts';
import type { SlackInstallationStore } from './installation-store.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Add to Slack: where the install starts and where Slack sends the browser back. */
import { SLACK_INSTALL_PATH, SLACK_OAUTH_REDIRECT_PATH } from './paths.ts';

export { SLACK_INSTALL_PATH, SLACK_OAUTH_REDIRECT_PATH };
/** Message metadata event type carrying a delivery's ref (StoryView.ref). */
const ALERT_EVENT = 'cyberbrief_alert';
/** findStory with a `since`: pages of 200 read at most (2,000 messages back), and the allowance for clocks. */
const FIND_PAGES = 10;
const CLOCK_SLACK_MS = 5 * 60_000;

/** Add to Slack (OAuth v2 install into more workspaces). */
export interface SlackOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Sign the install's state (shared by every instance): the first signs, any of them verifies (key rotation). */
  stateSecrets: readonly string[];
  /** Slack's authorisation page (web.slack.install_url). */
  authorizationUrl: string;
  scopes: readonly string[];
  /** Our /slack/oauth_redirect as registered with Slack; null: the app's configured one. */
  redirectUri: string | null;
  installations: SlackInstallationStore;
  /** Where the browser goes after an install: `?team=NAME`, or `?error=SENTENCE`. */
  donePath: string;
}

export interface SlackOptions {
  /** One workspace's bot token; with `oauth`, optional (then only installed workspaces are served). */
  botToken: string | null;
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
  /** Add to Slack: serve many workspaces, each with the bot token of its installation. */
  oauth?: SlackOAuthOptions | null;
  /** The workspace (team id) a channel belongs to, to pick the bot token a send uses (with `oauth`). */
  teamOfChannel?: (channelId: string) => Promise<string | null>;
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
  const oauth = opts.oauth ?? null;
  if (!opts.botToken && !oauth) throw new Error('slack: SLACK_BOT_TOKEN is not set and Add to Slack is not configured; set one of them.');
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/` } : {}),
    // The dispatcher owns retries and rate-limit waits; the client reports them at once.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };

  // The bot of SLACK_BOT_TOKEN (auth.test at start), and of each installed workspace, by token.
  let single: { token: string; teamId: string | null; botId: string | undefined; botUserId: string | undefined } | null = opts.botToken ? { token: opts.botToken, teamId: null, botId: undefined, botUserId: undefined } : null;
  const clients = new Map<string, webApi.WebClient>();
  const clientOf = (token: string) => {
    let c = clients.get(token);
    if (!c) {
      if (clients.size > 1000) clients.clear();
      c = new webApi.WebClient(token, { ...clientOptions, logger: boltLogger(log) });
      clients.set(token, c);
    }
    return c;
  };
  /** The bot serving a workspace: its installation, else SLACK_BOT_TOKEN's bot; null when neither. */
  async function botFor(teamId: string | null, enterpriseId?: string | null) {
    const installed = oauth ? await oauth.installations.botFor(teamId, enterpriseId) : null;
    if (installed) return installed;
    return single ? { token: single.token, botId: single.botId, botUserId: single.botUserId } : null;
  }

  let receiver: HTTPReceiver | null = null;
  let app: App;
  // With Add to Slack, Bolt asks for each incoming request's workspace token; else the one token as before.
  const auth = oauth
    ? {
        authorize: async (source: { teamId?: string | undefined; enterpriseId?: string | undefined }) => {
          const bot = await botFor(source.teamId ?? null, source.enterpriseId ?? null);
          if (!bot) throw new Error(`slack: cyberbrief is not installed in workspace ${source.teamId ?? source.enterpriseId ?? '(unknown)'}; install it with Add to Slack`);
          return { botToken: bot.token, botId: bot.botId, botUserId: bot.botUserId, ...(source.teamId ? { teamId: source.teamId } : {}), ...(source.enterpriseId ? { enterpriseId: source.enterpriseId } : {}) };
        },
      }
    : { token: opts.botToken! };
  if (opts.socketMode) {
    if (!opts.appToken) throw new Error('slack: Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write).');
    // Built here rather than by App so that SLACK_API_URL also reaches apps.connections.open.
    const socket = new SocketModeReceiver({ appToken: opts.appToken, logger: boltLogger(log), installerOptions: { clientOptions } });
    app = new App({ ...auth, receiver: socket, clientOptions, logger: boltLogger(log), deferInitialization: true });
  } else {
    if (!opts.signingSecret) throw new Error('slack: the HTTP endpoint needs SLACK_SIGNING_SECRET (Basic Information > App Credentials), or set slack.socket_mode.');
    receiver = new HTTPReceiver({ signingSecret: opts.signingSecret, endpoints: SLACK_EVENTS_PATH, logger: boltLogger(log), processBeforeResponse: false });
    // Deferred: Bolt would otherwise call auth.test in the constructor, unawaited.
    app = new App({ ...auth, receiver, clientOptions, logger: boltLogger(log), deferInitialization: true });
  }

  /** The Web API client for a workspace (its installation's token, else SLACK_BOT_TOKEN); null when not installed. */
  async function clientFor(teamId: string | null): Promise<webApi.WebClient | null> {
    if (!oauth) return app.client;
    const bot = await botFor(teamId);
    return bot ? clientOf(bot.token) : null;
  }
  /** The client for sends to a channel: the token of the workspace the channel belongs to. */
  async function clientForChannel(channelId: string, what: string): Promise<webApi.WebClient> {
    if (!oauth) return app.client;
    const team = (await opts.teamOfChannel?.(channelId)) ?? single?.teamId ?? null;
    const client = await clientFor(team);
    if (!client) throw new DeliveryError('permanent', `slack: ${what}: cyberbrief is not installed in workspace ${team ?? '(unknown)'} any more; install it again with Add to Slack`);
    return client;
  }

  let handler: CommandHandler | null = null;
  let feedback: FeedbackHandler | null = null;
  let running = false;
  const rights = createSlackRights({ clientFor, allowlist, operators, adminCacheMs, log });

  async function toCommand(c: SlashCommand): Promise<Command> {
    const text = unescapeSlackText(c.text ?? '');
    const { name, args } = parseCommandText(text);
    const r = await rights.commandRights(c.team_id, c.user_id);
    return {
      platform: 'slack',
      // The tenant: the workspace of the signed payload, never anything the user typed.
      workspaceId: c.team_id,
      channelId: c.channel_id,
      channelName: c.channel_name ?? null,
      userId: c.user_id,
      userIsAdmin: r.isAdmin,
      userIsOperator: r.isOperator,
      userCanManageChannel: r.canManage,
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
    // A long reply is several messages: the first in the acknowledgement when the command was quick, the
    // rest (all of them when it was slow: Slack wants an answer within 3 seconds) through response_url, in order.
    let rest: SlackReplyMessage[];
    if (quick) {
      const [first, ...later] = replyMessages(quick);
      await ack(first);
      rest = later;
    } else {
      await ack();
      try {
        rest = replyMessages(await work);
      } catch (err) {
        log.error({ err: errorMessage(err), channel: command.channel_id }, 'slack: a slow command failed after its acknowledgement');
        return;
      }
    }
    for (const [i, m] of rest.entries()) {
      try {
        await respond({ ...m, replace_original: false });
      } catch (err) {
        log.error({ err: errorMessage(err), channel: command.channel_id, part: i + 1, parts: rest.length }, 'slack: could not answer a command through response_url');
        return;
      }
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
        const client = await clientFor(body.team?.id ?? body.user.team_id ?? null);
        if (!client) throw new Error('cyberbrief is not installed in that workspace');
        await client.chat.postEphemeral({ channel: channelId, user: userId, text: safe });
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
    send(`${what} to ${channelId}`, async () =>
      (await clientForChannel(channelId, what)).chat.postMessage({
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

  // Add to Slack: /slack/install sends the browser to Slack's authorisation page with a signed state (and a
  // state cookie); /slack/oauth_redirect exchanges the code (oauth.v2.access through SLACK_API_URL) and
  // stores the installation in the store, then sends the browser to the dashboard's page saying so.
  if (oauth) {
    const installer = new InstallProvider({
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      stateStore: rotatingStateStore(oauth.stateSecrets),
      installationStore: oauth.installations,
      authorizationUrl: oauth.authorizationUrl,
      directInstall: true,
      installUrlOptions: { scopes: [...oauth.scopes], ...(oauth.redirectUri ? { redirectUri: oauth.redirectUri } : {}) },
      clientOptions,
      logger: boltLogger(log),
    });
    const done = (res: http.ServerResponse, query: string) => {
      res.writeHead(303, { location: `${oauth.donePath}?${query}`, 'cache-control': 'no-store' });
      res.end();
    };
    routes.push(
      { method: 'GET', path: SLACK_INSTALL_PATH, handler: (req, res) => installer.handleInstallPath(req, res) },
      {
        method: 'GET',
        path: SLACK_OAUTH_REDIRECT_PATH,
        handler: (req, res) =>
          installer.handleCallback(req, res, {
            success: (installation, _options, _req, r) => {
              log.info({ team: installation.team?.id, enterprise: installation.enterprise?.id, user: installation.user?.id }, `slack: installed in workspace ${installation.team?.name ?? installation.team?.id ?? installation.enterprise?.id}`);
              done(r, new URLSearchParams({ team: installation.team?.name ?? installation.team?.id ?? installation.enterprise?.name ?? '' }).toString());
            },
            failure: (err, _options, _req, r) => {
              log.warn({ err: errorMessage(err) }, `slack: an installation failed: ${errorMessage(err)}`);
              done(r, new URLSearchParams({ error: err.code === 'slack_oauth_invalid_state' ? 'the install did not start in this browser, or took too long' : 'Slack did not complete it' }).toString());
            },
          }),
      },
    );
  }

  return {
    name: 'slack',
    httpRoutes: routes,
    access: rights.access,
    async start(h, f) {
      handler = h;
      feedback = f ?? null;
      if (single) {
        try {
          const who = await (oauth ? clientOf(single.token) : app.client).auth.test();
          single = { ...single, teamId: who.team_id ?? null, botId: who.bot_id, botUserId: who.user_id };
          log.info({ team: who.team_id, bot_user: who.user_id }, `slack: connected to workspace ${who.team ?? who.team_id} as ${who.user ?? who.user_id}`);
        } catch (err) {
          // The client's error may quote the URL it called: no password from SLACK_API_URL goes with it.
          const why = redactText(classifySlackError(err, 'auth.test').message, urlPasswords(opts.apiUrl));
          throw new Error(`slack: auth.test failed (${why}); check SLACK_BOT_TOKEN${opts.apiUrl ? ` and SLACK_API_URL=${redactUrl(opts.apiUrl)}` : ''}.`);
        }
      }
      if (oauth) log.info(`slack: Add to Slack is on (${SLACK_INSTALL_PATH}); each installed workspace is served with its own bot token`);
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
      await send(`chat.update of ${messageId} in ${channelId}`, async () => (await clientForChannel(channelId, 'chat.update')).chat.update({ channel: channelId, ts: messageId, text: m.text, blocks: m.blocks, link_names: false, parse: 'none' }));
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
    async findStory(channelId, ref, threadOf, since) {
      // Replies live in their thread (conversations.replies), posts in the channel's history: back to `since`
      // (less a few minutes for clocks that disagree) page by page, at most FIND_PAGES pages; without it, the
      // latest 100 messages.
      type Message = { ts?: string; metadata?: { event_type?: string; event_payload?: unknown } };
      const isIt = (m: Message) => m.metadata?.event_type === ALERT_EVENT && (m.metadata.event_payload as { ref?: unknown } | undefined)?.ref === ref;
      const method = threadOf ? 'conversations.replies' : 'conversations.history';
      try {
        const client = await clientForChannel(channelId, method);
        if (threadOf) {
          const r = await client.conversations.replies({ channel: channelId, ts: threadOf, limit: 200, include_all_metadata: true });
          const hit = ((r.messages ?? []) as Message[]).find(isIt);
          return hit?.ts ? { messageId: hit.ts } : null;
        }
        const oldest = since ? ((since.getTime() - CLOCK_SLACK_MS) / 1000).toFixed(6) : undefined;
        let cursor: string | undefined;
        for (let page = 0; page < (since ? FIND_PAGES : 1); page++) {
          const r = await client.conversations.history({ channel: channelId, limit: since ? 200 : 100, include_all_metadata: true, ...(oldest ? { oldest } : {}), ...(cursor ? { cursor } : {}) });
          const hit = ((r.messages ?? []) as Message[]).find(isIt);
          if (hit?.ts) return { messageId: hit.ts };
          cursor = r.response_metadata?.next_cursor || undefined;
          if (!r.has_more || !cursor) break;
        }
        return null;
      } catch (err) {
        throw classifySlackError(err, `${method} of ${channelId}`);
      }
    },
  };
}
