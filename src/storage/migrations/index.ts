// Every migration, in order. Add a file NNN_name.ts and list it here.
import type { Migration } from 'kysely';
import type { Dialect } from '../db.ts';
import { initialMigration } from './001_initial.ts';
import { alertDigestMigration } from './002_alert_digest.ts';
import { feedTtlMigration } from './003_feed_ttl.ts';
import { feedTenancyMigration } from './004_feed_tenancy.ts';
import { feedbackMigration } from './005_feedback.ts';
import { keywordFormatCharsMigration } from './008_keyword_format_chars.ts';
import { briefMigration } from './009_brief.ts';
import { dashboardMigration } from './010_dashboard.ts';
import { websubMigration } from './011_websub.ts';
import { entryMarksMigration } from './012_entry_marks.ts';
import { clusterWindowIndexMigration } from './013_cluster_window_index.ts';
import { itemsClusterFeedIndexMigration } from './014_items_cluster_feed_index.ts';
import { audienceVersionMigration } from './015_audience_version.ts';
import { feedLastNewItemMigration } from './016_feed_last_new_item.ts';
import { followEveryTopicMigration } from './017_follow_every_topic.ts';

export function allMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_initial': initialMigration(dialect),
    '002_alert_digest': alertDigestMigration(),
    '003_feed_ttl': feedTtlMigration(),
    '004_feed_tenancy': feedTenancyMigration(dialect),
    '005_feedback': feedbackMigration(dialect),
    '008_keyword_format_chars': keywordFormatCharsMigration(),
    '009_brief': briefMigration(dialect),
    '010_dashboard': dashboardMigration(dialect),
    '011_websub': websubMigration(dialect),
    '012_entry_marks': entryMarksMigration(),
    '013_cluster_window_index': clusterWindowIndexMigration(),
    '014_items_cluster_feed_index': itemsClusterFeedIndexMigration(),
    '015_audience_version': audienceVersionMigration(dialect),
    '016_feed_last_new_item': feedLastNewItemMigration(dialect),
    '017_follow_every_topic': followEveryTopicMigration(),
  };
}
