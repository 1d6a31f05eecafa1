// When a feed last brought an item the bot had not seen (epoch ms), so a feed that still answers but has
// stopped publishing (a frozen URL, a site that moved its feed) shows as quiet instead of OK. Set with the
// items' insert (ItemsRepo.storeManyIn); filled here from the items already stored (when they were fetched).
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../db.ts';

export function feedLastNewItemMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('feeds').addColumn('last_new_item_at', dialect === 'postgres' ? 'bigint' : 'integer').execute();
      await sql`update feeds set last_new_item_at = (select max(items.fetched_at) from items where items.feed_id = feeds.id)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('feeds').dropColumn('last_new_item_at').execute();
    },
  };
}
