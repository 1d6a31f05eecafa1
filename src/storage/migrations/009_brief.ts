// The morning brief (issue 14). Channels get delivery settings: a mode (live, brief, both), a brief
// schedule (daily or weekly at a local time in an IANA zone) with the next time it is due (scheduling as
// data), quiet hours, and threads for follow-ups. Items keep the relevance score the scorer gave them (the
// brief ranks by it). `briefs` is a second outbox, one row per (channel, period) in the schema: a brief,
// or the message that releases what a quiet window held; its content is fixed once composed and it may
// take several messages (parts), each recorded as it goes. Alerts may be `held` (for a brief, or during
// quiet hours) and then name the brief that delivers them (digest_id); they also remember the newest
// coverage the channel has seen of their story (followed_item_id), and a thread reply on its way
// (following_item_id), so follow-ups in threads are sent once.
import { type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function briefMigration(dialect: Dialect): Migration {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('items').addColumn('relevance', 'real').execute();

      for (const [name, type] of [
        ['brief_every', 'text'], ['brief_weekday', 'integer'], ['brief_time', 'text'], ['brief_zone', 'text'], ['brief_next_at', time],
        ['quiet_start', 'text'], ['quiet_end', 'text'], ['quiet_zone', 'text'],
      ] as const) {
        await db.schema.alterTable('channels').addColumn(name, type).execute();
      }
      await db.schema.alterTable('channels').addColumn('delivery_mode', 'text', (c) => c.notNull().defaultTo('live')).execute();
      await db.schema.alterTable('channels').addColumn('threads', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('channels_brief_due').on('channels').column('brief_next_at').execute();

      await db.schema
        .createTable('briefs')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('channel_id', time, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('period_key', 'text', (c) => c.notNull())
        .addColumn('period_start', time, (c) => c.notNull())
        .addColumn('period_end', time, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', time, (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', time)
        .addColumn('content', 'text')
        .addColumn('parts_sent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('message_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('last_error', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('sent_at', time)
        .addColumn('updated_at', time, (c) => c.notNull())
        .addUniqueConstraint('briefs_channel_period', ['channel_id', 'period_key'])
        .execute();
      await db.schema.createIndex('briefs_due').on('briefs').columns(['status', 'next_attempt_at']).execute();

      // No foreign key (SQLite could not drop the column again): a brief goes only with its channel, and so do its alerts.
      await db.schema.alterTable('alerts').addColumn('digest_id', time).execute();
      await db.schema.alterTable('alerts').addColumn('followed_item_id', time).execute();
      await db.schema.alterTable('alerts').addColumn('following_item_id', time).execute();
      await db.schema.createIndex('alerts_channel_created').on('alerts').columns(['channel_id', 'created_at']).execute();
      await db.schema.createIndex('alerts_digest').on('alerts').column('digest_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('alerts_digest').ifExists().execute();
      await db.schema.dropIndex('alerts_channel_created').ifExists().execute();
      for (const c of ['following_item_id', 'followed_item_id', 'digest_id']) await db.schema.alterTable('alerts').dropColumn(c).execute();
      await db.schema.dropTable('briefs').ifExists().execute();
      await db.schema.dropIndex('channels_brief_due').ifExists().execute();
      for (const c of ['threads', 'delivery_mode', 'quiet_zone', 'quiet_end', 'quiet_start', 'brief_next_at', 'brief_zone', 'brief_time', 'brief_weekday', 'brief_every']) {
        await db.schema.alterTable('channels').dropColumn(c).execute();
      }
      await db.schema.alterTable('items').dropColumn('relevance').execute();
    },
  };
}
