// Who owns feeds, in storage, on both databases: global feeds, tenants' links to shared feed rows, what
// each tenant sees, removal of one link or of the global flag, and migration 004 turning every existing
// feed global. The contract the commands and the router rely on.
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/domain/tenancy.ts';
import { allMigrations } from '../../src/storage/migrations/index.ts';
import { openStorage, parseDatabaseUrl, type Storage } from '../../src/storage/index.ts';
import { newItem } from '../delivery/fixtures.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const A: Tenant = { platform: 'slack', workspaceId: 'TA' };
const B: Tenant = { platform: 'discord', workspaceId: '7000000000000000002' };
/** The same id on another platform is another tenant. */
const A_ON_DISCORD: Tenant = { platform: 'discord', workspaceId: 'TA' };

describe.each(testDatabases)('feed tenancy on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-03-01T00:00:00Z');
  const user = (url: string) => ({ url, source: 'user' as const });

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  const visible = async (t: Tenant) => (await storage.feeds.visibleTo(t)).map((f) => [f.url, f.global, f.owned]);

  it("two tenants adding one URL share one feed row, fetched once, each with its own link", async () => {
    const a = await storage.feeds.addForTenant(user('https://shared.example/rss'), A, 'UA', t0);
    const again = await storage.feeds.addForTenant(user('https://shared.example/rss'), A, 'UA', t0);
    const b = await storage.feeds.addForTenant(user('https://shared.example/rss'), B, 'UB', t0);
    expect([a.created, a.linked, again.created, again.linked, b.created, b.linked]).toEqual([true, true, false, false, false, true]);
    expect(b.feed.id).toBe(a.feed.id);
    expect(a.feed.global).toBe(false);
    expect(await storage.feeds.count()).toBe(1);
    const claimed = await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'x', leaseUntil: new Date(t0.getTime() + 60_000) });
    expect(claimed.map((f) => f.url)).toEqual(['https://shared.example/rss']);
    expect(await storage.feeds.audiences()).toEqual(new Map([[a.feed.id, { global: false, tenants: ['discord:7000000000000000002', 'slack:TA'] }]]));
  });

  it('shows a tenant the global feeds and its own, never another tenant\'s', async () => {
    await storage.feeds.add({ url: 'https://global.example/rss', source: 'config' }, t0);
    await storage.feeds.addForTenant(user('https://a-only.example/rss'), A, 'UA', t0);
    await storage.feeds.addForTenant(user('https://b-only.example/rss'), B, 'UB', t0);
    expect(await visible(A)).toEqual([['https://global.example/rss', true, false], ['https://a-only.example/rss', false, true]]);
    expect(await visible(B)).toEqual([['https://global.example/rss', true, false], ['https://b-only.example/rss', false, true]]);
    expect(await visible(A_ON_DISCORD)).toEqual([['https://global.example/rss', true, false]]);
    expect(await visible({ platform: 'console', workspaceId: '' })).toEqual([['https://global.example/rss', true, false]]);
  });

  it("removing one tenant's link keeps the feed for the other; the row goes with the last link", async () => {
    const { feed } = await storage.feeds.addForTenant(user('https://shared.example/rss'), A, 'UA', t0);
    await storage.feeds.addForTenant(user('https://shared.example/rss'), B, 'UB', t0);
    await storage.items.storeForFeed(feed.id, [newItem(feed.id, { key: 'k1', title: 'Story' })], { fetchedAt: t0 });
    // A tenant without a link changes nothing.
    expect(await storage.feeds.removeForTenant(feed.id, A_ON_DISCORD)).toEqual({ unlinked: false, deleted: false });
    expect(await storage.feeds.removeForTenant(feed.id, B)).toEqual({ unlinked: true, deleted: false });
    expect(await visible(B)).toEqual([]);
    expect(await visible(A)).toEqual([['https://shared.example/rss', false, true]]);
    expect(await storage.items.listByFeed(feed.id)).toHaveLength(1);
    expect(await storage.feeds.removeForTenant(feed.id, A)).toEqual({ unlinked: true, deleted: true });
    expect(await storage.feeds.count()).toBe(0);
    expect(await storage.items.listByFeed(feed.id)).toEqual([]);
    expect(await storage.feeds.removeForTenant(feed.id, A)).toEqual({ unlinked: false, deleted: false });
  });

  it('a global feed gets no tenant link, and a tenant cannot remove it', async () => {
    const g = await storage.feeds.add({ url: 'https://global.example/rss', source: 'config' }, t0);
    expect([g.created, g.madeGlobal, g.feed.global]).toEqual([true, true, true]);
    const a = await storage.feeds.addForTenant(user('https://global.example/rss'), A, 'UA', t0);
    expect([a.created, a.linked, a.feed.global]).toEqual([false, false, true]);
    expect(await storage.feeds.removeForTenant(g.feed.id, A)).toEqual({ unlinked: false, deleted: false });
    expect((await storage.feeds.get(g.feed.id))!.global).toBe(true);
  });

  it("an operator makes a tenant's feed global, and removing the global flag leaves it to its tenants", async () => {
    const { feed } = await storage.feeds.addForTenant(user('https://t.example/rss'), A, 'UA', t0);
    const made = await storage.feeds.add({ url: 'https://t.example/rss', source: 'user' }, t0);
    expect([made.created, made.madeGlobal]).toEqual([false, true]);
    expect(await visible(B)).toEqual([['https://t.example/rss', true, false]]);
    expect(await storage.feeds.add({ url: 'https://t.example/rss', source: 'config' }, t0)).toMatchObject({ created: false, madeGlobal: false });
    expect(await storage.feeds.removeGlobal(feed.id)).toEqual({ changed: true, deleted: false });
    expect(await visible(B)).toEqual([]);
    expect(await visible(A)).toEqual([['https://t.example/rss', false, true]]);
    expect(await storage.feeds.removeGlobal(feed.id)).toEqual({ changed: false, deleted: false });
    const g = await storage.feeds.add({ url: 'https://g.example/rss', source: 'cli' }, t0);
    expect(await storage.feeds.removeGlobal(g.feed.id)).toEqual({ changed: true, deleted: true });
    expect(await storage.feeds.get(g.feed.id)).toBeNull();
  });

  it('audiences follow every change to who a feed reaches, made through this storage, another instance or plain SQL', async () => {
    const other = await openStorage(url);
    const raw = kyselyFor(url);
    const shown = async () => new Map([...(await storage.feeds.audiences())].map(([id, a]) => [id, [a.global, ...a.tenants].join(' ')]));
    try {
      const g = (await storage.feeds.add({ url: 'https://g.example/rss', source: 'config' }, t0)).feed.id;
      const f = (await other.feeds.addForTenant(user('https://f.example/rss'), A, 'UA', t0)).feed.id;
      const steps: [string, () => Promise<unknown>, [number, string][]][] = [
        ['as added', async () => {}, [[g, 'true'], [f, 'false slack:TA']]],
        ['another instance links a second tenant', () => other.feeds.addForTenant(user('https://f.example/rss'), B, 'UB', t0), [[g, 'true'], [f, 'false discord:7000000000000000002 slack:TA']]],
        ['this storage removes a link', () => storage.feeds.removeForTenant(f, B), [[g, 'true'], [f, 'false slack:TA']]],
        ['plain SQL makes a feed global', () => sql`update feeds set is_global = 1 where id = ${f}`.execute(raw), [[g, 'true'], [f, 'true slack:TA']]],
        ['plain SQL changes a link', () => sql`update feed_tenants set workspace_id = 'TZ' where feed_id = ${f}`.execute(raw), [[g, 'true'], [f, 'true slack:TZ']]],
        ['plain SQL removes every link', () => sql`delete from feed_tenants`.execute(raw), [[g, 'true'], [f, 'true']]],
        ['another instance removes the global flag of a feed nobody links', () => other.feeds.removeGlobal(g), [[f, 'true']]],
        ['plain SQL adds a global feed', () => sql`insert into feeds (url, enabled, next_check_at, error_count, primed, source, created_at, is_global) values ('https://n.example/rss', 1, 0, 0, 0, 'cli', 0, 1)`.execute(raw), [[f, 'true'], [f + 1, 'true']]],
        ['another instance deletes a feed', () => other.feeds.remove(f), [[f + 1, 'true']]],
      ];
      for (const [name, change, expected] of steps) {
        await change();
        expect(await shown(), name).toEqual(new Map(expected));
      }
    } finally {
      await raw.destroy();
      await other.close();
    }
  });

  it('reads audiences again only when they changed: polling writes keep the same map', async () => {
    const { feed } = await storage.feeds.addForTenant(user('https://f.example/rss'), A, 'UA', t0);
    const first = await storage.feeds.audiences();
    const due = new Date(t0.getTime() + 3600_000);
    const [claimed] = await storage.feeds.claimDue({ now: due, limit: 10, owner: 'one', leaseUntil: new Date(due.getTime() + 30_000) });
    expect(claimed?.id).toBe(feed.id);
    await storage.feeds.recordSuccess(feed.id, { etag: '"e"', lastModified: null, nextCheckAt: due, at: due });
    await storage.feeds.setEnabled(feed.id, false, due);
    await storage.feeds.makeAllDue(due);
    expect(await storage.feeds.audiences()).toBe(first);
    await storage.feeds.addForTenant(user('https://f.example/rss'), B, 'UB', t0);
    const second = await storage.feeds.audiences();
    expect(second).not.toBe(first);
    expect(second.get(feed.id)!.tenants).toHaveLength(2);
    expect(await storage.feeds.audiences()).toBe(second);
  });

  it("a tenant removing the last link while others add the URL never takes their links with the row", async () => {
    const others: Tenant[] = Array.from({ length: 8 }, (_, i) => ({ platform: i % 2 ? 'slack' : 'discord', workspaceId: `W${i}` }));
    for (let round = 0; round < 20; round++) {
      const url = `https://race.example/${round}`;
      const { feed } = await storage.feeds.addForTenant(user(url), A, 'UA', t0);
      // A's removal sees no other link yet, so it deletes the row, unless it waits for the adds in flight.
      const [removal] = await Promise.all([storage.feeds.removeForTenant(feed.id, A), ...others.map((t) => storage.feeds.addForTenant(user(url), t, null, t0))]);
      expect(removal.unlinked).toBe(true);
      const now = await storage.feeds.getByUrl(url);
      expect(now, `round ${round}`).not.toBeNull();
      expect([...(await storage.feeds.audiences()).get(now!.id)!.tenants].sort(), `round ${round}`).toEqual(others.map((t) => `${t.platform}:${t.workspaceId}`).sort());
    }
  });
});

/** Kysely over a database URL, for driving migrations one by one. */
function kyselyFor(url: string): Kysely<unknown> {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite') return new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(target.location) }) });
  const pool = new pg.Pool({ connectionString: target.location, max: 2 });
  // pg-pool's end resolves before its clients have closed: the test database's drop (with force) can then end one,
  // and a pool with no error listener throws that as an uncaught exception (a CI run saw it once).
  pool.on('error', () => undefined);
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
}

describe.each(testDatabases)('migration 004 (feed tenancy) on $name', (database) => {
  it('makes every existing feed global, so existing deployments deliver as before', async () => {
    const { url, drop } = await database.create();
    const db = kyselyFor(url);
    try {
      const dialect = parseDatabaseUrl(url).dialect;
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => allMigrations(dialect) },
        migrationTableName: 'cyberbrief_migrations',
        migrationLockTableName: 'cyberbrief_migrations_lock',
      });
      const upTo3 = await migrator.migrateTo('003_feed_ttl');
      expect(upTo3.error).toBeUndefined();
      const now = Date.parse('2026-01-01T00:00:00Z');
      for (const [u, source] of [['https://config.example/rss', 'config'], ['https://chat.example/rss', 'user']]) {
        await db
          .insertInto('feeds' as never)
          .values({ url: u, enabled: 1, next_check_at: now, error_count: 0, primed: 1, source, created_at: now } as never)
          .execute();
      }
    } finally {
      await db.destroy();
    }
    const storage = await openStorage(url);
    try {
      expect((await storage.feeds.list()).map((f) => [f.url, f.global])).toEqual([['https://config.example/rss', true], ['https://chat.example/rss', true]]);
      expect([...(await storage.feeds.audiences()).values()]).toEqual([{ global: true, tenants: [] }, { global: true, tenants: [] }]);
      // A feed added afterwards by code that does not say "global" is not.
      const t = await storage.feeds.addForTenant({ url: 'https://new.example/rss', source: 'user' }, A, 'UA');
      expect(t.feed.global).toBe(false);
      expect(await storage.pending()).toEqual([]);
    } finally {
      await storage.close();
      await drop();
    }
  });
});
