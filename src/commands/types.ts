// What the commands need from the rest of the program (ports, so tests use real storage or fakes), and
// the shape of one command module. Platform-neutral: a Command in, a Reply out.
import type { ChannelDelivery } from '../domain/brief-schedule.ts';
import type { BriefView, Command, Reply } from '../domain/chat.ts';
import type { Verdict } from '../domain/feedback.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { Alert, Channel, ChannelKeyword, Feed, Topic } from '../domain/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { ChannelRef } from '../storage/channels-repo.ts';
import type { VisibleFeed } from '../storage/feeds-repo.ts';
import type { LatestQuery, LatestStory } from '../storage/latest-repo.ts';

export interface ChannelsPort {
  upsert(ref: ChannelRef, now?: Date): Promise<Channel>;
  find(platform: Channel['platform'], externalId: string): Promise<Channel | null>;
  subscribe(channelId: number, topicIds: readonly string[], createdBy: string | null, now?: Date): Promise<string[]>;
  unsubscribe(channelId: number, topicIds: readonly string[]): Promise<string[]>;
  subscriptions(channelId: number): Promise<string[]>;
  addKeyword(channelId: number, term: string, exclude: boolean, createdBy: string | null, now?: Date): Promise<boolean>;
  removeKeyword(channelId: number, term: string): Promise<boolean>;
  keywords(channelId: number): Promise<ChannelKeyword[]>;
  unpause(channelId: number): Promise<void>;
  /** The channel's mode, brief schedule, quiet hours and threads setting, and when its next brief is due. */
  delivery(channelId: number): Promise<ChannelDelivery & { briefNextAt: Date | null }>;
  /** Stores them, with when the next brief is due (null: none). */
  setDelivery(channelId: number, d: ChannelDelivery, briefNextAt: Date | null): Promise<void>;
}

/** The brief outbox, for `brief show` and `status` (BriefsRepo satisfies it). */
export interface BriefsPort {
  heldCount(channelId: number): Promise<number>;
  list(channelId: number, limit?: number): Promise<{ kind: 'brief' | 'quiet'; status: 'pending' | 'sending' | 'sent' | 'dead'; sentAt: Date | null; lastError: string | null; content: BriefView | null }[]>;
}

export interface LatestPort {
  find(q: LatestQuery): Promise<LatestStory[]>;
}

/** Feeds by owner (FeedsRepo satisfies it): global ones, and each workspace's or server's own (domain/tenancy). */
export interface FeedsPort {
  /** The global feeds and the tenant's own: all a tenant may see. */
  visibleTo(tenant: Tenant): Promise<VisibleFeed[]>;
  /** Adds a global feed, or makes the feed with that URL global. */
  add(input: { url: string; source: 'user' }, now?: Date): Promise<{ feed: Feed; created: boolean; madeGlobal: boolean }>;
  /** Links the feed with that URL (created when new) to the tenant; a global feed gets no link. */
  addForTenant(input: { url: string; source: 'user' }, tenant: Tenant, createdBy: string | null, now?: Date): Promise<{ feed: Feed; created: boolean; linked: boolean }>;
  /** Drops the tenant's link (and the feed, when nothing else holds it). */
  removeForTenant(id: number, tenant: Tenant): Promise<{ unlinked: boolean; deleted: boolean }>;
  /** The feed stops being global (and goes, unless tenants still link it). */
  removeGlobal(id: number): Promise<{ changed: boolean; deleted: boolean }>;
}

/** A channel keyword as typed: `term` or `-term` (exclude). Throws an Error whose message says what is wrong. */
export type KeywordParser = (raw: string) => { term: string; exclude: boolean };

/** The outbox, for `status`: dead letters and the queue of one channel (AlertsRepo satisfies it). */
export interface AlertsPort {
  counts(channelId?: number): Promise<Record<'pending' | 'sending' | 'sent' | 'dead', number> & { held?: number }>;
  list(opts: { status?: 'dead'; channelId?: number; limit?: number }): Promise<{ id: number; title: string; lastError: string | null }[]>;
}

/** Analysts' verdicts (FeedbackRepo satisfies it). */
export interface FeedbackPort {
  /** Stores the verdict (replacing the user's earlier one) and mutes/unmutes the channel's alert for the story. */
  /** `wasMuted`: the story's message in the channel took no updates before this click (someone's "not relevant"). */
  record(v: { channelId: number; clusterId: number; itemId: number; alertId: number; userId: string; verdict: Verdict; at: Date }): Promise<{ previous: Verdict | null; wasMuted?: boolean }>;
  /** The channel's verdicts by kind, all time or since a time. */
  counts(channelId: number, since?: Date): Promise<{ relevant: number; notRelevant: number }>;
}

/** A stored story with the text it is scored on (StoryLookupRepo's StoredStory). */
export interface StoredStoryView {
  itemId: number;
  title: string;
  url: string | null;
  source: string;
  publishedAt: Date | null;
  summary: string;
  content: string;
  digest: string | null;
  digestFromExcerpt: boolean;
}

/** Finds stories for `/news why` (StoryLookupRepo satisfies it). */
export interface StoryLookupPort {
  /** The newest stored item whose canonical link is `url`. */
  /** With a tenant: only stories of feeds it may see (global and its own). */
  byUrl(url: string, tenant?: Tenant): Promise<StoredStoryView | null>;
  /** The item an alert delivered, with the alert's channel row id. */
  byAlert(alertId: number): Promise<(StoredStoryView & { channelId: number }) | null>;
}

/** What a story is scored on. */
export interface ExplainDoc {
  title: string;
  description: string;
  content: string;
}

/** Why a story is (or is not) in scope: the relevance decision, its score and reasons, and each topic's. */
export interface Explanation {
  inScope: boolean;
  /** The relevance model's score; null when the rules alone decide. */
  score: number | null;
  /** One line saying what was decided. */
  summary: string;
  topics: { id: string; matched: boolean; score: number; reasons: string[] }[];
  /** Reasons for the decision beyond the topics' own (e.g. the model's top features). */
  reasons: string[];
}

/** Scores a story and says why (the matcher today; the fitted scorer once it is plugged in). */
export type ExplainPort = (doc: ExplainDoc) => Explanation;

export interface CommandDeps {
  channels: ChannelsPort;
  latest: LatestPort;
  feeds: FeedsPort;
  topics: readonly Topic[];
  parseKeyword: KeywordParser;
  /**
   * The URL a user typed, validated (http/https, length, private-address guard) and normalised; throws UsageError
   * with the reason. `chat`: a workspace's or server's own feed, which the operator's allow_hosts does not cover.
   */
  checkFeedUrl: (url: string, scope?: 'operator' | 'chat') => string;
  clock: Clock;
  /** When given, `status` shows the channel's queued and dead-lettered alerts. */
  alerts?: AlertsPort;
  /** When given, `status` shows the channel's feedback counts. */
  feedback?: FeedbackPort;
  /** When given, `brief show` and `status` show held stories and the last brief. */
  briefs?: BriefsPort;
  /** With `explain`, enables `/news why`. */
  stories?: StoryLookupPort;
  explain?: ExplainPort;
  logger?: Logger;
  /** Keywords one channel may hold (default 50). */
  maxKeywordsPerChannel?: number;
  /** polling.quiet_after_days: a feed that brought nothing new for this long counts as quiet (0: never; default 30). */
  quietAfterDays?: number;
}

/** Who may run a command (with these arguments); see permissions.ts. */
export type Permission = 'anyone' | 'manage_channel' | 'admin' | 'operator';

export interface CommandContext {
  cmd: Command;
  deps: CommandDeps;
  now: Date;
  /** The command's own usage, for error sentences. */
  usage: string;
  /** The channel's stored row, or null when it never ran a command that changed something. */
  findChannel(): Promise<Channel | null>;
  /** findChannel for a change: throws UsageError, like channel(), when the channel belongs to another workspace. */
  findOwnChannel(): Promise<Channel | null>;
  /**
   * The channel's row, created when missing (for commands that change something). Throws UsageError when
   * the channel belongs to another workspace (a shared channel): only its own workspace may change it.
   */
  channel(): Promise<Channel>;
  /** The caller's workspace or server (from the verified payload), which owns the feeds it adds. */
  tenant: Tenant;
}

export interface CommandModule {
  name: string;
  /** `/news latest [topic] [count]` */
  usage: string;
  /** One line for `help`. */
  summary: string;
  permission(args: readonly string[]): Permission;
  /** What a restricted use (with these arguments) does, for the refusal: "change this channel's subscriptions". */
  action: string | ((args: readonly string[]) => string);
  /** The reply is shown to the whole channel (default: only to the caller). */
  public?: boolean;
  run(ctx: CommandContext): Promise<Reply>;
}

/** What the feedback buttons' handler needs (the repositories satisfy these). */
export interface FeedbackDeps {
  channels: Pick<ChannelsPort, 'find'>;
  alerts: { get(id: number): Promise<Alert | null> };
  feedback: FeedbackPort;
  clock: Clock;
  logger?: Logger;
}

export const reply = (text: string, extra: Partial<Reply> = {}): Reply => ({ text, ephemeral: true, ...extra });
