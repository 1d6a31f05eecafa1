// The contract between the core and chat platforms. The core owns it; adapters in src/platforms/*
// implement it (translate and verify, nothing more).
import type { MemberAccess } from './access.ts';
import type { PlatformName } from './types.ts';

/** A slash command, translated from the platform's payload. `/news <name> <args...>` */
export interface Command {
  platform: PlatformName;
  /** Slack team id, Discord guild id ('' for the console), from the verified payload: the caller's tenant. */
  workspaceId: string;
  /** The platform's channel id. */
  channelId: string;
  channelName: string | null;
  userId: string;
  /** Workspace/guild admin or owner (Slack is_admin/is_owner, Discord Manage Guild/Administrator). */
  userIsAdmin: boolean;
  /**
   * One of the bot's operators (slack.operator_user_ids / discord.operator_user_ids; the console user):
   * may manage the global feeds that reach every channel.
   */
  userIsOperator: boolean;
  /** May change this channel's subscriptions and keywords (Discord Manage Channels; Slack admins or allowlist). */
  userCanManageChannel: boolean;
  /** Subcommand, lower-cased: subscribe, latest, keywords... ('' when none given). */
  name: string;
  args: string[];
  /** The raw text after /news, for messages. */
  text: string;
}

/** A story rendered neutrally; each adapter turns it into Block Kit, an embed or a console line. */
export interface StoryView {
  title: string;
  url: string | null;
  source: string;
  publishedAt: Date | null;
  summary: string;
  /** The summary was made from the feed excerpt only (no article text). */
  fromExcerpt: boolean;
  topics: { id: string; name: string }[];
  alsoCoveredBy: { source: string; title: string; url: string | null }[];
  /**
   * A stable key for this delivery (the outbox row), e.g. `cyberbrief-alert-42`. Adapters that can attach
   * it to the message (Slack message metadata, Discord nonce with enforce_nonce) let a send whose outcome
   * was lost in a crash be recognised instead of posted twice (see ChatPlatform.findStory).
   */
  ref?: string;
  /**
   * The outbox alert this message delivers. When set, the adapter attaches the "Relevant" / "Not relevant"
   * feedback buttons (domain/feedback.ts ids); posts and edits of an alert carry it, digests and command
   * replies do not.
   */
  feedbackAlertId?: number;
}

export interface DigestView {
  /** "12 more stories" */
  stories: { title: string; url: string | null; source: string }[];
  /** Stable key for this delivery, as StoryView.ref. */
  ref?: string;
}

/** One story of a brief: a line of summary, its link, who else covered it, and what it was ranked by. */
export interface BriefStoryView {
  title: string;
  url: string | null;
  source: string;
  /** One line: the summary's first sentence. */
  summary: string;
  alsoCoveredBy: { source: string; title: string; url: string | null }[];
  /** The relevance score it was ranked by (0 to 1); null when the rules alone decided. */
  relevance: number | null;
  /** How many outlets (feeds) covered the story. */
  outlets: number;
}

/** The stories of one topic (or of the channel's keywords, topic null), best first. */
export interface BriefGroupView {
  topic: { id: string; name: string } | null;
  /** The group's heading: the topic's name, or "Your keywords". */
  label: string;
  stories: BriefStoryView[];
  /** Stories of this group not shown (over the per-topic limit). */
  more: number;
}

/**
 * A channel's brief (or the release of what its quiet hours held), composed by the core. Plain text
 * throughout: each adapter escapes it and splits it across messages within its platform's limits,
 * never inside a story.
 */
export interface BriefView {
  kind: 'brief' | 'quiet';
  /** "Daily brief", "Weekly brief", "While this channel was quiet". */
  title: string;
  /** "Mon 2 Mar 2026 08:00 Europe/Berlin · 14 stories since Sun 1 Mar 08:00". */
  subtitle: string;
  groups: BriefGroupView[];
  /** Stories that matched and are not shown (beyond the limits). */
  more: number;
  /** Every story in the period (shown or not). */
  total: number;
  /** The closing line: what else matched, or why the brief is empty. */
  footer: string;
}

/** Later coverage of a posted story, as a reply in its thread. */
export interface FollowUpView {
  /** The story the thread is about (names a Discord thread). */
  storyTitle: string;
  coverage: { source: string; title: string; url: string | null };
  /** Stable key for this reply, as StoryView.ref. */
  ref: string;
}

export interface Reply {
  /** Plain text (the adapter escapes it for its platform). */
  text: string;
  /**
   * The parts of `text` that are not ours: feed titles, URLs and errors, keywords users stored. An adapter
   * whose escaping would change our own text (Slack's look-alikes for `:`, `*`, `_`, `~` and backticks)
   * applies it to these alone; the rest of `text` is our own templates, escaped only as the syntax needs.
   */
  quoted?: readonly string[];
  /** Only the caller sees it. */
  ephemeral: boolean;
  stories?: StoryView[];
}

export type CommandHandler = (cmd: Command) => Promise<Reply>;

/** A click on an alert's feedback button, translated from the platform's payload. */
export interface FeedbackClick {
  platform: PlatformName;
  workspaceId: string;
  /** The platform's id of the channel the click came from (the message's channel). */
  channelId: string;
  userId: string;
  /** The button's id as received (Slack value, Discord custom_id); the core parses and checks it. */
  buttonId: string;
}

/** What to tell the user who clicked, and only them (plain text; the adapter escapes it). */
export interface FeedbackAck {
  text: string;
}

export type FeedbackHandler = (click: FeedbackClick) => Promise<FeedbackAck>;

export interface SentMessage {
  /** Slack ts, Discord message id. */
  messageId: string;
}

/** Why a send failed, so the dispatcher knows whether to wait, retry or give up. */
export type DeliveryFailureKind = 'rate_limited' | 'transient' | 'permanent';

/**
 * What a permanent failure is about: the channel (gone, bot removed, missing access: the dispatcher pauses
 * the channel) or this one message (too long, invalid blocks, message deleted: that alert alone fails).
 */
export type DeliveryFailureScope = 'channel' | 'message';

export class DeliveryError extends Error {
  readonly kind: DeliveryFailureKind;
  readonly retryAfterMs: number | null;
  readonly scope: DeliveryFailureScope;
  constructor(kind: DeliveryFailureKind, message: string, retryAfterMs: number | null = null, scope: DeliveryFailureScope = 'channel') {
    super(message);
    this.name = 'DeliveryError';
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
    this.scope = scope;
  }
}

export interface ChatPlatform {
  readonly name: PlatformName;
  /**
   * Connects and starts receiving commands, which it hands to `handler`, and clicks on feedback buttons,
   * which it hands to `feedback` (without one, clicks are answered as unavailable).
   */
  start(handler: CommandHandler, feedback?: FeedbackHandler): Promise<void>;
  /** Stops receiving; in-flight sends finish. */
  stop(): Promise<void>;
  postStory(channelId: string, story: StoryView): Promise<SentMessage>;
  /** Replaces a posted story (new coverage, edited story). */
  updateStory(channelId: string, messageId: string, story: StoryView): Promise<void>;
  postDigest(channelId: string, digest: DigestView): Promise<SentMessage>;
  /** Tells the channel something an admin must see (e.g. alerts paused). */
  postNotice(channelId: string, text: string): Promise<SentMessage>;
  /**
   * How many messages the brief takes on this platform: split within its size limits (blocks, embeds,
   * characters), never inside a story. The same view always splits the same way.
   */
  briefParts(brief: BriefView): number;
  /** Posts part `part` (0-based) of the brief, carrying `ref` as StoryView.ref does. */
  postBriefPart(channelId: string, brief: BriefView, part: number, ref: string): Promise<SentMessage>;
  /** Posts later coverage as a reply in the thread of the story message `parentMessageId` (Slack thread_ts, a Discord thread). */
  postFollowUp(channelId: string, parentMessageId: string, followUp: FollowUpView): Promise<SentMessage>;
  /**
   * Optional: the message posted earlier with this `ref` (StoryView.ref / DigestView.ref, a brief part's
   * or a reply's), if any; with `threadOf`, among the replies to that message. The dispatcher asks
   * before re-sending something whose earlier attempt may have reached the platform (the process died
   * between the send and recording its message id). `since`, when known, is the earliest the message can
   * have been posted (when the delivery was queued): the adapter then reads the channel back to it (within
   * its own bound), not only its latest messages, so a busy channel does not hide the earlier post.
   */
  findStory?(channelId: string, ref: string, threadOf?: string, since?: Date): Promise<SentMessage | null>;
  /**
   * Optional: what a person may see and do on this platform, asked the way the adapter asks for a /news
   * command (the dashboard uses it, so the web and chat share one permission model).
   */
  readonly access?: MemberAccess;
}
