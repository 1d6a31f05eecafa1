// Analysts' feedback on alerts: one verdict per (channel, story, user), replaced when the user clicks
// again. alerts.muted is set while the channel's latest verdict on the story is "not relevant": the outbox
// then takes no edit requests for it. items.url gets an index for `/news why <link>`.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function feedbackMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('feedback')
        .addColumn('channel_id', time, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('cluster_id', time, (c) => c.notNull().references('clusters.id').onDelete('cascade'))
        .addColumn('item_id', time, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('alert_id', time, (c) => c.references('alerts.id').onDelete('set null'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('relevant', 'not_relevant')`))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('feedback_pk', ['channel_id', 'cluster_id', 'user_id'])
        .execute();
      await db.schema.createIndex('feedback_item').on('feedback').column('item_id').execute();
      await db.schema.createIndex('feedback_channel_time').on('feedback').columns(['channel_id', 'updated_at']).execute();
      await db.schema.alterTable('alerts').addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('items_url').on('items').column('url').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('items_url').ifExists().execute();
      await db.schema.alterTable('alerts').dropColumn('muted').execute();
      await db.schema.dropTable('feedback').ifExists().execute();
    },
  };
}
