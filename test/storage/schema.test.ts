// Uniqueness that guarantees exactly-once behaviour is enforced by the schema itself, on both databases.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, parseDatabaseUrl, type DatabaseHandle } from '../../src/storage/db.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('schema on $name', (database) => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  const now = Date.parse('2026-01-01T00:00:00Z');

  beforeEach(async () => {
    const fresh = await freshStorage(database);
    handle = openDatabase(parseDatabaseUrl(fresh.url));
    cleanup = async () => {
      await handle.close();
      await fresh.cleanup();
    };
  });
  afterEach(async () => cleanup());

  async function seed() {
    const db = handle.db;
    const feed = await db.insertInto('feeds').values({ url: 'https://a.example/rss', enabled: 1, next_check_at: now, error_count: 0, primed: 0, source: 'cli', created_at: now }).returning('id').executeTakeFirstOrThrow();
    const item = { feed_id: Number(feed.id), key: 'guid:1', title: 'T', summary: '', content: '', fetched_at: now, content_hash: 'h', digest_from_excerpt: 0, processed: 0 };
    const i = await db.insertInto('items').values(item).returning('id').executeTakeFirstOrThrow();
    const cl = await db.insertInto('clusters').values({ signature: 'ab', title: 'T', first_item_id: Number(i.id), created_at: now, last_item_at: now }).returning('id').executeTakeFirstOrThrow();
    const ch = await db.insertInto('channels').values({ platform: 'slack', external_id: 'C1', workspace_id: 'T1', paused: 0, created_at: now }).returning('id').executeTakeFirstOrThrow();
    return { item, itemId: Number(i.id), clusterId: Number(cl.id), channelId: Number(ch.id) };
  }

  it('refuses a second alert for the same channel and story', async () => {
    const { itemId, clusterId, channelId } = await seed();
    const alert = { channel_id: channelId, cluster_id: clusterId, item_id: itemId, status: 'pending', attempts: 0, next_attempt_at: now, needs_update: 0, created_at: now, updated_at: now };
    await handle.db.insertInto('alerts').values(alert).execute();
    await expect(handle.db.insertInto('alerts').values(alert).execute()).rejects.toThrow(/unique|duplicate/i);
    const ignored = await handle.db.insertInto('alerts').values(alert).onConflict((oc) => oc.columns(['channel_id', 'cluster_id']).doNothing()).execute();
    expect(Number(ignored[0]?.numInsertedOrUpdatedRows ?? 0)).toBe(0);
    const rows = await handle.db.selectFrom('alerts').selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a second item with the same key in one feed, and a second channel with the same platform id', async () => {
    const { item } = await seed();
    await expect(handle.db.insertInto('items').values(item).execute()).rejects.toThrow(/unique|duplicate/i);
    await expect(handle.db.insertInto('channels').values({ platform: 'slack', external_id: 'C1', workspace_id: 'T1', paused: 0, created_at: now }).execute()).rejects.toThrow(/unique|duplicate/i);
  });
});
