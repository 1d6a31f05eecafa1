// One feed, end to end: conditional fetch, parse, normalise, store, and the feed's scheduling state
// (validators, next check, error count, disable). Never throws for a feed's own failure: every outcome is a
// PollResult, so one broken feed cannot stop a run. A storage error (the database is away) is thrown instead:
// it says nothing about the feed.
import type { Feed, NewItem, PollStatus } from '../domain/types.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage, isStorageFailure, StoppedError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { DueFeed, FeedsRepo } from '../storage/feeds-repo.ts';
import type { ItemsRepo, StoreItemsResult } from '../storage/items-repo.ts';
import type { PollWrite } from '../storage/poll-writes-repo.ts';
import { cleanFeedTitle } from './feed-title.ts';
import { errorClass, FetchError } from './fetch-error.ts';
import type { CacheHints, Fetcher } from './fetcher.ts';
import type { FeedReader } from './read-feed.ts';

/**
 * Where a poll's outcome is written: the scheduler's write batcher (many polls per transaction), or
 * `directPollWriter` (one poll at a time). Resolves once the outcome is committed.
 */
export type PollWriter = (write: PollWrite) => Promise<StoreItemsResult>;

/** Writes one poll's outcome at once, with the statements of the batcher's commit (FeedsRepo.recordPoll). */
export function directPollWriter(storage: { feeds: FeedsRepo }): PollWriter {
  return (w) => storage.feeds.recordPoll(w);
}

/** The feed reader, loaded on first use: a run of 304s (or `poll --once` with no feeds) never loads the parser. */
const lazyReadFeed: FeedReader = async (input) => (await import('./read-feed.ts')).readFeed(input);

export interface PollOptions {
  /** Default seconds between two polls (a feed's own interval wins). */
  intervalSeconds: number;
  /** ttl / Cache-Control / Retry-After / backoff never push a check further than this. */
  maxIntervalSeconds: number;
  /** Up to this many seconds are added at random to each next check, to spread start times. */
  jitterSeconds: number;
  backoffBaseSeconds: number;
  disableAfterFailures: number;
  /** First poll of a new feed: hand the newest N items to the pipeline, store the rest as processed. */
  backfill: number;
  /** Cap on a body that turns out to be gzip without Content-Encoding (polling.max_body_bytes; default 10 MB). */
  maxBodyBytes?: number;
}

export interface PollResult {
  feedId: number;
  url: string;
  status: PollStatus;
  /** Entries in the document (0 for not_modified and errors). */
  items: number;
  /** Items stored for the first time. */
  new: number;
  /** Known items that changed materially. */
  updated: number;
  /** New items handed to the pipeline (fewer than `new` on a first poll). */
  queued: number;
  ms: number;
  nextCheckAt: Date;
  error?: { class: string; message: string };
  /** Set when this failure disabled the feed. */
  disabled?: boolean;
}

/** How much of a body WebSub hub discovery reads (the feed's head: its links come before its entries). */
export const PUSH_HEAD_BYTES = 64 * 1024;

/** WebSub's part in a poll (src/websub): both are called synchronously and must not throw. */
export interface PushHooks {
  /**
   * A full fetch (200) was stored: look for a hub to subscribe to. `head` is a copy of the first
   * PUSH_HEAD_BYTES of the body. Called after the poll stored its items, so anything pushed later is news.
   */
  fetched(feed: Pick<Feed, 'id'>, fetched: { head: Uint8Array; linkHeader: string | null; finalUrl: string }): void;
  /** Seconds between polls while the feed's content is pushed; null when it is not. */
  intervalSeconds(feedId: number): number | null;
}

export interface PollDeps {
  storage: { feeds: FeedsRepo; items: ItemsRepo };
  fetcher: Pick<Fetcher, 'fetchFeed'>;
  options: PollOptions;
  clock: Clock;
  logger: Logger;
  /** Random source for jitter, [0, 1). */
  random?: () => number;
  /** Parses and normalises a body (the bot: on a worker thread with a deadline); in this thread by default. */
  readFeed?: FeedReader;
  /** WebSub: hub discovery and the rare polling of pushed feeds. */
  push?: PushHooks;
  /** Where the outcome is written (the scheduler's batcher); the repositories directly by default. */
  write?: PollWriter;
}

/**
 * Seconds until the next check after a success: the latest of interval, ttl, max-age, Retry-After, clamped.
 * `pushedSeconds` (the feed's content is pushed) joins the candidates.
 */
export function nextCheckSeconds(feed: Pick<Feed, 'intervalSeconds'>, opts: PollOptions, hints: CacheHints, ttlMinutes: number | null, pushedSeconds: number | null = null): number {
  const candidates = [feed.intervalSeconds ?? opts.intervalSeconds];
  if (pushedSeconds !== null) candidates.push(pushedSeconds);
  if (ttlMinutes) candidates.push(ttlMinutes * 60);
  if (hints.maxAgeSeconds !== null) candidates.push(hints.maxAgeSeconds);
  if (hints.retryAfterSeconds !== null) candidates.push(hints.retryAfterSeconds);
  return Math.min(Math.max(...candidates), opts.maxIntervalSeconds);
}

/** Seconds until the retry after the n-th consecutive failure (n >= 1): exponential, clamped; Retry-After wins when later. */
export function backoffSeconds(failures: number, opts: PollOptions, retryAfterSeconds: number | null): number {
  const exp = opts.backoffBaseSeconds * 2 ** Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(Math.max(exp, retryAfterSeconds ?? 0), opts.maxIntervalSeconds);
}

/** The keys of the newest `n` items: by date, undated ones in feed order after the dated. */
export function newestKeys(items: readonly NewItem[], n: number): Set<string> {
  if (n <= 0) return new Set();
  const ranked = items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => (b.it.publishedAt?.getTime() ?? -Infinity) - (a.it.publishedAt?.getTime() ?? -Infinity) || a.i - b.i);
  return new Set(ranked.slice(0, n).map((r) => r.it.key));
}

export async function pollFeed(feed: DueFeed, deps: PollDeps): Promise<PollResult> {
  const { storage, fetcher, options, clock, logger } = deps;
  const random = deps.random ?? Math.random;
  const started = performance.now();
  const jitterMs = () => Math.floor(random() * options.jitterSeconds * 1000);
  const pushedSeconds = () => {
    try {
      return deps.push?.intervalSeconds(feed.id) ?? null;
    } catch {
      return null;
    }
  };
  const write = deps.write ?? directPollWriter(storage);
  try {
    // A feed added from chat is fetched without the operator's allow_hosts (scoped-fetcher.ts).
    const fetched = await fetcher.fetchFeed(feed.url, { etag: feed.etag, lastModified: feed.lastModified }, feed.global ? 'operator' : 'chat');
    const now = clock.now();
    if (fetched.status === 'not_modified') {
      // A 304 has no body: the feed's ttl is the one stored from its last full fetch.
      const next = new Date(now.getTime() + nextCheckSeconds(feed, options, fetched.hints, feed.ttlMinutes, pushedSeconds()) * 1000 + jitterMs());
      await write({ kind: 'success', feedId: feed.id, success: { at: now, nextCheckAt: next, etag: fetched.etag, lastModified: fetched.lastModified } });
      const ms = Math.round(performance.now() - started);
      // Debug, not info: a cycle of 10,000 feeds is mostly 304s; the scheduler logs one summary per cycle.
      logger.debug({ feed_id: feed.id, url: feed.url, status: 'not_modified', duration_ms: ms }, 'feed not modified');
      // An object literal, not a spread of a common part: a cycle returns 10,000 of them.
      return { feedId: feed.id, url: feed.url, status: 'not_modified', items: 0, new: 0, updated: 0, queued: 0, ms, nextCheckAt: next };
    }
    // Hub discovery gets a copy of the body's head: what a FeedReader does with the body is its own (the worker
    // pool copies it; another reader may keep or change it).
    const pushHead = deps.push ? Buffer.from(fetched.body.subarray(0, PUSH_HEAD_BYTES)) : null;
    const parsed = await (deps.readFeed ?? lazyReadFeed)({
      bytes: fetched.body,
      contentType: fetched.contentType,
      url: fetched.finalUrl,
      feedId: feed.id,
      entryMarks: feed.entryMarks ?? null,
      ...(options.maxBodyBytes ? { maxBytes: options.maxBodyBytes } : {}),
    });
    const items = parsed.items;
    // Entries recognised by their marks were stored by an earlier poll and are counted, not read again.
    const entries = items.length + parsed.skipped;
    const alertKeys = feed.primed ? undefined : newestKeys(items, options.backfill);
    const next = new Date(now.getTime() + nextCheckSeconds(feed, options, fetched.hints, parsed.ttlMinutes, pushedSeconds()) * 1000 + jitterMs());
    const title = feed.title ? null : cleanFeedTitle(parsed.title);
    const stored = await write({
      kind: 'success',
      feedId: feed.id,
      success: {
        at: now, nextCheckAt: next, etag: fetched.etag, lastModified: fetched.lastModified, siteUrl: parsed.siteUrl, primed: true, ttlMinutes: parsed.ttlMinutes,
        ...(parsed.entryMarks !== undefined ? { entryMarks: parsed.entryMarks } : {}),
      },
      titleIfMissing: title,
      items: { list: items, options: { fetchedAt: now, alertKeys } },
    });
    // Discovery after the outcome is committed, so anything pushed later is news.
    if (deps.push && pushHead) {
      try {
        deps.push.fetched(feed, { head: pushHead, linkHeader: fetched.linkHeader ?? null, finalUrl: fetched.finalUrl });
      } catch (err) {
        logger.error({ feed_id: feed.id, err: errorMessage(err) }, 'websub: hub discovery failed');
      }
    }
    const queued = alertKeys ? Math.min(alertKeys.size, stored.inserted.length) : stored.inserted.length;
    const ms = Math.round(performance.now() - started);
    // A feed with new or changed items is worth a line; one that changed nothing we keep is debug.
    logger[stored.inserted.length || stored.updated.length || !feed.primed ? 'info' : 'debug'](
      { feed_id: feed.id, url: feed.url, status: 'new', items: entries, skipped: parsed.skipped, new: stored.inserted.length, updated: stored.updated.length, queued, via: parsed.via, duration_ms: ms },
      feed.primed ? 'feed polled' : 'feed polled for the first time (backlog stored without alerts)',
    );
    if (parsed.dropped) logger.warn({ feed_id: feed.id, url: feed.url, kept: parsed.kept, dropped: parsed.dropped }, 'feed has more entries than are read; the first ones were kept');
    if (fetched.permanentRedirect && fetched.finalUrl !== feed.url) {
      // Every hop was 301/308: the publisher moved the feed for good, so poll the new address from now on.
      const moved = await storage.feeds.moveUrl(feed.id, fetched.finalUrl);
      if (moved) logger.info({ feed_id: feed.id, url: feed.url, final_url: fetched.finalUrl }, 'feed moved permanently; its URL is updated');
      else logger.warn({ feed_id: feed.id, url: feed.url, final_url: fetched.finalUrl }, 'feed moved permanently to a URL another feed already has; remove one of the two');
    }
    return { feedId: feed.id, url: feed.url, status: 'new', items: entries, new: stored.inserted.length, updated: stored.updated.length, queued, ms, nextCheckAt: next };
  } catch (err) {
    // The database failed us, not the feed: nothing is recorded against the feed; the caller gives its
    // lease back and it is polled again (its items are deduplicated) once the database answers. Nor is a
    // fetch or read given up because the bot is stopping.
    if (isStorageFailure(err) || err instanceof StoppedError) throw err;
    const now = clock.now();
    const failures = feed.errorCount + 1;
    const retryAfter = err instanceof FetchError ? err.retryAfterSeconds : null;
    const next = new Date(now.getTime() + backoffSeconds(failures, options, retryAfter) * 1000 + jitterMs());
    const message = errorMessage(err);
    const klass = errorClass(err);
    const disable = failures >= options.disableAfterFailures;
    const disableReason = disable ? `disabled after ${failures} consecutive failures; last: ${message}` : null;
    try {
      await write({ kind: 'failure', feedId: feed.id, failure: { at: now, nextCheckAt: next, error: `${klass}: ${message}`, disableReason } });
    } catch (storeErr) {
      logger.error({ feed_id: feed.id, err: errorMessage(storeErr) }, 'could not record a feed failure');
    }
    const ms = Math.round(performance.now() - started);
    const level = klass === 'internal' ? 'error' : 'warn';
    logger[level]({ feed_id: feed.id, url: feed.url, status: 'error', error_class: klass, failures, disabled: disable, duration_ms: ms, err: message }, 'feed poll failed');
    return { feedId: feed.id, url: feed.url, status: 'error', items: 0, new: 0, updated: 0, queued: 0, ms, nextCheckAt: next, error: { class: klass, message }, ...(disable ? { disabled: true } : {}) };
  }
}
