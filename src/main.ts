// The composition root: config -> storage -> platforms -> pipeline. Nothing else picks concrete
// implementations or wires components together.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { createCommandHandler, createFeedbackHandler, relevanceExplainer } from './commands/index.ts';
import type { Config } from './config/schema.ts';
import { loadTopicsFile, parseTopics } from './config/topics.ts';
import { createBriefScheduler } from './delivery/brief-scheduler.ts';
import { createBriefComposer } from './delivery/brief-service.ts';
import { meteredDispatchStore } from './delivery/metered-store.ts';
import { channelRulesFrom, createDispatcher, createPipeline, dispatcherOptionsFrom, pipelineOptionsFrom } from './delivery/index.ts';
import type { MemberAccess } from './domain/access.ts';
import type { ChatPlatform } from './domain/chat.ts';
import { EVERY_TOPIC } from './domain/following.ts';
import type { PlatformName, Topic } from './domain/types.ts';
import { syncConfigFeeds } from './feeds/config-feeds.ts';
import { cleanFeedTitle } from './feeds/feed-title.ts';
import type { Fetcher } from './feeds/fetcher.ts';
import { checkFeedUrlFor, createScopedFetcher, hostPolicyFrom } from './feeds/scoped-fetcher.ts';
import { fetcherOptionsFrom, schedulerOptionsFrom } from './feeds/options.ts';
import { createScheduler, type Scheduler } from './feeds/scheduler.ts';
import { createBotMetrics } from './http/metrics.ts';
import { createHttpServer, type HttpServer, type RouteHandler } from './http/server.ts';
import { createHealthCheck } from './http/health.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { StoppedError } from './lib/errors.ts';
import type { Logger } from './lib/logger.ts';
import { parseKeyword } from './matching/index.ts';
import { createLiveTopics } from './matching/live-topics.ts';
import { relevanceFactory } from './matching/load-relevance.ts';
import { CONSOLE_CHANNEL } from './platforms/console/adapter.ts';
import { createPlatforms, SLACK_INSTALL_PATH } from './platforms/registry.ts';
import { createCompactor } from './storage/compactor.ts';
import { holdInstanceLiveness, LIVE_OWNER_PREFIX, openStorage, parseDatabaseUrl, takeBackDeadLeases, type Storage } from './storage/index.ts';
import { createSummarizer } from './summarize/index.ts';
import type { SummaryWork } from './summarize/ports.ts';
import { createWorkers } from './workers/index.ts';
import { createDashboard } from './web/index.ts';
import { webSubFrom } from './websub/index.ts';

export interface App {
  /** Starts every component; resolves once the bot is running. */
  start(): Promise<void>;
  /** No new work; in-flight work finishes or is released; the database is closed. Idempotent. */
  stop(): Promise<void>;
  /** The port the HTTP server listens on (after start). */
  readonly port: number | null;
  readonly storage: Storage | null;
  /** While stop() runs: the component it is stopping now (to say what held a shutdown up); else null. */
  readonly stoppingComponent: string | null;
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  cwd?: string;
  clock?: Clock;
  /** Printed to the operator at start-up (a few lines: feeds, topics, where alerts go). */
  announce?: (lines: string[]) => void;
  /** Where the console adapter reads `/news ...` lines typed by the operator (e.g. stdin on a TTY). */
  consoleInput?: NodeJS.ReadableStream;
  /** Where the console adapter writes alerts (default: stdout as plain text). */
  consoleWrite?: (text: string) => void;
}

/**
 * One id per process, used as the lease owner on feeds and alerts: unique (host, pid and a random part),
 * and marked as one that holds a liveness lock while it runs (storage/instance-liveness.ts).
 */
export const INSTANCE_ID = `${LIVE_OWNER_PREFIX}${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** Builds the summariser the pipeline and `summarize` use, from configuration. */
export function summarizerFrom(config: Config, logger: Logger, extra: { fetcher?: Fetcher; storage?: Storage; work?: SummaryWork } = {}) {
  const llm = config.summary.llm;
  return createSummarizer({
    maxChars: config.summary.max_chars,
    minExcerptChars: config.summary.min_excerpt_chars,
    llm: llm.enabled ? { baseUrl: llm.base_url, model: llm.model, apiKey: config.secrets.llmApiKey, timeoutMs: llm.timeout_ms, maxTokens: llm.max_tokens } : null,
    ...(config.summary.fetch_article && extra.fetcher ? { fetchPage: (url: string, scope?: 'operator' | 'chat') => extra.fetcher!.fetchPage(url, scope) } : {}),
    ...(extra.storage ? { cache: extra.storage.articles } : {}),
    ...(extra.work ? { work: extra.work } : {}),
    logger,
  });
}

/**
 * The console channel (no chat tokens set) follows every topic, and any added later, from the first time it is
 * seen, so `npm start` shows alerts out of the box; later changes made with /news commands are kept.
 */
async function subscribeConsoleOnce(db: Storage, now: Date): Promise<void> {
  if (await db.channels.find('console', CONSOLE_CHANNEL)) return;
  const ch = await db.channels.upsert({ platform: 'console', externalId: CONSOLE_CHANNEL, workspaceId: '', name: CONSOLE_CHANNEL }, now);
  await db.channels.subscribe(ch.id, [EVERY_TOPIC], 'operator', now);
}

export function createApp(opts: AppOptions): App {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  let storage: Storage | null = null;
  let port: number | null = null;
  let stopping: Promise<void> | null = null;
  let stoppingComponent: string | null = null;
  /** True once start() has finished: /healthz says "starting" until then. */
  let started = false;
  // stop() during start-up (a signal while it waits for the database) ends the wait.
  const startAbort = new AbortController();
  let startFailed = false;
  const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
  const onStop = (name: string, stop: () => Promise<void>) => stoppers.push({ name, stop });
  /**
   * Between start-up steps: a stop asked for meanwhile (SIGTERM during migrations, a gateway login) ends
   * start-up here, so nothing starts after the stop; stop() waits for this before it stops what did start.
   */
  const checkpoint = () => {
    if (startAbort.signal.aborted) throw new StoppedError('start-up');
  };
  let starting: Promise<void> | null = null;

  // /healthz: fixed public words; the storage sentence behind them goes to the log when the answer changes.
  const health = createHealthCheck({ database: () => storage, stopping: () => stopping !== null, logger });

  async function start(): Promise<void> {
    // Configuration-derived parts first, so a bad topics file or allow-list stops start-up before any I/O.
    const topics: Topic[] = await loadTopicsFile(config.topics.file);
    const compileTopics = await relevanceFactory(config.matching);
    const fromFile = compileTopics(topics);
    if (fromFile.notice) logger.warn(fromFile.notice);
    // allow_hosts is for the operator's feeds; chat-added ones get the plain guard unless the operator says
    // otherwise (scoped-fetcher.ts decides, for the fetcher and for feed URLs typed in chat).
    const feedUrlCheck = checkFeedUrlFor(hostPolicyFrom(config.polling));
    const fetcher = createScopedFetcher(fetcherOptionsFrom(config.polling), config.polling.allow_hosts_for_chat_feeds);
    onStop('fetcher', () => fetcher.close());
    // Feed reading and summarising run on worker threads with deadlines (started on first use); stopped
    // after the scheduler and the pipeline have finished their in-flight work. They load every module a job
    // may need when they start, so no loading lands in the middle of the bot's work (poll --once loads
    // linkedom only if a feed needs the lenient walk).
    const workers = createWorkers(config.workers, logger, { preloadAll: true });
    onStop('workers', () => workers.close());

    // /healthz from the start: while start-up waits (for PostgreSQL, say) it answers 503 in fixed words
    // ("starting", "database not open yet"), so an orchestrator can tell waiting from dead. Every other path
    // answers 503 until the routes below are in place; the port is taken (or refused) before any wait.
    let fallback: RouteHandler = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
      res.end('cyberbrief is starting; try again shortly.\n');
    };
    let fallbackMaxBodyBytes: number | undefined = undefined;
    const http: HttpServer = createHttpServer({
      host: config.server.host,
      port: config.server.port,
      health: async () => {
        const report = await health();
        return started ? report : { ok: false, checks: { ...report.checks, startup: { ok: false, detail: 'starting' } } };
      },
      logger,
      fallback: {
        handler: (req, res) => fallback(req, res),
        // Read at each request (the server copies the fallback per request): the dashboard's limit once it is there.
        get maxBodyBytes() {
          return fallbackMaxBodyBytes;
        },
      },
    });
    const listen = async () => {
      ({ port } = await http.start());
      // Stopped here if start-up ends early; once running, at its place below (before the platforms it serves).
      onStop('http (start-up)', () => http.stop());
    };
    // PostgreSQL may keep start-up waiting: listen first. SQLite never waits, and its run lock comes first, so
    // a second bot on the same file is told that (not that the port is taken).
    const waitsForDatabase = parseDatabaseUrl(config.database.url, opts.cwd).dialect === 'postgres';
    if (waitsForDatabase) await listen();
    checkpoint();

    // On SQLite this takes the file's run lock first: a second bot on the same file is refused, naming the first.
    // PostgreSQL not answering yet (the bot started before its database) is waited for, with backoff.
    const db = await openStorage(config.database.url, { cwd: opts.cwd, poolSize: config.database.pool_size, logger, runLockOwner: INSTANCE_ID, waitWhileUnreachable: startAbort.signal, backgroundCheckpoint: true });
    if (startAbort.signal.aborted) {
      await db.close();
      throw new StoppedError('start-up');
    }
    // Every loop that meets a storage error waits on this (the database answers again, or a backoff for a
    // failing write) instead of counting it against a feed, an item or an alert.
    const storageReady = (signal?: AbortSignal) => db.monitor.ready(signal);
    storage = db;
    onStop('storage', () => db.close());
    if (!waitsForDatabase) await listen();
    checkpoint();
    logger.info({ database: db.description }, `storage: ${db.description} ready`);
    await syncConfigFeeds(db.feeds, config.feeds, clock.now());
    checkpoint();
    // This instance holds its liveness lock before it claims anything; the leases of an instance that died
    // without releasing them (SIGKILL, a crash, a lost machine) are taken back now, not when they expire.
    const liveness = await holdInstanceLiveness(INSTANCE_ID, { locks: db.locks, logger });
    onStop('instance liveness', () => liveness.stop());
    checkpoint();
    await takeBackDeadLeases(INSTANCE_ID, clock.now(), { locks: db.locks, leases: db.leases, logger });
    checkpoint();

    // The topics in force: the topics file, or the newest version saved on the dashboard; every instance
    // checks for a new version every web.topics_check_seconds and recompiles (no restart).
    const live = createLiveTopics({ fileTopics: topics, fileCompiled: fromFile, compile: compileTopics, versions: db.topicVersions, parse: parseTopics, intervalMs: config.web.topics_check_seconds * 1000, logger });
    await live.refresh();
    checkpoint();
    live.start();
    onStop('topics', () => live.stop());

    // Chat platforms (a registry: every adapter whose tokens are set, the console when none is).
    // Several instances may share one PostgreSQL: Discord allows one gateway session per bot, so the
    // instance holding an advisory lock keyed by the application id connects; the others send over REST
    // and retry. On SQLite the file's run lock keeps a second bot away, so there the lock is in-process.
    const appId = config.secrets.discordApplicationId;
    const { platforms, routes } = await createPlatforms(config, logger, {
      console: { ...(opts.consoleInput ? { input: opts.consoleInput } : {}), ...(opts.consoleWrite ? { write: opts.consoleWrite } : {}) },
      ...(appId ? { discordLeadership: { tryAcquire: () => db.locks.tryAcquire(`discord-gateway:${appId}`) } } : {}),
      // Add to Slack: installations sealed in the database; a send uses the token of its channel's workspace.
      slackInstallations: db.slackInstallations,
      slackTeamOfChannel: async (channelId) => (await db.channels.find('slack', channelId))?.workspaceId || null,
    });
    if (platforms.some((p) => p.name === 'console')) await subscribeConsoleOnce(db, clock.now());
    checkpoint();
    const byName = new Map<PlatformName, ChatPlatform>(platforms.map((p) => [p.name, p]));
    const handler = createCommandHandler({
      channels: db.channels,
      latest: db.latest,
      feeds: db.feeds,
      alerts: db.alerts,
      // Read at each command: a topics version saved on the dashboard applies at once.
      get topics() {
        return live.current().topics;
      },
      parseKeyword,
      checkFeedUrl: feedUrlCheck,
      feedback: db.feedback,
      briefs: db.briefs,
      stories: db.stories,
      // /news why: the same decision the pipeline makes, with every reason.
      explain: (doc) => relevanceExplainer(live.current().scorer, live.current().topics)(doc),
      quietAfterDays: config.polling.quiet_after_days,
      clock,
      logger,
    });
    // Clicks on an alert's Relevant / Not relevant buttons.
    const feedback = createFeedbackHandler({ channels: db.channels, alerts: db.alerts, feedback: db.feedback, clock, logger });

    // Push (WebSub): on when server.public_url says where hubs reach us; its callbacks share PORT. Pushed
    // items go through the same reader and store as a poll, and wake the pipeline.
    let notifyPipeline = () => {};
    let countPush: (o: 'stored' | 'refused' | 'unreadable') => void = () => {};
    const push = webSubFrom(config, { storage: db, readFeed: workers.readFeed, clock, logger, instanceId: INSTANCE_ID, onItemsStored: () => notifyPipeline(), onPushed: (o) => countPush(o) });
    onStop('websub hub client', () => push.close());
    if (!opts.announce) logger.info(push.notice);

    // GET /metrics: storage counts read on each scrape, plus counters the components below increment; for
    // METRICS_TOKEN bearers, or this machine only when it is unset (http/metrics-access.ts).
    const metrics = createBotMetrics({ stats: () => db.stats.snapshot(clock.now(), { quietAfterDays: config.polling.quiet_after_days }), storage: db.monitor, clock, logger, token: config.secrets.metricsToken, ...(push.websub ? { websub: () => db.websub.countsByState() } : {}) });
    countPush = (o) => metrics.counters.pushed(o);
    // The dashboard under / (off, and saying so, until a sign-in method is configured); it changes things
    // through the same command handler, with the same rights the platforms give each person.
    let notifyDispatcher = () => {};
    const access = new Map<PlatformName, MemberAccess>(platforms.flatMap((p) => (p.access ? [[p.name, p.access] as const] : [])));
    const dashboard = await createDashboard(config, {
      storage: db,
      handler,
      topics: live,
      topicsFile: config.topics.file,
      parseTopics,
      access,
      clock,
      logger,
      notifyDispatcher: () => notifyDispatcher(),
      slackInstallPath: routes.some((r) => r.path === SLACK_INSTALL_PATH) ? SLACK_INSTALL_PATH : null,
    });
    onStop('dashboard', async () => dashboard.stop());
    checkpoint();
    for (const r of [...routes, metrics.route, ...(push.websub?.routes ?? [])]) http.addRoute(r);
    fallbackMaxBodyBytes = dashboard.maxBodyBytes;
    fallback = dashboard.handler;
    onStop('http', () => http.stop());

    for (const p of platforms) {
      // Its stopper first: a stop asked for while it connects (a gateway login) stops it once it returns.
      let failed = false;
      onStop(`platform ${p.name}`, () => (failed ? Promise.resolve() : p.stop()));
      try {
        await p.start(handler, feedback);
      } catch (err) {
        failed = true;
        throw err;
      }
      checkpoint();
    }

    const summarizer = summarizerFrom(config, logger, { fetcher, storage: db, work: workers.summaryWork });
    const topicTerms = (id: string) => live.current().topics.find((t) => t.id === id)?.terms.map((x) => x.term) ?? [];
    const topicName = (id: string) => live.current().topics.find((t) => t.id === id)?.name ?? id;
    // Briefs: composed from the stories they hold at their first claim, sent by the dispatcher.
    const briefComposer = createBriefComposer({
      source: {
        candidates: (q) => db.briefs.candidates(q),
        lastPeriodEnd: (id, kind) => db.briefs.lastPeriodEnd(id, kind),
        delivery: (id) => db.channels.delivery(id),
        subscriptions: (id) => db.channels.subscriptions(id),
      },
      topics: () => live.current().topics.map((t) => ({ id: t.id, name: t.name })),
      limits: { maxStories: config.brief.max_stories, perTopic: config.brief.per_topic },
    });
    const dispatcher = createDispatcher(
      {
        store: meteredDispatchStore(db.alerts, metrics.counters),
        platforms: byName,
        pauseChannel: (id, reason) => db.channels.pause(id, reason),
        topicName,
        clock,
        logger,
        storageReady,
        briefs: { store: db.briefs, compose: (b) => briefComposer.compose(b) },
      },
      dispatcherOptionsFrom(config.delivery, INSTANCE_ID),
    );
    const briefScheduler = createBriefScheduler(
      { store: db.briefs, clock, logger, onEnqueued: () => dispatcher.notify(), storageReady },
      { checkMs: config.brief.check_seconds * 1000 },
    );
    const pipeline = createPipeline(
      {
        store: db.clusters,
        outbox: db.alerts,
        writes: (fn) => db.pipelineWrites(fn),
        channelRules: channelRulesFrom(db.channels),
        feedAudiences: () => db.feeds.audiences(),
        match: (doc) => {
          // The scorer decides whether the story is in scope; the rules, which topics it is filed under.
          const d = live.current().scorer.decide(doc);
          const topics = d.rules.map((r) => {
            const filed = d.topicIds.includes(r.topicId);
            return { topicId: r.topicId, score: r.score, matched: filed, reasons: filed ? [d.summary, ...r.reasons] : r.reasons };
          });
          // The score ranks the morning brief.
          return { topics, relevance: d.probability };
        },
        channelDeliveries: () => db.channels.deliveries(),
        topicTerms,
        summarize: (input) => summarizer.summarize(input),
        onAlerts: () => dispatcher.notify(),
        clock,
        logger,
        storageReady,
      },
      pipelineOptionsFrom(config.delivery),
    );
    const scheduler: Scheduler = createScheduler({
      storage: db,
      fetcher,
      readFeed: workers.readFeed,
      options: schedulerOptionsFrom(config.polling, INSTANCE_ID),
      logger,
      clock,
      onItemsStored: () => pipeline.notify(),
      onPolled: (r) => metrics.counters.polled(r.status),
      storageReady,
      ...(push.websub ? { push: push.websub } : {}),
    });

    // Start downstream first so nothing waits on a stage that is not running; stop in reverse order:
    // the scheduler takes no new feeds, the pipeline finishes its item, the dispatcher its sends.
    notifyDispatcher = () => dispatcher.notify();
    await dispatcher.start();
    onStop('dispatcher', () => dispatcher.stop());
    checkpoint();
    briefScheduler.start();
    onStop('brief scheduler', () => briefScheduler.stop());
    await pipeline.start();
    onStop('pipeline', () => pipeline.stop());
    checkpoint();
    notifyPipeline = () => pipeline.notify();
    if (push.websub) {
      const websub = push.websub;
      await websub.start();
      onStop('websub', () => websub.stop());
      checkpoint();
    }
    scheduler.start();
    // Fetches in flight are given up (their feeds stay due): a stalled server must not hold a shutdown.
    onStop('scheduler', () => scheduler.stop({ giveUpInFlight: true }));
    // The first look for due feeds now, not at the first tick (up to polling.tick away, 30 s by default): a bot
    // just started polls its feeds at once. The tick logs its own failures.
    void scheduler.tick();
    // Storage upkeep: old items keep only what deduplication needs (storage.compact_after_days).
    const compactor = createCompactor({ compaction: db.compaction, clock, logger, onCompacted: (r) => metrics.counters.compacted(r) }, { afterDays: config.storage.compact_after_days });
    compactor.start();
    onStop('compactor', () => compactor.stop());

    const feeds = (await db.feeds.list()).filter((f) => f.enabled);
    const where = platforms.map((p) => (p.name === 'console' ? `this console (no chat tokens set; subscribed to every topic${opts.consoleInput ? ', type /news help for commands' : ''})` : p.name === 'slack' ? `Slack${config.slack.socket_mode ? ' (Socket Mode)' : ` (/slack/events on port ${port})`}` : 'Discord'));
    opts.announce?.([
      `cyberbrief is running (instance ${INSTANCE_ID}), storing in ${db.description}.`,
      feeds.length === 0
        ? 'Watching no feeds: add one with `cyberbrief feeds add URL` (or under feeds: in the configuration); nothing is polled until then.'
        : `Watching ${feeds.length} ${feeds.length === 1 ? 'feed' : 'feeds'}: ${feeds.slice(0, 4).map((f) => cleanFeedTitle(f.title) ?? f.url).join(', ')}${feeds.length > 4 ? `, and ${feeds.length - 4} more` : ''}.`,
      `Topics (${live.current().topics.length}${live.current().version ? `, saved version ${live.current().version}` : ''}): ${live.current().topics.map((t) => t.id).join(', ')}; ${live.current().scorer.model ? `the relevance model (${live.current().scorer.model!.file.fitted_on}) decides what is in scope` : 'their rules decide what is in scope'}.`,
      push.notice,
      `Alerts go to ${where.join(' and ')}. ${dashboard.enabled ? `Dashboard at ${config.web.public_url ?? `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}/`} (sign in with ${dashboard.methods.join(', ')})` : 'Dashboard off (no sign-in method configured)'}. Health at http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}/healthz. Stop with Ctrl-C.`,
    ]);
  }

  return {
    get port() {
      return port;
    },
    get storage() {
      return storage;
    },
    get stoppingComponent() {
      return stoppingComponent;
    },
    async start() {
      try {
        starting = start();
        await starting;
        started = true;
      } catch (err) {
        // A start-up that failed on its own says why (the caller logs it), not that it stopped cleanly.
        if (!startAbort.signal.aborted) startFailed = true;
        throw err;
      }
    },
    stop() {
      startAbort.abort();
      stopping ??= (async () => {
        // A start-up under way ends at its next step (checkpoint); what it started is stopped below.
        await starting?.catch(() => undefined);
        // Reverse start order: stop taking work, let in-flight work finish, close the database last.
        for (const s of [...stoppers].reverse()) {
          stoppingComponent = s.name;
          try {
            await s.stop();
          } catch (err) {
            logger.error({ err, component: s.name }, `shutdown: ${s.name} did not stop cleanly`);
          }
        }
        stoppingComponent = null;
        if (!startFailed) logger.info('shutdown: stopped cleanly');
      })();
      return stopping;
    },
  };
}
