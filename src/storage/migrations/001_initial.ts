// The initial schema. Uniqueness that guarantees exactly-once behaviour lives here, not in memory:
// an item once per (feed, key), a story once per (channel, cluster) in the outbox.
import { type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.ts';

export function initialMigration(dialect: Dialect): Migration {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('feeds')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('url', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text')
        .addColumn('site_url', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('interval_seconds', 'integer')
        .addColumn('etag', 'text')
        .addColumn('last_modified', 'text')
        .addColumn('next_check_at', time, (c) => c.notNull())
        .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('last_error_at', time)
        .addColumn('last_success_at', time)
        .addColumn('disabled_reason', 'text')
        .addColumn('primed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('config'))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feeds_due').on('feeds').columns(['enabled', 'next_check_at']).execute();

      await db.schema
        .createTable('clusters')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('first_item_id', time, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('last_item_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('clusters_recent').on('clusters').column('last_item_at').execute();

      await db.schema
        .createTable('items')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('feed_id', time, (c) => c.notNull().references('feeds.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('guid', 'text')
        .addColumn('url', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('html', 'text')
        .addColumn('author', 'text')
        .addColumn('published_at', time)
        .addColumn('fetched_at', time, (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('cluster_id', time, (c) => c.references('clusters.id').onDelete('set null'))
        .addColumn('article_text', 'text')
        .addColumn('digest', 'text')
        .addColumn('digest_from_excerpt', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('items_feed_key', ['feed_id', 'key'])
        .execute();
      await db.schema.createIndex('items_feed_url').on('items').columns(['feed_id', 'url']).execute();
      await db.schema.createIndex('items_feed_hash').on('items').columns(['feed_id', 'content_hash']).execute();
      await db.schema.createIndex('items_cluster').on('items').column('cluster_id').execute();
      await db.schema.createIndex('items_fetched').on('items').column('fetched_at').execute();
      await db.schema.createIndex('items_unprocessed').on('items').columns(['processed', 'id']).execute();

      await db.schema
        .createTable('item_topics')
        .addColumn('item_id', time, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('topic_id', 'text', (c) => c.notNull())
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_topics_pk', ['item_id', 'topic_id'])
        .execute();
      await db.schema.createIndex('item_topics_topic').on('item_topics').column('topic_id').execute();

      await db.schema
        .createTable('channels')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('name', 'text')
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('paused_reason', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('channels_platform_external', ['platform', 'external_id'])
        .execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('channel_id', time, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('topic_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('subscriptions_pk', ['channel_id', 'topic_id'])
        .execute();

      await db.schema
        .createTable('channel_keywords')
        .addColumn('channel_id', time, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('term', 'text', (c) => c.notNull())
        .addColumn('exclude', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_keywords_pk', ['channel_id', 'term'])
        .execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('channel_id', time, (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('cluster_id', time, (c) => c.notNull().references('clusters.id').onDelete('cascade'))
        .addColumn('item_id', time, (c) => c.notNull().references('items.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', time, (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', time)
        .addColumn('message_id', 'text')
        .addColumn('last_error', 'text')
        .addColumn('needs_update', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('sent_at', time)
        .addColumn('updated_at', time, (c) => c.notNull())
        .addUniqueConstraint('alerts_channel_cluster', ['channel_id', 'cluster_id'])
        .execute();
      await db.schema.createIndex('alerts_due').on('alerts').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('article_cache')
        .addColumn('url', 'text', (c) => c.primaryKey())
        .addColumn('text', 'text')
        .addColumn('fetched_at', time, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['article_cache', 'alerts', 'channel_keywords', 'subscriptions', 'channels', 'item_topics', 'items', 'clusters', 'feeds']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
