// Tenancy: a feed is global (reaches every channel) and/or owned by tenants, one row per (feed, platform,
// workspace) in feed_tenants; its items reach only global feeds' or their own tenants' channels. Every
// feed that existed before came from the configuration, the CLI or an admin of the one bot-wide feed
// list, so all of them become global: existing deployments keep delivering exactly as before.
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../db.ts';

export function feedTenancyMigration(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      // New rows are not global unless the code says so (the safe default); existing ones are.
      await db.schema.alterTable('feeds').addColumn('is_global', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update feeds set is_global = 1`.execute(db);
      await db.schema
        .createTable('feed_tenants')
        .addColumn('feed_id', time, (c) => c.notNull().references('feeds.id').onDelete('cascade'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('feed_tenants_pk', ['feed_id', 'platform', 'workspace_id'])
        .execute();
      await db.schema.createIndex('feed_tenants_tenant').on('feed_tenants').columns(['platform', 'workspace_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('feed_tenants').ifExists().execute();
      await db.schema.alterTable('feeds').dropColumn('is_global').execute();
    },
  };
}
