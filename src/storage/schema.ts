// Table types for Kysely. Times are epoch milliseconds (bigint in PostgreSQL, integer in SQLite), flags
// are 0/1 integers, JSON is text: the same representation on both databases.
import type { Generated } from 'kysely';

export interface FeedsTable {
  id: Generated<number>;
  url: string;
  title: string | null;
  site_url: string | null;
  enabled: number;
  interval_seconds: number | null;
  etag: string | null;
  last_modified: string | null;
  next_check_at: number;
  error_count: number;
  last_error: string | null;
  last_error_at: number | null;
  last_success_at: number | null;
  disabled_reason: string | null;
  /** The feed's own <ttl>, in minutes, from its last full fetch. */
  ttl_minutes: number | null;
  primed: number;
  /** The entry marks of the version last read (src/feeds/entry-marks.ts; migration 012). */
  entry_marks: string | null;
  /** When a poll last stored an item new to the bot (migration 016; null: none yet). */
  last_new_item_at: number | null;
  /** Where the feed came from: config, user (chat command), opml, cli. */
  source: string;
  /** 1: reaches every channel (migration 004; 0 by default, so only code that means it makes a feed global). */
  is_global: Generated<number>;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
}

/** A tenant's link to a feed it added (migration 004): the feed's items reach that tenant's channels. */
export interface FeedTenantsTable {
  feed_id: number;
  platform: string;
  workspace_id: string;
  created_by: string | null;
  created_at: number;
}

export interface ItemsTable {
  id: Generated<number>;
  feed_id: number;
  key: string;
  guid: string | null;
  url: string | null;
  title: string;
  summary: string;
  content: string;
  html: string | null;
  author: string | null;
  published_at: number | null;
  fetched_at: number;
  content_hash: string;
  cluster_id: number | null;
  article_text: string | null;
  digest: string | null;
  digest_from_excerpt: number;
  /** 0 until matching/summarising/routing has run for this item. */
  processed: number;
  /** The relevance scorer's probability for the item; null when the rules alone decided (migration 009). */
  relevance: Generated<number | null>;
}

export interface ItemTopicsTable {
  item_id: number;
  topic_id: string;
  score: number;
  /** JSON array of reason strings. */
  reasons: string;
}

export interface ClustersTable {
  id: Generated<number>;
  signature: string;
  title: string;
  first_item_id: number;
  created_at: number;
  last_item_at: number;
}

export interface ChannelsTable {
  id: Generated<number>;
  platform: string;
  external_id: string;
  workspace_id: string;
  name: string | null;
  paused: number;
  paused_reason: string | null;
  created_at: number;
  /** live | brief | both (migration 009). */
  delivery_mode: Generated<string>;
  /** daily | weekly; null: no brief schedule. */
  brief_every: Generated<string | null>;
  /** 0 = Sunday ... 6 = Saturday, weekly briefs only. */
  brief_weekday: Generated<number | null>;
  /** HH:MM or HH:MM:SS on the zone's clock. */
  brief_time: Generated<string | null>;
  brief_zone: Generated<string | null>;
  /** When the next brief is due (epoch ms); null while none is scheduled. */
  brief_next_at: Generated<number | null>;
  quiet_start: Generated<string | null>;
  quiet_end: Generated<string | null>;
  quiet_zone: Generated<string | null>;
  /** 1: later coverage of a posted story goes as a reply in its thread. */
  threads: Generated<number>;
}

export interface SubscriptionsTable {
  channel_id: number;
  topic_id: string;
  created_by: string | null;
  created_at: number;
}

export interface ChannelKeywordsTable {
  channel_id: number;
  term: string;
  exclude: number;
  created_by: string | null;
  created_at: number;
}

export interface AlertsTable {
  id: Generated<number>;
  channel_id: number;
  cluster_id: number;
  item_id: number;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  message_id: string | null;
  last_error: string | null;
  needs_update: number;
  created_at: number;
  sent_at: number | null;
  updated_at: number;
  /** 1 when the alert went out inside an overflow digest (migration 002). */
  in_digest: Generated<number>;
  /** 1 while the channel's latest verdict on the story is "not relevant": no edits (migration 005). */
  muted: Generated<number>;
  /** The brief (or quiet-hours release) that delivers this held alert (migration 009). */
  digest_id: Generated<number | null>;
  /** The newest item of the story the channel has seen (in the message or replied in its thread). */
  followed_item_id: Generated<number | null>;
  /** A thread reply about this item is being sent (its outcome is unknown after a crash). */
  following_item_id: Generated<number | null>;
}

/** The brief outbox (migration 009): one row per (channel, period), unique in the schema. */
export interface BriefsTable {
  id: Generated<number>;
  channel_id: number;
  /** brief | quiet (the release of what quiet hours held). */
  kind: string;
  period_key: string;
  period_start: number;
  period_end: number;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  /** The composed brief (JSON), fixed before its first part is sent. */
  content: string | null;
  parts_sent: Generated<number>;
  /** JSON array of the platform's message ids, one per part sent. */
  message_ids: Generated<string>;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  updated_at: number;
}

/** One analyst's verdict on one story in one channel (migration 005). */
export interface FeedbackTable {
  channel_id: number;
  cluster_id: number;
  item_id: number;
  alert_id: number | null;
  user_id: string;
  /** relevant | not_relevant */
  verdict: string;
  created_at: number;
  updated_at: number;
}

export interface ArticleCacheTable {
  url: string;
  text: string | null;
  fetched_at: number;
}

/** A dashboard session (migration 010): the cookie carries a token, the row its sha256. */
export interface WebSessionsTable {
  id: string;
  user_json: string;
  csrf: string;
  created_at: number;
  seen_at: number;
  expires_at: number;
}

export interface WebSignInFailuresTable {
  key: string;
  at: number;
}

export interface WebSettingsTable {
  name: string;
  value: string;
}

/** A saved version of the topics (migration 010); topics_json null: the topics file again. */
export interface TopicVersionsTable {
  id: Generated<number>;
  topics_json: string | null;
  summary: string;
  created_by: string;
  created_at: number;
  reverts_to: number | null;
}

/** A workspace that installed the Slack app through OAuth (migration 010); `data` is encrypted. */
export interface SlackInstallationsTable {
  enterprise_id: string;
  team_id: string;
  team_name: string | null;
  data: string;
  installed_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A WebSub subscription of one feed (migration 011); `secret` is sealed when an encryption key is set. */
export interface WebsubSubscriptionsTable {
  id: Generated<number>;
  feed_id: number;
  callback_id: string;
  hub_url: string;
  topic_url: string;
  secret: string;
  /** subscribing | active | failed | unsubscribing */
  state: string;
  /** subscribe | unsubscribe: the request whose verification we expect; null when none. */
  pending_mode: string | null;
  pending_until: number | null;
  lease_seconds: number | null;
  lease_expires_at: number | null;
  next_action_at: number;
  error_count: Generated<number>;
  last_error: string | null;
  last_error_at: number | null;
  verified_at: number | null;
  last_push_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

/** One row (id 1): moved by triggers on every change to who a feed reaches (migration 015). */
export interface AudienceVersionTable {
  id: number;
  version: number;
}

export interface Database {
  feeds: FeedsTable;
  audience_version: AudienceVersionTable;
  feed_tenants: FeedTenantsTable;
  items: ItemsTable;
  item_topics: ItemTopicsTable;
  clusters: ClustersTable;
  channels: ChannelsTable;
  subscriptions: SubscriptionsTable;
  channel_keywords: ChannelKeywordsTable;
  alerts: AlertsTable;
  briefs: BriefsTable;
  article_cache: ArticleCacheTable;
  feedback: FeedbackTable;
  web_sessions: WebSessionsTable;
  web_sign_in_failures: WebSignInFailuresTable;
  web_settings: WebSettingsTable;
  topic_versions: TopicVersionsTable;
  slack_installations: SlackInstallationsTable;
  websub_subscriptions: WebsubSubscriptionsTable;
}
