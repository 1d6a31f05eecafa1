// The dashboard's storage on both databases (migration 010): sessions by hash with expiry, failed sign-ins
// counted in a window, a generated setting every caller agrees on, topic versions, sealed Slack
// installations, and the pages' queries each limited to what one person may see.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/domain/tenancy.ts';
import type { Storage } from '../../src/storage/index.ts';
import { seedAlerts, seedChannel, seedFeed, seedTenantFeed } from '../delivery/fixtures.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const DAY = 86_400_000;
const A: Tenant = { platform: 'slack', workspaceId: 'TA' };
const B: Tenant = { platform: 'discord', workspaceId: '700000000000000002' };

describe.each(testDatabases)('dashboard storage on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-03-10T12:00:00Z');

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('keeps sessions until they expire, deletes them on sign-out and prunes the expired', async () => {
    const s = storage.webSessions;
    await s.create({ id: 'h1', userJson: '{"kind":"operator"}', csrf: 'c1', now: t0, expiresAt: new Date(t0.getTime() + 3_600_000) });
    await s.create({ id: 'h2', userJson: '{"kind":"operator"}', csrf: 'c2', now: t0, expiresAt: new Date(t0.getTime() + 60_000) });
    expect(await s.get('h1', t0)).toMatchObject({ userJson: '{"kind":"operator"}', csrf: 'c1' });
    expect(await s.get('h2', new Date(t0.getTime() + 60_000))).toBeNull();
    expect(await s.get('nope', t0)).toBeNull();
    expect(await s.prune(new Date(t0.getTime() + 120_000), t0)).toBe(1);
    await s.delete('h1');
    expect(await s.get('h1', t0)).toBeNull();
  });

  it('counts failed sign-ins per key inside the window, and clears them', async () => {
    const s = storage.webSessions;
    for (const m of [0, 5, 20]) await s.recordFailure('password:1.2.3.4', new Date(t0.getTime() + m * 60_000));
    await s.recordFailure('password:5.6.7.8', t0);
    expect(await s.failuresSince('password:1.2.3.4', new Date(t0.getTime() + 6 * 60_000))).toBe(1);
    expect(await s.failuresSince('password:1.2.3.4', t0)).toBe(3);
    await s.clearFailures('password:1.2.3.4');
    expect(await s.failuresSince('password:1.2.3.4', t0)).toBe(0);
    expect(await s.failuresSince('password:5.6.7.8', t0)).toBe(1);
  });

  it('stores a generated setting once: every later caller gets the first value', async () => {
    const first = await storage.webSessions.setting('session-secret', () => 'first');
    const second = await storage.webSessions.setting('session-secret', () => 'second');
    expect([first, second]).toEqual(['first', 'first']);
  });

  it('saves topic versions in order; the newest is current; 0 when none', async () => {
    const v = storage.topicVersions;
    expect(await v.currentId()).toBe(0);
    const one = await v.save({ topicsJson: '{"topics":[]}', summary: 'a: threshold 2 → 3', createdBy: 'operator', at: t0 });
    const two = await v.save({ topicsJson: null, summary: 'Back to the topics file', createdBy: 'operator', at: t0, revertsTo: 0 });
    expect(two).toBeGreaterThan(one);
    expect(await v.currentId()).toBe(two);
    expect((await v.list()).map((x) => [x.id, x.topicsJson, x.revertsTo])).toEqual([[two, null, 0], [one, '{"topics":[]}', null]]);
    expect(await v.get(one)).toMatchObject({ summary: 'a: threshold 2 → 3', createdBy: 'operator', createdAt: t0 });
    expect(await v.get(0)).toBeNull();
  });

  // The author of a version is a signed-in user's name, as the chat platform gave it: one clean line of at
  // most 200 characters, cut on a character boundary and saying so.
  it.each([
    { name: 'a plain name, as given', by: 'Ann Lee', stored: 'Ann Lee' },
    { name: 'control characters, an escape sequence and a bidi override removed', by: 'Ann\u0000\u001b[31mLee\u202e\n', stored: 'Ann Lee' },
    // The cut leaves room for its marker (30 characters here): 170 characters are kept.
    { name: 'an emoji across 200 units', by: `${'x'.repeat(199)}\u{1F600}${'y'.repeat(50)}`, stored: `${'x'.repeat(170)} …[cut: 250 characters in all]` },
    { name: 'an emoji across the cut: whole or not at all', by: `${'x'.repeat(169)}\u{1F600}${'y'.repeat(50)}`, stored: `${'x'.repeat(169)}\u{1F600} …[cut: 220 characters in all]` },
    { name: 'an emoji just after the cut left out whole', by: `${'x'.repeat(170)}\u{1F600}${'y'.repeat(50)}`, stored: `${'x'.repeat(170)} …[cut: 221 characters in all]` },
  ])('stores a topic version author: $name', async ({ by, stored }) => {
    const id = await storage.topicVersions.save({ topicsJson: null, summary: 's', createdBy: by, at: t0 });
    const got = (await storage.topicVersions.get(id))!.createdBy;
    expect(got).toBe(stored);
    expect(got).not.toMatch(/\p{Cs}|[\u0000-\u001f\u007f-\u009f]/u);
    expect(Array.from(got).length).toBeLessThanOrEqual(200);
  });

  it('keeps one installation per workspace, replaced on reinstall', async () => {
    const r = storage.slackInstallations;
    await r.save({ enterpriseId: '', teamId: 'T1', teamName: 'One', data: 'v1.sealed-a', installedBy: 'U1', at: t0 });
    await r.save({ enterpriseId: '', teamId: 'T1', teamName: 'One', data: 'v1.sealed-b', installedBy: 'U2', at: t0 });
    expect(await r.find('', 'T1')).toMatchObject({ data: 'v1.sealed-b', installedBy: 'U2' });
    expect((await r.list()).map((x) => x.teamId)).toEqual(['T1']);
    expect(await r.delete('', 'T1')).toBe(true);
    expect(await r.find('', 'T1')).toBeNull();
  });

  it('lists the latest matched stories by when they happened, across feeds, not by which feed was read last', async () => {
    const h = (n: number) => new Date(t0.getTime() + n * 3_600_000);
    // One poll reads feed X, then feed Y a minute later: X's story happened last, Y's is older; a third feed's date
    // lies ten years ahead (its fetch time counts).
    const x = await seedFeed(storage, { url: 'https://x.example/rss', title: 'X' }, [{ key: 'x1', title: 'Newest story', publishedAt: h(-1) }], h(0));
    const y = await seedFeed(storage, { url: 'https://y.example/rss', title: 'Y' }, [{ key: 'y1', title: 'Older story', publishedAt: h(-5) }], new Date(h(0).getTime() + 60_000));
    const z = await seedFeed(storage, { url: 'https://z.example/rss', title: 'Z' }, [{ key: 'z1', title: 'Dated ahead', publishedAt: new Date('2036-01-01T00:00:00Z') }], h(-3));
    for (const id of [...x.itemIds, ...y.itemIds, ...z.itemIds]) await storage.clusters.setItemTopics(id, [{ topicId: 'espionage', score: 3, reasons: [] }]);
    expect((await storage.dashboard.latestMatched(null, 10)).map((s) => s.title)).toEqual(['Newest story', 'Dated ahead', 'Older story']);
  });

  it("limits the pages' queries to the channels and feeds a person may see", async () => {
    const global = await seedFeed(storage, { url: 'https://global.example/rss', title: 'Global' }, [{ key: 'g1', title: 'Global story' }], t0);
    const a = await seedTenantFeed(storage, A, { url: 'https://a.example/rss', title: 'A wire' }, [{ key: 'a1', title: 'A story' }], t0);
    const b = await seedTenantFeed(storage, B, { url: 'https://b.example/rss', title: 'B wire' }, [{ key: 'b1', title: 'B story' }], t0);
    for (const id of [...global.itemIds, ...a.itemIds, ...b.itemIds]) await storage.clusters.setItemTopics(id, [{ topicId: 'espionage', score: 3, reasons: ['"spying" in title (+6.0)'] }]);
    const ca = await seedChannel(storage, 'slack', 'CA', ['espionage'], [], 'TA');
    const cb = await seedChannel(storage, 'discord', 'DB', ['espionage'], [], B.workspaceId);
    const [aAlert] = await seedAlerts(storage, ca, a.itemIds, t0);
    await seedAlerts(storage, cb, b.itemIds, t0);
    // A's alert was sent two days ago; B's is still pending.
    await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'w', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    await storage.alerts.markSending(aAlert!, 'w', t0);
    await storage.alerts.markSent(aAlert!, 'w', { messageId: 'm1', at: new Date(t0.getTime() - 2 * DAY), inDigest: false, updateCount: 0 });

    const d = storage.dashboard;
    const today = Math.floor(t0.getTime() / DAY);
    expect(await d.sentPerDay([ca], new Date((today - 13) * DAY))).toEqual(new Map([[today - 2, 1]]));
    expect(await d.sentPerDay([cb], new Date((today - 13) * DAY))).toEqual(new Map());
    expect(await d.sentPerDay(null, new Date((today - 1) * DAY))).toEqual(new Map());
    expect(await d.alertCounts([cb])).toEqual({ pending: 1, held: 0, sending: 0, sent: 0, dead: 0 });
    expect(await d.alertCounts([])).toEqual({ pending: 0, held: 0, sending: 0, sent: 0, dead: 0 });
    expect((await d.alerts({ channels: [ca], limit: 10 })).map((r) => [r.title, r.status])).toEqual([['A story', 'sent']]);
    expect((await d.alerts({ channels: null, status: 'pending', limit: 10 })).map((r) => r.title)).toEqual(['B story']);

    const titles = async (tenants: Tenant[] | null) => (await d.latestMatched(tenants, 10)).map((s) => s.title).sort();
    expect(await titles([A])).toEqual(['A story', 'Global story']);
    expect(await titles([B])).toEqual(['B story', 'Global story']);
    expect(await titles([])).toEqual(['Global story']);
    expect(await titles(null)).toEqual(['A story', 'B story', 'Global story']);
    expect((await d.latestMatched([A], 10)).find((s) => s.title === 'A story')?.topics).toEqual([{ topicId: 'espionage', score: 3, reasons: ['"spying" in title (+6.0)'] }]);
    const preview = async (tenants: Tenant[] | null) => (await d.previewItems(tenants, new Date(t0.getTime() - DAY), 100)).map((s) => s.title).sort();
    expect(await preview([A, B])).toEqual(['A story', 'B story', 'Global story']);
    expect(await preview([B])).toEqual(['B story', 'Global story']);
    expect(await d.previewItems(null, new Date(t0.getTime() + 1), 100)).toEqual([]);
    expect(await d.feedTenants()).toEqual([B, A]);
    expect(await d.itemCounts([global.feedId, a.feedId])).toEqual(new Map([[global.feedId, 1], [a.feedId, 1]]));
  });
});
