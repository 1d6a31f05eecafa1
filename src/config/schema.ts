// The one place configuration is described and validated. Every object is strict: an unknown key is an
// error, so a typo is never silently ignored.
import cron from 'node-cron';
import { z } from 'zod';
import { createAddressGuard } from '../feeds/address-guard.ts';

/** An allow-list entry the address guard accepts: a host name, `*.domain`, an IP or a CIDR. */
const allowHost = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (entry) => {
      try {
        createAddressGuard([entry]);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'expected a host name, *.domain, an IP address or a CIDR such as 10.0.0.0/8' },
  );

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

const feedEntry = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .max(2048)
      .refine((u) => !/^[a-z]+:\/\/[^/?#]*@/i.test(u), { error: 'expected no user name or password in the URL (they would be logged in clear, and are never sent)' }),
    title: z.string().min(1).max(200).optional(),
    interval_seconds: seconds(60, 7 * 86400).optional(),
  })
  .strict();

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048);
/** Where people or hubs reach this bot: addresses are built on it, so it holds no credentials, query or fragment. */
const publicUrl = httpUrl.refine((u) => !/^[a-z]+:\/\/[^/?#]*@/i.test(u) && !/[?#]/.test(u), { error: 'expected an http(s) URL without a user name, password, query or fragment' });

/** The dashboard (src/web): served under / on PORT once a sign-in method is configured. */
const webSection = z
  .object({
    /**
     * The address people open the dashboard at, e.g. https://news-bot.example.org (DASHBOARD_URL
     * overrides). OAuth redirect URIs are built from it; null: from the request's Host header.
     */
    public_url: publicUrl.nullable(),
    /** A session ends this long after sign-in. */
    session_hours: z.number().int().min(1).max(24 * 30),
    /** Failed password sign-ins allowed per client address per 15 minutes (all instances together). */
    sign_in_attempts: z.number().int().min(1).max(1000),
    /** How often each instance checks whether the saved topics changed (applied without a restart). */
    topics_check_seconds: seconds(1, 300),
    /** The topic preview scores the stored stories of this many days (the page can ask for 1 to 30). */
    preview_days: z.number().int().min(1).max(30),
    /** At most this many stored stories in a preview (the newest). */
    preview_max_items: z.number().int().min(100).max(100_000),
    slack: z
      .object({
        /** Sign in with Slack (OpenID Connect) endpoints. */
        authorize_url: httpUrl,
        token_url: httpUrl,
        userinfo_url: httpUrl,
        /** Add to Slack (OAuth v2) authorisation page; oauth.v2.access goes through SLACK_API_URL. */
        install_url: httpUrl,
        /** Bot scopes asked for by Add to Slack. */
        install_scopes: z.array(z.string().regex(/^[a-z][a-z0-9:._-]{1,60}$/, 'expected a Slack scope such as chat:write')).min(1).max(50),
      })
      .strict(),
    discord: z
      .object({
        /** Sign in with Discord (OAuth2 authorization code) endpoints. */
        authorize_url: httpUrl,
        token_url: httpUrl,
        /** REST base for /users/@me and /users/@me/guilds with the signed-in user's token. */
        api_url: httpUrl,
        /** Permissions the Add to Discord invite asks for (a permission integer: View Channel, Send Messages, Embed Links). */
        invite_permissions: z.string().regex(/^\d{1,20}$/, 'expected a Discord permission integer such as 19456'),
      })
      .strict(),
  })
  .strict();

export const configSchema = z
  .object({
    database: z
      .object({
        /** SQLite file path, `sqlite:PATH`, or `postgres://...`. `DATABASE_URL` overrides it. */
        url: z.string().min(1),
        /** Connections in the PostgreSQL pool. */
        pool_size: z.number().int().min(1).max(100),
      })
      .strict(),
    server: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(0).max(65535),
        /**
         * The address hubs reach this bot at, e.g. https://news-bot.example.org (CYBERBRIEF_PUBLIC_URL
         * overrides): WebSub callbacks are built from it. null: no push, feeds are polled.
         */
        public_url: publicUrl.nullable(),
        /**
         * The longest `run` takes to stop after SIGTERM/SIGINT. Fetches in flight are given up at once; other
         * work (a summary, a chat send) may finish within this; then the process exits 1, naming what was still
         * stopping, and leases hand that work to the next start. Below an orchestrator's kill grace (Docker: 10 s).
         */
        shutdown_grace_seconds: seconds(1, 300),
      })
      .strict(),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
        /** auto: readable on a TTY, JSON otherwise. */
        format: z.enum(['auto', 'json', 'pretty']),
      })
      .strict(),
    polling: z
      .object({
        /** node-cron expression (6 fields allowed: seconds first) for the scheduler tick. */
        tick: z
          .string()
          .min(9)
          .max(100)
          .refine((expr) => cron.validate(expr), { error: 'expected a cron expression such as "*/1 * * * *" (5 fields, or 6 with seconds first)' }),
        interval_seconds: seconds(60, 7 * 86400),
        max_interval_seconds: seconds(60, 30 * 86400),
        /** Most feeds fetched at once: the ceiling of the adaptive cap (the cap itself with adaptive_concurrency off). */
        concurrency: z.number().int().min(1).max(4096),
        /** Fewest feeds fetched at once the adaptive cap falls to, and where it starts (clamped to concurrency). */
        min_concurrency: z.number().int().min(1).max(4096),
        /** The global cap adapts to latency, timeouts and the database's write backlog (false: always concurrency). */
        adaptive_concurrency: z.boolean(),
        per_host_concurrency: z.number().int().min(1).max(16),
        /** Poll outcomes (feed states and items) written per transaction at most. */
        write_batch_size: z.number().int().min(1).max(10_000),
        /** Longest an outcome waits for others to share its transaction. */
        write_batch_ms: z.number().int().min(0).max(10_000),
        /** How long a host name's addresses are reused before it is resolved again (0: every connection). */
        dns_cache_seconds: z.number().int().min(0).max(3600),
        /** GETs through the lean HTTP/1.1 client first, undici for the answers it does not read (false: undici alone). */
        lean_http: z.boolean().optional(),
        jitter_seconds: seconds(0, 3600),
        connect_timeout_ms: z.number().int().min(100).max(120_000),
        total_timeout_ms: z.number().int().min(500).max(600_000),
        max_body_bytes: z.number().int().min(1024).max(200 * 1024 * 1024),
        max_redirects: z.number().int().min(0).max(10),
        user_agent: z.string().min(3).max(200),
        backoff_base_seconds: seconds(1, 86400),
        disable_after_failures: z.number().int().min(1).max(1000),
        /** On a feed's first poll, alert the newest N items (0: store the backlog silently). */
        backfill: z.number().int().min(0).max(100),
        /** A feed that answers but brought nothing new for this many days shows as quiet (0: never). */
        quiet_after_days: z.number().int().min(0).max(3650),
        /** Hosts, IPs or CIDRs that may resolve to private addresses (CYBERBRIEF_ALLOW_HOSTS adds to it). */
        allow_hosts: z.array(allowHost).max(1000),
        /**
         * Whether feeds a workspace's or server's admins add from chat (and their articles' pages) may reach the
         * hosts of allow_hosts too. Off: allow_hosts is for the feeds the operator adds.
         */
        allow_hosts_for_chat_feeds: z.boolean(),
      })
      .strict(),
    feeds: z.array(feedEntry).max(10_000),
    topics: z
      .object({
        /** Path of the topics file, relative to the working directory. */
        file: z.string().min(1),
      })
      .strict(),
    matching: z
      .object({
        /** model: the fitted relevance model decides what is in scope (rules pick topics); rules: rules alone. */
        scorer: z.enum(['model', 'rules']),
        /** The relevance model's weights (cyberbrief model fit writes it). */
        model_file: z.string().min(1),
        /** Threat actors with their states, JSON Lines (cyberbrief actors import writes it). */
        actors_file: z.string().min(1),
      })
      .strict(),
    workers: z
      .object({
        /** Worker threads for parsing and summarising; 0 picks one fewer than the CPUs (1 to 4). */
        threads: z.number().int().min(0).max(64),
        /** A feed whose reading (parse and normalise) takes longer fails with parse_timeout. */
        parse_timeout_ms: z.number().int().min(100).max(600_000),
        /** A story whose summary (or article extraction) takes longer gets its lead or title instead. */
        summarize_timeout_ms: z.number().int().min(100).max(600_000),
        /** Heap limit of each worker thread. */
        max_heap_mb: z.number().int().min(64).max(16_384),
        /**
         * Nice steps below the main thread for every other thread of the process (Linux; 0: off), so the
         * event loop gets a core first on a busy machine.
         */
        background_nice: z.number().int().min(0).max(19),
      })
      .strict(),
    summary: z
      .object({
        max_chars: z.number().int().min(80).max(3000),
        /** Fetch the article page when the feed carries only a short excerpt. */
        fetch_article: z.boolean(),
        min_excerpt_chars: z.number().int().min(0).max(10_000),
        llm: z
          .object({
            enabled: z.boolean(),
            base_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
            model: z.string().min(1).max(200),
            timeout_ms: z.number().int().min(500).max(300_000),
            max_tokens: z.number().int().min(16).max(4096),
          })
          .strict(),
      })
      .strict(),
    delivery: z
      .object({
        max_attempts: z.number().int().min(1).max(100),
        /** Alerts per channel per poll before the rest go into one digest message. */
        burst_per_channel: z.number().int().min(1).max(100),
        /** Milliseconds between two messages to the same channel. */
        channel_interval_ms: z.number().int().min(0).max(60_000),
        /** Items about the same story within this window join one cluster. */
        cluster_window_hours: z.number().int().min(1).max(24 * 30),
        /** Edit a posted message when the story's title or content changes materially. */
        edit_on_change: z.boolean(),
        /** A story dated more than this many days before it was read gets no alert (0: no limit). */
        max_story_age_days: z.number().int().min(0).max(3650),
        lease_seconds: seconds(5, 3600),
      })
      .strict(),
    brief: z
      .object({
        /** Stories shown in one brief; the rest are counted. */
        max_stories: z.number().int().min(1).max(100),
        /** Stories shown per topic group of a brief. */
        per_topic: z.number().int().min(1).max(50),
        /** How often due briefs and ended quiet hours are looked for. */
        check_seconds: seconds(1, 300),
      })
      .strict(),
    storage: z
      .object({
        /**
         * Items fetched more than this many days ago whose alerts are all finished lose their bulky text
         * (their dedupe identity stays); article-cache rows this old are deleted. 0 disables compaction.
         */
        compact_after_days: z.number().int().min(0).max(3650),
      })
      .strict(),
    slack: z
      .object({
        /** Use Socket Mode (needs SLACK_APP_TOKEN) instead of the HTTP endpoint. */
        socket_mode: z.boolean(),
        /** User ids allowed to change subscriptions besides workspace admins and owners. */
        admin_user_ids: z.array(z.string().regex(/^[UW][A-Z0-9]{2,30}$/, 'expected a Slack user id such as U012ABCDEF')).max(1000),
        /**
         * Operators: may add and remove global feeds (which reach every channel) from chat. A user id, or
         * TEAM:USER to count only in that workspace (T012AB:U012ABCDEF).
         */
        operator_user_ids: z
          .array(z.string().regex(/^(T[A-Z0-9]{2,30}:)?[UW][A-Z0-9]{2,30}$/, 'expected a Slack user id such as U012ABCDEF, or T012AB:U012ABCDEF for one workspace'))
          .max(1000),
      })
      .strict(),
    discord: z
      .object({
        /** Register /news in this guild only (instant, for development); global otherwise. */
        dev_guild_id: z.string().regex(/^\d{5,25}$/, 'expected a Discord guild id (digits)').nullable(),
        /** Operators: may add and remove global feeds (which reach every channel) from chat. Discord user ids. */
        operator_user_ids: z.array(z.string().regex(/^\d{5,25}$/, 'expected a Discord user id (digits)')).max(1000),
        /** Instances sharing one PostgreSQL: how often one without the gateway tries to take it over. */
        leader_retry_seconds: seconds(1, 3600),
      })
      .strict(),
    web: webSection,
    websub: z
      .object({
        /** Subscribe to the hubs feeds advertise (needs server.public_url). */
        enabled: z.boolean(),
        /** While a feed's content is pushed, it is still polled this often (in case pushes stop). */
        fallback_interval_seconds: seconds(60, 30 * 86400),
        /** The lease asked of the hub (the hub picks the real one). */
        lease_seconds: seconds(60, 365 * 86400),
        /** A lease is renewed this long before it ends (at most half the lease). */
        renew_before_seconds: seconds(1, 30 * 86400),
        /** A (un)subscribe request not verified by the hub within this counts as failed. */
        verify_timeout_seconds: seconds(1, 86400),
        /** First wait before subscribing again after a failure; doubles with each failure, up to a day. */
        retry_seconds: seconds(1, 86400),
        /** How often each instance looks for subscriptions to renew, retry or end. */
        check_seconds: seconds(1, 3600),
        /** A request to a hub taking longer than this fails. */
        request_timeout_ms: z.number().int().min(100).max(120_000),
      })
      .strict(),
  })
  .strict();

export type FileConfig = z.infer<typeof configSchema>;

/** Secrets and deployment settings that come from the environment only. */
export interface Secrets {
  slackBotToken: string | null;
  slackSigningSecret: string | null;
  slackAppToken: string | null;
  slackApiUrl: string | null;
  discordToken: string | null;
  discordApplicationId: string | null;
  discordApiUrl: string | null;
  llmApiKey: string | null;
  /** The dashboard's operator password (sign-in for console-only installs). */
  dashboardPassword: string | null;
  /** Signs session cookies; generated and kept in the database when unset. */
  dashboardSessionSecret: string | null;
  /** Slack app credentials: Sign in with Slack and Add to Slack. */
  slackClientId: string | null;
  slackClientSecret: string | null;
  /** Discord application's OAuth2 secret: Sign in with Discord (the client id is DISCORD_APPLICATION_ID). */
  discordClientSecret: string | null;
  /** 32 bytes (64 hex digits or base64) encrypting Slack installations' tokens and WebSub secrets at rest. */
  encryptionKey: string | null;
  /** Keys replaced by encryptionKey: values sealed under them still open (CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS). */
  previousEncryptionKeys: string[];
  /** METRICS_TOKEN: GET /metrics needs it as a bearer token; null: /metrics answers this machine only. */
  metricsToken: string | null;
}

export interface Config extends FileConfig {
  secrets: Secrets;
  /** Files the configuration was read from, in merge order. */
  sources: string[];
}
