// The Discord adapter: a discord.js Client on the gateway for /news interactions and clicks on an alert's
// feedback buttons (message components), and REST for alerts. Registers /news (in the dev guild when
// configured, globally otherwise), answers within Discord's 3 seconds or defers, and sends every message
// with allowed_mentions { parse: [] }.
import {
  Client, DiscordAPIError, Events, GatewayIntentBits, HTTPError, MessageFlags, Routes,
  type ButtonInteraction, type ChatInputCommandInteraction, type Interaction,
} from 'discord.js';
import type { BriefView, ChatPlatform, Command, CommandHandler, FeedbackHandler, Reply, SentMessage } from '../../domain/chat.ts';
import { FEEDBACK_ID_PREFIX } from '../../domain/feedback.ts';
import { replyIsPublic } from '../../commands/registry.ts';
import { sha256 } from '../../lib/digest.ts';
import { errorMessage, isStorageFailure } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { redactText, redactUrl, urlPasswords } from '../../lib/redact.ts';
import { argsOf, newsCommand } from './command-definition.ts';
import { briefMessages } from './brief-embeds.ts';
import { digestMessage, followUpMessage, noticeMessage, storyMessage, threadName, NO_MENTIONS, type DiscordMessageBody } from './embeds.ts';
import { replyMessages } from './reply-messages.ts';
import { classifyDiscordError } from './errors.ts';
import { commandRights, createDiscordAccess } from './member-access.ts';

export interface DiscordOptions {
  token: string;
  applicationId: string;
  /** Register /news in this guild only (instant); global otherwise. */
  devGuildId: string | null;
  /** REST base URL (default https://discord.com/api); the gateway URL comes from GET /gateway/bot. */
  apiUrl: string | null;
  /** The bot's operators (may change global feeds): Discord user ids. */
  operatorUserIds?: readonly string[];
  logger: Logger;
  commandName?: string;
  /** Reply directly when the command finishes within this time, else defer and edit. */
  deferAfterMs?: number;
  /** Give up connecting after this long. */
  readyTimeoutMs?: number;
  /**
   * Holds the gateway for one instance only (several instances sharing one PostgreSQL). Without it this
   * instance always connects. Followers still send alerts over REST and retry for leadership.
   */
  leadership?: GatewayLeadership;
  /** How often a follower tries to take the gateway over (default 30 s). */
  leaderRetryMs?: number;
}

export interface GatewayLease {
  release(): Promise<void>;
  /** Resolves when leadership was lost without release(). */
  readonly lost: Promise<void>;
}

export interface GatewayLeadership {
  tryAcquire(): Promise<GatewayLease | null>;
}

/** Discord nonces hold at most 25 characters: a longer ref is hashed. */
export function nonceOf(ref: string): string {
  return ref.length <= 25 ? ref : sha256(ref).slice(0, 25);
}

export function createDiscordPlatform(opts: DiscordOptions): ChatPlatform {
  const log = opts.logger.child({ platform: 'discord' });
  const commandName = opts.commandName ?? 'news';
  const deferAfterMs = opts.deferAfterMs ?? 2000;
  const clientOptions = {
    intents: [GatewayIntentBits.Guilds],
    // The dispatcher owns retries; discord.js still waits out 429s in its queue.
    rest: { ...(opts.apiUrl ? { api: opts.apiUrl.replace(/\/+$/, '') } : {}), retries: 0 },
    allowedMentions: NO_MENTIONS,
  };
  // Alerts and command registration go over REST through this client, which never opens the gateway.
  const client = new Client(clientOptions);
  client.rest.setToken(opts.token);
  // The gateway gets a fresh client for each connection: a discord.js client once destroyed (leadership
  // lost when the database dropped its connection) never becomes ready again.
  let gateway: Client | null = null;
  let handler: CommandHandler | null = null;
  let feedback: FeedbackHandler | null = null;
  let running = false;
  const operators = new Set(opts.operatorUserIds ?? []);

  function toCommand(i: ChatInputCommandInteraction): Command {
    const { isAdmin, canManage } = commandRights(i.memberPermissions);
    const { name, args, text } = argsOf(i);
    const channel = i.channel;
    return {
      platform: 'discord',
      // The tenant: the guild of the interaction the gateway delivered, with the member's permissions there.
      workspaceId: i.guildId ?? '',
      channelId: i.channelId,
      channelName: channel && 'name' in channel ? (channel.name ?? null) : null,
      userId: i.user.id,
      userIsAdmin: isAdmin,
      userIsOperator: operators.has(i.user.id),
      userCanManageChannel: canManage,
      name,
      args,
      text,
    };
  }

  /** The reply as discord.js payloads: one per message (a long reply is several). */
  const payloads = (r: Reply) => replyMessages(r).map((m) => ({ content: m.content, embeds: m.embeds, allowedMentions: NO_MENTIONS }));
  const ephemeral = { flags: MessageFlags.Ephemeral } as const;

  /** Answers within Discord's 3 seconds: at once when `work` is quick, else defer (ephemeral or not) and edit. */
  async function answer(i: ChatInputCommandInteraction | ButtonInteraction, work: Promise<Reply>, deferEphemeral: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), deferAfterMs);
    });
    const quick = await Promise.race([work, late]).finally(() => clearTimeout(timer));
    // A long reply's later messages follow up, in order, as private as its first.
    const followUps = async (rest: ReturnType<typeof payloads>, secret: boolean) => {
      for (const p of rest) await i.followUp({ ...p, ...(secret ? ephemeral : {}) });
    };
    if (quick) {
      const [first, ...rest] = payloads(quick);
      await i.reply({ ...first!, ...(quick.ephemeral ? ephemeral : {}) });
      await followUps(rest, quick.ephemeral);
      return;
    }
    // Discord wants an answer within 3 seconds: defer (visibility fixed now), then edit in the result.
    await i.deferReply(deferEphemeral ? ephemeral : {});
    const done = await work;
    const [first, ...rest] = payloads(done);
    if (done.ephemeral && !deferEphemeral) {
      // Deferred in the channel, but the answer is for the caller alone (a refusal, a usage error, "nothing
      // changed"): the channel's placeholder goes and the answer follows up ephemerally, as Slack sends it.
      await i.deleteReply();
      await followUps([first!, ...rest], true);
      return;
    }
    await i.editReply(first!);
    await followUps(rest, deferEphemeral);
  }

  /** A feedback button: recorded by the core, acknowledged to the clicking member alone. */
  async function onFeedback(i: ButtonInteraction): Promise<void> {
    const tell = (text: string): Reply => ({ text, ephemeral: true });
    if (!running) return answer(i, Promise.resolve(tell('cyberbrief is starting or stopping; try again in a moment.')), true);
    if (!feedback || !i.inGuild()) return answer(i, Promise.resolve(tell(feedback ? 'Feedback works on alerts posted in a server channel.' : 'Feedback is not available in this deployment.')), true);
    const work = feedback({ platform: 'discord', workspaceId: i.guildId, channelId: i.channelId, userId: i.user.id, buttonId: i.customId }).then(
      (r) => tell(r.text),
      (err: unknown) => {
        log.error({ err: errorMessage(err), channel: i.channelId }, 'discord: feedback handler failed');
        return tell('Sorry, your feedback could not be saved; the error was logged for the operator.');
      },
    );
    await answer(i, work, true);
  }

  async function onInteraction(i: Interaction): Promise<void> {
    if (i.isButton() && i.customId.startsWith(FEEDBACK_ID_PREFIX)) return onFeedback(i);
    if (!i.isChatInputCommand() || i.commandName !== commandName) return;
    if (!handler || !running) {
      await i.reply({ content: 'cyberbrief is starting or stopping; try again in a moment.', flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    const cmd = toCommand(i);
    await answer(i, handler(cmd), !replyIsPublic(cmd.name));
  }

  function gatewayClient(): Client {
    const g = new Client(clientOptions);
    g.on(Events.InteractionCreate, (i) => {
      onInteraction(i).catch((err: unknown) => {
        // 40060 already acknowledged / 10062 unknown interaction: another instance answered first, or the
        // 3 seconds ran out; nothing to do for the user.
        const code = err instanceof DiscordAPIError ? err.code : null;
        if (code === 40060 || code === 10062) log.info({ interaction: i.id, code }, 'discord: interaction already answered or expired');
        else log.error({ err: errorMessage(err), interaction: i.id }, 'discord: could not answer an interaction');
      });
    });
    g.on(Events.Error, (err) => log.error({ err: errorMessage(err) }, 'discord: client error'));
    g.on(Events.ShardDisconnect, (ev, shard) => log.warn({ code: ev.code, shard }, 'discord: gateway disconnected'));
    return g;
  }

  /** The setting to check for a failed registration: what Discord answered says which (no answer: the address). */
  function registrationAdvice(err: unknown): string {
    const status = err instanceof DiscordAPIError || err instanceof HTTPError ? err.status : null;
    if (status === null) {
      return opts.apiUrl ? `cannot reach DISCORD_API_URL=${redactUrl(opts.apiUrl)}: check that address (unset it for Discord's own) and this machine's network.` : "cannot reach Discord's API: check this machine's network and DNS.";
    }
    if (status === 401) return 'check DISCORD_TOKEN.';
    if (status >= 500 || status === 429) return 'Discord is failing for now: start again in a few minutes.';
    return `check DISCORD_APPLICATION_ID${opts.devGuildId ? ' and discord.dev_guild_id' : ''}.`;
  }

  async function registerCommands(): Promise<void> {
    const route = opts.devGuildId ? Routes.applicationGuildCommands(opts.applicationId, opts.devGuildId) : Routes.applicationCommands(opts.applicationId);
    try {
      await client.rest.put(route, { body: [newsCommand(commandName)] });
    } catch (err) {
      const detail = classifyDiscordError(err, 'command registration').message.replace(/^discord: command registration failed: /, '');
      throw new Error(`discord: registering /${commandName} failed (${redactText(detail, urlPasswords(opts.apiUrl))}); ${registrationAdvice(err)}`);
    }
    log.info({ scope: opts.devGuildId ? `guild ${opts.devGuildId}` : 'global' }, `discord: registered /${commandName} ${opts.devGuildId ? `in guild ${opts.devGuildId}` : 'globally (may take up to an hour to appear)'}`);
  }

  async function send(what: string, call: () => Promise<unknown>): Promise<SentMessage> {
    let r: unknown;
    try {
      r = await call();
    } catch (err) {
      throw classifyDiscordError(err, what);
    }
    const id = (r as { id?: string } | null)?.id;
    if (!id) throw classifyDiscordError(new Error('no message id in the response'), what);
    return { messageId: id };
  }

  // A delivery's ref becomes the message nonce with enforce_nonce: Discord answers a repeated create (a
  // send whose outcome was lost in a crash) with the message it already made instead of posting twice.
  const post = (channelId: string, body: DiscordMessageBody, what: string, ref?: string) =>
    send(`${what} to ${channelId}`, () => client.rest.post(Routes.channelMessages(channelId), { body: ref ? { ...body, nonce: nonceOf(ref), enforce_nonce: true } : body }));

  // A brief is split once per view: counting its parts and posting each reads the same split.
  const briefs = new WeakMap<BriefView, DiscordMessageBody[]>();
  const briefOf = (view: BriefView) => {
    let m = briefs.get(view);
    if (!m) briefs.set(view, (m = briefMessages(view)));
    return m;
  };

  /**
   * The thread on a story's message, started on first use. A thread started from a message has the
   * message's id; Discord answers 160004 when it exists already (another reply, an earlier attempt).
   */
  async function threadOf(channelId: string, messageId: string, storyTitle: string): Promise<string> {
    try {
      const t = (await client.rest.post(Routes.threads(channelId, messageId), { body: { name: threadName(storyTitle), auto_archive_duration: 10080 } })) as { id?: string };
      return t.id ?? messageId;
    } catch (err) {
      if (err instanceof DiscordAPIError && err.code === 160004) return messageId;
      throw classifyDiscordError(err, `starting a thread on message ${messageId} in ${channelId}`);
    }
  }

  let stopped = false;
  let currentLease: GatewayLease | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  /** A takeover in progress (lock taken, gateway connecting): stop() waits for it. */
  let takeover: Promise<void> | null = null;

  /** Registers /news and opens the gateway; resolves once the client is ready. */
  async function connect(): Promise<void> {
    await registerCommands();
    const g = gatewayClient();
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('discord: the gateway did not become ready in time; check DISCORD_TOKEN and the network.')), opts.readyTimeoutMs ?? 60_000);
      g.once(Events.ClientReady, () => resolve());
    });
    try {
      await g.login(opts.token);
      await ready;
    } catch (err) {
      await g.destroy();
      const why = redactText(errorMessage(err), urlPasswords(opts.apiUrl));
      throw new Error(`discord: could not connect (${why}); check DISCORD_TOKEN${opts.apiUrl ? ` and DISCORD_API_URL=${redactUrl(opts.apiUrl)}` : ''}.`);
    } finally {
      clearTimeout(timer);
    }
    gateway = g;
    log.info({ bot_user: g.user?.id, guilds: g.guilds.cache.size }, `discord: connected as ${g.user?.tag ?? 'bot'} in ${g.guilds.cache.size} server(s)`);
  }

  /** Closes the gateway; REST stays usable for sends. */
  async function disconnect(): Promise<void> {
    const g = gateway;
    gateway = null;
    await g?.destroy();
  }

  function hold(lease: GatewayLease): void {
    currentLease = lease;
    void lease.lost.then(async () => {
      if (stopped || currentLease !== lease) return;
      currentLease = null;
      log.warn('discord: lost gateway leadership (database connection dropped); disconnecting and standing by');
      await disconnect();
      standBy();
    });
  }

  function standBy(): void {
    if (stopped || retryTimer) return;
    let trying = false;
    retryTimer = setInterval(() => {
      if (trying || stopped) return;
      trying = true;
      takeover = (async () => {
        const lease = await opts.leadership!.tryAcquire();
        if (!lease) return;
        if (stopped) {
          await lease.release();
          return;
        }
        if (retryTimer) clearInterval(retryTimer);
        retryTimer = null;
        try {
          await connect();
        } catch (err) {
          log.error({ err: errorMessage(err) }, 'discord: took over the gateway but could not connect; will retry');
          await lease.release();
          standBy();
          return;
        }
        // Stopped while connecting (a shutdown soon after the database came back): leave nothing open.
        if (stopped) {
          await disconnect();
          await lease.release();
          return;
        }
        hold(lease);
      })()
        .catch((err: unknown) => {
          // A database outage is logged once by the storage monitor, not at every retry.
          if (isStorageFailure(err)) log.debug({ err: errorMessage(err) }, 'discord: could not check gateway leadership (database not answering); will retry');
          else log.warn({ err: errorMessage(err) }, 'discord: could not check gateway leadership; will retry');
        })
        .finally(() => {
          trying = false;
          takeover = null;
        });
    }, opts.leaderRetryMs ?? 30_000);
    retryTimer.unref();
  }

  return {
    name: 'discord',
    // The dashboard asks the same questions over the bot's REST client.
    access: createDiscordAccess(client.rest, operators),
    async start(h, f) {
      handler = h;
      feedback = f ?? null;
      running = true;
      if (!opts.leadership) {
        await connect();
        return;
      }
      const lease = await opts.leadership.tryAcquire();
      if (lease) {
        try {
          await connect();
        } catch (err) {
          await lease.release();
          throw err;
        }
        hold(lease);
      } else {
        log.info('discord: another instance holds the gateway; sending alerts over REST and standing by');
        standBy();
      }
    },
    async stop() {
      running = false;
      stopped = true;
      if (retryTimer) clearInterval(retryTimer);
      retryTimer = null;
      await takeover;
      await disconnect();
      await client.destroy();
      await currentLease?.release();
      currentLease = null;
    },
    postStory: (channelId, story) => post(channelId, storyMessage(story), 'message (story)', story.ref),
    async updateStory(channelId, messageId, story) {
      await send(`edit of message ${messageId} in ${channelId}`, () => client.rest.patch(Routes.channelMessage(channelId, messageId), { body: storyMessage(story) }));
    },
    postDigest: (channelId, digest) => post(channelId, digestMessage(digest), 'message (digest)', digest.ref),
    postNotice: (channelId, text) => post(channelId, noticeMessage(text), 'message (notice)'),
    briefParts: (view) => briefOf(view).length,
    postBriefPart(channelId, view, part, ref) {
      const body = briefOf(view)[part];
      if (!body) return Promise.reject(new Error(`discord: the brief has no part ${part + 1}`));
      return post(channelId, body, `message (brief part ${part + 1})`, ref);
    },
    async postFollowUp(channelId, messageId, f) {
      const thread = await threadOf(channelId, messageId, f.storyTitle);
      return post(thread, followUpMessage(f), `message (reply in the thread of ${messageId})`, f.ref);
    },
  };
}
