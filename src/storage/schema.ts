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

export interface Database {
  feeds: FeedsTable;
  feed_tenants: FeedTenantsTable;
  items: ItemsTable;
  item_topics: ItemTopicsTable;
  clusters: ClustersTable;
  channels: ChannelsTable;
  subscriptions: SubscriptionsTable;
  channel_keywords: ChannelKeywordsTable;
  alerts: AlertsTable;
  article_cache: ArticleCacheTable;
  feedback: FeedbackTable;
  web_sessions: WebSessionsTable;
  web_sign_in_failures: WebSignInFailuresTable;
  web_settings: WebSettingsTable;
  topic_versions: TopicVersionsTable;
  slack_installations: SlackInstallationsTable;
}
