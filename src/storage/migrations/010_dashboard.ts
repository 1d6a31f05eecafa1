// The web dashboard (issue 13): sessions kept server-side (so several instances share them), failed
// password sign-ins (rate limit across instances), a generated signing key for session cookies, saved
// versions of the topics (who, when, what; the topics file is the default), and Slack installations made
// through "Add to Slack" (the installation encrypted at rest; team and enterprise ids in clear for lookup).
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function dashboardMigration(dialect: Dialect): Migration {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('web_sessions')
        // sha256 of the session token: the cookie holds the token, the database only its hash.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_json', 'text', (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('seen_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('web_sessions_expiry').on('web_sessions').column('expires_at').execute();

      await db.schema
        .createTable('web_sign_in_failures')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('web_sign_in_failures_key').on('web_sign_in_failures').columns(['key', 'at']).execute();

      await db.schema
        .createTable('web_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('topic_versions')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        // JSON of the whole topic list; null: back to the topics file.
        .addColumn('topics_json', 'text')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('reverts_to', time)
        .execute();

      await db.schema
        .createTable('slack_installations')
        .addColumn('enterprise_id', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('team_name', 'text')
        // AES-256-GCM of the installation JSON (tokens included): v1.<iv>.<tag>.<ciphertext>, base64url.
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('installed_by', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('slack_installations_pk', ['enterprise_id', 'team_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['slack_installations', 'topic_versions', 'web_settings', 'web_sign_in_failures', 'web_sessions']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
