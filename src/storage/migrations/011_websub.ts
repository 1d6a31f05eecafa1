// WebSub push (issue 12): one subscription per feed whose document names a hub. The hub calls back on
// /websub/<callback_id> (an unguessable id); `secret` keys the HMAC of pushed content (sealed with
// CYBERBRIEF_ENCRYPTION_KEY when it is set); `pending_mode` and `pending_until` are the intent we asked the
// hub to verify; `next_action_at` is when the renewal job looks at the row again, claimed with a lease
// (`lease_owner`, `lease_until`) so several instances never renew one subscription at once. No foreign key
// to feeds: a removed feed's row stays until the job has told the hub to stop pushing.
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function websubMigration(dialect: Dialect): Migration {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('websub_subscriptions')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('feed_id', time, (c) => c.notNull().unique())
        .addColumn('callback_id', 'text', (c) => c.notNull().unique())
        .addColumn('hub_url', 'text', (c) => c.notNull())
        .addColumn('topic_url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        // subscribing | active | failed | unsubscribing
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('pending_mode', 'text')
        .addColumn('pending_until', time)
        .addColumn('lease_seconds', 'integer')
        .addColumn('lease_expires_at', time)
        .addColumn('next_action_at', time, (c) => c.notNull())
        .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('last_error_at', time)
        .addColumn('verified_at', time)
        .addColumn('last_push_at', time)
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('websub_subscriptions_due').on('websub_subscriptions').column('next_action_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('websub_subscriptions').ifExists().execute();
    },
  };
}
