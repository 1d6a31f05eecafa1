// Core types shared by every stage of the pipeline. Pure data: no I/O, no SDKs.

export type PlatformName = 'slack' | 'discord' | 'console';

/** A feed row: what to fetch, and the scheduling state that lives with it (scheduling is data). */
export interface Feed {
  id: number;
  url: string;
  title: string | null;
  /** Site link from the feed itself, if any. */
  siteUrl: string | null;
  enabled: boolean;
  /** Poll interval override in seconds; null means the configured default. */
  intervalSeconds: number | null;
  etag: string | null;
  lastModified: string | null;
  nextCheckAt: Date;
  errorCount: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastSuccessAt: Date | null;
  disabledReason: string | null;
  /** The feed's own <ttl> in minutes, from its last full fetch (a 304 carries none). */
  ttlMinutes: number | null;
  /** False until the first successful poll stored the feed's backlog (first poll does not alert). */
  primed: boolean;
  /** Hashes of the entries last read, so the next full fetch reads only new and edited ones (src/feeds/entry-marks.ts). */
  entryMarks?: string | null;
  /**
   * When a poll last stored an item new to the bot (its backlog's newest publication date on the first poll);
   * null until one does. Optional for feeds built in memory; storage always sets it.
   */
  lastNewItemAt?: Date | null;
  /** Reaches every channel (configuration, CLI, operators); otherwise only its owners' channels (see tenancy.ts). */
  global: boolean;
  createdAt: Date;
}

/** A feed an operator should look at: failing, or disabled (`feeds list --failing`, the dashboard's filter). */
export const feedNeedsAttention = (f: Pick<Feed, 'enabled' | 'errorCount'>): boolean => !f.enabled || f.errorCount > 0;

/**
 * A feed's health as lists show it: disabled, failing (its last check failed), new (enabled and never read:
 * not yet "ok"), quiet (it answers, but nothing new has come from it for a while: see QuietRule), or ok.
 */
export type FeedHealth = 'disabled' | 'failing' | 'new' | 'quiet' | 'ok';

/**
 * When a feed that answers counts as quiet: nothing new from it for `afterDays` days (0: never) as of `now`. A
 * frozen URL (a site that moved its feed and left the old one standing) answers 200 or 304 forever.
 */
export interface QuietRule {
  now: Date;
  afterDays: number;
}

/** polling.quiet_after_days's default. */
export const DEFAULT_QUIET_AFTER_DAYS = 30;

/** The rule as of `now` for a setting that may be unset (the default then). */
export const quietRule = (now: Date, afterDays: number | undefined): QuietRule => ({ now, afterDays: afterDays ?? DEFAULT_QUIET_AFTER_DAYS });

type HealthFields = Pick<Feed, 'enabled' | 'errorCount' | 'lastSuccessAt' | 'lastNewItemAt' | 'createdAt'>;

/** Since when a feed has brought nothing new: its last new item, or when it was added if it never brought one. */
export const quietSince = (f: Pick<Feed, 'lastNewItemAt' | 'createdAt'>): Date => f.lastNewItemAt ?? f.createdAt;

export const feedHealth = (f: HealthFields, quiet?: QuietRule): FeedHealth =>
  !f.enabled ? 'disabled' : f.errorCount > 0 ? 'failing' : f.lastSuccessAt === null ? 'new' : isQuiet(f, quiet) ? 'quiet' : 'ok';

function isQuiet(f: HealthFields, rule: QuietRule | undefined): boolean {
  if (!rule || rule.afterDays <= 0) return false;
  return rule.now.getTime() - quietSince(f).getTime() > rule.afterDays * 86_400_000;
}

/** A normalised feed entry, ready to store. */
export interface NewItem {
  feedId: number;
  /** Stable per-feed key: trustworthy guid, else canonical link, else hash of title and date. */
  key: string;
  guid: string | null;
  /** Canonical URL (tracking parameters, fragment and default port removed). */
  url: string | null;
  title: string;
  /** Clean text of the feed description/summary, for matching and summaries. */
  summary: string;
  /** Clean text of the full content when the feed carries it. */
  content: string;
  /** Original HTML (description or content), kept as received. */
  html: string | null;
  author: string | null;
  publishedAt: Date | null;
  /** Hash of title + summary + content: tells a material edit from a re-dated copy. */
  contentHash: string;
}

export interface Item extends NewItem {
  id: number;
  fetchedAt: Date;
  clusterId: number | null;
  /** Full article text fetched from the page, when we had to. */
  articleText: string | null;
  /** The summary we post; null until summarised. */
  digest: string | null;
  /** True when the digest was made from the feed excerpt only. */
  digestFromExcerpt: boolean;
}

export interface WeightedTerm {
  term: string;
  /** Added to the topic score per field the term is found in, times the field's weight; may be negative. */
  weight: number;
  /** auto (default): tokens written in capitals (APT, GRU) match by case; exact: all tokens; fold: none. */
  case?: 'auto' | 'exact' | 'fold';
  /** The term begins with a state's name: a hit does not count where the words after it make the state what
   * is attacked ("Russian government networks"), read as the relevance scorer reads them. */
  notBeforeTarget?: true;
}

/** A group entry: a term, or a term with its case mode and options (a topics file may reuse a weighted term here). */
export type GroupTerm = string | { term: string; case?: 'auto' | 'exact' | 'fold'; notBeforeTarget?: true };

export interface TopicGroups {
  /** Every list here must have at least one hit. */
  allOf?: GroupTerm[][];
  /** At least one of these must hit. */
  anyOf?: GroupTerm[];
  /** Any hit here vetoes the topic. */
  noneOf?: GroupTerm[];
}

export interface Topic {
  id: string;
  name: string;
  description: string;
  terms: WeightedTerm[];
  groups?: TopicGroups;
  threshold: number;
}

export type MatchField = 'title' | 'description' | 'content';

export interface TopicMatch {
  topicId: string;
  score: number;
  /** Human-readable reasons, e.g. `"cyberespionage" in title (x3.0)`. */
  reasons: string[];
}

export interface Channel {
  id: number;
  platform: PlatformName;
  /** The platform's id for the channel (Slack C123, Discord snowflake, console name). */
  externalId: string;
  /** Slack team id or Discord guild id; empty for console. */
  workspaceId: string;
  name: string | null;
  paused: boolean;
  pausedReason: string | null;
  createdAt: Date;
}

export interface ChannelKeyword {
  channelId: number;
  term: string;
  /** `-term` in the command: an item containing it is never sent to this channel. */
  exclude: boolean;
}

export interface Cluster {
  id: number;
  /** SimHash/MinHash signature of the story, hex. */
  signature: string;
  title: string;
  firstItemId: number;
  createdAt: Date;
}

/** A cluster as storage lists it for the pipeline's window (delivery/cluster-window.ts) and the window keeps it. */
export interface ClusterWindowRow {
  id: number;
  /** Its newest item's time (ms). */
  lastItemAt: number;
  /** The feed of the cluster's first item (whose signature the cluster keeps); null once that item is gone. */
  firstFeedId: number | null;
}

/** A cluster as placement first reads it: its fingerprint, and what the in-scope rule asks of its first item. */
export interface ClusterEntryRow extends ClusterWindowRow {
  signature: string;
  /** The first item's story time (ms); null or missing once that item is gone. */
  firstAt?: number | null;
  /** Whether the relevance scorer let the first item in (it was filed under a topic); missing: no. */
  firstInScope?: boolean;
}

/** How one poll of a feed went: `new` the document was read (its new entries stored), `not_modified` the server said nothing changed, `error` it failed. */
export type PollStatus = 'new' | 'not_modified' | 'error';

/** `held`: kept back for the channel's brief or until its quiet hours end (not sent on its own). */
export type AlertStatus = 'pending' | 'sending' | 'sent' | 'dead' | 'held';

/**
 * What a failed send or edit did to an alert: tried again later (`retry`), given up (`dead`), or, for an
 * edit of a sent message that failed for good, the update dropped (the message stays as it was).
 */
export type AlertFailureOutcome = 'retry' | 'dead' | 'update_dropped';

/** An outbox row: one story for one channel. (channel_id, cluster_id) is unique in the schema. */
export interface Alert {
  id: number;
  channelId: number;
  clusterId: number;
  itemId: number;
  status: AlertStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** Platform message id once sent (Slack ts, Discord message id). */
  messageId: string | null;
  lastError: string | null;
  /** Set when the alert must be edited (new coverage, changed story). */
  needsUpdate: boolean;
  createdAt: Date;
  sentAt: Date | null;
}

/** An outbox row claimed for sending (AlertsRepo.claimDue), with what the dispatcher needs of its channel. */
export interface ClaimedAlert extends Alert {
  /** needs_update as claimed: subtract it once the edit (or the first post) is done. */
  updateCount: number;
  inDigest: boolean;
  platform: PlatformName;
  /** The platform's channel id. */
  externalId: string;
  /** The channel wants later coverage as replies in the story's thread. */
  threads: boolean;
  /** The newest item of the story the channel has seen; null for rows posted before migration 009. */
  followedItemId: number | null;
  /** A thread reply about this item may have been sent (the process stopped before recording it). */
  followingItemId: number | null;
}

/**
 * What an alert's story message shows (AlertsRepo.story), read at send time so it carries the latest
 * coverage: only coverage from feeds the channel's tenant may see.
 */
export interface AlertStory {
  title: string;
  url: string | null;
  source: string;
  publishedAt: Date | null;
  summary: string;
  digest: string | null;
  digestFromExcerpt: boolean;
  topics: { topicId: string; score: number }[];
  /** Other items of the cluster, oldest first. */
  coverage: { itemId: number; title: string; url: string | null; source: string }[];
}
