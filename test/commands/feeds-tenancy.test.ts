// /news feeds and the channel commands across tenants, on both databases: workspace A (Slack) and server
// B (Discord) each manage their own feeds and never see, remove or override the other's; global feeds
// are the operators'; a channel shared with another workspace is changed only by its own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { Command, CommandHandler } from '../../src/domain/chat.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { storySeeder } from '../helpers/stories.ts';
import { newItem, seedAlerts } from '../delivery/fixtures.ts';

notePostgresSkip();

type Who = Pick<Command, 'userIsAdmin' | 'userIsOperator' | 'userCanManageChannel'>;
const admin: Who = { userIsAdmin: true, userIsOperator: false, userCanManageChannel: true };
const member: Who = { userIsAdmin: false, userIsOperator: false, userCanManageChannel: false };
const operator: Who = { userIsAdmin: false, userIsOperator: true, userCanManageChannel: false };

const inA = { platform: 'slack' as const, workspaceId: 'TA', channelId: 'CA1' };
const inB = { platform: 'discord' as const, workspaceId: '7000000000000000002', channelId: '7100000000000000002' };

function command(where: typeof inA | typeof inB | { platform: 'slack'; workspaceId: string; channelId: string } | { platform: 'console'; workspaceId: ''; channelId: string }, text: string, who: Who): Command {
  const [name = '', ...args] = text.split(/\s+/).filter(Boolean);
  return { ...where, channelName: 'news', userId: 'U1', ...who, name, args, text };
}

describe.each(testDatabases)('feeds across tenants on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;
  let globalId: number;
  let aFeedId: number;

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
    handle = createCommandHandler({ ...commandDepsFor(storage), alerts: storage.alerts });
    globalId = (await storage.feeds.add({ url: 'https://global.example/rss', title: 'Global Wire', source: 'config' })).feed.id;
    const added = await handle(command(inA, 'feeds add https://a-secret.example/rss', admin));
    expect(added.text).toMatch(/^Added feed \d+: https:\/\/a-secret\.example\/rss, for this workspace's channels only;/);
    aFeedId = (await storage.feeds.getByUrl('https://a-secret.example/rss'))!.id;
  });
  afterEach(async () => cleanup());

  const text = async (c: Command) => (await handle(c)).text;
  const state = async () => [(await storage.feeds.list()).map((f) => [f.id, f.url, f.global, f.enabled]), [...(await storage.feeds.audiences())]];

  it.each([
    ['with a #fragment', 'https://a-secret.example/rss#latest'],
    ["in Slack's link form", '<https://a-secret.example/rss>'],
    ["in Slack's labelled link form", '<https://a-secret.example/rss|a-secret.example/rss>'],
  ])("A removes its own feed named by a URL %s", async (_name, typed) => {
    expect(await text(command(inA, `feeds remove ${typed}`, admin))).toBe(`Removed feed ${aFeedId} (https://a-secret.example/rss) from this workspace.`);
    expect(await storage.feeds.getByUrl('https://a-secret.example/rss')).toBeNull();
  });

  it('says when a new global feed reaches channels: after its first check', async () => {
    const r = await text(command({ platform: 'console', workspaceId: '', channelId: 'console' }, 'feeds add https://new.example/rss', operator));
    expect(r).toMatch(/^Added global feed \d+: https:\/\/new\.example\/rss; it is first checked within a few minutes, and every subscribed channel gets the stories it publishes after that\.$/);
  });

  it("B sees the global feeds and its own, never A's", async () => {
    expect(await text(command(inB, 'feeds list', member))).toBe(`Watching 1 feed for this server's channels:\n${globalId}. Global Wire https://global.example/rss (global)`);
    expect(await text(command(inA, 'feeds list', member))).toBe(
      `Watching 2 feeds for this workspace's channels:\n${globalId}. Global Wire https://global.example/rss (global)\n${aFeedId}. https://a-secret.example/rss (this workspace's)`,
    );
    expect(await text(command(inB, 'status', member))).toMatch(/Watching 1 feed\.$/);
  });

  it("B's admin cannot remove A's feed (it looks like no feed at all) nor a global one; nothing changes", async () => {
    const before = await state();
    expect(await text(command(inB, `feeds remove ${aFeedId}`, admin))).toBe(`No feed matches "${aFeedId}"; see /news feeds list for ids and URLs.`);
    expect(await text(command(inB, 'feeds remove https://a-secret.example/rss', admin))).toBe('No feed matches "https://a-secret.example/rss"; see /news feeds list for ids and URLs.');
    expect(await text(command(inB, `feeds remove ${globalId}`, admin))).toBe(`Feed ${globalId} is a global feed, which only the bot's operators can remove; this server can remove only the feeds it added.`);
    expect(await text(command(inB, `feeds remove global ${globalId}`, admin))).toBe("Sorry, only the bot's operators (discord.operator_user_ids) can add or remove global feeds, which reach every channel; ask one of them to run it.");
    expect(await text(command(inB, 'feeds add global https://b.example/rss', admin))).toMatch(/^Sorry, only the bot's operators/);
    expect(await text(command(inB, `feeds disable ${globalId}`, admin))).toMatch(/^Usage: \/news feeds /);
    expect(await text(command(inB, `feeds disable ${aFeedId}`, admin))).toMatch(/^Usage: \/news feeds /);
    expect(await state()).toEqual(before);
  });

  it("B adding A's URL gets its own link to the one shared row, told nothing about A; removing it leaves A's", async () => {
    const fresh = await text(command(inB, 'feeds add https://b-own.example/rss', admin));
    const shared = await text(command(inB, 'feeds add https://a-secret.example/rss', admin));
    expect(shared.replace(/\d+/, 'N').replace('a-secret', 'X')).toBe(fresh.replace(/\d+/, 'N').replace('b-own', 'X'));
    expect((await storage.feeds.audiences()).get(aFeedId)).toEqual({ global: false, tenants: ['discord:7000000000000000002', 'slack:TA'] });
    expect(await text(command(inB, `feeds remove ${aFeedId}`, admin))).toBe(`Removed feed ${aFeedId} (https://a-secret.example/rss) from this server.`);
    expect((await storage.feeds.audiences()).get(aFeedId)).toEqual({ global: false, tenants: ['slack:TA'] });
    expect(await text(command(inA, `feeds remove ${aFeedId}`, admin))).toBe(`Removed feed ${aFeedId} (https://a-secret.example/rss) from this workspace.`);
    expect(await storage.feeds.get(aFeedId)).toBeNull();
  });

  it('a tenant adding a global URL is told it has it already; operators add and remove global feeds', async () => {
    expect(await text(command(inB, 'feeds add https://global.example/rss', admin))).toBe(`Feed ${globalId} (https://global.example/rss) is a global feed: this server's channels get its stories already.`);
    expect((await storage.feeds.audiences()).get(globalId)).toEqual({ global: true, tenants: [] });
    expect(await text(command(inB, 'feeds add global https://new-global.example/rss', operator))).toMatch(/^Added global feed \d+: https:\/\/new-global\.example\/rss; it is first checked within a few minutes, and every subscribed channel gets the stories it publishes after that\./);
    expect(await text(command(inA, 'feeds list', member))).toContain('https://new-global.example/rss (global)');
    expect(await text(command(inA, `feeds remove ${globalId}`, operator))).toBe(
      `Feed ${globalId} is a global feed, which only the bot's operators can remove; this workspace can remove only the feeds it added. As an operator you can, with /news feeds remove global ${globalId}.`,
    );
    expect(await text(command(inA, `feeds remove global ${globalId}`, operator))).toBe(`Removed global feed ${globalId}: https://global.example/rss.`);
    expect(await storage.feeds.get(globalId)).toBeNull();
    // An operator's global add of a tenant's URL makes it reach everyone; removing "global" gives it back to the tenant.
    expect(await text(command(inB, 'feeds add global https://a-secret.example/rss', operator))).toBe(`Feed ${aFeedId} (https://a-secret.example/rss) is global now: every subscribed channel gets its stories.`);
    expect(await text(command(inB, 'feeds list', member))).toContain(`${aFeedId}. https://a-secret.example/rss (global)`);
    expect(await text(command(inB, `feeds remove global ${aFeedId}`, operator))).toBe(`Removed global feed ${aFeedId}: https://a-secret.example/rss. Workspaces or servers that added it themselves keep it for their channels.`);
    expect(await text(command(inB, 'feeds list', member))).not.toContain('a-secret');
    expect(await text(command(inA, 'feeds list', member))).toContain(`${aFeedId}. https://a-secret.example/rss (this workspace's)`);
  });

  it('the console (the operator) manages the global feeds', async () => {
    const console = { platform: 'console' as const, workspaceId: '' as const, channelId: 'console' };
    expect(await text(command(console, 'feeds add https://c.example/rss', { ...admin, userIsOperator: true }))).toMatch(/^Added global feed \d+: https:\/\/c\.example\/rss;/);
    expect(await text(command(console, 'feeds list', member))).not.toContain('a-secret');
    expect(await text(command(console, `feeds remove ${aFeedId}`, { ...admin, userIsOperator: true }))).toMatch(/^No feed matches /);
  });

  it("/news latest in B shows only global feeds' and B's stories", async () => {
    const seeder = storySeeder(url);
    try {
      await seeder.add({ feedUrl: 'https://global.example/rss', title: 'Global spy story', topics: [{ id: 'espionage', score: 5 }], publishedAt: new Date('2026-03-01T00:00:00Z') });
      await seeder.add({ feedUrl: 'https://a-only.example/rss', title: 'A-only spy story', topics: [{ id: 'espionage', score: 5 }], publishedAt: new Date('2026-03-02T00:00:00Z'), owner: { platform: 'slack', workspaceId: 'TA' } });
    } finally {
      await seeder.close();
    }
    expect((await handle(command(inB, 'latest', member))).stories?.map((s) => s.title)).toEqual(['Global spy story']);
    expect((await handle(command(inA, 'latest', member))).stories?.map((s) => s.title)).toEqual(['A-only spy story', 'Global spy story']);
  });

  it('a channel shared with another workspace is changed only by the workspace it belongs to', async () => {
    expect(await text(command(inA, 'subscribe espionage', admin))).toMatch(/^This channel now follows/);
    const fromOther = { platform: 'slack' as const, workspaceId: 'TOTHER', channelId: inA.channelId };
    const refusal = "This channel is shared with another workspace and belongs to it; only that workspace can change what the channel receives.";
    for (const t of ['subscribe talks', 'unsubscribe', 'keywords add -spies']) expect(await text(command(fromOther, t, admin)), t).toBe(refusal);
    const ch = (await storage.channels.find('slack', inA.channelId))!;
    expect([ch.workspaceId, await storage.channels.subscriptions(ch.id), await storage.channels.keywords(ch.id)]).toEqual(['TA', ['espionage'], []]);
  });

  // Every view of a shared channel from the other workspace is consistent with /news status: the owner's
  // settings (topics, keywords, brief, mode, quiet hours, threads, alerts) are not shown; the caller's own
  // feeds and stories are.
  describe('the views of a channel shared with another workspace, from the other one', () => {
    const other = { platform: 'slack' as const, workspaceId: 'TOTHER', channelId: 'CA1' };
    const shared = (what: string) => `This channel is shared with another workspace and belongs to it: its ${what} that workspace's, shown and changed there.`;
    let alertId: number;
    beforeEach(async () => {
      for (const t of ['subscribe espionage', 'keywords add -acme-secret-project', 'brief daily 07:15 Asia/Tokyo', 'quiet 22:00-06:00 Asia/Tokyo', 'threads on']) await text(command(inA, t, admin));
      const ch = (await storage.channels.find('slack', inA.channelId))!;
      const t0 = new Date('2026-03-02T10:00:00Z');
      const { inserted } = await storage.items.storeForFeed(aFeedId, [newItem(aFeedId, { key: 'secret', title: 'A-only secret story' })], { fetchedAt: t0 });
      [alertId] = (await seedAlerts(storage, ch.id, inserted, t0)) as [number];
    });

    it.each([
      ['keywords', 'keywords are'],
      ['keywords list', 'keywords are'],
      ['brief', 'brief is'],
      ['brief show', 'brief is'],
      ['mode', 'delivery settings are'],
      ['quiet', 'quiet hours are'],
      ['threads', 'threads setting is'],
    ])('%s says whose settings they are and shows none of them', async (t, what) => {
      const r = await text(command(other, t, member));
      expect(r).toBe(shared(what));
      // And from the owning workspace, its settings.
      expect(await text(command(inA, t, member))).not.toMatch(/^This channel is shared/);
    });

    it('topics lists the topics without marking the owner\'s as followed', async () => {
      const r = await text(command(other, 'topics', member));
      expect(r).toMatch(/^Topics \(this channel is shared with another workspace, which chooses what it follows\):\nespionage \(/);
      expect(r).not.toContain('[following]');
      expect(await text(command(inA, 'topics', member))).toContain('[following] espionage');
    });

    it("latest without a topic covers every topic (not the owner's) and only the caller's feeds", async () => {
      const r = await handle(command(other, 'latest', member));
      expect(r.text).not.toContain("this channel's topics");
      expect((r.stories ?? []).map((s) => s.title)).not.toContain('A-only secret story');
    });

    it("feeds list shows the caller's feeds (the global ones here), never the owner's own", async () => {
      const r = await text(command(other, 'feeds list', member));
      expect(r).toContain('https://global.example/rss');
      expect(r).not.toContain('a-secret');
    });

    it("why with one of the owner's alert numbers says the alerts are the other workspace's and shows no story", async () => {
      const r = await handle(command(other, `why ${alertId}`, member));
      expect(r.text).toBe("This channel is shared with another workspace and belongs to it: its alerts are that workspace's; give the story's link instead.");
      expect(r.stories ?? []).toEqual([]);
      expect((await handle(command(inA, `why ${alertId}`, member))).stories?.map((s) => s.title)).toEqual(['A-only secret story']);
    });
  });

  it.each([
    { name: 'a member of the other workspace', where: { platform: 'slack' as const, workspaceId: 'TOTHER', channelId: 'CA1' }, who: member, own: false },
    { name: 'an admin of the other workspace', where: { platform: 'slack' as const, workspaceId: 'TOTHER', channelId: 'CA1' }, who: admin, own: false },
    { name: 'a member of the owning workspace', where: inA, who: member, own: true },
  ])("/news status in a channel shared with another workspace, from $name: only what the caller's workspace owns", async ({ where, who, own }) => {
    // A sets the channel up: topics, an exclude keyword, and a dead letter naming a story of A's own feed.
    await text(command(inA, 'subscribe espionage', admin));
    await text(command(inA, 'keywords add -acme-secret-project', admin));
    const ch = (await storage.channels.find('slack', inA.channelId))!;
    const t0 = new Date('2026-03-02T10:00:00Z');
    const { inserted } = await storage.items.storeForFeed(aFeedId, [newItem(aFeedId, { key: 'secret', title: 'A-only dead letter story' })], { fetchedAt: t0 });
    const [a] = await seedAlerts(storage, ch.id, inserted, t0);
    await storage.alerts.claimDue({ now: t0, limit: 1, owner: 'x', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    await storage.alerts.recordFailure(a!, 'x', { error: 'channel_not_found', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 1 });
    const r = await text(command(where, 'status', who));
    if (own) {
      expect(r).toMatch(/^This channel follows State cyberespionage\.\nKeywords: -"acme-secret-project"\./);
      expect(r).toContain('A-only dead letter story');
      expect(r).toMatch(/\nWatching 2 feeds\.$/);
    } else {
      expect(r).toBe("This channel is shared with another workspace and belongs to it: its topics, keywords, alert state and feedback are that workspace's, shown and changed there. This workspace can set up its own channels with /news subscribe.\nWatching 1 feed.");
    }
  });
});
