// The dispatcher drains the outbox. It claims due rows with a lease, hands each channel's rows to that
// channel's worker, and the worker sends them in order, paced, through the channel's platform:
// - at most `burstPerChannel` stories go out one by one per channel within `burstWindowMs` (one poll's
//   worth); the rest go out as one digest message ("12 more stories"), once no more have come for
//   `overflowQuietMs` (a catch-up reaches the outbox over several pipeline batches);
// - a row is marked `sending` durably before the platform call and `sent` with the message id after it;
// - 429 waits for Retry-After (not counted as an attempt); 5xx/network errors back off exponentially with
//   jitter; after `maxAttempts` the row is dead-lettered (`cyberbrief alerts list --failed`);
// - a permanent error (channel gone, bot removed, missing access) pauses the channel and says so;
// - a sent row with edit requests (new coverage, changed story) has its message edited (storage does not
//   hand out rows the channel marked not relevant);
// - a story's message, posted or edited, carries the alert id for its feedback buttons;
// - in a channel with threads on, later coverage of a posted story goes as replies in its thread
//   (follow-ups.ts) instead of an edit;
// - briefs (the brief outbox) go through the same per-channel workers and pacing (brief-delivery.ts).
// A row that fails holds back the rows behind it in its channel, so a channel sees its stories in order.
//
// The database may go away at any moment (a dropped connection, a restart, a failover, a full disk). A
// storage error is never counted against an alert: the round stops, its leases are given back as soon as
// the database answers, and the next round (which waits for the database) takes the rows again. Once a
// platform has taken a message, recording it is retried until it is stored: the row is not sent twice
// because of a write that failed after the send (or whose acknowledgement was lost: the write is guarded
// by the lease, so repeating it is harmless).
import type { ChatPlatform, DigestView, StoryView } from '../domain/chat.ts';
import { DeliveryError } from '../domain/chat.ts';
import type { AlertFailureOutcome, AlertStory, ClaimedAlert, PlatformName } from '../domain/types.ts';
import type { Clock } from '../lib/clock.ts';
import { remoteErrorText } from '../lib/bounded-text.ts';
import { errorMessage, isStorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { retryStorage, waitMs } from '../lib/retry-storage.ts';
import { sendBrief, type BriefDelivery, type DispatchBrief } from './brief-delivery.ts';
import { sendFollowUps } from './follow-ups.ts';
import type { ChannelTarget, SendContext } from './send-context.ts';

/** The outbox as the dispatcher uses it (AlertsRepo satisfies it). */
export interface DispatchStore {
  claimDue(opts: { now: Date; limit: number; owner: string; leaseUntil: Date; platforms: readonly PlatformName[] }): Promise<ClaimedAlert[]>;
  extendLease(ids: readonly number[], owner: string, leaseUntil: Date): Promise<void>;
  release(ids: readonly number[], owner: string): Promise<void>;
  markSending(id: number, owner: string, at: Date, leaseUntil?: Date): Promise<boolean>;
  markSent(id: number, owner: string, s: { messageId: string; at: Date; inDigest: boolean; updateCount: number; followedItemId?: number | null }): Promise<void>;
  markUpdated(id: number, owner: string, u: { at: Date; updateCount: number; followedItemId?: number | null }): Promise<void>;
  /** A thread reply about `itemId` is about to be sent; false when the lease was lost. */
  markFollowing(id: number, owner: string, itemId: number, at: Date): Promise<boolean>;
  /** The thread reply about `itemId` is out. */
  markFollowed(id: number, owner: string, itemId: number, at: Date): Promise<void>;
  recordFailure(id: number, owner: string, f: { error: string; at: Date; retryAt: Date; countAttempt: boolean; maxAttempts: number }): Promise<AlertFailureOutcome>;
  noteError(id: number, owner: string, error: string, at: Date): Promise<void>;
  /** The story as `alert`'s channel may see it (coverage from feeds visible to the channel's tenant). */
  story(alert: { itemId: number; clusterId: number; channelId: number }): Promise<AlertStory | null>;
  /**
   * How many of the channel's stories went out on their own (not in a digest) since `since`, by any instance or
   * before a restart: the burst cap's count. Without it, only this process's own posts count.
   */
  postedAlone?(channelId: number, since: Date): Promise<number>;
}

export interface DispatcherDeps {
  store: DispatchStore;
  /** The platform registry: only channels of these platforms are served. */
  platforms: ReadonlyMap<PlatformName, ChatPlatform>;
  /** Stops deliveries to a channel for good (ChannelsRepo.pause). */
  pauseChannel: (channelId: number, reason: string) => Promise<void>;
  /** Display name of a topic id. */
  topicName?: (topicId: string) => string;
  clock: Clock;
  logger: Logger;
  /** Waits `ms` (tests may pass a faster one); must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Random source for jitter, 0 <= x < 1. */
  random?: () => number;
  /** Resolves when the database is worth trying again after a storage error (the storage monitor's ready). */
  storageReady?: (signal?: AbortSignal) => Promise<void>;
  /** The brief outbox and how to compose a brief: without it, briefs are not sent by this dispatcher. */
  briefs?: BriefDelivery;
}

export interface DispatcherOptions {
  /** This instance's lease owner name (unique per process). */
  owner: string;
  maxAttempts: number;
  burstPerChannel: number;
  /**
   * The burst cap counts stories posted to the channel within this window, so a poll's alerts split over
   * two rounds still share one cap (0: each round has its own cap).
   */
  burstWindowMs?: number;
  /**
   * A round's overflow (what the burst cap leaves for a digest) waits while its newest row is younger than this,
   * so a catch-up that reaches the outbox over several pipeline batches goes as one digest, not one per round
   * (0 or absent: it goes at once). It never waits past `overflowMaxWaitMs` after its oldest row.
   */
  overflowQuietMs?: number;
  overflowMaxWaitMs?: number;
  /** Minimum gap between two messages to one channel; per platform when given as a map. */
  channelIntervalMs: number | Partial<Record<PlatformName, number>>;
  leaseMs: number;
  /** Rows claimed per round (briefs: a tenth of it, at least one). */
  claimLimit: number;
  /** How often to look for due rows when nobody calls notify(). */
  idleMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_BACKOFF = { backoffBaseMs: 2_000, backoffMaxMs: 15 * 60_000 };

export interface Dispatcher {
  /** Claims once and delivers what it got; resolves when those rows are done. Returns the rows claimed. */
  runOnce(): Promise<number>;
  /** Look for due rows now (the pipeline wrote some). */
  notify(): void;
  start(): Promise<void>;
  /** Stops claiming; in-flight sends finish, rows not yet sent are released. */
  stop(): Promise<void>;
}

/** Exponential backoff with full-range jitter: base * 2^(attempt-1), times 0.5..1.5, capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(maxMs, exp * (0.5 + random())));
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export function alertRef(alertId: number): string {
  return `cyberbrief-alert-${alertId}`;
}

/** The newest item a story message shows: its own item or the newest coverage in it. */
function newestItem(itemId: number, s: AlertStory): number {
  return s.coverage.reduce((m, c) => Math.max(m, c.itemId), itemId);
}

export function createDispatcher(deps: DispatcherDeps, opts: DispatcherOptions): Dispatcher {
  const { store, logger: log, clock } = deps;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? defaultSleep;
  const platforms = [...deps.platforms.keys()];
  const stopCtl = new AbortController();
  // Writes that record a send keep trying through a database outage, and for a few seconds into shutdown.
  const giveUpCtl = new AbortController();
  const storageReady = deps.storageReady ?? waitMs(opts.idleMs);
  const keep = <T>(write: () => Promise<T>) => retryStorage(write, { ready: storageReady, signal: giveUpCtl.signal });
  /** Earliest time the next message may go to a channel (pacing and Retry-After). */
  const nextSlot = new Map<number, number>();
  /** When stories were posted one by one to each channel, for the burst cap. */
  const posted = new Map<number, number[]>();
  /** Per-channel work in progress: a chain of rounds, so one channel's rows never overlap. */
  const workers = new Map<number, Promise<void>>();
  let loop: Promise<void> | null = null;
  let wakeCtl = new AbortController();
  let woken = false;
  let started = false;

  const intervalFor = (p: PlatformName): number =>
    typeof opts.channelIntervalMs === 'number' ? opts.channelIntervalMs : (opts.channelIntervalMs[p] ?? 0);

  async function pace(a: ChannelTarget): Promise<void> {
    const wait = (nextSlot.get(a.channelId) ?? 0) - clock.now().getTime();
    if (wait > 0) await sleep(wait, stopCtl.signal);
  }
  const sentNow = (a: ChannelTarget) => nextSlot.set(a.channelId, Math.max(nextSlot.get(a.channelId) ?? 0, clock.now().getTime() + intervalFor(a.platform)));

  /** Pauses a channel the platform refuses for good, and tells it why (when it still can). */
  async function pauseFor(t: ChannelTarget, message: string): Promise<void> {
    const ctx = { channel: `${t.platform}:${t.externalId}`, channel_id: t.channelId };
    await deps.pauseChannel(t.channelId, `${t.platform} refused delivery: ${message}`);
    log.warn({ ...ctx, err: message }, 'dispatcher: channel paused after a permanent error; alerts wait until an admin resumes it (/news status shows why)');
    try {
      await deps.platforms.get(t.platform)?.postNotice(t.externalId, `cyberbrief paused alerts for this channel: ${message}. A channel admin can resume them with /news subscribe once the bot has access again.`);
    } catch (noticeErr) {
      log.warn({ ...ctx, err: errorMessage(noticeErr) }, 'dispatcher: could not tell the channel it was paused');
    }
  }

  function storyView(a: ClaimedAlert, s: AlertStory): StoryView {
    return {
      title: s.title,
      url: s.url,
      source: s.source,
      publishedAt: s.publishedAt,
      summary: s.digest ?? s.summary,
      fromExcerpt: s.digest ? s.digestFromExcerpt : true,
      topics: s.topics.map((t) => ({ id: t.topicId, name: deps.topicName?.(t.topicId) ?? t.topicId })),
      alsoCoveredBy: s.coverage.map((c) => ({ source: c.source, title: c.title, url: c.url })),
      ref: alertRef(a.id),
      // Posts and edits of an alert carry the feedback buttons (digests do not).
      feedbackAlertId: a.id,
    };
  }

  /**
   * Handles a failed send or edit of `rows` (one story, or every row of a digest). Returns true when the
   * channel must stop for this round (the failed rows hold back the rest).
   */
  async function failed(rows: ClaimedAlert[], err: unknown, what: 'send' | 'edit'): Promise<boolean> {
    const now = clock.now();
    const first = rows[0]!;
    const kind = err instanceof DeliveryError ? err.kind : 'transient';
    // The platform's own words (Slack's error code, Discord's message): stored, shown in chat and on the
    // dashboard, and posted to the channel when it is paused, so bounded here, once.
    const message = remoteErrorText(err);
    const ctx = { channel: `${first.platform}:${first.externalId}`, channel_id: first.channelId, alert_ids: rows.map((r) => r.id), what };

    const scope = err instanceof DeliveryError ? err.scope : 'channel';
    if (kind === 'permanent' && what === 'send' && scope === 'message') {
      // This message can never be sent as it is (too long, invalid blocks): dead-letter it, move on.
      for (const r of rows) await store.recordFailure(r.id, opts.owner, { error: `permanent: ${message}`, at: now, retryAt: now, countAttempt: true, maxAttempts: 0 });
      log.error({ ...ctx, err: message }, 'dispatcher: alert dead-lettered: the platform refused this message; `cyberbrief alerts list --failed` shows it');
      return false;
    }
    if (kind === 'permanent' && what === 'send') {
      for (const r of rows) await store.noteError(r.id, opts.owner, `channel paused: ${message}`, now);
      await pauseFor(first, message);
      return true;
    }

    let countAttempt = true;
    let delay: number;
    if (kind === 'rate_limited') {
      countAttempt = false;
      delay = err instanceof DeliveryError && err.retryAfterMs !== null ? err.retryAfterMs : backoffMs(1, opts.backoffBaseMs, opts.backoffMaxMs, random);
      nextSlot.set(first.channelId, Math.max(nextSlot.get(first.channelId) ?? 0, now.getTime() + delay));
    } else if (kind === 'permanent') {
      // A permanent error on an edit (message deleted, say): the edit cannot succeed; drop it.
      for (const r of rows) await store.recordFailure(r.id, opts.owner, { error: message, at: now, retryAt: now, countAttempt: true, maxAttempts: 0 });
      log.warn({ ...ctx, err: message }, 'dispatcher: edit dropped after a permanent error');
      return false;
    } else {
      delay = backoffMs(first.attempts + 1, opts.backoffBaseMs, opts.backoffMaxMs, random);
    }
    const retryAt = new Date(now.getTime() + delay);
    let dead = 0;
    for (const r of rows) {
      const outcome = await store.recordFailure(r.id, opts.owner, { error: `${kind}: ${message}`, at: now, retryAt, countAttempt, maxAttempts: opts.maxAttempts });
      if (outcome === 'dead') dead++;
      if (outcome === 'dead') log.error({ ...ctx, alert_id: r.id, err: message }, 'dispatcher: alert dead-lettered after max attempts; `cyberbrief alerts retry` sends it again');
      else if (outcome === 'update_dropped') log.warn({ ...ctx, alert_id: r.id, err: message }, 'dispatcher: edit abandoned after max attempts');
    }
    if (!dead) log.info({ ...ctx, kind, retry_in_ms: delay, err: message }, `dispatcher: ${what} failed; will retry`);
    // Dead rows no longer hold the channel back; anything else does until its retry time.
    return what === 'send' && dead < rows.length;
  }

  /** Sends one unsent row as a story. Returns false when the channel must stop for this round. */
  async function sendStory(platform: ChatPlatform, a: ClaimedAlert): Promise<boolean> {
    // An earlier attempt may have reached the platform: the process died mid-send (`sending`), or a send
    // failed in a way that does not prove it was refused (a 5xx or a timeout after the platform took it).
    const uncertain = a.status === 'sending' || a.attempts > 0;
    if (uncertain && platform.findStory) {
      try {
        const found = await platform.findStory(a.externalId, alertRef(a.id), undefined, a.createdAt);
        if (found) {
          // The story as posted then is unknown: the next edit or thread reply starts from the alert's item.
          await store.markSent(a.id, opts.owner, { messageId: found.messageId, at: clock.now(), inDigest: false, updateCount: 0, followedItemId: a.itemId });
          log.info({ alert_id: a.id, channel_id: a.channelId }, 'dispatcher: alert had been posted before a restart or a failed attempt; recorded it');
          return true;
        }
      } catch (err) {
        log.warn({ alert_id: a.id, channel_id: a.channelId, err: errorMessage(err) }, 'dispatcher: could not ask the platform whether an interrupted send arrived; sending again');
      }
    } else if (a.status === 'sending') {
      log.warn({ alert_id: a.id, channel_id: a.channelId }, 'dispatcher: resending an alert whose earlier attempt was interrupted (with the same ref, so platforms that deduplicate by it keep one message)');
    }
    const s = await store.story(a);
    if (!s) {
      await store.recordFailure(a.id, opts.owner, { error: 'the item was deleted', at: clock.now(), retryAt: clock.now(), countAttempt: true, maxAttempts: 0 });
      return true;
    }
    await pace(a);
    if (stopCtl.signal.aborted) return false;
    if (!(await store.markSending(a.id, opts.owner, clock.now(), leaseEnd()))) return false;
    let sent;
    try {
      sent = await platform.postStory(a.externalId, storyView(a, s));
    } catch (err) {
      sentNow(a);
      return !(await failed([a], err, 'send'));
    }
    sentNow(a);
    posted.set(a.channelId, [...(posted.get(a.channelId) ?? []), clock.now().getTime()]);
    // A story posted now shows the cluster as it stands: the edit requests seen at claim are covered.
    const messageId = sent.messageId;
    const followedItemId = newestItem(a.itemId, s);
    await keep(() => store.markSent(a.id, opts.owner, { messageId, at: clock.now(), inDigest: false, updateCount: a.updateCount, followedItemId }));
    log.info({ alert_id: a.id, channel_id: a.channelId, message_id: sent.messageId }, 'dispatcher: story posted');
    return true;
  }

  async function sendDigest(platform: ChatPlatform, rows: ClaimedAlert[]): Promise<boolean> {
    const first = rows[0]!;
    const stories: DigestView['stories'] = [];
    const live: ClaimedAlert[] = [];
    for (const a of rows) {
      const s = await store.story(a);
      if (!s) {
        await store.recordFailure(a.id, opts.owner, { error: 'the item was deleted', at: clock.now(), retryAt: clock.now(), countAttempt: true, maxAttempts: 0 });
        continue;
      }
      stories.push({ title: s.title, url: s.url, source: s.source });
      live.push(a);
    }
    if (live.length === 0) return true;
    await pace(first);
    if (stopCtl.signal.aborted) return false;
    for (const a of live) {
      if (!(await store.markSending(a.id, opts.owner, clock.now(), leaseEnd()))) return false;
    }
    let sent;
    try {
      sent = await platform.postDigest(first.externalId, { stories, ref: alertRef(live[0]!.id) });
    } catch (err) {
      sentNow(first);
      return !(await failed(live, err, 'send'));
    }
    sentNow(first);
    const messageId = sent.messageId;
    for (const a of live) await keep(() => store.markSent(a.id, opts.owner, { messageId, at: clock.now(), inDigest: true, updateCount: a.updateCount }));
    log.info({ channel_id: first.channelId, alert_ids: live.map((a) => a.id), message_id: messageId }, 'dispatcher: digest posted');
    return true;
  }

  async function editStory(platform: ChatPlatform, a: ClaimedAlert): Promise<void> {
    if (a.inDigest || !a.messageId) {
      await store.markUpdated(a.id, opts.owner, { at: clock.now(), updateCount: a.updateCount });
      return;
    }
    const s = await store.story(a);
    if (!s) {
      await store.markUpdated(a.id, opts.owner, { at: clock.now(), updateCount: a.updateCount });
      return;
    }
    // Threads on: new coverage goes as replies in the story's thread; a changed story is still edited.
    if (a.threads && a.followedItemId !== null) {
      const r = await sendFollowUps(sendContext, store, platform, { ...a, messageId: a.messageId, followedItemId: a.followedItemId }, s);
      if (r.kind === 'stopped') {
        await store.release([a.id], opts.owner);
        return;
      }
      if (r.kind === 'done') {
        await keep(() => store.markUpdated(a.id, opts.owner, { at: clock.now(), updateCount: a.updateCount }));
        return;
      }
      if (r.kind === 'failed') {
        const err = r.error;
        if (!(err instanceof DeliveryError && err.kind === 'permanent')) {
          await failed([a], err, 'edit');
          return;
        }
        // The thread cannot take replies (no permission, archived): show the coverage by editing the story instead.
        log.warn({ alert_id: a.id, channel_id: a.channelId, err: errorMessage(err) }, 'dispatcher: the story\'s thread refused a reply; editing the story instead');
      }
    }
    await pace(a);
    if (stopCtl.signal.aborted) {
      await store.release([a.id], opts.owner);
      return;
    }
    try {
      await platform.updateStory(a.externalId, a.messageId, storyView(a, s));
    } catch (err) {
      sentNow(a);
      await failed([a], err, 'edit');
      return;
    }
    sentNow(a);
    const followedItemId = newestItem(a.itemId, s);
    await keep(() => store.markUpdated(a.id, opts.owner, { at: clock.now(), updateCount: a.updateCount, followedItemId }));
    log.info({ alert_id: a.id, channel_id: a.channelId, message_id: a.messageId }, 'dispatcher: story edited');
  }

  /** Whether a round's overflow waits for more rows to join its digest (DispatcherOptions.overflowQuietMs); released, it is claimed again next round. */
  function overflowWaits(rows: readonly ClaimedAlert[]): boolean {
    const quiet = opts.overflowQuietMs ?? 0;
    if (quiet <= 0) return false;
    const now = clock.now().getTime();
    let newest = -Infinity;
    let oldest = Infinity;
    for (const r of rows) {
      const t = r.createdAt.getTime();
      if (t > newest) newest = t;
      if (t < oldest) oldest = t;
    }
    return now - newest < quiet && now - oldest < (opts.overflowMaxWaitMs ?? quiet);
  }

  /** One channel's claimed rows: sends in order (burst, then one digest), then edits, then briefs. */
  async function deliverChannel(rows: ClaimedAlert[], briefRows: DispatchBrief[]): Promise<void> {
    const first: ChannelTarget = rows[0] ?? briefRows[0]!;
    const platform = deps.platforms.get(first.platform);
    // Rows this round holds. Finished rows have already given their lease up, so releasing or extending
    // the whole set at the end touches only the rows still ours.
    const held = rows.map((r) => r.id);
    const heldBriefs = briefRows.map((b) => b.id);
    const briefStore = deps.briefs?.store;
    // Keep the leases alive while this channel works through its rows.
    const renew = setInterval(() => {
      const until = new Date(clock.now().getTime() + opts.leaseMs);
      void store.extendLease(held, opts.owner, until).catch(() => undefined);
      if (briefStore) void briefStore.extendLease(heldBriefs, opts.owner, until).catch(() => undefined);
    }, Math.max(1000, Math.floor(opts.leaseMs / 3)));
    try {
      if (!platform) return;
      const sends = rows.filter((r) => r.status !== 'sent');
      const edits = rows.filter((r) => r.status === 'sent');
      const windowStart = clock.now().getTime() - (opts.burstWindowMs ?? 0);
      const recent = (posted.get(first.channelId) ?? []).filter((t) => opts.burstWindowMs && t > windowStart);
      posted.set(first.channelId, recent);
      // The stored count also sees other instances' posts and those made before a restart (a held overflow may be
      // claimed by either); this process's own list covers a send whose record is still being written.
      const stored = opts.burstWindowMs && sends.length && store.postedAlone ? await store.postedAlone(first.channelId, new Date(windowStart)) : 0;
      const allowance = Math.max(0, opts.burstPerChannel - Math.max(recent.length, stored));
      const individual = sends.slice(0, allowance);
      const overflow = sends.slice(allowance);
      let ok = true;
      for (const a of individual) {
        if (stopCtl.signal.aborted) break;
        ok = await sendStory(platform, a);
        if (!ok) break;
      }
      if (ok && overflow.length && !stopCtl.signal.aborted && !overflowWaits(overflow)) {
        ok = await sendDigest(platform, overflow);
      }
      for (const a of edits) {
        if (stopCtl.signal.aborted) break;
        await editStory(platform, a);
      }
      if (deps.briefs) {
        for (const b of briefRows) {
          if (stopCtl.signal.aborted) break;
          if (!(await sendBrief(sendContext, deps.briefs, platform, b))) break;
        }
      }
    } catch (err) {
      // A storage error was logged once by the storage monitor for the whole outage.
      if (isStorageFailure(err)) log.debug({ channel_id: first.channelId, err: errorMessage(err) }, 'dispatcher: channel round stopped by a storage error; its rows are released when the database answers');
      else log.error({ channel_id: first.channelId, err: errorMessage(err) }, 'dispatcher: channel round failed; its rows are released');
    } finally {
      clearInterval(renew);
      // Given back as soon as the database answers, not when the lease runs out.
      await keep(() => store.release(held, opts.owner)).catch(() => undefined);
      if (briefStore) await keep(() => briefStore.release(heldBriefs, opts.owner)).catch(() => undefined);
    }
  }

  const leaseEnd = () => new Date(clock.now().getTime() + opts.leaseMs);

  const sendContext: SendContext = {
    clock,
    log,
    owner: opts.owner,
    maxAttempts: opts.maxAttempts,
    pace,
    sentNow,
    holdChannel: (t, untilMs) => nextSlot.set(t.channelId, Math.max(nextSlot.get(t.channelId) ?? 0, untilMs)),
    backoff: (attempt) => backoffMs(attempt, opts.backoffBaseMs, opts.backoffMaxMs, random),
    stopped: () => stopCtl.signal.aborted,
    keep,
    leaseEnd,
    pauseChannel: pauseFor,
  };

  /** Claims one round and queues each channel's rows behind that channel's current work. */
  async function claimRound(): Promise<{ rows: number; work: Promise<void>[] }> {
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + opts.leaseMs);
    const rows = await store.claimDue({ now, limit: opts.claimLimit, owner: opts.owner, leaseUntil, platforms });
    const briefRows = deps.briefs ? await deps.briefs.store.claimDue({ now, limit: Math.max(1, Math.floor(opts.claimLimit / 10)), owner: opts.owner, leaseUntil, platforms }) : [];
    const byChannel = new Map<number, { alerts: ClaimedAlert[]; briefs: DispatchBrief[] }>();
    const slot = (channelId: number) => {
      let v = byChannel.get(channelId);
      if (!v) byChannel.set(channelId, (v = { alerts: [], briefs: [] }));
      return v;
    };
    for (const r of rows) slot(r.channelId).alerts.push(r);
    for (const b of briefRows) slot(b.channelId).briefs.push(b);
    const started: Promise<void>[] = [];
    for (const [channelId, list] of byChannel) {
      const prev = workers.get(channelId) ?? Promise.resolve();
      const next = prev.then(() => deliverChannel(list.alerts, list.briefs));
      workers.set(channelId, next);
      void next.finally(() => {
        if (workers.get(channelId) === next) workers.delete(channelId);
      });
      started.push(next);
    }
    return { rows: rows.length + briefRows.length, work: started };
  }

  return {
    async runOnce() {
      const round = await claimRound();
      await Promise.all(round.work);
      return round.rows;
    },
    notify() {
      woken = true;
      wakeCtl.abort();
    },
    async start() {
      if (started) return;
      started = true;
      loop = (async () => {
        while (!stopCtl.signal.aborted) {
          woken = false;
          try {
            await claimRound();
          } catch (err) {
            if (isStorageFailure(err)) {
              // Logged once per outage by the storage monitor; wait for the database, then (after the idle wait) claim again.
              log.debug({ err: errorMessage(err) }, 'dispatcher: claim failed on a storage error; waiting for the database');
              await storageReady(stopCtl.signal);
            } else {
              log.error({ err: errorMessage(err) }, 'dispatcher: claim failed; retrying shortly');
            }
          }
          if (stopCtl.signal.aborted) break;
          if (!woken) {
            wakeCtl = new AbortController();
            const both = AbortSignal.any([wakeCtl.signal, stopCtl.signal]);
            await sleep(opts.idleMs, both);
          }
        }
      })();
    },
    async stop() {
      stopCtl.abort();
      // A send already made is recorded if the database answers within a few seconds; otherwise its row
      // stays `sending` and the next start asks the platform whether it arrived.
      setTimeout(() => giveUpCtl.abort(), 5_000).unref();
      await loop;
      await Promise.all([...workers.values()]);
    },
  };
}
