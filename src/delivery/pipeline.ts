// The processing stage between storage and the outbox. For each unprocessed item, in id order: match it
// against the topics (item_topics), put it in a story cluster, summarise it when some topic or channel
// keyword wants it, route it to channels, write outbox rows, mark it processed. Tenancy holds throughout
// (domain/tenancy.ts): an item goes only to channels its feed reaches, edits only their messages, and
// joins only clusters started by a feed everyone who sees it also sees. The reads and the summary come
// first; an item's writes then go in one transaction (`writes`), so a crash leaves all of them or none.
// Every write is idempotent too (replace, insert-or-nothing, edit requests that are harmless when
// repeated), so without the transaction a crash anywhere simply re-runs the item. A storage error (the
// database is away) is not the item's fault: the batch stops, the item keeps its place, and the loop waits
// for the database before it goes on.
import type { Logger } from '../lib/logger.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage, isStorageFailure } from '../lib/errors.ts';
import { waitMs } from '../lib/retry-storage.ts';
import { holdsAlerts, type ChannelDelivery } from '../domain/brief-schedule.ts';
import { storyTime } from '../domain/story-order.ts';
import { NO_AUDIENCE, reaches, tenantKey, type FeedAudience, type TenantKey } from '../domain/tenancy.ts';
import type { Alert, Cluster, PlatformName } from '../domain/types.ts';
import { DEFAULT_CLUSTER_OPTIONS, decodeFingerprint, storySignature } from './cluster.ts';
import type { RankedCluster } from './cluster-index.ts';
import { ClusterWindow, type ClusterWindowStore } from './cluster-window.ts';
import { createRouter, type ChannelRule, type RoutableDoc, type Router } from './router.ts';

/** An item as the pipeline reads it (storage's PipelineItem). */
export interface PipelineItemInput {
  id: number;
  feedId: number;
  title: string;
  summary: string;
  content: string;
  url: string | null;
  publishedAt: Date | null;
  fetchedAt: Date;
  contentHash: string;
  clusterId: number | null;
  articleText: string | null;
}

export interface TopicMatchInput {
  topicId: string;
  score: number;
  reasons: string[];
  matched: boolean;
}

/** The storage the pipeline uses (ClustersRepo and AlertsRepo satisfy these). */
export interface PipelineStore extends ClusterWindowStore {
  /** Up to `limit` items waiting for the pipeline, those whose stories happened first, in that order (storyTime, then id). */
  unprocessedItems(limit: number): Promise<PipelineItemInput[]>;
  /** Replaces the item's topic matches and stores its relevance score (null: the rules alone decided). */
  setItemTopics(itemId: number, topics: readonly { topicId: string; score: number; reasons: string[] }[], relevance?: number | null): Promise<void>;
  /** Which of these clusters already hold an item of the feed. */
  feedClusters(feedId: number, clusterIds: readonly number[]): Promise<Set<number>>;
  create(c: { signature: string; title: string; firstItemId: number; at: Date; createdAt: Date }): Promise<Cluster>;
  touch(id: number, at: Date): Promise<void>;
  assignCluster(itemId: number, clusterId: number): Promise<void>;
  saveDigest(itemId: number, d: { digest: string; fromExcerpt: boolean }): Promise<void>;
  markProcessed(itemId: number, contentHash: string): Promise<boolean>;
  /** Runs `fn` unless another instance is running the pipeline (then null). */
  withPipelineLock?<T>(fn: () => Promise<T>): Promise<T | null>;
}

export interface OutboxWriter {
  /** `held`: kept back for the channel's brief or until its quiet hours end. */
  enqueue(a: { channelId: number; clusterId: number; itemId: number; at: Date; held?: boolean }): Promise<boolean>;
  requestUpdate(channelId: number, clusterId: number, at: Date): Promise<boolean>;
  /** The cluster's outbox rows, with each channel's tenant. */
  forCluster(clusterId: number): Promise<(Alert & { channelTenant: TenantKey })[]>;
}

export interface SummarizeInput {
  title: string;
  text: string;
  url: string | null;
  topicTerms: string[];
  /** Who added the item's feed: a feed only chat added has its article page fetched without allow_hosts. */
  scope: 'operator' | 'chat';
}

export interface PipelineDeps {
  store: PipelineStore;
  outbox: OutboxWriter;
  /**
   * Runs an item's writes in one transaction, with a store and an outbox bound to it (Storage.pipelineWrites):
   * one commit per item, and a failure part-way leaves none of its writes. Without it they are written one by
   * one through `store` and `outbox` (a re-run then adds nothing twice).
   */
  writes?: <T>(fn: (store: PipelineStore, outbox: OutboxWriter) => Promise<T>) => Promise<T>;
  /** Current channel rules (subscriptions and keywords of every unpaused channel); read once per batch. */
  channelRules: () => Promise<ChannelRule[]>;
  /** Who each feed's items reach (global, owning tenants), by feed id; read once per batch. A feed missing here reaches nobody. */
  feedAudiences: () => Promise<ReadonlyMap<number, FeedAudience>>;
  /**
   * Matches one document against every topic; `relevance` is the scorer's probability that the story is
   * in scope (null when the rules alone decide), stored with the item to rank the brief.
   */
  match: (doc: { title: string; description: string; content: string }) => { topics: TopicMatchInput[]; relevance: number | null };
  /** Channels' modes and quiet hours (channels missing here are live, never quiet); read once per batch. */
  channelDeliveries?: () => Promise<ReadonlyMap<number, ChannelDelivery>>;
  /** Terms of a topic, to steer the summary. */
  topicTerms?: (topicId: string) => string[];
  summarize: (input: SummarizeInput) => Promise<{ summary: string; fromExcerpt: boolean }>;
  /** Called after a batch wrote outbox rows, to wake the dispatcher. */
  onAlerts?: () => void;
  clock: Clock;
  logger: Logger;
  /** Resolves when the database is worth trying again after a storage error (the storage monitor's ready). */
  storageReady?: (signal?: AbortSignal) => Promise<void>;
}

export interface PipelineOptions {
  batchSize: number;
  /** From delivery.cluster_window_hours. */
  clusterWindowMs: number;
  clusterThreshold?: number;
  /** From delivery.edit_on_change: a changed story edits its posted message. */
  editOnChange: boolean;
  /** How often the running pipeline looks for work when nobody calls notify(). */
  idleMs: number;
  /** First wait before an item that failed is tried again (doubles each time; default one minute). */
  retryFailedMs?: number;
  /**
   * From delivery.max_story_age_days: a story dated more than this before it was read is stored, matched and
   * clustered, but no channel gets a new alert for it (0 or missing: no limit).
   */
  maxStoryAgeMs?: number;
}

export interface BatchStats {
  items: number;
  matched: number;
  clustered: number;
  newClusters: number;
  alerts: number;
  updates: number;
  failed: number;
  /** Stories some channel would have been alerted to, held back as older than maxStoryAgeMs. */
  tooOld: number;
}

export interface Pipeline {
  /** Processes unprocessed items until none are left (or `maxBatches`); returns totals. */
  runOnce(maxBatches?: number): Promise<BatchStats>;
  /** Wakes the running loop (new items were stored). */
  notify(): void;
  start(): Promise<void>;
  /** Finishes the item in hand, then stops. */
  stop(): Promise<void>;
}

/** Loads channel rules from a channels repository (ChannelsRepo satisfies it): three queries, whatever the number of channels. */
export function channelRulesFrom(channels: {
  list(): Promise<{ id: number; platform: PlatformName; workspaceId: string; paused: boolean }[]>;
  rulesByChannel(): Promise<{ topics: ReadonlyMap<number, string[]>; keywords: ReadonlyMap<number, { term: string; exclude: boolean }[]> }>;
}): () => Promise<ChannelRule[]> {
  return async () => {
    const [list, rules] = await Promise.all([channels.list(), channels.rulesByChannel()]);
    const out: ChannelRule[] = [];
    for (const c of list) {
      if (c.paused) continue;
      const topicIds = rules.topics.get(c.id) ?? [];
      const keywords = rules.keywords.get(c.id) ?? [];
      if (topicIds.length || keywords.some((k) => !k.exclude)) out.push({ channelId: c.id, tenant: tenantKey(c), topicIds, keywords });
    }
    return out;
  };
}

/**
 * Characters of an item's description and of its content that matching and routing read (on the event
 * loop). Descriptions are far shorter (news_items.jsonl: 704 at the 99th percentile, 14,162 at most) and
 * 20,000 characters of an article are some 3,000 words; 100 KB of each took 20-50 ms per item, which a
 * hostile feed could repeat for every entry. Summaries still see the whole text.
 */
export const MATCH_TEXT_CHARS = 20_000;

const capText = (s: string): string => (s.length > MATCH_TEXT_CHARS ? s.slice(0, MATCH_TEXT_CHARS) : s);

/** Clusters asked about at once when looking for one the item's feed is not in yet. */
const OWN_FEED_BATCH = 50;

const emptyStats = (): BatchStats => ({ items: 0, matched: 0, clustered: 0, newClusters: 0, alerts: 0, updates: 0, failed: 0, tooOld: 0 });

export function createPipeline(deps: PipelineDeps, opts: PipelineOptions): Pipeline {
  const log = deps.logger;
  const threshold = opts.clusterThreshold ?? DEFAULT_CLUSTER_OPTIONS.threshold;
  let running = false;
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let pendingWake = false;
  let stopCtl = new AbortController();
  const storageReady = deps.storageReady ?? waitMs(opts.idleMs);
  // An item that failed waits (doubling from retryFailedMs) so one bad item cannot block the rest.
  const failed = new Map<number, { count: number; retryAt: number }>();
  const retryFailedMs = opts.retryFailedMs ?? 60_000;
  // The window's clusters, kept between items and batches (see cluster-window.ts).
  const clusters = new ClusterWindow(deps.store, {
    windowMs: opts.clusterWindowMs,
    clock: () => deps.clock.now().getTime(),
    onUnreadable: (id, reason) =>
      log.warn({ cluster_id: id, err: reason }, `pipeline: cluster ${id}'s stored fingerprint cannot be read (${reason}); it is left out of placement, so new items of its story start a cluster of their own`),
  });

  /** The best-ranked cluster the item's feed has no item in yet, asking storage a few at a time. */
  async function notOwnFeed(ranked: readonly RankedCluster[], feedId: number): Promise<RankedCluster | null> {
    for (let i = 0; i < ranked.length; i += OWN_FEED_BATCH) {
      const some = ranked.slice(i, i + OWN_FEED_BATCH);
      const own = await deps.store.feedClusters(feedId, some.map((r) => r.clusterId));
      const choice = some.find((r) => !own.has(r.clusterId));
      if (choice) return choice;
    }
    return null;
  }

  const writes = deps.writes ?? (<T>(fn: (store: PipelineStore, outbox: OutboxWriter) => Promise<T>) => fn(deps.store, deps.outbox));

  async function processItem(item: PipelineItemInput, route: Router, audiences: ReadonlyMap<number, FeedAudience>, deliveries: ReadonlyMap<number, ChannelDelivery>, stats: BatchStats): Promise<void> {
    const now = deps.clock.now();
    const audience = audiences.get(item.feedId) ?? NO_AUDIENCE;
    const description = item.summary;
    const content = item.content || item.articleText || '';
    const doc: RoutableDoc = { title: item.title, description: capText(description), content: capText(content) };

    // 1. Topics, and the relevance score that ranks the brief.
    const decision = deps.match(doc);
    const matches = decision.topics.filter((m) => m.matched);

    // 2. Cluster: the one the item joined before (it keeps it through edits and re-runs), else one of its story
    // that its feed is not in yet, else a new one (made with the item's writes, step 6).
    const at = storyTime(item);
    let joined = item.clusterId;
    let signature = '';
    if (joined === null) {
      signature = storySignature({ title: item.title, summary: description || content });
      // Only clusters started by a feed everyone who sees this item also sees (tenancy: rank applies mayJoinCluster).
      // A story the scorer let in (filed under a topic) may also join one whose first story was, by the in-scope rule.
      const index = await clusters.indexFor(at.getTime());
      const ranked = index.rank({ fingerprint: decodeFingerprint(signature), at: at.getTime(), audience, inScope: matches.length > 0 }, { threshold, windowMs: opts.clusterWindowMs });
      joined = (await notOwnFeed(ranked, item.feedId))?.clusterId ?? null;
    }

    // 3. Route. A story dated long before it was read (an archive piece, a feed that moved and re-lists its old
    // entries under new links) gets no new alert; coverage of a story already posted still edits its message.
    const matchedIds = matches.map((m) => m.topicId);
    const routed = route(matchedIds, doc, audience);
    const tooOld = !!opts.maxStoryAgeMs && item.fetchedAt.getTime() - at.getTime() > opts.maxStoryAgeMs;
    const alertChannels = tooOld ? [] : routed.channelIds;
    if (tooOld && routed.channelIds.length) stats.tooOld++;

    // 4. Summarise what some channel will see. It may fetch the article page, so it comes before the writes:
    // no transaction is held open while a page loads.
    let digest: { summary: string; fromExcerpt: boolean } | null = null;
    if (matches.length || routed.channelIds.length) {
      const topicTerms = [...new Set(matchedIds.flatMap((t) => deps.topicTerms?.(t) ?? []))];
      // The article page is fetched as the item's feed was added: a feed only chat added gets no allow_hosts.
      digest = await deps.summarize({ title: item.title, text: content || description, url: item.url, topicTerms, scope: audience.global ? 'operator' : 'chat' });
    }

    // 5. Channels that already have this story (a new cluster has none).
    const existing = joined === null ? [] : await deps.outbox.forCluster(joined);

    // 6. The item's writes together. Channels that already have this story: new coverage (another item) always
    // edits the message; the same item again (a material change, or a re-run) edits it when edit_on_change is
    // on. A channel the item's feed does not reach is left alone (its message would not show the item). A
    // channel in brief mode, or in its quiet hours, gets the story held for its brief or the window's end. The
    // item is marked processed last, unless it changed meanwhile (then the next batch takes the new version).
    const wrote = await writes(async (store, outbox) => {
      let updates = 0;
      let alerts = 0;
      await store.setItemTopics(item.id, matches.map((m) => ({ topicId: m.topicId, score: m.score, reasons: m.reasons })), decision.relevance);
      const clusterId = joined ?? (await store.create({ signature, title: item.title, firstItemId: item.id, at, createdAt: now })).id;
      if (item.clusterId === null) await store.assignCluster(item.id, clusterId);
      await store.touch(clusterId, at);
      if (digest) await store.saveDigest(item.id, { digest: digest.summary, fromExcerpt: digest.fromExcerpt });
      const have = new Set<number>();
      for (const a of existing) {
        have.add(a.channelId);
        if (a.status === 'dead' || !reaches(audience, a.channelTenant)) continue;
        if (a.itemId !== item.id || opts.editOnChange) {
          if (await outbox.requestUpdate(a.channelId, clusterId, now)) updates++;
        }
      }
      for (const channelId of alertChannels) {
        if (have.has(channelId)) continue;
        const d = deliveries.get(channelId);
        const held = d ? holdsAlerts(d, now.getTime()) : false;
        if (await outbox.enqueue({ channelId, clusterId, itemId: item.id, at: now, held })) alerts++;
      }
      await store.markProcessed(item.id, item.contentHash);
      return { clusterId, updates, alerts };
    });
    await clusters.touched(wrote.clusterId, at.getTime());
    if (matches.length) stats.matched++;
    if (item.clusterId === null) {
      if (joined !== null) stats.clustered++;
      else stats.newClusters++;
    }
    stats.updates += wrote.updates;
    stats.alerts += wrote.alerts;
  }

  async function runBatch(limit: number): Promise<BatchStats> {
    const stats = emptyStats();
    const now = deps.clock.now().getTime();
    const waiting = (id: number) => (failed.get(id)?.retryAt ?? 0) > now;
    // In the order the stories happened (storage's order), so alerts of a catch-up reach a channel oldest first,
    // and a story's first outlet is the one that starts its cluster.
    const items = (await deps.store.unprocessedItems(limit + failed.size)).filter((i) => !waiting(i.id)).slice(0, limit);
    if (items.length === 0) return stats;
    const [rules, audiences, deliveries] = await Promise.all([deps.channelRules(), deps.feedAudiences(), deps.channelDeliveries?.() ?? new Map<number, ChannelDelivery>()]);
    const route = createRouter(rules);
    clusters.setAudiences(audiences);
    for (const item of items) {
      if (stopping && running) break;
      stats.items++;
      try {
        await processItem(item, route, audiences, deliveries, stats);
        failed.delete(item.id);
      } catch (err) {
        if (isStorageFailure(err)) throw err;
        stats.failed++;
        const count = (failed.get(item.id)?.count ?? 0) + 1;
        const waitMs = Math.min(retryFailedMs * 2 ** (count - 1), 24 * 3600_000);
        failed.set(item.id, { count, retryAt: deps.clock.now().getTime() + waitMs });
        log.error({ item_id: item.id, attempts: count, retry_in_ms: waitMs, err: errorMessage(err) }, 'pipeline: item failed; it stays unprocessed and is tried again later');
      }
    }
    return stats;
  }

  async function runOnce(maxBatches = Infinity): Promise<BatchStats> {
    const locked = deps.store.withPipelineLock ? await deps.store.withPipelineLock(() => runBatches(maxBatches)) : await runBatches(maxBatches);
    return locked ?? emptyStats();
  }

  async function runBatches(maxBatches: number): Promise<BatchStats> {
    const total = emptyStats();
    for (let b = 0; b < maxBatches; b++) {
      const s = await runBatch(opts.batchSize);
      for (const k of Object.keys(total) as (keyof BatchStats)[]) total[k] += s[k];
      if (s.alerts || s.updates) deps.onAlerts?.();
      if (s.items < opts.batchSize || (stopping && running)) break;
    }
    if (total.items) log.info({ ...total }, 'pipeline: processed items');
    if (total.tooOld) {
      const days = Math.round((opts.maxStoryAgeMs ?? 0) / 86_400_000);
      log.info(
        { too_old: total.tooOld },
        `pipeline: ${total.tooOld} ${total.tooOld === 1 ? 'story was' : 'stories were'} dated more than ${days} days before ${total.tooOld === 1 ? 'it was' : 'they were'} read: stored without alerts (delivery.max_story_age_days)`,
      );
    }
    return total;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (pendingWake || stopping) {
        pendingWake = false;
        resolve();
        return;
      }
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = null;
        pendingWake = false;
        resolve();
      }
      wake = done;
    });
  }

  return {
    runOnce,
    notify() {
      if (wake) wake();
      else pendingWake = true;
    },
    async start() {
      if (running) return;
      running = true;
      stopping = false;
      stopCtl = new AbortController();
      loop = (async () => {
        while (!stopping) {
          try {
            await runOnce();
          } catch (err) {
            if (isStorageFailure(err)) {
              // Logged once per outage by the storage monitor. Go on as soon as the database answers.
              log.debug({ err: errorMessage(err) }, 'pipeline: batch stopped by a storage error; waiting for the database');
              await storageReady(stopCtl.signal);
              await waitMs(250)(stopCtl.signal);
              continue;
            }
            log.error({ err: errorMessage(err) }, 'pipeline: batch failed; retrying shortly');
          }
          if (!stopping) await sleep(opts.idleMs);
        }
      })();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      stopCtl.abort();
      wake?.();
      await loop;
      running = false;
      loop = null;
    },
  };
}
