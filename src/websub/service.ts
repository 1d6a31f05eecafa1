// WebSub push, the subscriber's side: subscribe to the hub a polled feed advertises, accept the hub's
// verification only for a request we made, store signed content through the same path as a poll, renew
// leases before they end, and unsubscribe when the feed is removed or disabled (retried as subscribing is,
// up to UNSUBSCRIBE_ATTEMPTS times or until the lease would lapse anyway). Polling is the fallback:
// while a subscription is active the feed is polled every `fallbackIntervalSeconds`; when subscribing
// fails, the hub denies or never verifies, or the lease lapses, the feed is polled as usual again.
//
// Pushed content whose X-Hub-Signature is missing or wrong is acknowledged with 202 and ignored (WebSub
// §8: the subscriber MUST ignore it and MAY answer 2xx): an error status would only make a hub retry the
// same bytes, and tells a forger nothing about the secret either way.
import type { Feed } from '../domain/types.ts';
import type { PushHooks } from '../feeds/poller.ts';
import { newestKeys } from '../feeds/poller.ts';
import type { FeedReader } from '../feeds/read-feed.ts';
import type { Route } from '../http/server.ts';
import type { Clock } from '../lib/clock.ts';
import { quoted } from '../lib/bounded-text.ts';
import { errorMessage, isStorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { FeedsRepo } from '../storage/feeds-repo.ts';
import type { ItemsRepo } from '../storage/items-repo.ts';
import type { ClaimedSubscription, WebSubRepo, WebSubSubscription } from '../storage/websub-repo.ts';
import { CALLBACK_PREFIX, callbackRoutes, type CallbackTarget, type Verification } from './callback.ts';
import { discoverHub, type HubLinks } from './discover.ts';
import type { HubClient } from './hub-client.ts';
import { randomToken, type SecretKeeper } from './secrets.ts';
import { checkSignature } from './signature.ts';

export interface WebSubOptions {
  /** Base URL the hub reaches this bot at (server.public_url). */
  publicUrl: string;
  fallbackIntervalSeconds: number;
  leaseSeconds: number;
  renewBeforeSeconds: number;
  verifyTimeoutSeconds: number;
  retrySeconds: number;
  checkSeconds: number;
  /** Largest pushed body accepted (polling.max_body_bytes). */
  maxBodyBytes: number;
  /** A feed never polled yet: the newest N pushed items are alerted (polling.backfill), as a first poll. */
  backfill: number;
  /** Owner name on the renewal job's leases. */
  instanceId: string;
}

export type PushOutcome = 'stored' | 'refused' | 'unreadable';

export interface WebSubDeps {
  repo: Pick<WebSubRepo, 'insert' | 'forFeed' | 'byCallback' | 'requested' | 'verified' | 'failed' | 'renewalFailed' | 'unsubscribeFailed' | 'pushed' | 'delete' | 'release' | 'claimDue' | 'pushedFeeds'>;
  feeds: Pick<FeedsRepo, 'get' | 'checkSoon'>;
  items: Pick<ItemsRepo, 'storeForFeed'>;
  hub: HubClient;
  secrets: SecretKeeper;
  /** The same reader a poll uses (the bot: a worker thread with a deadline). */
  readFeed: FeedReader;
  clock: Clock;
  logger: Logger;
  /** New or changed items were stored (wake the pipeline). */
  onItemsStored?: () => void;
  /** Told each pushed body's outcome (metrics); must not throw. */
  onPushed?: (outcome: PushOutcome) => void;
}

export interface WebSub extends PushHooks, CallbackTarget {
  /** GET and POST under /websub/, for the HTTP server. */
  readonly routes: Route[];
  /** Starts the renewal job (every checkSeconds) after loading which feeds are pushed. */
  start(): Promise<void>;
  /** Stops the job; waits for subscriptions being started. */
  stop(): Promise<void>;
  /** One pass of the renewal job: renews, retries, expires and unsubscribes what is due; returns rows handled. */
  runOnce(): Promise<number>;
}

const DAY = 86_400;
/** Unsubscribe requests sent for one subscription before it is forgotten (fewer when the lease ends first). */
export const UNSUBSCRIBE_ATTEMPTS = 5;
const MIN_LEASE = 60;
const MAX_LEASE = 365 * DAY;

/** The base URL without trailing slashes (a loop: no regex over configuration text). */
export function withoutTrailingSlash(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

export function createWebSub(deps: WebSubDeps, opts: WebSubOptions): WebSub {
  const { repo, clock, logger } = deps;
  const base = withoutTrailingSlash(opts.publicUrl);
  const callbackUrl = (callbackId: string) => `${base}${CALLBACK_PREFIX}${callbackId}`;
  /** Feeds pushed now, with their lease's end: this instance's view, refreshed by every job pass. */
  let pushed = new Map<number, Date | null>();
  /** Hub and topic last handled per feed, so an unchanged feed costs no query per poll. */
  const seen = new Map<number, string>();
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = false;

  const later = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);
  const retryAfter = (errorCount: number) => Math.min(opts.retrySeconds * 2 ** Math.min(errorCount, 20), DAY);
  /** When an active lease is renewed: `renew_before_seconds` before its end, at most half-way through it. */
  const renewAt = (verifiedAt: Date, leaseSeconds: number) => new Date(verifiedAt.getTime() + (leaseSeconds - Math.min(opts.renewBeforeSeconds, leaseSeconds / 2)) * 1000);

  function track<T>(p: Promise<T>): void {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  async function forget(sub: WebSubSubscription): Promise<void> {
    await repo.delete(sub.id);
    pushed.delete(sub.feedId);
    seen.delete(sub.feedId);
  }

  async function pollAgain(sub: Pick<WebSubSubscription, 'feedId'>, why: string): Promise<void> {
    pushed.delete(sub.feedId);
    seen.delete(sub.feedId);
    await deps.feeds.checkSoon(sub.feedId, clock.now());
    logger.info({ feed_id: sub.feedId }, `websub: feed ${sub.feedId} is polled as usual again (${why})`);
  }

  /** Sends a (un)subscribe request, recording first what verification we then expect. */
  async function request(sub: WebSubSubscription, mode: 'subscribe' | 'unsubscribe', change: { hubUrl?: string; topicUrl?: string; secret?: string } = {}): Promise<void> {
    const hubUrl = change.hubUrl ?? sub.hubUrl;
    const topicUrl = change.topicUrl ?? sub.topicUrl;
    let secret: string;
    try {
      secret = deps.secrets.open(change.secret ?? sub.secret, sub.callbackId);
    } catch (err) {
      // Sealed with a key this process does not have: a new secret (the hub is told it with the request).
      logger.warn({ feed_id: sub.feedId, err: errorMessage(err) }, 'websub: the stored secret does not open; a new one is made');
      secret = randomToken();
      change = { ...change, secret: deps.secrets.store(secret, sub.callbackId) };
    }
    const pendingUntil = later(opts.verifyTimeoutSeconds);
    // Recorded before the request: some hubs verify before they answer it.
    await repo.requested(sub.id, { mode, pendingUntil, nextActionAt: pendingUntil, at: clock.now(), ...change });
    try {
      // The hub named by a feed added from chat gets no allow_hosts. A removed feed's unsubscribe keeps the
      // operator's list: only a verified or pending subscription is unsubscribed, and its hub was reached in the
      // feed's own scope when it was subscribed.
      const feed = await deps.feeds.get(sub.feedId);
      const scope = !feed || feed.global ? 'operator' : 'chat';
      await deps.hub.send(hubUrl, { mode, topic: topicUrl, callback: callbackUrl(sub.callbackId), ...(mode === 'subscribe' ? { secret, leaseSeconds: opts.leaseSeconds } : {}) }, scope);
      logger.info({ feed_id: sub.feedId, hub: new URL(hubUrl).origin, mode }, `websub: asked ${new URL(hubUrl).origin} to ${mode} feed ${sub.feedId}; waiting for its verification`);
    } catch (err) {
      if (isStorageFailure(err)) throw err;
      await requestFailed(sub, mode, errorMessage(err));
    }
  }

  async function requestFailed(sub: WebSubSubscription, mode: 'subscribe' | 'unsubscribe', message: string): Promise<void> {
    const now = clock.now();
    if (mode === 'unsubscribe') return unsubscribeFailed(sub, message);
    const fresh = await repo.forFeed(sub.feedId);
    if (fresh && fresh.id === sub.id && fresh.state === 'active' && fresh.pendingMode === null) return; // verified meanwhile
    const leaseRuns = sub.state === 'active' && sub.leaseExpiresAt !== null && sub.leaseExpiresAt > now;
    if (leaseRuns) {
      const retry = new Date(Math.min(now.getTime() + retryAfter(sub.errorCount) * 1000, sub.leaseExpiresAt!.getTime()));
      await repo.renewalFailed(sub.id, { error: message, nextActionAt: retry, at: now });
      logger.warn({ feed_id: sub.feedId, err: message }, 'websub: renewing the lease failed; tried again before it ends');
      return;
    }
    await repo.failed(sub.id, { error: message, nextActionAt: later(retryAfter(sub.errorCount)), at: now });
    logger.warn({ feed_id: sub.feedId, err: message, retry_seconds: retryAfter(sub.errorCount) }, 'websub: subscribing failed; the feed is polled as usual');
    await pollAgain(sub, 'subscribing failed');
  }

  /**
   * An unsubscribe was refused, unanswered or never verified: tried again with the subscribe backoff, unless
   * this was the last attempt or the hub's lease ends before the next one; then the row is forgotten (pushes
   * to its callback get 410 Gone, which lets the hub drop the subscription at once; WebSub §8).
   */
  async function unsubscribeFailed(sub: WebSubSubscription, message: string): Promise<void> {
    const now = clock.now();
    // A row still active when this unsubscribe was sent counts from its first attempt (the repo reset it).
    const attempts = sub.state === 'unsubscribing' ? sub.errorCount + 1 : 1;
    const retry = later(retryAfter(attempts - 1));
    const lapses = sub.leaseExpiresAt;
    if (attempts < UNSUBSCRIBE_ATTEMPTS && (lapses === null || retry < lapses)) {
      await repo.unsubscribeFailed(sub.id, { error: message, nextActionAt: retry, at: now });
      logger.warn({ feed_id: sub.feedId, err: message, attempt: attempts, retry_seconds: retryAfter(attempts - 1) }, 'websub: unsubscribing failed; tried again later');
      return;
    }
    await forget(sub);
    const hub = new URL(sub.hubUrl).origin;
    const ends = lapses === null ? 'when its lease ends' : lapses <= now ? 'already (its lease has ended)' : `at ${lapses.toISOString()}`;
    logger.warn(
      { feed_id: sub.feedId, hub, attempts, err: message, lease_expires_at: lapses?.toISOString() ?? null },
      `websub: gave up unsubscribing feed ${sub.feedId} from ${hub} after ${attempts} attempt(s); the subscription is forgotten and lapses at the hub ${ends}`,
    );
  }

  /** A polled feed advertised `links`: subscribe, or move to a new hub or topic. */
  async function discovered(feed: Pick<Feed, 'id'>, links: HubLinks): Promise<void> {
    const existing = await repo.forFeed(feed.id);
    if (!existing) {
      const callbackId = randomToken();
      const created = await repo.insert({ feedId: feed.id, callbackId, hubUrl: links.hub, topicUrl: links.topic, secret: deps.secrets.store(randomToken(), callbackId), nextActionAt: clock.now(), at: clock.now() });
      // null: another instance took it (it sends the request).
      if (created) await request(created, 'subscribe');
      return;
    }
    if (existing.state === 'unsubscribing') return;
    if (existing.hubUrl !== links.hub || existing.topicUrl !== links.topic) {
      logger.info({ feed_id: feed.id, hub: new URL(links.hub).origin }, 'websub: the feed names another hub or topic now; subscribing there');
      await request(existing, 'subscribe', { hubUrl: links.hub, topicUrl: links.topic, secret: deps.secrets.store(randomToken(), existing.callbackId) });
    }
  }

  /** One due row of the renewal job. */
  async function handle(sub: ClaimedSubscription): Promise<void> {
    const now = clock.now();
    const pendingOver = sub.pendingUntil !== null && sub.pendingUntil < now;
    if (sub.state === 'unsubscribing') {
      if (sub.pendingMode === 'unsubscribe' && !pendingOver) await repo.release(sub.id, opts.instanceId);
      else if (sub.pendingMode === 'unsubscribe') await unsubscribeFailed(sub, `websub: the hub did not verify the unsubscribe within ${opts.verifyTimeoutSeconds} s`);
      // A retry is due. The feed came back meanwhile (enabled again): subscribe instead (the hub renews).
      else if (sub.feedLive) await request(sub, 'subscribe');
      else await request(sub, 'unsubscribe');
      return;
    }
    if (!sub.feedLive) {
      // The feed was removed or disabled: stop the pushes (a subscription never verified is just forgotten).
      if (sub.state === 'active' || sub.pendingMode === 'subscribe') await request(sub, 'unsubscribe');
      else await forget(sub);
      pushed.delete(sub.feedId);
      return;
    }
    if (sub.pendingMode === 'subscribe' && !pendingOver) {
      await repo.release(sub.id, opts.instanceId);
      return;
    }
    if (sub.pendingMode === 'subscribe' && pendingOver) {
      await requestFailed(sub, 'subscribe', `websub: the hub did not verify the subscription within ${opts.verifyTimeoutSeconds} s`);
      return;
    }
    if (sub.state === 'active' && sub.leaseExpiresAt !== null && sub.leaseExpiresAt <= now) {
      await repo.failed(sub.id, { error: 'websub: the lease ended before it was renewed', nextActionAt: now, at: now });
      await pollAgain(sub, 'the lease ended');
      // Subscribe again at once (the row is due now; the next pass sends it).
      return;
    }
    // Active and due for renewal, failed and due for a retry, or subscribing with nothing sent yet.
    await request(sub, 'subscribe');
  }

  async function refresh(): Promise<void> {
    pushed = await repo.pushedFeeds(clock.now());
  }

  async function runOnce(): Promise<number> {
    const now = clock.now();
    const claimed = await repo.claimDue({ now, limit: 50, owner: opts.instanceId, leaseUntil: new Date(now.getTime() + 5 * 60_000) });
    for (const sub of claimed) {
      try {
        await handle(sub);
      } catch (err) {
        logger.warn({ feed_id: sub.feedId, err: errorMessage(err) }, 'websub: renewal job could not handle a subscription; tried again later');
        await repo.release(sub.id, opts.instanceId).catch(() => undefined);
      }
    }
    await refresh();
    return claimed.length;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err: unknown) => {
          logger.debug({ err: errorMessage(err) }, 'websub: renewal pass failed; the next one tries again');
          return 0;
        })
        .finally(() => {
          running = null;
          schedule();
        });
    }, opts.checkSeconds * 1000);
    timer.unref();
  }

  const target: CallbackTarget = {
    async verify(callbackId: string, v: Verification): Promise<string | null> {
      const sub = await repo.byCallback(callbackId);
      if (!sub || sub.topicUrl !== v.topic) return null;
      const now = clock.now();
      if (v.mode === 'denied') {
        // The hub refuses (or ends) the subscription: poll as usual, try again later.
        if (sub.state === 'unsubscribing') return null;
        const reason = quoted(v.reason ?? '');
        await repo.failed(sub.id, { error: `websub: the hub denied the subscription${reason ? `: ${reason}` : ''}`, nextActionAt: later(retryAfter(sub.errorCount)), at: now });
        await pollAgain(sub, 'the hub denied the subscription');
        return '';
      }
      if ((v.mode !== 'subscribe' && v.mode !== 'unsubscribe') || v.challenge === null) return null;
      // The hub decides the lease; kept within a minute and a year so renewals neither spin nor never come.
      const lease = v.mode === 'subscribe' ? Math.min(Math.max(v.leaseSeconds ?? opts.leaseSeconds, MIN_LEASE), MAX_LEASE) : null;
      const ok = await repo.verified(sub.id, { mode: v.mode, topicUrl: v.topic, leaseSeconds: lease, nextActionAt: lease !== null ? renewAt(now, lease) : null, at: now });
      if (!ok) {
        logger.warn({ feed_id: sub.feedId, mode: v.mode }, 'websub: refused a verification for a request we did not make (or one that expired)');
        return null;
      }
      if (v.mode === 'subscribe') {
        pushed.set(sub.feedId, lease !== null ? new Date(now.getTime() + lease * 1000) : null);
        logger.info({ feed_id: sub.feedId, lease_seconds: lease }, `websub: feed ${sub.feedId} is pushed now (lease ${lease} s); polled every ${opts.fallbackIntervalSeconds} s meanwhile`);
      } else {
        pushed.delete(sub.feedId);
        seen.delete(sub.feedId);
        logger.info({ feed_id: sub.feedId }, `websub: unsubscribed feed ${sub.feedId}`);
      }
      return v.challenge;
    },

    async accepts(callbackId) {
      return (await repo.byCallback(callbackId)) !== null;
    },

    async deliver(callbackId, body, headers): Promise<number> {
      const report = (o: PushOutcome) => {
        try {
          deps.onPushed?.(o);
        } catch {
          // metrics never stop a push
        }
      };
      try {
        const sub = await repo.byCallback(callbackId);
        if (!sub) return 410;
        let secret: string;
        try {
          secret = deps.secrets.open(sub.secret, sub.callbackId);
        } catch (err) {
          logger.warn({ feed_id: sub.feedId, err: errorMessage(err) }, 'websub: pushed content ignored: the secret does not open');
          report('refused');
          return 202;
        }
        const sig = checkSignature(secret, body, headers.signature);
        if (!sig.ok) {
          logger.warn({ feed_id: sub.feedId, reason: sig.reason, bytes: body.length }, `websub: pushed content ignored: signature ${sig.reason} (check that the hub is the one subscribed to)`);
          report('refused');
          return 202;
        }
        if (sub.state === 'unsubscribing') {
          // We are asking the hub to stop: 410 lets it drop the subscription even if our requests fail.
          report('refused');
          return 410;
        }
        const feed = await deps.feeds.get(sub.feedId);
        if (!feed || !feed.enabled) {
          report('refused');
          return 202;
        }
        const now = clock.now();
        if (body.length === 0) {
          // A signed ping without content (a "thin" notification): fetch the feed at the next tick.
          await deps.feeds.checkSoon(feed.id, now);
          await repo.pushed(sub.id, now);
          logger.info({ feed_id: feed.id }, 'websub: the hub pinged without content; the feed is polled at the next tick');
          report('stored');
          return 202;
        }
        let items;
        try {
          items = (await deps.readFeed({ bytes: body, contentType: headers.contentType, url: sub.topicUrl, feedId: feed.id, maxBytes: opts.maxBodyBytes })).items;
        } catch (err) {
          logger.warn({ feed_id: feed.id, err: errorMessage(err) }, 'websub: pushed content could not be read; ignored');
          report('unreadable');
          return 202;
        }
        const alertKeys = feed.primed ? undefined : newestKeys(items, opts.backfill);
        const stored = await deps.items.storeForFeed(feed.id, items, { fetchedAt: now, alertKeys });
        await repo.pushed(sub.id, now);
        logger.info({ feed_id: feed.id, items: items.length, new: stored.inserted.length, updated: stored.updated.length, algorithm: sig.algorithm }, 'websub: pushed content stored');
        if (stored.inserted.length || stored.updated.length) deps.onItemsStored?.();
        report('stored');
        return 202;
      } catch (err) {
        // The database is away (or a bug): the hub retries the same content later.
        logger.warn({ err: errorMessage(err) }, 'websub: pushed content not stored; the hub is asked to retry');
        return 503;
      }
    },
  };

  return {
    ...target,
    routes: callbackRoutes(target, opts.maxBodyBytes),
    fetched(feed, f) {
      if (stopped) return;
      const links = discoverHub({ body: f.head, linkHeader: f.linkHeader, feedUrl: f.finalUrl });
      if (!links) return;
      const key = `${links.hub} ${links.topic}`;
      if (seen.get(feed.id) === key) return;
      seen.set(feed.id, key);
      track(
        discovered(feed, links).catch((err: unknown) => {
          seen.delete(feed.id);
          logger.warn({ feed_id: feed.id, err: errorMessage(err) }, 'websub: could not subscribe; the feed is polled as usual');
        }),
      );
    },
    intervalSeconds(feedId) {
      if (!pushed.has(feedId)) return null;
      const ends = pushed.get(feedId);
      const now = clock.now().getTime();
      if (ends && ends.getTime() <= now) return null;
      // Never past the lease's end: if it lapses unrenewed, polling picks up from there.
      return ends ? Math.max(60, Math.min(opts.fallbackIntervalSeconds, Math.ceil((ends.getTime() - now) / 1000))) : opts.fallbackIntervalSeconds;
    },
    async start() {
      stopped = false;
      await refresh();
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
      await Promise.allSettled([...inFlight]);
    },
    runOnce,
  };
}
