// The morning brief end to end, as `cyberbrief run` wires it: the real Bolt and discord.js clients against
// the Slack and Discord emulators (which refuse messages over the platforms' limits), local feeds, the
// scheduler, pipeline, brief scheduler and dispatcher, with an injectable clock moved through one morning
// in Europe/Berlin (2026-03-02, a Monday):
//   05:00  commands on both platforms set briefs, modes, quiet hours and threads (bad input: one sentence);
//   05:05  stories arrive: held for the brief-only channel and for every channel in its quiet hours;
//   07:00  quiet hours end: each live channel gets what they held as one message;
//   07:10  a new story goes live; a Discord analyst marks it not relevant; later coverage of it is replied
//          in the story's thread (Slack thread_ts, a Discord thread) instead of an edit;
//   08:00  the daily brief (Slack) and the weekly brief (Discord): grouped by topic, ranked, "also covered
//          by" as each tenant may see it, the muted story left out; 46 stories split across messages
//          within Slack's and Discord's limits, never inside a story; one brief per channel and period;
//   08:40  modes, briefs, quiet hours and threads turned off by command; what was held goes out.
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

const SLACK_TOKEN = 'xoxb-brief-e2e-token';
const SECRET = 'brief-e2e-signing-secret';
const DISCORD_TOKEN = 'discord-brief-e2e.token';
const APP_ID = '800000000000000014';
const GUILD = '700000000000000014';
const D_BOTH = '710000000000000141'; // weekly brief, mode both, quiet hours
const D_THREADS = '710000000000000142'; // live, threads on
const D_BIG = '710000000000000143'; // brief only, the bulk topic
const MANAGER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages | PERMISSIONS.ManageChannels;
const MEMBER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;

const TOPICS_YAML = `topics:
  - id: espionage
    name: State cyberespionage
    description: Spying by states
    terms: [cyberespionage, { term: state hackers, weight: 2 }]
    threshold: 2
  - id: talks
    name: Cyber talks
    description: Working groups and dialogues
    terms: [{ term: working group, weight: 3 }]
    threshold: 2
  - id: bulk
    name: Bulletins
    description: Many small stories
    terms: [{ term: bulletin, weight: 3 }]
    threshold: 2
`;

const S1 = { title: 'Prosecutors charge Zorvanian state hackers over naval shipyard cyberespionage', description: 'Four Zorvanian state hackers were charged over cyberespionage at a naval shipyard in Port Velis, prosecutors said on Monday.' };
const S1B = { title: 'Zorvanian state hackers charged over naval shipyard cyberespionage in Port Velis', description: S1.description };
const S1C = { title: 'Naval shipyard cyberespionage: Zorvanian state hackers charged in Port Velis', description: S1.description };
const S2 = { title: 'Quelland and Ostmark cyber working group meets in Tarsk', description: 'The bilateral cyber working group of Quelland and Ostmark met in Tarsk to discuss norms.' };
const S3 = { title: 'Ministry of Drevia finds state hackers in its mail servers', description: 'The Drevian ministry said state hackers read its mail for months; cyberespionage is suspected.' };
const S4 = { title: 'Regulator says state hackers ran cyberespionage against Velmar carriers', description: 'Telecom carriers in Velmar were targeted by state hackers in a cyberespionage campaign, the regulator said.' };
const S4B = { title: 'Velmar carriers hit by state hackers in cyberespionage campaign', description: S4.description };
// Bulletins: made-up words so no two share a cluster; long titles so a brief of them is large.
const word = (n: number, salt: number) => `q${((n * 7919 + salt * 104729) % 1_000_003).toString(36)}v`;
const bulletin = (n: number) => ({
  title: `Bulletin ${word(n, 1)} ${word(n, 2)} number ${n}: ${'a long headline about harbour records and port logistics '.repeat(3).trim()}`,
  description: `The ${word(n, 1)} report covers ${word(n, 3)} ${word(n, 4)} in detail. ${'It goes on about the harbour records at length. '.repeat(3)}`,
});
const BULK = 46;

describe.each(testDatabases)('the morning brief end to end on $name', (database) => {
  let dir: string;
  let dropDatabase: () => Promise<void> = async () => {};
  let slack: FakeSlack;
  let discord: FakeDiscord;
  const wires: FeedServer[] = [];
  let app: App;
  let events: string;
  // 05:00 in Berlin (CET, UTC+1), Monday 2 March 2026.
  const clock = fixedClock(new Date('2026-03-02T04:00:00Z'));
  const berlin = (hhmm: string) => new Date(`2026-03-02T${String(Number(hhmm.slice(0, 2)) - 1).padStart(2, '0')}:${hhmm.slice(3)}:00Z`);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-brief-e2e-'));
    slack = await startFakeSlack({ token: SLACK_TOKEN, users: [{ id: 'UADMIN', is_admin: true }, { id: 'UMEMBER' }] });
    discord = await startFakeDiscord({
      token: DISCORD_TOKEN,
      applicationId: APP_ID,
      guilds: [{ id: GUILD, name: 'Briefs', channels: [{ id: D_BOTH, name: 'weekly' }, { id: D_THREADS, name: 'live' }, { id: D_BIG, name: 'big' }] }],
    });
    for (const name of ['Alpha Wire', 'Beta Wire', 'Own Wire', 'Bulk Wire']) wires.push(await startFeedServer(name));
    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS_YAML);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1, port: 0 }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, allow_hosts: ["127.0.0.1"], allow_hosts_for_chat_feeds: true }',
        // The Own Wire is added later, by a Slack admin, for that workspace only.
        `feeds: [${[0, 1, 3].map((i) => `{ url: "${wires[i]!.url}", title: "${['Alpha Wire', 'Beta Wire', '', 'Bulk Wire'][i]}" }`).join(', ')}]`,
        `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
        'matching: { scorer: rules }',
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 0, burst_per_channel: 20 }',
        'brief: { max_stories: 60, per_topic: 50, check_seconds: 1 }',
        `discord: { dev_guild_id: "${GUILD}" }`,
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
    await waitFor('the first poll of every feed', async () => ((await app.storage!.feeds.list()).every((f) => f.primed) ? true : undefined), 20_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), discord?.close(), ...wires.map((w) => w.close())]);
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  const slash = async (channelId: string, text: string, userId = 'UADMIN') => {
    const r = await sendSlashCommand({ url: events, signingSecret: SECRET, text, userId, channelId, channelName: channelId.toLowerCase() });
    expect(r.status).toBe(200);
    return r.json as { text: string; response_type: string };
  };
  async function dcmd(channelId: string, subcommand: string, options: Record<string, string> = {}, permissions = MANAGER): Promise<string> {
    const id = discord.sendInteraction({ guildId: GUILD, channelId, userId: '600000000000000014', permissions, subcommand, options: Object.entries(options).map(([name, value]) => ({ name, type: 3 as const, value })) });
    const reply = await waitFor(`the reply to /news ${subcommand}`, () => discord.interactionReplies.find((r) => r.interactionId === id), 15_000);
    // As a reader sees it: the adapter escapes markdown in replies.
    return (reply.body.data as { content: string }).content.replace(/\\(.)/g, '$1');
  }
  const publish = (wire: number, guid: string, s: { title: string; description: string }) =>
    wires[wire]!.items.push({ guid, title: s.title, link: `http://127.0.0.1/${guid}`, description: s.description, pubDate: clock.now() });
  /** Moves the clock to `at` (feeds fall due) and waits until every feed was polled then and the pipeline has processed what they carried. */
  async function moveTo(at: Date) {
    clock.set(at);
    await waitFor('every feed polled', async () => ((await app.storage!.feeds.list()).every((f) => (f.lastSuccessAt?.getTime() ?? 0) >= at.getTime()) ? true : undefined), 20_000);
    await waitFor('the pipeline to finish', async () => ((await app.storage!.clusters.unprocessedItems(1)).length === 0 ? true : undefined), 20_000);
  }
  const slackPosts = (channel: string) => slack.messages.filter((m) => m.method === 'chat.postMessage' && m.channel === channel);
  const slackBriefs = (channel: string, title: string) => slackPosts(channel).filter((m) => (m.blocks[0] as { text?: { text?: string } } | undefined)?.text?.text?.startsWith(title));
  const discordPosts = (channel: string) => discord.messages.filter((m) => m.kind === 'create' && m.channelId === channel);
  const discordBriefs = (channel: string, title: string) => discordPosts(channel).filter((m) => String((m.body.embeds as Array<{ title?: string }>)?.[0]?.title ?? '').startsWith(title));

  it('sets briefs, modes, quiet hours and threads by command on Slack and Discord, with one sentence for bad input', async () => {
    expect(await slash('C0BRIEF', 'brief daily 08:00 Europe/Berlin', 'UMEMBER')).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Sorry, only workspace admins and owners.* can change this channel's brief/) });
    expect((await slash('C0BRIEF', 'subscribe espionage talks')).text).toMatch(/^This channel now follows/);
    expect((await slash('C0BRIEF', 'brief daily 08:00 Europe/Berln')).text).toBe('"Europe/Berln" is not a time zone I know; did you mean Europe/Berlin? Otherwise use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.');
    expect((await slash('C0BRIEF', 'brief daily 25:00 Europe/Berlin')).text).toBe('"25:00" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.');
    expect((await slash('C0BRIEF', 'brief daily 08:00')).text).toBe('Say which time zone the time is in, for example /news brief daily 08:00 Europe/Berlin.');
    expect((await slash('C0BRIEF', 'mode brief')).text).toBe("Set the brief's time first, for example /news brief daily 08:00 Europe/Berlin; then /news mode brief.");
    expect(await app.storage!.channels.delivery((await app.storage!.channels.find('slack', 'C0BRIEF'))!.id)).toMatchObject({ mode: 'live', brief: null });
    expect(await slash('C0BRIEF', 'brief daily 08:00 Europe/Berlin')).toEqual(
      expect.objectContaining({
        response_type: 'in_channel',
        text: 'This channel gets a brief daily at 08:00 Europe/Berlin. The next one is Mon 2 Mar 2026 08:00 Europe/Berlin (07:00 UTC). Live alerts go on as well; /news mode brief makes the brief the only delivery.',
      }),
    );
    expect((await slash('C0BRIEF', 'mode brief')).text).toBe('This channel now gets only its brief (daily at 08:00 Europe/Berlin); new stories are held for it.');
    expect((await slash('C0BRIEF', 'brief show', 'UMEMBER')).text).toBe('Brief: daily at 08:00 Europe/Berlin.\nDelivery: only the brief, daily at 08:00 Europe/Berlin (mode brief).\nThe next one is Mon 2 Mar 2026 08:00 Europe/Berlin (07:00 UTC).');
    // The workspace's own feed: its stories reach only this workspace's channels (and "also covered by").
    expect((await slash('C0BRIEF', `feeds add ${wires[2]!.url}`)).text).toMatch(/^Added feed \d+/);

    expect((await slash('C0LIVE', 'subscribe espionage')).text).toMatch(/^This channel now follows/);
    expect((await slash('C0LIVE', 'quiet 22:00-07:00 Europe/Berlin')).text).toBe('Quiet hours: 22:00-07:00 Europe/Berlin. Live alerts in that window are held and go out as one message when it ends. It is quiet now, until Mon 2 Mar 2026 07:00 Europe/Berlin.');
    expect((await slash('C0LIVE', 'threads on')).text).toBe('Threads are on: later coverage of a story posted here goes as a reply in its thread instead of editing the message.');
    expect((await slash('C0LIVE', 'quiet 07:00-07:00')).text).toBe('Quiet hours need an end that differs from their start, for example 22:00-07:00.');
    const status = (await slash('C0LIVE', 'status', 'UMEMBER')).text;
    expect(status).toContain('Delivery: live alerts as stories come (mode live).');
    expect(status).toContain('Quiet hours: 22:00-07:00 Europe/Berlin (live alerts are held, then sent as one message).');
    expect(status).toContain("Threads: on (later coverage is replied in the story's thread).");

    // Discord: a weekly brief on Mondays, both modes, quiet hours in the brief's zone.
    expect(await dcmd(D_BOTH, 'brief', { schedule: 'weekly', day: 'mon', time: '08:00', zone: 'Europe/Berlin' }, MEMBER)).toMatch(/^Sorry, only members with the Manage Channels or Manage Server permission can change this channel's brief/);
    expect(await dcmd(D_BOTH, 'subscribe', { topics: 'espionage talks' })).toMatch(/^This channel now follows/);
    expect(await dcmd(D_BOTH, 'brief', { schedule: 'weekly', day: 'mon', time: '08:00', zone: 'Mars/Olympus' })).toBe('"Mars/Olympus" is not a time zone I know; use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.');
    expect(await dcmd(D_BOTH, 'brief', { schedule: 'weekly', day: 'mon', time: '08:00', zone: 'Europe/Berlin' })).toBe(
      'This channel gets a brief weekly on Monday at 08:00 Europe/Berlin. The next one is Mon 2 Mar 2026 08:00 Europe/Berlin (07:00 UTC). Live alerts go on as well; /news mode brief makes the brief the only delivery.',
    );
    expect(await dcmd(D_BOTH, 'quiet', { hours: '22:00-07:00' })).toMatch(/^Quiet hours: 22:00-07:00 Europe\/Berlin\. Live alerts in that window are held and go out as one message when it ends, or in the brief if it comes first\./);
    expect(await dcmd(D_BOTH, 'mode')).toBe('Delivery: live alerts and the brief, weekly on Monday at 08:00 Europe/Berlin (mode both).');

    expect(await dcmd(D_THREADS, 'subscribe', { topics: 'espionage' })).toMatch(/^This channel now follows/);
    expect(await dcmd(D_THREADS, 'threads', { state: 'on' })).toMatch(/^Threads are on/);
    expect(await dcmd(D_THREADS, 'threads')).toBe('Threads are on: later coverage of a story is replied in its thread.');

    // The bulletins: a brief too large for one message on either platform.
    expect((await slash('C0BIG', 'subscribe bulk')).text).toMatch(/^This channel now follows/);
    expect((await slash('C0BIG', 'brief daily 08:00 Europe/Berlin')).text).toMatch(/^This channel gets a brief daily/);
    expect((await slash('C0BIG', 'mode brief')).text).toMatch(/^This channel now gets only its brief/);
    expect(await dcmd(D_BIG, 'subscribe', { topics: 'bulk' })).toMatch(/^This channel now follows/);
    expect(await dcmd(D_BIG, 'brief', { schedule: 'daily', time: '08:00', zone: 'Europe/Berlin' })).toMatch(/^This channel gets a brief daily/);
    expect(await dcmd(D_BIG, 'mode', { mode: 'brief' })).toMatch(/^This channel now gets only its brief/);
    // The Slack workspace's own feed is polled once (its backlog, silently) before stories arrive.
    await waitFor('the own feed primed', async () => ((await app.storage!.feeds.list()).every((f) => f.primed) ? true : undefined), 20_000);
  }, 60_000);

  it('holds the stories that arrive in brief mode and in quiet hours', async () => {
    publish(0, 's1', S1);
    publish(0, 's2', S2);
    publish(0, 's3', S3);
    for (let n = 1; n <= BULK; n++) publish(3, `b${n}`, bulletin(n));
    await moveTo(berlin('05:05'));
    // Other outlets' coverage of S1, once S1 has started its story: Beta (global) and the workspace's own wire.
    publish(1, 's1b', S1B);
    publish(2, 's1c', S1C);
    await moveTo(berlin('05:10'));
    // Nothing posted: every channel is in brief mode or in its quiet hours, but one.
    expect(slackPosts('C0BRIEF')).toEqual([]);
    expect(slackPosts('C0LIVE')).toEqual([]);
    expect(discordPosts(D_BOTH)).toEqual([]);
    expect(discordPosts(D_BIG)).toEqual([]);
    // D_THREADS is live with no quiet hours: it got S1 and S3 at once.
    await waitFor('the live Discord channel to get its stories', () => (discordPosts(D_THREADS).length === 2 ? true : undefined), 20_000);
    const held = await app.storage!.alerts.counts();
    expect(held.held).toBe(3 + 2 + 3 + 2 * BULK);
    const status = (await slash('C0BRIEF', 'status', 'UMEMBER')).text;
    expect(status).toContain('3 stories are held for the brief or until quiet hours end.');
  }, 60_000);

  it('releases what quiet hours held as one message when they end, once', async () => {
    await moveTo(berlin('07:00'));
    const sRelease = await waitFor('the Slack release', () => slackBriefs('C0LIVE', 'While this channel was quiet')[0], 20_000);
    const dRelease = await waitFor('the Discord release', () => discordBriefs(D_BOTH, 'While this channel was quiet')[0], 20_000);
    const sText = JSON.stringify(sRelease.blocks);
    expect(sText).toContain('Prosecutors charge Zorvanian state hackers');
    expect(sText).toContain('Ministry of Drevia');
    expect(sText).toContain('3 outlets'); // Alpha, Beta and the workspace's own wire
    const dText = JSON.stringify(dRelease.body.embeds);
    expect(dText).toContain('Quelland and Ostmark cyber working group');
    expect(dText).toContain('2 outlets'); // the Discord server does not see the Slack workspace's own wire
    expect(dText).not.toContain('Own Wire');
    await moveTo(berlin('07:05'));
    expect(slackPosts('C0LIVE')).toHaveLength(1);
    expect(discordPosts(D_BOTH)).toHaveLength(1);
  }, 60_000);

  it('posts later coverage in the story\'s thread (Slack, Discord) instead of an edit; a story marked not relevant takes no edit', async () => {
    publish(0, 's4', S4);
    await moveTo(berlin('07:10'));
    const sStory = await waitFor('S4 live on Slack', () => slackPosts('C0LIVE').find((m) => m.text.includes('Velmar carriers')), 20_000);
    const dStory = await waitFor('S4 live on Discord (threads)', () => discordPosts(D_THREADS).find((m) => JSON.stringify(m.body).includes('Velmar carriers')), 20_000);
    const dBoth = await waitFor('S4 live on Discord (both)', () => discordPosts(D_BOTH).find((m) => JSON.stringify(m.body).includes('Velmar carriers')), 20_000);
    // An analyst in the weekly channel marks it not relevant: it stays out of that channel's brief.
    const customId = ((dBoth.body.components as Array<{ components: Array<{ custom_id: string }> }>)[0]!.components[1]!.custom_id);
    const click = discord.sendComponentInteraction({ guildId: GUILD, channelId: D_BOTH, userId: '600000000000000077', permissions: MEMBER, customId, messageId: dBoth.id });
    await waitFor('the feedback acknowledged', () => discord.interactionReplies.find((r) => r.interactionId === click), 15_000);

    publish(1, 's4b', S4B);
    await moveTo(berlin('07:20'));
    const reply = await waitFor('the Slack thread reply', () => slackPosts('C0LIVE').find((m) => m.args.thread_ts === sStory.ts), 20_000);
    expect(reply.text).toBe('Also covered by Beta Wire: Velmar carriers hit by state hackers in cyberespionage campaign');
    expect(JSON.stringify(reply.blocks)).toContain('<http://127.0.0.1/s4b|Velmar carriers hit by state hackers');
    expect(slack.messages.filter((m) => m.method === 'chat.update' && m.ts === sStory.ts)).toEqual([]);
    const thread = await waitFor('the Discord thread', () => discord.threads.find((t) => t.id === dStory.id), 20_000);
    expect(thread).toMatchObject({ parentId: D_THREADS, name: S4.title });
    const inThread = await waitFor('the Discord thread reply', () => discordPosts(dStory.id)[0], 20_000);
    expect(JSON.stringify(inThread.body)).toContain('Also covered by **Beta Wire**: [Velmar carriers hit by state hackers in cyberespionage campaign](http://127.0.0.1/s4b)');
    expect(discord.messages.filter((m) => m.kind === 'edit' && m.id === dStory.id)).toEqual([]);
    // The Slack brief channel holds it; the muted channel takes no edit.
    expect(discord.messages.filter((m) => m.kind === 'edit' && m.id === dBoth.id)).toEqual([]);
  }, 60_000);

  it('sends the daily and the weekly brief at 08:00: grouped, ranked, sourced, once', async () => {
    await moveTo(berlin('08:00'));
    const daily = await waitFor('the Slack daily brief', () => slackBriefs('C0BRIEF', 'Daily brief')[0], 20_000);
    const blocks = daily.blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
    const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    // Grouped by topic, the story covered by three outlets first; also covered by the workspace's own wire.
    expect(sections[0]).toBe('*State cyberespionage*');
    expect(sections[1]).toMatch(/^\*<http:\/\/127\.0\.0\.1\/s1\|Prosecutors charge Zorvanian state hackers over naval shipyard cyberespionage>\*\nAlpha Wire · 3 outlets\n.+\n_Also covered by: .+_$/);
    expect(sections[1]).toContain('<http://127.0.0.1/s1b|Beta Wire>');
    expect(sections[1]).toContain('<http://127.0.0.1/s1c|Own Wire>');
    expect(sections.slice(2, 4).map((t) => t.split('\n')[0])).toEqual(['*<http://127.0.0.1/s4|Regulator says state hackers ran cyberespionage against Velmar carriers>*', '*<http://127.0.0.1/s3|Ministry of Drevia finds state hackers in its mail servers>*']);
    expect(sections[4]).toBe('*Cyber talks*');
    expect(sections[5]).toMatch(/^\*<http:\/\/127\.0\.0\.1\/s2\|Quelland and Ostmark/);
    expect(blocks[1]!.elements![0]!.text).toBe('Mon 2 Mar 2026 08:00 Europe/Berlin · 4 stories since Sun 1 Mar 2026 08:00 Europe/Berlin · ranked by relevance, then by outlets');
    expect(daily.args.metadata).toMatchObject({ event_type: 'cyberbrief_alert', event_payload: { ref: expect.stringMatching(/^cyberbrief-brief-\d+-1$/) } });

    const weekly = await waitFor('the Discord weekly brief', () => discordBriefs(D_BOTH, 'Weekly brief')[0], 20_000);
    const embeds = weekly.body.embeds as Array<{ title: string; description?: string }>;
    expect(embeds.map((e) => e.title)).toEqual(['Weekly brief', 'State cyberespionage', 'Cyber talks']);
    expect(embeds[1]!.description).toContain('Prosecutors charge Zorvanian');
    expect(embeds[1]!.description).toContain('*Also covered by: [Beta Wire](http://127.0.0.1/s1b)*');
    expect(JSON.stringify(embeds)).not.toContain('Own Wire');
    // The story an analyst marked not relevant here is not in the brief.
    expect(JSON.stringify(embeds)).not.toContain('Velmar');
    expect(weekly.body.allowed_mentions).toEqual({ parse: [] });

    // Ticks later the same morning add nothing: one brief per channel and period.
    await moveTo(berlin('08:30'));
    expect(slackBriefs('C0BRIEF', 'Daily brief')).toHaveLength(1);
    expect(discordBriefs(D_BOTH, 'Weekly brief')).toHaveLength(1);
    expect((await slash('C0BRIEF', 'brief show', 'UMEMBER')).text).toMatch(/The last one went out Mon 2 Mar 2026 08:\d\d Europe\/Berlin with 4 stories\./);
  }, 60_000);

  it('splits a brief too large for one message across messages within each platform\'s limits, never inside a story', async () => {
    const sParts = await waitFor('the Slack bulletins brief, all parts', async () => {
      const c = await app.storage!.briefs.list((await app.storage!.channels.find('slack', 'C0BIG'))!.id);
      return c[0]?.status === 'sent' ? slackBriefs('C0BIG', 'Daily brief') : undefined;
    }, 30_000);
    const dParts = await waitFor('the Discord bulletins brief, all parts', async () => {
      const c = await app.storage!.briefs.list((await app.storage!.channels.find('discord', D_BIG))!.id);
      return c[0]?.status === 'sent' ? discordBriefs(D_BIG, 'Daily brief') : undefined;
    }, 30_000);
    expect(sParts.length).toBeGreaterThan(1);
    expect(dParts.length).toBeGreaterThan(1);
    // Every bulletin once, in one block (Slack) or one story of an embed (Discord); parts numbered.
    const sStories = sParts.flatMap((m) => (m.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section' && b.text!.text.includes('Bulletin ')).map((b) => b.text!.text));
    const dStories = dParts.flatMap((m) => (m.body.embeds as Array<{ description?: string }>).slice(1).flatMap((e) => (e.description ?? '').split('\n\n')).filter((t) => t.includes('Bulletin ')));
    for (const stories of [sStories, dStories]) {
      const numbers = stories.map((t) => Number(/number (\d+):/.exec(t)?.[1]));
      expect(numbers.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: BULK }, (_, i) => i + 1));
      expect(stories.every((t) => (t.match(/Bulletin /g) ?? []).length === 1)).toBe(true);
    }
    expect((sParts[0]!.blocks[0] as { text: { text: string } }).text.text).toBe(`Daily brief (1/${sParts.length})`);
    // The emulators refuse what the platforms would: nothing was refused.
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0BIG')).toHaveLength(sParts.length);
    expect(discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${D_BIG}/messages`)).toHaveLength(dParts.length);
  }, 60_000);

  it('turns the brief, quiet hours and threads off by command; a story held for the brief goes out as one message', async () => {
    const S5 = { title: 'Court hears Zelmar state hackers case on cyberespionage at the Orvik ministry', description: 'A court in Orvik heard the case of state hackers accused of cyberespionage at the ministry.' };
    publish(0, 's5', S5);
    await moveTo(berlin('08:40'));
    expect((await slash('C0BRIEF', 'mode live')).text).toBe(
      'This channel now gets live alerts only; its brief (daily at 08:00 Europe/Berlin) is kept but not sent: /news mode both brings it back. The story held for the brief goes out as one message now.',
    );
    const release = await waitFor('the held story released', () => slackBriefs('C0BRIEF', 'Stories held for the brief')[0], 20_000);
    expect(JSON.stringify(release.blocks)).toContain('Court hears Zelmar state hackers case');
    expect((await slash('C0BRIEF', 'brief off')).text).toBe("This channel's brief is off; it gets live alerts as stories come.");
    expect((await slash('C0BRIEF', 'brief show', 'UMEMBER')).text).toBe('This channel has no brief; set one with /news brief daily 08:00 Europe/Berlin. Delivery: live alerts as stories come (mode live).');
    expect((await slash('C0LIVE', 'quiet off')).text).toBe('Quiet hours are off; live alerts go out as stories come, and anything they held goes out now as one message.');
    expect((await slash('C0LIVE', 'quiet', 'UMEMBER')).text).toBe('This channel has no quiet hours; set them with /news quiet 22:00-07:00 Europe/Berlin.');
    expect(await dcmd(D_BOTH, 'brief', { schedule: 'off' })).toBe("This channel's brief is off; it gets live alerts as stories come.");
    expect(await dcmd(D_THREADS, 'threads', { state: 'off' })).toBe("Threads are off: later coverage edits the story's message again.");
    expect(await dcmd(D_THREADS, 'threads', { state: 'off' })).toBe('Nothing changed: threads are already off.');
    const d = async (platform: 'slack' | 'discord', id: string) => app.storage!.channels.delivery((await app.storage!.channels.find(platform, id))!.id);
    expect(await d('slack', 'C0BRIEF')).toMatchObject({ mode: 'live', brief: null, briefNextAt: null });
    expect(await d('discord', D_BOTH)).toMatchObject({ mode: 'live', brief: null });
    expect(await d('slack', 'C0LIVE')).toMatchObject({ quiet: null, threads: true });
    expect(await d('discord', D_THREADS)).toMatchObject({ threads: false });
  }, 60_000);
});
