// Migration 016: a feed's last new item time is filled from the items an older version stored (when they
// were fetched), on both databases. The column is dropped as an older version had it, then the migration runs
// again.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { newItem } from '../delivery/fixtures.ts';
import { forgetMigration, freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('migration 016 (feed last new item) on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('sets each feed to when its newest stored item was fetched, and leaves a feed with none empty', async () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const a = (await storage.feeds.add({ url: 'https://a.example/rss', source: 'cli' }, at)).feed.id;
    const b = (await storage.feeds.add({ url: 'https://b.example/rss', source: 'cli' }, at)).feed.id;
    const first = new Date('2026-06-02T00:00:00Z');
    const second = new Date('2026-06-20T00:00:00Z');
    await storage.items.storeForFeed(a, [newItem(a, { key: 'one', title: 'One' })], { fetchedAt: first });
    await storage.items.storeForFeed(a, [newItem(a, { key: 'two', title: 'Two' })], { fetchedAt: second });

    await forgetMigration(url, '016_feed_last_new_item', async (db) => {
      await sql`alter table feeds drop column last_new_item_at`.execute(db);
    });
    expect(await storage.pending()).toEqual(['016_feed_last_new_item']);
    expect(await storage.migrate()).toEqual(['016_feed_last_new_item']);

    expect((await storage.feeds.get(a))!.lastNewItemAt).toEqual(second);
    expect((await storage.feeds.get(b))!.lastNewItemAt).toBeNull();
  });
});
