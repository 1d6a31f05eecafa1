// End to end, as `cyberbrief run` wires it: the real Bolt and discord.js clients against the local Slack
// and Discord stand-ins, a local feed server, the scheduler, matcher, summariser, router, outbox and
// dispatcher on a SQLite file. Channels subscribe by slash command; a matching item whose title tries to
// mention everyone appears on the feed; the poll runs; the alert arrives formatted and inert.
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

const SLACK_TOKEN = 'xoxb-e2e-token-123456';
const SECRET = 'e2e-signing-secret-abcdef';
const DISCORD_TOKEN = 'discord-e2e-token.abcdef.123456';
const APP_ID = '800000000000000002';
const GUILD = '700000000000000002';
const DCHAN = '710000000000000002';
const MANAGER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages | PERMISSIONS.ManageChannels;
const MEMBER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;
/** A Discord channel the bot cannot see (the fake answers 404 Unknown Channel). */
const DGONE = '719999999999999999';

const TOPICS_YAML = `topics:
  - id: espionage
    name: State cyberespionage
    description: Spying by states and the accusations around it
    terms:
      - cyberespionage
      - { term: state hackers, weight: 2 }
      - { term: spying, weight: 2 }
    threshold: 2
  - id: talks
    name: Cyber talks
    description: Working groups and dialogues
    terms:
      - { term: working group, weight: 3 }
    threshold: 2
`;

const EVIL_TITLE = 'Officials accuse state hackers of cyberespionage @everyone <!channel> <@U0ADMIN>';

describe.each(testDatabases)('chat end to end (Slack and Discord) on $name', (database) => {
  let dir: string;
  let dropDatabase: () => Promise<void> = async () => {};
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let feed: FeedServer;
  let app: App;
  let events: string;
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-e2e-'));
    slack = await startFakeSlack({ token: SLACK_TOKEN, users: [{ id: 'UADMIN', is_admin: true }, { id: 'UMEMBER' }] });
    discord = await startFakeDiscord({ token: DISCORD_TOKEN, applicationId: APP_ID, guilds: [{ id: GUILD, name: 'E2E', channels: [{ id: DCHAN, name: 'cyber-news' }] }] });
    feed = await startFeedServer('Local Wire');
    feed.items.push({ guid: 'old-1', title: 'Quarterly earnings of a chip maker', link: 'http://127.0.0.1/old-1', description: 'Nothing about cyber.', pubDate: new Date(Date.now() - 3_600_000) });

    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS_YAML);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1, port: 0 }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, allow_hosts: ["127.0.0.1"] }',
        `feeds: [{ url: "${feed.url}", title: Local Wire }]`,
        `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 0 }',
        `discord: { dev_guild_id: "${GUILD}" }`,
      ].join('\n'),
    );
    const db = await database.create();
    const databaseUrl = db.url;
    dropDatabase = db.drop;
    const config = await loadConfig({
      cwd: dir,
      env: {
        CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
        DATABASE_URL: databaseUrl,
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
    // The first poll stores the backlog without alerting (backfill 0).
    await waitFor('the first poll', async () => (await app.storage!.feeds.list())[0]?.primed === true ? true : undefined, 15_000).catch(async () => {
      throw new Error(`first poll did not complete: ${JSON.stringify(await app.storage!.feeds.list())}`);
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), discord?.close(), feed?.close()]);
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  const slash = (text: string, userId: string, extra: Partial<Parameters<typeof sendSlashCommand>[0]> = {}) =>
    sendSlashCommand({ url: events, signingSecret: SECRET, text, userId, channelId: 'C0NEWS', channelName: 'cyber-news', ...extra });

  async function discordCommand(subcommand: string, permissions: bigint, options: Array<{ name: string; type: 3 | 4; value: string | number }> = [], channelId = DCHAN) {
    const id = discord.sendInteraction({ guildId: GUILD, channelId, userId: '600000000000000009', permissions, subcommand, options });
    const reply = await waitFor(`the reply to /news ${subcommand}`, () => discord.interactionReplies.find((r) => r.interactionId === id));
    return reply.body as { type: number; data: { content: string; flags?: number; embeds?: Array<Record<string, unknown>>; allowed_mentions: unknown } };
  }

  it('serves health and registered /news in the dev guild', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(res.status).toBe(200);
    expect(discord.requests.some((r) => r.method === 'PUT' && r.path === `/applications/${APP_ID}/guilds/${GUILD}/commands`)).toBe(true);
  });

  it('answers a forged signature or a stale timestamp with 401 and changes nothing', async () => {
    const forged = await slash('subscribe espionage', 'UADMIN', { signature: `v0=${'f'.repeat(64)}` });
    const stale = await slash('subscribe espionage', 'UADMIN', { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(await app.storage!.channels.list()).toEqual([]);
  });

  it("refuses a non-admin's keyword change on both platforms", async () => {
    const s = await slash('keywords add -sports', 'UMEMBER');
    expect(s.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Sorry, only workspace admins and owners/) });
    const d = await discordCommand('keywords', MEMBER, [{ name: 'action', type: 3, value: 'add' }, { name: 'terms', type: 3, value: '-sports' }]);
    expect(d.data.content).toMatch(/^Sorry, only members with the Manage Channels or Manage Server permission/);
    expect(await app.storage!.channels.list()).toEqual([]);
  });

  it('delivers a matching item to the subscribed channels, formatted, with no mention possible', async () => {
    const s = await slash('subscribe espionage', 'UADMIN');
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ response_type: 'in_channel', text: expect.stringMatching(/^This channel now follows State cyberespionage\./) });
    const d = await discordCommand('subscribe', MANAGER, [{ name: 'topics', type: 3, value: 'espionage' }]);
    expect(d.data.content).toMatch(/^This channel now follows State cyberespionage\./);
    // Two more subscribers the bot can no longer post to (removed from the channel, channel deleted).
    slack.goneChannels.add('C0GONE');
    expect((await slash('subscribe espionage', 'UADMIN', { channelId: 'C0GONE' })).status).toBe(200);
    expect((await discordCommand('subscribe', MANAGER, [{ name: 'topics', type: 3, value: 'espionage' }], DGONE)).data.content).toMatch(/^This channel now follows/);

    feed.items.push({
      guid: 'spy-1',
      title: EVIL_TITLE,
      link: 'http://127.0.0.1/spy-1?a=1&b=2',
      description: 'Prosecutors said state hackers ran a long cyberespionage campaign against a ministry. Spying on diplomats went on for years, officials said. <!here> The accused deny it.',
      pubDate: new Date(),
    });
    clock.advance(5 * 60_000); // the feed is due again: the next scheduler tick polls it

    const sMsg = await waitFor('the Slack alert', () => slack.messages.find((m) => m.channel === 'C0NEWS'), 30_000);
    const sAll = sMsg.text + JSON.stringify(sMsg.blocks);
    expect(sAll).not.toMatch(/<!channel>|<!here>|<@U0ADMIN>/);
    expect(sAll).toContain('&lt;!channel&gt;');
    expect(sAll).toContain('@\u2060everyone');
    expect(sAll).toContain('<http://127.0.0.1/spy-1?a=1&amp;b=2|Officials accuse state hackers of cyberespionage');
    expect(sAll).toContain('Local Wire');
    expect(sAll).toContain('Topics: State cyberespionage');
    expect(sMsg.args).toMatchObject({ link_names: 'false', parse: 'none' });

    const dMsg = await waitFor('the Discord alert', () => discord.messages.find((m) => m.channelId === DCHAN), 30_000);
    expect(dMsg.body.allowed_mentions).toEqual({ parse: [] });
    const embed = (dMsg.body.embeds as Array<{ title: string; url: string; description: string; author: { name: string }; fields: Array<{ name: string; value: string }> }>)[0]!;
    expect(embed.title).toMatch(/^Officials accuse state hackers of cyberespionage @\u200beveryone/);
    expect(JSON.stringify(dMsg.body)).not.toMatch(/(?<!\\u200b)@everyone|<@!?\d+>/);
    expect(embed.url).toBe('http://127.0.0.1/spy-1?a=1&b=2');
    expect(embed.author.name).toBe('Local Wire');
    expect(embed.fields).toContainEqual({ name: 'Topics', value: 'State cyberespionage', inline: true });
    expect(embed.description.length).toBeGreaterThan(20);

    // Exactly one alert per channel for the story.
    expect(slack.messages.filter((m) => m.channel === 'C0NEWS' && m.method === 'chat.postMessage')).toHaveLength(1);
    expect(discord.messages.filter((m) => m.channelId === DCHAN && m.kind === 'create')).toHaveLength(1);
  }, 60_000);

  it('pauses channels the bot cannot post to, and status says why', async () => {
    const paused = await waitFor('both unreachable channels paused', async () => {
      const list = (await app.storage!.channels.list()).filter((c) => c.paused);
      return list.length === 2 ? list : undefined;
    }, 30_000);
    expect(paused.map((c) => [c.platform, c.externalId]).sort()).toEqual([['discord', DGONE], ['slack', 'C0GONE']]);
    const s = await slash('status', 'UMEMBER', { channelId: 'C0GONE' });
    expect(String(s.json!.text)).toMatch(/Alerts are paused: .*channel_not_found/);
    const d = await discordCommand('status', MEMBER, [], DGONE);
    expect(d.data.content).toMatch(/Alerts are paused: .*Unknown Channel/);
    // The reachable channels are not paused.
    expect((await app.storage!.channels.list()).filter((c) => !c.paused).map((c) => c.externalId).sort()).toEqual(['C0NEWS', DCHAN].sort());
  }, 60_000);

  it('returns the summaries with latest on both platforms', async () => {
    const s = await slash('latest', 'UMEMBER');
    expect(s.json).toMatchObject({ response_type: 'ephemeral', text: "The latest story on this channel's topics:" });
    const blocks = JSON.stringify(s.json!.blocks);
    expect(blocks).toContain('cyberespionage');
    expect(blocks).not.toMatch(/<!channel>|<!here>/);
    const d = await discordCommand('latest', MEMBER, [{ name: 'count', type: 4, value: 3 }]);
    expect(d.data.content).toBe("The latest story on this channel's topics:");
    expect(d.data.embeds).toHaveLength(1);
    expect(String(d.data.embeds![0]!.title)).toMatch(/^Officials accuse state hackers/);
    expect(d.data.allowed_mentions).toEqual({ parse: [] });
  });

  it("lets only admins change their own feeds, through the real URL check, which keeps the operator's private hosts from chat feeds", async () => {
    const url = `${feed.url}?edition=2`;
    const option = (action: string, value: string) => [{ name: 'action', type: 3 as const, value: action }, { name: 'feed', type: 3 as const, value }];
    // A well-formed add from a member without the rights is refused for the rights alone (a malformed one
    // would be told what is wrong with it first).
    const refused = await discordCommand('feeds', MANAGER, option('add', 'https://wire.example.com/feed.xml'));
    expect(refused.data.content).toMatch(/^Sorry, only members with the Manage Server or Administrator permission can add or remove feeds/);
    const bad = await slash('feeds add javascript:alert(1)', 'UADMIN');
    expect(bad.json).toMatchObject({ text: 'Feed URLs must use http or https, not javascript.' });
    // polling.allow_hosts (127.0.0.1 here) is the operator's: a workspace admin's own feed may not use it
    // (allow_hosts_for_chat_feeds is off), from either platform; nothing is stored. The add and remove of a
    // workspace's own feeds that the list allows are in tenancy.e2e.test.ts, where the operator trusts chat feeds.
    const here = await slash(`feeds add ${url}`, 'UADMIN');
    expect(here.json).toMatchObject({ text: "127.0.0.1 is a private, loopback or reserved address; a feed added from chat may not use one; the bot's operator can add it for everyone (cyberbrief feeds add, or /news feeds add global)." });
    const there = await discordCommand('feeds', MANAGER | PERMISSIONS.ManageGuild, option('add', url));
    expect(there.data.content).toContain('127.0.0.1 is a private, loopback or reserved address; a feed added from chat may not use one');
    expect((await app.storage!.feeds.list()).map((f) => f.url)).not.toContain(url);
  });

  // A story the platforms refuse (too long, invalid form body) fails alone; the stories after it arrive.
  const REFUSED = 'Oversized dossier';
  const story = (guid: string, title: string, description: string, at: number) => ({ guid, title, link: `http://127.0.0.1/${guid}`, description, pubDate: new Date(at) });
  const posts = {
    slack: (channel: string, needle: string) => slack.messages.filter((m) => m.channel === channel && m.method === 'chat.postMessage' && (m.text + JSON.stringify(m.blocks)).includes(needle)),
    discord: (channel: string, needle: string) => discord.messages.filter((m) => m.channelId === channel && m.kind === 'create' && JSON.stringify(m.body).includes(needle)),
  };
  const activeChannels = async () => (await app.storage!.channels.list()).filter((c) => !c.paused).map((c) => c.externalId).sort();

  it('fails only the alert a platform refuses; the channel keeps receiving the next stories', async () => {
    slack.failWhen('chat.postMessage', (args) => JSON.stringify(args).includes(REFUSED), { error: 'msg_too_long' });
    discord.failWhen('POST /channels/:id/messages', (body) => JSON.stringify(body).includes(REFUSED), { status: 400, code: 50035, message: 'Invalid Form Body' });
    const now = Date.now();
    feed.items.push(
      story('spy-2', 'Prosecutors charge state hackers over spying on a shipyard', 'Four officers were named in the cyberespionage indictment.', now - 2000),
      story('spy-3', `${REFUSED} on state hackers spying on diplomats`, 'A leaked cyberespionage dossier runs to hundreds of pages.', now - 1000),
      story('spy-4', 'Ministry says state hackers were spying on its mail servers', 'The cyberespionage campaign lasted two years, the ministry said.', now),
    );
    clock.advance(5 * 60_000);

    await waitFor('the stories around the refused one, on Slack', () => (posts.slack('C0NEWS', 'Prosecutors charge').length && posts.slack('C0NEWS', 'Ministry says').length ? true : undefined), 30_000);
    await waitFor('the stories around the refused one, on Discord', () => (posts.discord(DCHAN, 'Prosecutors charge').length && posts.discord(DCHAN, 'Ministry says').length ? true : undefined), 30_000);
    const dead = await waitFor('the refused alerts dead-lettered', async () => {
      const rows = (await app.storage!.alerts.list({ status: 'dead' })).filter((r) => r.title.startsWith(REFUSED));
      return rows.length === 2 ? rows : undefined;
    }, 30_000);
    expect(dead.map((r) => [r.platform, r.externalId, r.attempts]).sort()).toEqual([['discord', DCHAN, 1], ['slack', 'C0NEWS', 1]]);
    expect(dead.find((r) => r.platform === 'slack')!.lastError).toMatch(/msg_too_long/);
    expect(dead.find((r) => r.platform === 'discord')!.lastError).toMatch(/Invalid Form Body/);
    // The platform was asked once for the refused story, and a later story went out after it.
    const slackCalls = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0NEWS');
    const refusedAt = slackCalls.findIndex((c) => JSON.stringify(c.args).includes(REFUSED));
    expect(slackCalls.filter((c) => JSON.stringify(c.args).includes(REFUSED))).toHaveLength(1);
    expect(slackCalls.slice(refusedAt + 1).some((c) => JSON.stringify(c.args).includes('Ministry says') || JSON.stringify(c.args).includes('Prosecutors charge'))).toBe(true);
    expect(posts.slack('C0NEWS', REFUSED)).toHaveLength(0);
    expect(posts.discord(DCHAN, REFUSED)).toHaveLength(0);
    // Nobody was told the channel is paused: it is not.
    expect(await activeChannels()).toEqual(['C0NEWS', DCHAN].sort());
    expect(slack.messages.filter((m) => m.channel === 'C0NEWS' && m.text.includes('paused'))).toHaveLength(0);
    expect(discord.messages.filter((m) => m.channelId === DCHAN && JSON.stringify(m.body).includes('paused'))).toHaveLength(0);
  }, 60_000);

  it('drops an edit whose message was deleted, without pausing the channel, and keeps delivering', async () => {
    const sMsg = posts.slack('C0NEWS', 'Prosecutors charge')[0]!;
    const dMsg = posts.discord(DCHAN, 'Prosecutors charge')[0]!;
    slack.deleteMessage('C0NEWS', sMsg.ts);
    discord.deleteMessage(DCHAN, dMsg.id);
    const entry = feed.items.find((i) => i.guid === 'spy-2')!;
    entry.title = 'Prosecutors charge four state hackers over spying on a naval shipyard and its suppliers';
    entry.description = 'Four intelligence officers were named in the cyberespionage indictment unsealed on Tuesday; two are said to be abroad.';
    clock.advance(5 * 60_000);

    await waitFor('the Slack edit attempt', () => slack.calls.find((c) => c.method === 'chat.update' && c.args.ts === sMsg.ts), 30_000);
    await waitFor('the Discord edit attempt', () => discord.requests.find((r) => r.method === 'PATCH' && r.path === `/channels/${DCHAN}/messages/${dMsg.id}`), 30_000);
    const rows = await waitFor('both edits dropped', async () => {
      const list = (await app.storage!.alerts.list()).filter((r) => r.messageId === sMsg.ts || r.messageId === dMsg.id);
      return list.length === 2 && list.every((r) => !r.needsUpdate) ? list : undefined;
    }, 30_000);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(rows.find((r) => r.platform === 'slack')!.lastError).toMatch(/message_not_found/);
    expect(rows.find((r) => r.platform === 'discord')!.lastError).toMatch(/Unknown Message/);
    expect(await activeChannels()).toEqual(['C0NEWS', DCHAN].sort());

    feed.items.push(story('spy-5', 'Regulator warns state hackers are spying on power grid operators', 'A cyberespionage advisory went out to utilities.', Date.now()));
    clock.advance(5 * 60_000);
    await waitFor('the next story on Slack', () => posts.slack('C0NEWS', 'Regulator warns')[0], 30_000);
    await waitFor('the next story on Discord', () => posts.discord(DCHAN, 'Regulator warns')[0], 30_000);
    expect(await activeChannels()).toEqual(['C0NEWS', DCHAN].sort());
  }, 90_000);
});
