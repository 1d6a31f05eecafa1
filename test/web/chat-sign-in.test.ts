// Signing in with Slack (OpenID Connect) and Discord (OAuth2), and installing into a second Slack workspace
// (Add to Slack, OAuth v2 through Bolt's installation store), against the emulators' authorisation pages and
// token endpoints, over real HTTP, on SQLite and PostgreSQL. Each person sees and changes only what /news
// lets them: their workspace's channels they are in, managed only with the platform's rights; a forged form
// for another workspace's channel is refused with 403 and changes nothing. The second workspace's commands
// and alerts use its own bot token, stored encrypted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { openDatabase, parseDatabaseUrl } from '../../src/storage/db.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { sendSlashCommand, startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { freePort, linkTo, webClient, type WebClient } from '../helpers/web-client.ts';

notePostgresSkip();

const T1 = 'T0NEWSROOM';
const T2 = 'T0SECOND';
const T1_TOKEN = 'xoxb-newsroom-token-1234';
const SECRET = 'chat-sign-in-signing-secret';
const CLIENT_ID = '1234.5678';
const CLIENT_SECRET = 'slack-client-secret-abcdef';
const KEY = 'a'.repeat(64);
const C1 = 'C0NEWS';
const C2 = 'C0SECOND';
const APP_ID = '800000000000000013';
const DTOKEN = 'discord-sign-in.token.abcdef';
const DSECRET = 'discord-client-secret-abc';
const G1 = '700000000000000013';
const G2 = '700000000000000014';
const D1 = '710000000000000013';
const D2 = '710000000000000015';
const DG2 = '710000000000000016';
const MANAGERS = '720000000000000001';
const HIDDEN = '720000000000000002';
const D_MANAGER = '600000000000000001';
const D_MEMBER = '600000000000000002';
const D_HIDDEN = '600000000000000003';
const D_OUTSIDER = '600000000000000004';

const TOPICS = `topics:
  - id: espionage
    name: State cyberespionage
    terms: [cyberespionage, { term: spying, weight: 2 }]
    threshold: 2
`;

describe.each(testDatabases)('sign in with Slack and Discord, Add to Slack, on $name', (database) => {
  let dir: string;
  let drop: () => Promise<void> = async () => {};
  let url = '';
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let feed: FeedServer;
  let app: App;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-web-chat-'));
    slack = await startFakeSlack({
      token: T1_TOKEN,
      teamId: T1,
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      users: [{ id: 'UAADMIN', is_admin: true, team_id: T1 }, { id: 'UAMEMBER', team_id: T1 }, { id: 'UBADMIN', is_admin: true, team_id: T2 }],
    });
    slack.installable.push({ teamId: T2, teamName: 'Second Desk', userId: 'UBADMIN' });
    slack.signInUsers.push(
      { userId: 'UAADMIN', teamId: T1, teamName: 'Newsroom', name: 'Ada' },
      { userId: 'UAMEMBER', teamId: T1, teamName: 'Newsroom', name: 'Max' },
      { userId: 'UBADMIN', teamId: T2, teamName: 'Second Desk', name: 'Bea' },
    );
    slack.channelMembers.set(C1, new Set(['UAADMIN', 'UAMEMBER']));
    slack.channelMembers.set(C2, new Set(['UBADMIN']));
    discord = await startFakeDiscord({
      token: DTOKEN,
      applicationId: APP_ID,
      oauth: { clientSecret: DSECRET, users: [{ id: D_MANAGER, username: 'dmanager' }, { id: D_MEMBER, username: 'dmember' }, { id: D_HIDDEN, username: 'dhidden' }, { id: D_OUTSIDER, username: 'doutsider' }] },
      guilds: [
        {
          id: G1,
          name: 'First Server',
          roles: [{ id: MANAGERS, name: 'editors', permissions: PERMISSIONS.ManageChannels }, { id: HIDDEN, name: 'interns', permissions: 0n }],
          members: { [D_MANAGER]: [MANAGERS], [D_MEMBER]: [], [D_HIDDEN]: [HIDDEN] },
          channels: [
            { id: D1, name: 'cyber-news' },
            // Interns cannot see #briefings.
            { id: D2, name: 'briefings', overwrites: [{ id: HIDDEN, type: 0, allow: '0', deny: String(PERMISSIONS.ViewChannel) }] },
          ],
        },
        { id: G2, name: 'Other Server', members: { [D_OUTSIDER]: [] }, channels: [{ id: DG2, name: 'other-news' }] },
      ],
    });
    feed = await startFeedServer('Local Wire');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1 }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, allow_hosts: ["127.0.0.1"] }',
        `feeds: [{ url: "${feed.url}", title: Local Wire }]`,
        `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
        'matching: { scorer: rules }',
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 0 }',
        `discord: { dev_guild_id: "${G1}" }`,
        'web:',
        `  slack: { authorize_url: "${slack.baseUrl}/openid/connect/authorize", token_url: "${slack.apiUrl}openid.connect.token", userinfo_url: "${slack.apiUrl}openid.connect.userInfo", install_url: "${slack.baseUrl}/oauth/v2/authorize", install_scopes: [commands, chat:write, users:read] }`,
        `  discord: { authorize_url: "${discord.baseUrl}/oauth2/authorize", token_url: "${discord.apiUrl}/v10/oauth2/token", api_url: "${discord.apiUrl}/v10", invite_permissions: "19456" }`,
      ].join('\n'),
    );
    const db = await database.create();
    url = db.url;
    drop = db.drop;
    const config = await loadConfig({
      cwd: dir,
      env: {
        CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
        DATABASE_URL: url,
        PORT: String(port),
        DASHBOARD_URL: base,
        SLACK_BOT_TOKEN: T1_TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        CYBERBRIEF_ENCRYPTION_KEY: KEY,
        DISCORD_TOKEN: DTOKEN,
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_CLIENT_SECRET: DSECRET,
      },
    });
    app = createApp({ config, logger: silentLogger(), cwd: dir });
    await app.start();
    await waitFor('the first poll', async () => ((await app.storage!.feeds.list())[0]?.primed ? true : undefined), 15_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), discord?.close(), feed?.close()]);
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const slash = async (team: string, channel: string, user: string, text: string) => {
    const r = await sendSlashCommand({ url: `${base}/slack/events`, signingSecret: SECRET, text, userId: user, channelId: channel, channelName: channel.toLowerCase(), teamId: team });
    return String(r.json?.text ?? r.body);
  };
  async function discordCommand(guildId: string, channelId: string, userId: string, permissions: bigint, subcommand: string, options: Array<{ name: string; type: 3; value: string }> = []) {
    const id = discord.sendInteraction({ guildId, channelId, userId, permissions, subcommand, options });
    const reply = await waitFor(`the reply to /news ${subcommand}`, () => discord.interactionReplies.find((r) => r.interactionId === id));
    return String((reply.body as { data: { content: string } }).data.content);
  }

  /** Follows a provider's authorisation page as `who` and comes back signed in. */
  async function signIn(provider: 'slack' | 'discord', who: string): Promise<WebClient> {
    const c = webClient(base);
    const start = await c.get('/auth/' + provider);
    expect(start.status).toBe(302);
    const page = await c.get(start.location!);
    const back = await c.get(linkTo(page.text, who));
    expect([back.status, back.location], back.plain.slice(0, 400)).toEqual([303, '/']);
    return c;
  }

  it('the first workspace and the Discord servers subscribe their channels with /news', async () => {
    expect(await slash(T1, C1, 'UAADMIN', 'subscribe espionage')).toMatch(/^This channel now follows/);
    expect(await discordCommand(G1, D1, D_MANAGER, PERMISSIONS.ManageChannels | PERMISSIONS.ViewChannel, 'subscribe')).toMatch(/^This channel now follows/);
    expect(await discordCommand(G1, D2, D_MANAGER, PERMISSIONS.ManageChannels | PERMISSIONS.ViewChannel, 'subscribe')).toMatch(/^This channel now follows/);
    expect(await discordCommand(G2, DG2, D_OUTSIDER, PERMISSIONS.ManageGuild | PERMISSIONS.ViewChannel, 'subscribe')).toMatch(/^This channel now follows/);
  });

  it('Add to Slack installs into a second workspace through the OAuth pages; its installation is stored encrypted', async () => {
    const c = webClient(base);
    const start = await c.get('/slack/install');
    expect(start.status).toBe(302);
    expect(start.location).toContain(`${slack.baseUrl}/oauth/v2/authorize?`);
    expect(new URL(start.location!).searchParams.get('redirect_uri')).toBe(`${base}/slack/oauth_redirect`);
    const page = await c.get(start.location!);
    const back = await c.get(linkTo(page.text, 'Allow cyberbrief in Second Desk'));
    expect([back.status, back.location]).toEqual([303, '/installed?team=Second+Desk']);
    expect((await c.get(back.location!)).text).toContain('cyberbrief is installed in Second Desk');
    const token = slack.installs[0]!.token;
    const handle = openDatabase(parseDatabaseUrl(url));
    try {
      const rows = (await sql<{ team_id: string; data: string; installed_by: string }>`select team_id, data, installed_by from slack_installations`.execute(handle.db)).rows;
      expect(rows.map((r) => [r.team_id, r.installed_by])).toEqual([[T2, 'UBADMIN']]);
      expect(rows[0]!.data).toMatch(/^v1\./);
      expect(rows[0]!.data).not.toContain(token);
      expect(Buffer.from(rows[0]!.data.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('xoxb');
    } finally {
      await handle.close();
    }
    // A callback with a state this browser never got installs nothing more.
    const forged = await webClient(base).get(`/slack/oauth_redirect?code=x&state=forged`);
    expect(forged.location).toMatch(/^\/installed\?error=/);
    expect(slack.installs).toHaveLength(1);
  });

  it("the second workspace's commands and alerts use its own bot token", async () => {
    expect(await slash(T2, C2, 'UBADMIN', 'subscribe espionage')).toMatch(/^This channel now follows/);
    const token = slack.installs[0]!.token;
    expect(slack.calls.filter((k) => k.method === 'users.info' && k.args.user === 'UBADMIN').map((k) => k.token)).toEqual([token]);
    expect((await app.storage!.channels.find('slack', C2))?.workspaceId).toBe(T2);
    feed.items.push({ guid: 's1', title: 'Ministry reports cyberespionage by state hackers', link: 'http://127.0.0.1/s1', description: 'Spying on diplomats.', pubDate: new Date() });
    await app.storage!.feeds.makeAllDue(new Date());
    await waitFor('the story in both workspaces', () => (slack.messages.filter((m) => m.method === 'chat.postMessage').length >= 2 ? true : undefined), 20_000);
    const posts = slack.calls.filter((k) => k.method === 'chat.postMessage').map((k) => [k.args.channel, k.token]);
    expect(posts).toEqual(expect.arrayContaining([[C1, T1_TOKEN], [C2, token]]));
    expect(posts).toHaveLength(2);
  }, 30_000);

  it("signed in with Slack, each person sees only their workspace's channels they are in", async () => {
    const bea = await signIn('slack', 'Continue as Bea');
    const beaPage = await bea.get('/channels');
    expect(beaPage.plain).toContain(`#${C2.toLowerCase()} (Slack)`);
    expect(beaPage.plain).not.toContain(C1.toLowerCase());
    const ada = await signIn('slack', 'Continue as Ada');
    const adaPage = await ada.get('/channels');
    expect(adaPage.plain).toContain(`#${C1.toLowerCase()} (Slack)`);
    expect(adaPage.plain).not.toContain(C2.toLowerCase());
    expect(adaPage.plain).toContain('Manage');
    expect((await ada.get('/')).plain).toContain('Ada (Slack: Newsroom)');
  });

  it('a member without rights sees no other workspace, cannot change their own channel, and a forged form gets 403 and changes nothing', async () => {
    const max = await signIn('slack', 'Continue as Max');
    const page = await max.get('/channels');
    expect(page.plain).toContain(`#${C1.toLowerCase()} (Slack)`);
    expect(page.plain).not.toContain(C2.toLowerCase());
    expect(page.text).not.toContain('>Manage<');
    const c1 = (await app.storage!.channels.find('slack', C1))!;
    const c2 = (await app.storage!.channels.find('slack', C2))!;
    const before = [await app.storage!.channels.subscriptions(c1.id), await app.storage!.channels.subscriptions(c2.id)];
    const other = await max.post(`/channels/${c2.id}/topics`, { topic: [] });
    expect(other.status).toBe(403);
    const own = await max.post(`/channels/${c1.id}/topics`, { topic: [] });
    expect(own.status).toBe(403);
    expect(own.plain).toContain('Sorry, only workspace admins and owners, or users on the bot\'s allowlist (slack.admin_user_ids) can change this channel\'s subscriptions');
    const kw = await max.post(`/channels/${c2.id}/keywords/add`, { term: 'sports' });
    expect(kw.status).toBe(403);
    const feedAdd = await max.post('/feeds/add', { url: 'https://max.example.com/feed', as: `slack:${T1}` });
    expect(feedAdd.status).toBe(403);
    const otherTenant = await max.post('/feeds/add', { url: 'https://max.example.com/feed', as: `slack:${T2}` });
    expect(otherTenant.status).toBe(403);
    expect([await app.storage!.channels.subscriptions(c1.id), await app.storage!.channels.subscriptions(c2.id)]).toEqual(before);
    expect(await app.storage!.channels.keywords(c2.id)).toEqual([]);
    expect(await app.storage!.feeds.getByUrl('https://max.example.com/feed')).toBeNull();
    // The topics in force are named without a path on the server, which only the operators can act on.
    const topics = await max.get('/topics');
    expect(topics.plain).toContain("In force: the topics file the bot's operators set up.");
    expect(topics.plain).not.toContain(dir);
  });

  it("a workspace admin adds a feed for the workspace alone, as /news feeds add does", async () => {
    const ada = await signIn('slack', 'Continue as Ada');
    await ada.get('/feeds');
    const r = await ada.post('/feeds/add', { url: 'https://newsroom.example.com/rss', as: `slack:${T1}` });
    expect((await ada.get(r.location!)).plain).toMatch(/Added feed \d+: https:\/\/newsroom\.example\.com\/rss, for this workspace's channels only/);
    const f = (await app.storage!.feeds.getByUrl('https://newsroom.example.com/rss'))!;
    expect((await app.storage!.feeds.audiences()).get(f.id)).toEqual({ global: false, tenants: [`slack:${T1}`] });
    // Bea (the other workspace) does not see it.
    const bea = await signIn('slack', 'Continue as Bea');
    expect((await bea.get('/feeds')).plain).not.toContain('newsroom.example.com');
    expect((await bea.post(`/feeds/${f.id}/remove`, { as: `slack:${T2}` })).status).toBe(403);
    expect(await app.storage!.feeds.get(f.id)).not.toBeNull();
  });

  it('signed in with Discord, a member sees the channels the server lets them see, and manages only with Manage Channels', async () => {
    const manager = await signIn('discord', 'Authorize as dmanager');
    const mp = await manager.get('/channels');
    expect(mp.plain).toContain('#cyber-news (Discord)');
    expect(mp.plain).toContain('#briefings (Discord)');
    expect(mp.plain).not.toContain('other-news');
    const d1 = (await app.storage!.channels.find('discord', D1))!;
    await manager.post(`/channels/${d1.id}/keywords/add`, { term: 'sanctions' });
    expect(await app.storage!.channels.keywords(d1.id)).toEqual([{ channelId: d1.id, term: 'sanctions', exclude: false }]);

    const hidden = await signIn('discord', 'Authorize as dhidden');
    const hp = await hidden.get('/channels');
    expect(hp.plain).toContain('#cyber-news (Discord)');
    expect(hp.plain).not.toContain('briefings');
    const d2 = (await app.storage!.channels.find('discord', D2))!;
    expect((await hidden.post(`/channels/${d2.id}/keywords/add`, { term: 'x' })).status).toBe(403);
    const member = await signIn('discord', 'Authorize as dmember');
    expect((await member.get('/channels')).plain).toContain('#briefings (Discord)');
    const refused = await member.post(`/channels/${d1.id}/keywords/remove`, { term: 'sanctions' });
    expect(refused.status).toBe(403);
    expect(refused.plain).toContain('Sorry, only members with the Manage Channels or Manage Server permission');
    const outsider = await signIn('discord', 'Authorize as doutsider');
    const op = await outsider.get('/channels');
    expect(op.plain).toContain('#other-news (Discord)');
    expect(op.plain).not.toContain('cyber-news');
    expect(await app.storage!.channels.keywords(d1.id)).toEqual([{ channelId: d1.id, term: 'sanctions', exclude: false }]);
  });

  it('a sign-in callback that did not start in this browser signs nobody in', async () => {
    const c = webClient(base);
    const r = await c.get('/auth/slack/callback?code=abc&state=not-mine');
    expect(r.status).toBe(400);
    expect(r.plain).toContain('That Slack sign-in did not start in this browser');
    expect(c.cookies.has('cb_session')).toBe(false);
  });

  // Text a provider (or whoever crafted the link) puts in the callback's query is remote text: shown as one
  // clean line of bounded length (lib/bounded-text.ts), never cut inside a character or with its controls kept.
  it.each([
    { name: 'a cancelled sign-in', path: async (c: WebClient) => `/auth/slack/callback?state=${new URL((await c.get('/auth/slack')).location!).searchParams.get('state')}&error=${encodeURIComponent('access_denied\u202e\u001b[31m by\r\nuser')}`, status: 400, want: 'Slack sign-in was cancelled (access_denied by user).' },
    { name: 'a failed install', path: async () => `/installed?error=${encodeURIComponent(`refused\u0007\u202e ${'😀'.repeat(250)}`)}`, status: 400, want: `cyberbrief was not installed: refused ${'😀'.repeat(162)} …[cut: 258 characters in all]. Try Add to Slack again.` },
    { name: 'an install into a workspace with a hostile name', path: async () => `/installed?team=${encodeURIComponent(`Desk\u202e\u001b]8;;https://x\u0007 ${'😀'.repeat(99)}`)}`, status: 200, want: `cyberbrief is installed in Desk ${'😀'.repeat(65)} …[cut: 104 characters in all].` },
  ])('shows the query text of $name as bounded text', async ({ path: pathOf, status, want }) => {
    const c = webClient(base);
    const r = await c.get(await pathOf(c));
    expect(r.status).toBe(status);
    expect(r.plain).toContain(want);
    expect(r.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e]|\p{Cs}/u);
  });

  it('the sign-in page offers both providers and the Add to Slack and Add to Discord links', async () => {
    const page = await webClient(base).get('/sign-in');
    expect(page.text).toContain('href="/auth/slack"');
    expect(page.text).toContain('href="/auth/discord"');
    expect(page.text).toContain('href="/slack/install"');
    const invite = /href="([^"]*oauth2\/authorize[^"]*)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    const u = new URL(invite);
    expect([u.searchParams.get('client_id'), u.searchParams.get('scope'), u.searchParams.get('permissions')]).toEqual([APP_ID, 'bot applications.commands', '19456']);
  });
});
