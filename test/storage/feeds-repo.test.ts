import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('FeedsRepo on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-01-01T00:00:00Z');

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('adds a feed once per URL and lists it', async () => {
    const a = await storage.feeds.add({ url: 'https://example.com/rss', title: 'Ex', source: 'cli' }, t0);
    const b = await storage.feeds.add({ url: 'https://example.com/rss', source: 'user' }, t0);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.feed.id).toBe(a.feed.id);
    const all = await storage.feeds.list();
    expect(all.map((f) => [f.url, f.title, f.enabled, f.primed, f.errorCount])).toEqual([['https://example.com/rss', 'Ex', true, false, 0]]);
    expect(all[0]!.nextCheckAt.toISOString()).toBe(t0.toISOString());
  });

  it.each([
    ['add', (st: Storage, url: string) => st.feeds.add({ url, source: 'config' }, t0)],
    ['addForTenant', (st: Storage, url: string) => st.feeds.addForTenant({ url, source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1', t0)],
  ])('%s of URLs that exist uses up no feed id (the configured feeds are added at every start)', async (_name, addFeed) => {
    const first = await addFeed(storage, 'https://a.example/rss');
    for (let i = 0; i < 5; i++) expect((await addFeed(storage, 'https://a.example/rss')).created).toBe(false);
    const next = await addFeed(storage, 'https://b.example/rss');
    expect(next.feed.id).toBe(first.feed.id + 1);
  });

  it.each([
    ['no feeds', [] as [string, number, boolean][], { total: 0, enabled: 0, nextCheckAt: null }],
    ['only disabled feeds', [['a', -5, false], ['b', 10, false]], { total: 2, enabled: 0, nextCheckAt: null }],
    ['a disabled feed due sooner than the enabled ones', [['a', -5, false], ['b', 30, true], ['c', 10, true]], { total: 3, enabled: 2, nextCheckAt: new Date(t0.getTime() + 10 * 60_000) }],
  ] as const)('tallies %s in one aggregate: total, enabled, the soonest enabled check', async (_name, feeds, expected) => {
    for (const [name, minutes, enabled] of feeds) {
      const { feed } = await storage.feeds.add({ url: `https://${name}.example/rss`, source: 'cli', nextCheckAt: new Date(t0.getTime() + minutes * 60_000) }, t0);
      if (!enabled) await storage.feeds.setEnabled(feed.id, false, t0);
    }
    expect(await storage.feeds.tally()).toEqual(expected);
  });

  it('claims only due, enabled, unleased feeds, each once', async () => {
    await storage.feeds.add({ url: 'https://a.example/rss', source: 'cli', nextCheckAt: new Date(t0.getTime() - 1000) }, t0);
    await storage.feeds.add({ url: 'https://b.example/rss', source: 'cli', nextCheckAt: new Date(t0.getTime() + 60_000) }, t0);
    const c = await storage.feeds.add({ url: 'https://c.example/rss', source: 'cli', nextCheckAt: t0 }, t0);
    await storage.feeds.setEnabled(c.feed.id, false);
    const lease = new Date(t0.getTime() + 30_000);
    const first = await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'one', leaseUntil: lease });
    expect(first.map((f) => f.url)).toEqual(['https://a.example/rss']);
    const second = await storage.feeds.claimDue({ now: t0, limit: 10, owner: 'two', leaseUntil: lease });
    expect(second).toEqual([]);
    // The lease expires: another instance takes the feed over.
    const later = new Date(lease.getTime() + 1);
    const third = await storage.feeds.claimDue({ now: later, limit: 10, owner: 'two', leaseUntil: new Date(later.getTime() + 30_000) });
    expect(third.map((f) => f.url)).toEqual(['https://a.example/rss']);
  });

  it('claims every enabled, unleased feed once for --all, due or not, in id order past the last id claimed, leaving schedules alone', async () => {
    const ids: number[] = [];
    for (const [host, offset] of [['a', -1000], ['b', 60_000], ['c', 3_600_000], ['d', 0], ['e', 120_000]] as const) {
      ids.push((await storage.feeds.add({ url: `https://${host}.example/rss`, source: 'cli', nextCheckAt: new Date(t0.getTime() + offset) }, t0)).feed.id);
    }
    await storage.feeds.setEnabled(ids[3]!, false);
    const lease = new Date(t0.getTime() + 30_000);
    // Another instance holds e.
    expect((await storage.feeds.claimAll({ now: t0, limit: 10, owner: 'other', leaseUntil: new Date(t0.getTime() + 200_000), afterId: ids[3]! })).map((f) => f.id)).toEqual([ids[4]]);
    const before = new Map((await storage.feeds.list()).map((f) => [f.id, f.nextCheckAt.getTime()]));
    const first = await storage.feeds.claimAll({ now: t0, limit: 2, owner: 'one', leaseUntil: lease, afterId: 0 });
    expect(first.map((f) => f.url)).toEqual(['https://a.example/rss', 'https://b.example/rss']);
    const second = await storage.feeds.claimAll({ now: t0, limit: 2, owner: 'one', leaseUntil: lease, afterId: first[1]!.id });
    expect(second.map((f) => f.url)).toEqual(['https://c.example/rss']);
    expect(await storage.feeds.claimAll({ now: t0, limit: 2, owner: 'one', leaseUntil: lease, afterId: second[0]!.id })).toEqual([]);
    // Leased now: another --all claim passes them by; no feed's next check moved.
    expect(await storage.feeds.claimAll({ now: t0, limit: 10, owner: 'two', leaseUntil: lease, afterId: 0 })).toEqual([]);
    expect(new Map((await storage.feeds.list()).map((f) => [f.id, f.nextCheckAt.getTime()]))).toEqual(before);
  });

  it('a claimed feed carries what a poll reads: validators, schedule, error count, ttl, title, entry marks, who added it', async () => {
    const { feed } = await storage.feeds.add({ url: 'https://a.example/rss', source: 'cli', title: 'A', intervalSeconds: 600 }, t0);
    const due = new Date(t0.getTime() + 1000);
    await storage.feeds.recordSuccess(feed.id, { at: t0, nextCheckAt: t0, etag: '"e1"', lastModified: 'Mon, 23 Nov 2026 12:00:00 GMT', primed: true, ttlMinutes: 30, entryMarks: '1 ctx m1' });
    await storage.feeds.recordFailure(feed.id, { at: t0, nextCheckAt: due, error: 'fetch_http: HTTP 500' });
    const [claimed] = await storage.feeds.claimDue({ now: due, limit: 10, owner: 'one', leaseUntil: new Date(due.getTime() + 30_000) });
    expect(claimed).toEqual({
      id: feed.id, url: 'https://a.example/rss', title: 'A', etag: '"e1"', lastModified: 'Mon, 23 Nov 2026 12:00:00 GMT', intervalSeconds: 600,
      nextCheckAt: due, errorCount: 1, ttlMinutes: 30, primed: true, entryMarks: '1 ctx m1', global: true,
    });
    // A workspace's own feed is claimed as not global: it is fetched without the operator's allow_hosts.
    await storage.feeds.addForTenant({ url: 'https://b.example/rss', source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1', t0);
    const [tenants] = await storage.feeds.claimDue({ now: due, limit: 10, owner: 'one', leaseUntil: new Date(due.getTime() + 30_000) });
    expect(tenants).toMatchObject({ url: 'https://b.example/rss', global: false });
  });

  it('records failures, disables with a reason, and recovery resets the counter', async () => {
    const { feed } = await storage.feeds.add({ url: 'https://x.example/rss', source: 'cli' }, t0);
    await storage.feeds.recordFailure(feed.id, { at: t0, nextCheckAt: new Date(t0.getTime() + 60_000), error: 'HTTP 500' });
    await storage.feeds.recordFailure(feed.id, { at: t0, nextCheckAt: new Date(t0.getTime() + 120_000), error: 'HTTP 500', disableReason: '2 consecutive failures: HTTP 500' });
    let f = (await storage.feeds.get(feed.id))!;
    expect([f.errorCount, f.enabled, f.disabledReason, f.lastError]).toEqual([2, false, '2 consecutive failures: HTTP 500', 'HTTP 500']);
    await storage.feeds.setEnabled(feed.id, true, t0);
    await storage.feeds.recordSuccess(feed.id, { at: t0, nextCheckAt: new Date(t0.getTime() + 900_000), etag: '"v1"', lastModified: 'Wed, 01 Jan 2026 00:00:00 GMT', title: 'X', primed: true });
    f = (await storage.feeds.get(feed.id))!;
    expect([f.errorCount, f.enabled, f.disabledReason, f.etag, f.title, f.primed]).toEqual([0, true, null, '"v1"', 'X', true]);
    expect(f.lastSuccessAt?.toISOString()).toBe(t0.toISOString());
  });

  it('moves a feed to a new URL unless another feed has it', async () => {
    const a = (await storage.feeds.add({ url: 'https://old.example/rss', source: 'cli' }, t0)).feed;
    await storage.feeds.add({ url: 'https://taken.example/rss', source: 'cli' }, t0);
    expect(await storage.feeds.moveUrl(a.id, 'https://new.example/rss')).toBe(true);
    expect((await storage.feeds.get(a.id))!.url).toBe('https://new.example/rss');
    expect(await storage.feeds.moveUrl(a.id, 'https://taken.example/rss')).toBe(false);
    expect((await storage.feeds.list()).map((f) => f.url)).toEqual(['https://new.example/rss', 'https://taken.example/rss']);
  });

  it('adds many global feeds as add does: new ones created, global ones left as they are, a tenant\'s made global', async () => {
    const kept = (await storage.feeds.add({ url: 'https://kept.example/rss', title: 'Kept', source: 'cli' }, t0)).feed;
    await storage.feeds.setEnabled(kept.id, false, t0);
    const tenants = (await storage.feeds.addForTenant({ url: 'https://tenant.example/rss', title: 'Theirs', source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1', t0)).feed;
    const later = new Date(t0.getTime() + 60_000);
    const created = await storage.feeds.addGlobalMany(
      [
        { url: 'https://kept.example/rss', title: 'Renamed', intervalSeconds: 60, source: 'config' },
        { url: 'https://tenant.example/rss', title: 'Ours', source: 'config' },
        { url: 'https://new.example/rss', title: 'New', intervalSeconds: 900, source: 'config' },
        { url: 'https://new.example/rss', title: 'Twice', source: 'config' },
        { url: 'https://other.example/rss', source: 'config' },
      ],
      later,
    );
    expect(created).toBe(2);
    const byUrl = new Map((await storage.feeds.list()).map((f) => [f.url, f]));
    expect([...byUrl.keys()].sort()).toEqual(['https://kept.example/rss', 'https://new.example/rss', 'https://other.example/rss', 'https://tenant.example/rss']);
    expect(byUrl.get('https://kept.example/rss')).toMatchObject({ id: kept.id, title: 'Kept', enabled: false, intervalSeconds: null, global: true });
    expect(byUrl.get('https://tenant.example/rss')).toMatchObject({ id: tenants.id, title: 'Theirs', global: true });
    expect(byUrl.get('https://new.example/rss')).toMatchObject({ title: 'New', intervalSeconds: 900, enabled: true, primed: false, global: true, errorCount: 0 });
    expect(byUrl.get('https://new.example/rss')!.nextCheckAt.toISOString()).toBe(later.toISOString());
    expect(byUrl.get('https://other.example/rss')).toMatchObject({ title: null, global: true });
    expect((await storage.feeds.audiences()).get(tenants.id)).toMatchObject({ global: true });
    // Again, as at every start: nothing created, no feed id used up.
    expect(await storage.feeds.addGlobalMany([{ url: 'https://new.example/rss', source: 'config' }, { url: 'https://other.example/rss', source: 'config' }], later)).toBe(0);
    const next = (await storage.feeds.add({ url: 'https://after.example/rss', source: 'cli' }, t0)).feed;
    expect(next.id).toBe(Math.max(...[...byUrl.values()].map((f) => f.id)) + 1);
  });

  it('adds 1,200 feeds in batches, and two instances adding the same ones at once create each row once', async () => {
    const inputs = Array.from({ length: 1200 }, (_, i) => ({ url: `https://h${i % 300}.example/feed-${i}.xml`, source: 'config' as const }));
    const second = database.name === 'sqlite' ? storage : await openStorage(url);
    try {
      const [a, b] = await Promise.all([storage.feeds.addGlobalMany(inputs, t0), second.feeds.addGlobalMany(inputs, t0)]);
      expect(a + b).toBe(1200);
      const all = await storage.feeds.list();
      expect(all).toHaveLength(1200);
      expect(all.every((f) => f.global)).toBe(true);
    } finally {
      if (second !== storage) await second.close();
    }
  });

  it('removes a feed', async () => {
    const { feed } = await storage.feeds.add({ url: 'https://gone.example/rss', source: 'cli' }, t0);
    expect(await storage.feeds.remove(feed.id)).toBe(true);
    expect(await storage.feeds.remove(feed.id)).toBe(false);
    expect(await storage.feeds.list()).toEqual([]);
  });
});
