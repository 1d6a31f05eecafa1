import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAUSE_REASON_MAX } from '../../src/lib/bounded-text.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { storySeeder, type StorySeeder } from '../helpers/stories.ts';
import type { Tenant } from '../../src/domain/tenancy.ts';

const W1: Tenant = { platform: 'slack', workspaceId: 'W1' };

notePostgresSkip();

describe.each(testDatabases)('ChannelsRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-01-01T00:00:00Z');
  const ref = { platform: 'slack' as const, externalId: 'C1', workspaceId: 'T1', name: 'news' };

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('upserts one row per (platform, external id) and records a new name', async () => {
    const a = await storage.channels.upsert(ref, t0);
    const b = await storage.channels.upsert({ ...ref, name: 'renamed' }, t0);
    const c = await storage.channels.upsert({ ...ref, name: null }, t0);
    const other = await storage.channels.upsert({ ...ref, platform: 'discord' }, t0);
    expect(b.id).toBe(a.id);
    expect(b.name).toBe('renamed');
    expect(c.name).toBe('renamed');
    expect(other.id).not.toBe(a.id);
    expect((await storage.channels.list()).map((x) => [x.platform, x.externalId, x.workspaceId])).toEqual([
      ['slack', 'C1', 'T1'],
      ['discord', 'C1', 'T1'],
    ]);
    expect(a.createdAt.toISOString()).toBe(t0.toISOString());
    expect(await storage.channels.find('console', 'C1')).toBeNull();
  });

  it('keeps the workspace a channel was first seen in (a shared channel cannot be moved to another)', async () => {
    const a = await storage.channels.upsert(ref, t0);
    const again = await storage.channels.upsert({ ...ref, workspaceId: 'T2', name: 'from-t2' }, t0);
    expect(again).toMatchObject({ id: a.id, workspaceId: 'T1' });
    expect((await storage.channels.get(a.id))!.workspaceId).toBe('T1');
    // A row stored without a workspace (older versions) takes the first one given.
    const legacy = await storage.channels.upsert({ ...ref, externalId: 'C-OLD', workspaceId: '' }, t0);
    expect(legacy.workspaceId).toBe('');
    expect((await storage.channels.upsert({ ...ref, externalId: 'C-OLD', workspaceId: 'T9' }, t0)).workspaceId).toBe('T9');
    expect((await storage.channels.upsert({ ...ref, externalId: 'C-OLD', workspaceId: 'T1' }, t0)).workspaceId).toBe('T9');
  });

  it('subscribes and unsubscribes, reporting only what changed', async () => {
    const ch = await storage.channels.upsert(ref, t0);
    expect(await storage.channels.subscribe(ch.id, ['b', 'a', 'a'], 'U1', t0)).toEqual(['b', 'a']);
    expect(await storage.channels.subscribe(ch.id, ['a', 'c'], 'U1', t0)).toEqual(['c']);
    expect(await storage.channels.subscriptions(ch.id)).toEqual(['a', 'b', 'c']);
    expect((await storage.channels.subscribers('a')).map((x) => x.id)).toEqual([ch.id]);
    expect(await storage.channels.unsubscribe(ch.id, ['a', 'zzz'])).toEqual(['a']);
    expect(await storage.channels.unsubscribe(ch.id, ['a'])).toEqual([]);
    expect(await storage.channels.subscriptions(ch.id)).toEqual(['b', 'c']);
    expect(await storage.channels.subscribers('a')).toEqual([]);
  });

  it('keeps keywords with their include/exclude sense', async () => {
    const ch = await storage.channels.upsert(ref, t0);
    expect(await storage.channels.addKeyword(ch.id, 'volt typhoon', false, 'U1', t0)).toBe(true);
    expect(await storage.channels.addKeyword(ch.id, 'volt typhoon', false, 'U1', t0)).toBe(false);
    expect(await storage.channels.addKeyword(ch.id, 'sports', true, 'U1', t0)).toBe(true);
    expect(await storage.channels.addKeyword(ch.id, 'apt41', false, 'U1', t0)).toBe(true);
    // Re-adding with the other sense flips it.
    expect(await storage.channels.addKeyword(ch.id, 'apt41', true, 'U2', t0)).toBe(true);
    expect(await storage.channels.keywords(ch.id)).toEqual([
      { channelId: ch.id, term: 'volt typhoon', exclude: false },
      { channelId: ch.id, term: 'apt41', exclude: true },
      { channelId: ch.id, term: 'sports', exclude: true },
    ]);
    expect(await storage.channels.removeKeyword(ch.id, 'sports')).toBe(true);
    expect(await storage.channels.removeKeyword(ch.id, 'sports')).toBe(false);
    expect((await storage.channels.keywords(ch.id)).map((k) => k.term)).toEqual(['volt typhoon', 'apt41']);
  });

  it("reads every channel's subscriptions and keywords at once, each list as the channel's own query orders it", async () => {
    const setups: [string, string[], [string, boolean][]][] = [
      ['topics only', ['ip-theft', 'espionage'], []],
      ['keywords only, excludes among them', [], [['zeta', false], ['Alpha', true], ['beta', false], ['alpha', false]]],
      ['both', ['norms'], [['water', false]]],
      ['nothing', [], []],
    ];
    const ids: number[] = [];
    for (const [name, topics, words] of setups) {
      const c = await storage.channels.upsert({ ...ref, externalId: name }, t0);
      ids.push(c.id);
      await storage.channels.subscribe(c.id, topics, null, t0);
      for (const [term, exclude] of words) await storage.channels.addKeyword(c.id, term, exclude, null, t0);
    }
    const all = await storage.channels.rulesByChannel();
    expect([...all.topics.keys(), ...all.keywords.keys()].every((id) => ids.includes(id))).toBe(true);
    for (const [i, id] of ids.entries()) {
      expect(all.topics.get(id) ?? [], setups[i]![0]).toEqual(await storage.channels.subscriptions(id));
      expect(all.keywords.get(id) ?? [], setups[i]![0]).toEqual(await storage.channels.keywords(id));
    }
    expect(all.keywords.get(ids[1]!)!.map((k) => k.term)).toHaveLength(4);
  });

  it('pauses with a reason and unpauses', async () => {
    const ch = await storage.channels.upsert(ref, t0);
    await storage.channels.pause(ch.id, 'channel_not_found');
    expect(await storage.channels.get(ch.id)).toMatchObject({ paused: true, pausedReason: 'channel_not_found' });
    await storage.channels.unpause(ch.id);
    expect(await storage.channels.get(ch.id)).toMatchObject({ paused: false, pausedReason: null });
  });

  // A pause reason quotes a platform's answer (remote text): stored as every other remote text is
  // (lib/bounded-text.ts), not cut on a UTF-16 unit with its controls and escapes kept.
  it.each([
    { name: 'escapes, controls and bidi overrides removed, lines joined', reason: 'slack refused delivery: \u001b[31mnot_in_channel\u202e\r\nnow\u0007', want: 'slack refused delivery: not_in_channel now' },
    { name: 'a long answer cut on a character, saying so', reason: `discord refused delivery: ${'😀'.repeat(600)}`, want: `discord refused delivery: ${'😀'.repeat(444)} …[cut: 626 characters in all]` },
  ])('stores a pause reason as bounded text: $name', async ({ reason, want }) => {
    const ch = await storage.channels.upsert(ref, t0);
    await storage.channels.pause(ch.id, reason);
    const stored = (await storage.channels.get(ch.id))!.pausedReason!;
    expect(stored).toBe(want);
    expect(Array.from(stored).length).toBeLessThanOrEqual(PAUSE_REASON_MAX);
  });
});

describe.each(testDatabases)('LatestRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let seeder: StorySeeder;

  beforeEach(async () => {
    let url: string;
    ({ storage, cleanup, url } = await freshStorage(database));
    seeder = storySeeder(url);
  });
  afterEach(async () => {
    await seeder.close();
    await cleanup();
  });

  const day = (d: number) => new Date(Date.UTC(2026, 2, d));

  it('returns the newest matching stories, one per cluster, with their coverage and topics', async () => {
    await seeder.add({ feedUrl: 'https://a.example/rss', feedTitle: 'Alpha News', title: 'Old talks', publishedAt: day(1), topics: [{ id: 'talks', score: 3 }], digest: 'old digest' });
    const lead = await seeder.add({
      feedUrl: 'https://a.example/rss', feedTitle: 'Alpha News', title: 'Spy charges', url: 'https://a.example/spy', publishedAt: day(5),
      topics: [{ id: 'espionage', score: 9 }, { id: 'talks', score: 2 }], digest: 'Prosecutors charged two officers.', cluster: 'spy',
    });
    await seeder.add({ feedUrl: 'https://b.example/feed', feedTitle: null, title: 'Officers charged with spying', url: 'https://b.example/x', publishedAt: day(4), topics: [{ id: 'espionage', score: 5 }], cluster: 'spy' });
    await seeder.add({ feedUrl: 'https://c.example/feed', feedTitle: 'Gamma', title: 'Unrelated sports', publishedAt: day(6), topics: [{ id: 'sports', score: 5 }] });
    await seeder.add({ feedUrl: 'https://c.example/feed', feedTitle: 'Gamma', title: 'Undated talks item', publishedAt: null, fetchedAt: day(3), topics: [{ id: 'talks', score: 1 }], summary: 'feed text' });

    const got = await storage.latest.find({ topicIds: ['espionage', 'talks'], limit: 10, visibleTo: W1 });
    expect(got.map((s) => s.title)).toEqual(['Spy charges', 'Undated talks item', 'Old talks']);
    const first = got[0]!;
    expect(first).toMatchObject({ itemId: lead, source: 'Alpha News', digest: 'Prosecutors charged two officers.', topicIds: ['espionage', 'talks'] });
    expect(first.alsoCoveredBy).toEqual([{ source: 'b.example', title: 'Officers charged with spying', url: 'https://b.example/x' }]);
    expect(got[1]).toMatchObject({ digest: null, feedSummary: 'feed text', alsoCoveredBy: [] });

    expect((await storage.latest.find({ topicIds: ['talks'], limit: 1, visibleTo: W1 })).map((s) => s.title)).toEqual(['Spy charges']);
    expect(await storage.latest.find({ topicIds: [], limit: 5, visibleTo: W1 })).toEqual([]);
    expect(await storage.latest.find({ topicIds: ['nothing'], limit: 5, visibleTo: W1 })).toEqual([]);
  });

  it('orders by when stories happened: a feed\'s date in the future counts as its fetch time, never pinning the item first', async () => {
    // A feed with a clock ten years ahead, read on day 2; honest stories published on days 3 and 1.
    await seeder.add({ feedUrl: 'https://skew.example/rss', feedTitle: 'Skewed', title: 'Dated ahead', publishedAt: new Date(Date.UTC(2036, 0, 1)), fetchedAt: day(2), topics: [{ id: 'talks', score: 3 }] });
    await seeder.add({ feedUrl: 'https://a.example/rss', feedTitle: 'Alpha News', title: 'Newest honest', publishedAt: day(3), fetchedAt: day(3), topics: [{ id: 'talks', score: 3 }] });
    await seeder.add({ feedUrl: 'https://a.example/rss', feedTitle: 'Alpha News', title: 'Older honest', publishedAt: day(1), fetchedAt: day(3), topics: [{ id: 'talks', score: 3 }] });
    expect((await storage.latest.find({ topicIds: ['talks'], limit: 10, visibleTo: W1 })).map((s) => s.title)).toEqual(['Newest honest', 'Dated ahead', 'Older honest']);
  });
});
