// Tenancy end to end, as `cyberbrief run` wires it: two Slack workspaces (one app installed across an
// organisation, so commands arrive with either team id) and two Discord servers, on the real Bolt and
// discord.js clients against the local emulators, with local feed servers. Each workspace's or server's
// admins manage its own feeds: nobody outside a tenant can see, remove or override them, nor remove a
// global feed; a tenant's feed reaches only its channels; the operators manage the global feeds; and feed
// titles quoted in Discord replies never render as live masked links.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createLogger, silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { sendSlashCommand, startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const SLACK_TOKEN = 'xoxb-tenancy-token-123456';
const SECRET = 'tenancy-signing-secret-abcdef';
const DISCORD_TOKEN = 'discord-tenancy-token.abcdef.123456';
const APP_ID = '800000000000000003';
/** Slack workspaces A and B, their channels; Discord servers A and B, their channels. */
const TA = 'T0AAAA';
const TB = 'T0BBBB';
const CA = 'C0AAAA';
const CB = 'C0BBBB';
const GA = '700000000000000031';
const GB = '700000000000000032';
const DA = '710000000000000031';
const DB = '710000000000000032';
const D_ADMIN = '600000000000000031';
const D_OPERATOR = '600000000000000099';
const MEMBER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;
const SERVER_ADMIN = MEMBER | PERMISSIONS.ManageChannels | PERMISSIONS.ManageGuild;

const TOPICS_YAML = `topics:
  - id: espionage
    name: State cyberespionage
    description: Spying by states
    terms:
      - cyberespionage
      - { term: spying, weight: 2 }
    threshold: 2
`;

describe.each(testDatabases)('tenancy end to end (two Slack workspaces, two Discord servers) on $name', (database) => {
  let dir: string;
  let dropDatabase: () => Promise<void> = async () => {};
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let globalFeed: FeedServer;
  let aFeed: FeedServer;
  let bFeed: FeedServer;
  let app: App;
  let events: string;
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-tenancy-'));
    slack = await startFakeSlack({
      token: SLACK_TOKEN,
      teamId: TA,
      users: [
        { id: 'UAADMIN', is_admin: true, team_id: TA },
        { id: 'UBADMIN', is_admin: true, team_id: TB },
        { id: 'UBMEMBER', team_id: TB },
        { id: 'UOPS', team_id: TA },
      ],
    });
    discord = await startFakeDiscord({
      token: DISCORD_TOKEN,
      applicationId: APP_ID,
      guilds: [
        { id: GA, name: 'Server A', channels: [{ id: DA, name: 'news-a' }] },
        { id: GB, name: 'Server B', channels: [{ id: DB, name: 'news-b' }] },
      ],
    });
    globalFeed = await startFeedServer('Global Wire');
    aFeed = await startFeedServer('A Desk');
    bFeed = await startFeedServer('B Wire [click here](https://evil.example/phish)');

    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS_YAML);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1, port: 0 }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, allow_hosts: ["127.0.0.1"], allow_hosts_for_chat_feeds: true }',
        `feeds: [{ url: "${globalFeed.url}", title: Global Wire }]`,
        `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 0, max_attempts: 1 }',
        'slack: { operator_user_ids: [UOPS] }',
        `discord: { operator_user_ids: ["${D_OPERATOR}"] }`,
      ].join('\n'),
    );
    const db = await database.create();
    dropDatabase = db.drop;
    const config = await loadConfig({
      cwd: dir,
      env: {
        CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
        DATABASE_URL: db.url,
        SLACK_BOT_TOKEN: SLACK_TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN,
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_API_URL: discord.apiUrl,
      },
    });
    app = createApp({ config, logger: process.env.E2E_LOG ? createLogger({ level: 'debug', pretty: false, secrets: [] }) : silentLogger(), cwd: dir, clock });
    await app.start();
    events = `http://127.0.0.1:${app.port}/slack/events`;
    await waitFor('the first poll of the global feed', async () => ((await app.storage!.feeds.list())[0]?.primed ? true : undefined), 15_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), discord?.close(), globalFeed?.close(), aFeed?.close(), bFeed?.close()]);
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  const slash = async (team: string, channelId: string, userId: string, text: string) => {
    const r = await sendSlashCommand({ url: events, signingSecret: SECRET, text, userId, channelId, teamId: team, channelName: 'news' });
    expect(r.status).toBe(200);
    return String(r.json?.text ?? '');
  };
  const feedOptions = (action: string, feed?: string, global = false) => [
    { name: 'action', type: 3 as const, value: action },
    ...(feed ? [{ name: 'feed', type: 3 as const, value: feed }] : []),
    ...(global ? [{ name: 'global', type: 5 as const, value: true }] : []),
  ];
  async function discordCommand(guildId: string, channelId: string, userId: string, permissions: bigint, subcommand: string, options: Array<{ name: string; type: 3 | 4 | 5; value: string | number | boolean }> = []) {
    const id = discord.sendInteraction({ guildId, channelId, userId, permissions, subcommand, options: options as never });
    const reply = await waitFor(`the reply to /news ${subcommand}`, () => discord.interactionReplies.find((r) => r.interactionId === id));
    return String((reply.body as { data: { content: string } }).data.content);
  }
  const feedId = async (url: string) => (await app.storage!.feeds.getByUrl(url))!.id;
  const primed = (url: string) => waitFor(`the first poll of ${url}`, async () => ((await app.storage!.feeds.getByUrl(url))?.primed ? true : undefined), 15_000);
  const story = (guid: string, title: string) => ({ guid, title, link: `http://127.0.0.1/${guid}`, description: `${title}. Officials described a long cyberespionage campaign.`, pubDate: new Date() });
  const slackGot = (channel: string, needle: string) => slack.messages.some((m) => m.channel === channel && m.method === 'chat.postMessage' && (m.text + JSON.stringify(m.blocks)).includes(needle));
  const discordGot = (channel: string, needle: string) => discord.messages.some((m) => m.channelId === channel && m.kind === 'create' && JSON.stringify(m.body).includes(needle));
  const everywhere = (needle: string) => [slackGot(CA, needle), slackGot(CB, needle), discordGot(DA, needle), discordGot(DB, needle)];
  const subscribeOptions = [{ name: 'topics', type: 3 as const, value: 'espionage' }];
  // What the first two cases set up, for the cases that need it (whichever ran before): every channel follows
  // espionage, and A's and B's own feeds are added and read once. Nothing already there is changed.
  async function everyChannelSubscribed(): Promise<void> {
    await slash(TA, CA, 'UAADMIN', 'subscribe espionage');
    await slash(TB, CB, 'UBADMIN', 'subscribe espionage');
    await discordCommand(GA, DA, D_ADMIN, SERVER_ADMIN, 'subscribe', subscribeOptions);
    await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'subscribe', subscribeOptions);
  }
  async function tenantFeedsAdded(): Promise<void> {
    if (!(await app.storage!.feeds.getByUrl(aFeed.url))) await slash(TA, CA, 'UAADMIN', `feeds add ${aFeed.url}`);
    if (!(await app.storage!.feeds.getByUrl(bFeed.url))) await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('add', bFeed.url));
    await primed(aFeed.url);
    await primed(bFeed.url);
  }

  it('every channel subscribes, each from its own workspace or server', async () => {
    // None follows a topic yet (another case may have subscribed them).
    for (const c of await app.storage!.channels.list()) await app.storage!.channels.unsubscribe(c.id, await app.storage!.channels.subscriptions(c.id));
    expect(await slash(TA, CA, 'UAADMIN', 'subscribe espionage')).toMatch(/^This channel now follows/);
    expect(await slash(TB, CB, 'UBADMIN', 'subscribe espionage')).toMatch(/^This channel now follows/);
    expect(await discordCommand(GA, DA, D_ADMIN, SERVER_ADMIN, 'subscribe', [{ name: 'topics', type: 3, value: 'espionage' }])).toMatch(/^This channel now follows/);
    expect(await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'subscribe', [{ name: 'topics', type: 3, value: 'espionage' }])).toMatch(/^This channel now follows/);
    expect((await app.storage!.channels.list()).map((c) => [c.externalId, c.workspaceId]).sort()).toEqual([[CA, TA], [CB, TB], [DA, GA], [DB, GB]].sort());
  });

  it("workspace A's and server B's admins add their own feeds", async () => {
    // Neither feed added yet (another case may have added them): removed as their admins would.
    if (await app.storage!.feeds.getByUrl(aFeed.url)) await slash(TA, CA, 'UAADMIN', `feeds remove ${aFeed.url}`);
    if (await app.storage!.feeds.getByUrl(bFeed.url)) await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('remove', bFeed.url));
    expect([await app.storage!.feeds.getByUrl(aFeed.url), await app.storage!.feeds.getByUrl(bFeed.url)]).toEqual([null, null]);
    expect(await slash(TA, CA, 'UAADMIN', `feeds add ${aFeed.url}`)).toMatch(/^Added feed \d+: .*, for this workspace's channels only/);
    expect(await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('add', bFeed.url))).toMatch(/^Added feed \d+: .*, for this server's channels only/);
    await primed(aFeed.url);
    await primed(bFeed.url);
    expect(await app.storage!.feeds.audiences()).toEqual(
      new Map([
        [await feedId(globalFeed.url), { global: true, tenants: [] }],
        [await feedId(aFeed.url), { global: false, tenants: [`slack:${TA}`] }],
        [await feedId(bFeed.url), { global: false, tenants: [`discord:${GB}`] }],
      ]),
    );
  });

  it("outside admins cannot see, remove or disable A's feeds, nor remove a global feed; nothing changes", async () => {
    await everyChannelSubscribed();
    await tenantFeedsAdded();
    const before = JSON.stringify(await app.storage!.feeds.list()) + JSON.stringify([...(await app.storage!.feeds.audiences())]);
    const aId = await feedId(aFeed.url);
    const gId = await feedId(globalFeed.url);
    // Server B and workspace B see the global feed and their own, never A's.
    const bList = await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('list'));
    expect(bList).toContain(`<${globalFeed.url}> \\(global\\)`);
    expect(bList).not.toContain(aFeed.url.replace(/^http:\/\//, ''));
    expect(await slash(TB, CB, 'UBADMIN', 'feeds list')).not.toContain(aFeed.url);
    // Removing A's feed by id or URL: as if it did not exist.
    expect(await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('remove', String(aId)))).toMatch(/^No feed matches /);
    expect(await slash(TB, CB, 'UBADMIN', `feeds remove ${aFeed.url}`)).toMatch(/^No feed matches /);
    expect(await discordCommand(GA, DA, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('remove', aFeed.url))).toMatch(/^No feed matches /);
    // A global feed: one sentence, no change; the operators' form is refused to an admin.
    expect(await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('remove', String(gId)))).toMatch(/^Feed \d+ is a global feed, which only the bot's operators can remove; this server can remove only the feeds it added\.$/);
    expect(await slash(TB, CB, 'UBADMIN', `feeds remove ${gId}`)).toMatch(/^Feed \d+ is a global feed, which only the bot's operators can remove; this workspace can remove only the feeds it added\.$/);
    expect(await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('remove', String(gId), true))).toMatch(/^Sorry, only the bot's operators \\\(discord\.operator\\_user\\_ids\\\) can add or remove global feeds/);
    expect(await slash(TB, CB, 'UBADMIN', `feeds remove global ${gId}`)).toMatch(/^Sorry, only the bot's operators \(slack\.operator_user_ids\) can add or remove global feeds/);
    // There is no disabling from chat at all.
    expect(await slash(TB, CB, 'UBADMIN', `feeds disable ${aId}`)).toMatch(/^Usage: \/news feeds /);
    expect(await slash(TB, CB, 'UBADMIN', `feeds disable ${gId}`)).toMatch(/^Usage: \/news feeds /);
    // A member of workspace B cannot add a feed at all; B's admin on A's channel cannot subscribe it.
    expect(await slash(TB, CB, 'UBMEMBER', `feeds add ${aFeed.url}?x=1`)).toMatch(/^Sorry, only workspace admins and owners/);
    expect(await slash(TB, CA, 'UBADMIN', 'unsubscribe')).toBe('This channel is shared with another workspace and belongs to it; only that workspace can change what the channel receives.');
    expect(JSON.stringify(await app.storage!.feeds.list()) + JSON.stringify([...(await app.storage!.feeds.audiences())])).toBe(before);
  });

  it("a tenant's feed reaches only its own channels; a global feed reaches every channel", async () => {
    await everyChannelSubscribed();
    await tenantFeedsAdded();
    aFeed.items.push(story('a-1', 'Workspace A desk reports cyberespionage at a shipyard'));
    bFeed.items.push(story('b-1', 'Server B wire reports spying on a ministry'));
    clock.advance(5 * 60_000);
    await waitFor("A's story in A's Slack channel", () => slackGot(CA, 'Workspace A desk reports'), 30_000);
    await waitFor("B's story in B's Discord channel", () => discordGot(DB, 'Server B wire reports'), 30_000);
    // A global story afterwards, seen everywhere: anything still queued for the earlier stories is out by then.
    globalFeed.items.push(story('g-1', 'Global wire: regulator warns of cyberespionage against ports'));
    clock.advance(5 * 60_000);
    await waitFor('the global story in every channel', () => everywhere('Global wire: regulator warns').every(Boolean) || undefined, 30_000);
    expect(everywhere('Workspace A desk reports')).toEqual([true, false, false, false]);
    expect(everywhere('Server B wire reports')).toEqual([false, false, false, true]);
  }, 90_000);

  it("B's own feed title and dead letters never render as live masked links in Discord replies", async () => {
    await everyChannelSubscribed();
    await tenantFeedsAdded();
    const list = await discordCommand(GB, DB, D_ADMIN, SERVER_ADMIN, 'feeds', feedOptions('list'));
    expect(list).toContain('B Wire \\[click here\\]\\(<https://evil.example/phish>\\)');
    expect(list).not.toMatch(/(^|[^\\])\[[^\]]*(?<!\\)\]\(/);
    discord.failWhen('POST /channels/:id/messages', (body) => JSON.stringify(body).includes('Refused dossier'), { status: 400, code: 50035, message: 'Invalid Form Body' });
    bFeed.items.push(story('b-2', 'Refused dossier on spying [read it](https://evil.example/x)'));
    clock.advance(5 * 60_000);
    await waitFor('the refused story dead-lettered', async () => ((await app.storage!.alerts.list({ status: 'dead' })).length === 1 ? true : undefined), 30_000);
    const status = await discordCommand(GB, DB, D_ADMIN, MEMBER, 'status');
    expect(status).toContain('Latest: "Refused dossier on spying \\[read it\\]\\(<https://evil.example/x>\\)"');
    expect(status).not.toMatch(/(^|[^\\])\[[^\]]*(?<!\\)\]\(/);
  }, 60_000);

  it('operators add and remove global feeds from either platform', async () => {
    const extra = `${aFeed.url}?edition=global`;
    expect(await discordCommand(GB, DB, D_OPERATOR, MEMBER, 'feeds', feedOptions('add', extra, true))).toMatch(/^Added global feed \d+: /);
    expect((await app.storage!.feeds.getByUrl(extra))!.global).toBe(true);
    expect(await slash(TB, CB, 'UBADMIN', 'feeds list')).toContain(`${extra} (global)`);
    const id = await feedId(extra);
    expect(await slash(TA, CA, 'UOPS', `feeds remove global ${id}`)).toBe(`Removed global feed ${id}: ${extra}.`);
    expect(await app.storage!.feeds.getByUrl(extra)).toBeNull();
    // The console is not running here; the operators are only those configured.
    expect(await slash(TA, CA, 'UAADMIN', `feeds add global ${extra}`)).toMatch(/^Sorry, only the bot's operators/);
  });
});
