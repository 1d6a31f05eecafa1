// Every migration, in order. Add a file NNN_name.ts and list it here.
import type { Migration } from 'kysely';
import type { Dialect } from '../db.ts';
import { initialMigration } from './001_initial.ts';
import { alertDigestMigration } from './002_alert_digest.ts';
import { feedTtlMigration } from './003_feed_ttl.ts';
import { keywordFormatCharsMigration } from './008_keyword_format_chars.ts';

export function allMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_initial': initialMigration(dialect),
    '002_alert_digest': alertDigestMigration(),
    '003_feed_ttl': feedTtlMigration(),
    '008_keyword_format_chars': keywordFormatCharsMigration(),
  };
}
