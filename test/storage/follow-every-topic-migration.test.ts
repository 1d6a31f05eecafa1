// Migration 017: a channel that followed exactly the nine former default topics (what `/news subscribe` with no
// topic, and the console at first start, stored one by one) follows every topic afterwards; a channel that chose
// some of them, or follows others besides, keeps its list; a channel that follows every topic is followed by
// subscribers() for any topic. On both databases: the rows are written as an older version wrote them, then the
// migration runs again; then down and up again.
import { Migrator } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVERY_TOPIC } from '../../src/domain/following.ts';
import { openDatabase, parseDatabaseUrl } from '../../src/storage/db.ts';
import type { Storage } from '../../src/storage/index.ts';
import { FORMER_DEFAULT_TOPICS } from '../../src/storage/migrations/017_follow_every_topic.ts';
import { allMigrations } from '../../src/storage/migrations/index.ts';
import { forgetMigration, freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('migration 017 (follow every topic) on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  const channel = async (id: string) => (await storage.channels.upsert({ platform: 'slack', externalId: id, workspaceId: 'T1', name: id })).id;

  it('turns the nine former defaults into every topic and leaves other lists as they are', async () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const all = await channel('C-all');
    const some = await channel('C-some');
    const more = await channel('C-more');
    const none = await channel('C-none');
    await storage.channels.subscribe(all, FORMER_DEFAULT_TOPICS, 'U1', at);
    await storage.channels.subscribe(some, FORMER_DEFAULT_TOPICS.slice(0, 8), 'U1', at);
    await storage.channels.subscribe(more, [...FORMER_DEFAULT_TOPICS, 'my-own-topic'], 'U1', at);

    await forgetMigration(url, '017_follow_every_topic');
    expect(await storage.pending()).toEqual(['017_follow_every_topic']);
    expect(await storage.migrate()).toEqual(['017_follow_every_topic']);

    expect(await storage.channels.subscriptions(all)).toEqual([EVERY_TOPIC]);
    expect(await storage.channels.subscriptions(some)).toEqual([...FORMER_DEFAULT_TOPICS.slice(0, 8)].sort());
    expect(await storage.channels.subscriptions(more)).toEqual([...FORMER_DEFAULT_TOPICS, 'my-own-topic'].sort());
    expect(await storage.channels.subscriptions(none)).toEqual([]);
    // Following every topic: a subscriber of any topic, a new one included, once.
    expect((await storage.channels.subscribers('cyber-strategy')).map((c) => c.id)).toEqual([all]);
    expect((await storage.channels.subscribers('government-espionage')).map((c) => c.id)).toEqual([all, more]);
    expect((await storage.channels.subscribers('state-spyware')).map((c) => c.id)).toEqual([all, some, more]);
    expect((await storage.channels.rulesByChannel()).topics.get(all)).toEqual([EVERY_TOPIC]);
  });

  it('gives the nine back on the way down, and turns them into every topic again on the way up', async () => {
    const all = await channel('C-all');
    await storage.channels.subscribe(all, [EVERY_TOPIC], 'operator', new Date('2026-06-01T00:00:00Z'));
    const config = parseDatabaseUrl(url);
    const handle = openDatabase(config);
    try {
      const migrator = new Migrator({
        db: handle.db,
        provider: { getMigrations: async () => allMigrations(config.dialect) },
        migrationTableName: 'cyberbrief_migrations',
        migrationLockTableName: 'cyberbrief_migrations_lock',
      });
      const r = await migrator.migrateDown();
      expect(r.error).toBeUndefined();
      expect(r.results?.map((x) => x.migrationName)).toEqual(['017_follow_every_topic']);
    } finally {
      await handle.close();
    }
    expect(await storage.channels.subscriptions(all)).toEqual([...FORMER_DEFAULT_TOPICS].sort());
    expect(await storage.migrate()).toEqual(['017_follow_every_topic']);
    expect(await storage.channels.subscriptions(all)).toEqual([EVERY_TOPIC]);
  });
});
