// Feedback end to end, as `cyberbrief run` wires it, on SQLite and PostgreSQL: the real Bolt and
// discord.js clients against the Slack and Discord stand-ins, a local feed server, the scheduler,
// matcher, pipeline, outbox and dispatcher. Alerts arrive with Relevant / Not relevant buttons; signed
// clicks are stored and acknowledged to the clicker alone; forged and misdirected ones change nothing;
// "Not relevant" stops the next edit of that story in that channel while the other channels get theirs,
// until someone there marks it relevant; /news status counts; /news why explains a link.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEEDBACK_TEXT } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { parseFeedbackButtonId } from '../../src/domain/feedback.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { sendBlockAction, sendSlashCommand, startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const SLACK_TOKEN = 'xoxb-fb-e2e-token-123456';
const SECRET = 'fb-e2e-signing-secret-abcdef';
const DISCORD_TOKEN = 'discord-fb-e2e-token.abcdef.123456';
const APP_ID = '800000000000000007';
const GUILD = '700000000000000007';
const D1 = '710000000000000071';
const D2 = '710000000000000072';
const MANAGER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages | PERMISSIONS.ManageChannels;
const MEMBER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;
const S1 = 'C0NEWS';
const S2 = 'C0MORE';

const TOPICS_YAML = `topics:
  - id: espionage
    name: State cyberespionage
    description: Spying by states and the accusations around it
    terms:
      - cyberespionage
      - { term: state hackers, weight: 2 }
    threshold: 2
`;

const LINK = 'http://127.0.0.1/spy-1?a=1&b=2';

type Button = { action_id: string; value: string; text: { text: string } };
type Row = { components: Array<{ label: string; custom_id: string }> };

describe.each(testDatabases)('feedback end to end on $name', (database) => {
  let dir: string;
  let dropDatabase: () => Promise<void> = async () => {};
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let feed: FeedServer;
  let app: App;
  let events: string;
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-fb-e2e-'));
    slack = await startFakeSlack({ token: SLACK_TOKEN, users: [{ id: 'UADMIN', is_admin: true }, { id: 'UMEMBER' }] });
    discord = await startFakeDiscord({ token: DISCORD_TOKEN, applicationId: APP_ID, guilds: [{ id: GUILD, name: 'E2E', channels: [{ id: D1, name: 'one' }, { id: D2, name: 'two' }] }] });
    feed = await startFeedServer('Local Wire');
    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS_YAML);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1, port: 0 }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, allow_hosts: ["127.0.0.1"] }',
        `feeds: [{ url: "${feed.url}", title: Local Wire }]`,
        `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 0, edit_on_change: true }',
        `discord: { dev_guild_id: "${GUILD}" }`,
      ].join('\n'),
    );
    const db = await database.create();
    dropDatabase = db.drop;
    const config = await loadConfig({
      cwd: dir,
      env: {
        CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: db.url,
        SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN, DISCORD_APPLICATION_ID: APP_ID, DISCORD_API_URL: discord.apiUrl,
      },
    });
    app = createApp({ config, logger: silentLogger(), cwd: dir, clock });
    await app.start();
    events = `http://127.0.0.1:${app.port}/slack/events`;
    await waitFor('the first poll', async () => ((await app.storage!.feeds.list())[0]?.primed === true ? true : undefined), 15_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([slack?.close(), discord?.close(), feed?.close()]);
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  const slash = (text: string, userId: string, channelId = S1) => sendSlashCommand({ url: events, signingSecret: SECRET, text, userId, channelId, channelName: 'news' });
  async function discordCommand(subcommand: string, permissions: bigint, channelId: string, options: Array<{ name: string; type: 3 | 4; value: string | number }> = []) {
    const id = discord.sendInteraction({ guildId: GUILD, channelId, userId: '600000000000000071', permissions, subcommand, options });
    const reply = await waitFor(`the reply to /news ${subcommand}`, () => discord.interactionReplies.find((r) => r.interactionId === id));
    return reply.body as { type: number; data: { content: string; flags?: number; embeds?: unknown[] } };
  }
  async function discordClick(channelId: string, customId: string, userId: string) {
    const id = discord.sendComponentInteraction({ guildId: GUILD, channelId, userId, permissions: MEMBER, customId });
    const reply = await waitFor('the answer to a button click', () => discord.interactionReplies.find((r) => r.interactionId === id));
    return reply.body as { type: number; data: { content: string; flags?: number } };
  }
  const slackPosts = (channel: string) => slack.messages.filter((m) => m.channel === channel && m.method === 'chat.postMessage');
  const slackEdits = (channel: string) => slack.messages.filter((m) => m.channel === channel && m.method === 'chat.update');
  const discordPosts = (channel: string) => discord.messages.filter((m) => m.channelId === channel && m.kind === 'create');
  const discordEdits = (channel: string) => discord.messages.filter((m) => m.channelId === channel && m.kind === 'edit');
  const slackButtons = (blocks: unknown[]) => ((blocks as Array<{ type: string; elements?: Button[] }>).find((b) => b.type === 'actions')?.elements ?? []);
  const discordButtons = (body: Record<string, unknown>) => ((body.components as Row[] | undefined)?.[0]?.components ?? []);
  const alertOf = async (platform: string, channel: string) => (await app.storage!.alerts.list()).find((a) => a.platform === platform && a.externalId === channel)!;

  /** Changes the story in the feed and lets the next poll see it. */
  function changeStory(n: number) {
    const entry = feed.items.find((i) => i.guid === 'spy-1')!;
    entry.title = `Officials accuse state hackers of cyberespionage against ministry, update ${n}`;
    entry.description = `Update ${n}: prosecutors said state hackers ran a cyberespionage campaign against a ministry for ${n + 2} years, officials said.`;
    clock.advance(5 * 60_000);
  }

  it('posts the alert to every subscribed channel with our two buttons naming that channel\'s alert', async () => {
    for (const ch of [S1, S2]) expect((await slash('subscribe espionage', 'UADMIN', ch)).json).toMatchObject({ text: expect.stringMatching(/^This channel now follows/) });
    for (const ch of [D1, D2]) expect((await discordCommand('subscribe', MANAGER, ch, [{ name: 'topics', type: 3, value: 'espionage' }])).data.content).toMatch(/^This channel now follows/);
    feed.items.push({
      guid: 'spy-1', title: 'Officials accuse state hackers of cyberespionage @everyone', link: LINK,
      description: 'Prosecutors said state hackers ran a cyberespionage campaign against a ministry.', pubDate: new Date(),
    });
    clock.advance(5 * 60_000);
    for (const ch of [S1, S2]) {
      const m = await waitFor(`the Slack alert in ${ch}`, () => slackPosts(ch)[0], 30_000);
      const alert = await alertOf('slack', ch);
      expect(slackButtons(m.blocks).map((b) => [b.text.text, parseFeedbackButtonId(b.value)])).toEqual([
        ['Relevant', { verdict: 'relevant', alertId: alert.id }],
        ['Not relevant', { verdict: 'not_relevant', alertId: alert.id }],
      ]);
    }
    for (const ch of [D1, D2]) {
      const m = await waitFor(`the Discord alert in ${ch}`, () => discordPosts(ch)[0], 30_000);
      const alert = await alertOf('discord', ch);
      expect(discordButtons(m.body).map((b) => [b.label, parseFeedbackButtonId(b.custom_id)])).toEqual([
        ['Relevant', { verdict: 'relevant', alertId: alert.id }],
        ['Not relevant', { verdict: 'not_relevant', alertId: alert.id }],
      ]);
    }
  }, 60_000);

  it('stores signed clicks, acknowledged to the clicker alone, and refuses forged or misdirected ones', async () => {
    const notRelevant = slackButtons(slackPosts(S1)[0]!.blocks)[1]!;
    const click = (extra: Partial<Parameters<typeof sendBlockAction>[0]>) =>
      sendBlockAction({ url: events, signingSecret: SECRET, userId: 'UMEMBER', channelId: S1, actionId: notRelevant.action_id, value: notRelevant.value, responseUrl: slack.responseUrl(`fb-${Math.random()}`), ...extra });

    expect((await click({ signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await click({ timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
    // The button of S1's alert pressed in S2: refused, nothing stored.
    const before = slack.responses.length;
    expect((await click({ channelId: S2, responseUrl: slack.responseUrl('misdirected') })).status).toBe(200);
    const refusal = await waitFor('the refusal', () => slack.responses.slice(before).find((r) => r.path === '/respond/misdirected'));
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', text: FEEDBACK_TEXT.notHere });
    expect(await app.storage!.feedback.trainingExamples()).toEqual([]);

    expect((await click({ responseUrl: slack.responseUrl('ok') })).status).toBe(200);
    const ack = await waitFor('the acknowledgement', () => slack.responses.find((r) => r.path === '/respond/ok'));
    expect(ack.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(/^Thanks: you marked this story not relevant\./) });

    const d = await discordClick(D1, discordButtons(discordPosts(D1)[0]!.body)[1]!.custom_id, '600000000000000072');
    expect(d).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/^Thanks: you marked this story not relevant\./) } });
    const [example] = await app.storage!.feedback.trainingExamples();
    expect(example).toMatchObject({ label: 0, votes: { relevant: 0, notRelevant: 2 } });
    // Nobody else saw anything: no message was posted to a channel for the clicks.
    expect(slack.messages.filter((m) => m.method === 'chat.postMessage')).toHaveLength(2);
    expect(discord.messages.filter((m) => m.kind === 'create')).toHaveLength(2);
  }, 60_000);

  it('"Not relevant" stops the next edit of the story in that channel; the other channels get theirs, buttons kept', async () => {
    changeStory(1);
    const s2 = await waitFor('the edit in the other Slack channel', () => slackEdits(S2)[0], 30_000);
    const d2 = await waitFor('the edit in the other Discord channel', () => discordEdits(D2)[0], 30_000);
    expect(s2.text).toMatch(/update 1/);
    expect(slackButtons(s2.blocks).map((b) => b.text.text)).toEqual(['Relevant', 'Not relevant']);
    expect(discordButtons(d2.body).map((b) => b.label)).toEqual(['Relevant', 'Not relevant']);
    // The muted channels' rows took no edit request in the same pipeline pass, so nothing is queued for them.
    const rows = await app.storage!.alerts.list();
    expect(rows.filter((r) => [S1, D1].includes(r.externalId)).map((r) => r.needsUpdate)).toEqual([false, false]);
    expect(slackEdits(S1)).toEqual([]);
    expect(discordEdits(D1)).toEqual([]);
  }, 60_000);

  it('shows the feedback counts in /news status on both platforms', async () => {
    const s = await slash('status', 'UMEMBER');
    expect(String(s.json!.text)).toContain('Feedback: 0 relevant, 1 not relevant in the last 30 days; 0 relevant, 1 not relevant in all.');
    const other = await slash('status', 'UMEMBER', S2);
    expect(String(other.json!.text)).toContain('Feedback: none yet');
    const d = await discordCommand('status', MEMBER, D1);
    expect(d.data.content).toContain('Feedback: 0 relevant, 1 not relevant in the last 30 days; 0 relevant, 1 not relevant in all.');
  });

  it('explains a known link with /news why, to the caller only, and answers an unknown one', async () => {
    const s = await slash(`why ${LINK}&utm_source=chat`, 'UMEMBER');
    expect(s.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String(s.json!.text)).toMatch(/^Why this story is or is not in scope[^\n]*\nIn scope: State cyberespionage \(score [\d.]+\) matched\./);
    expect(JSON.stringify(s.json!.blocks)).toContain('Officials accuse state hackers of cyberespionage');
    const d = await discordCommand('why', MEMBER, D2, [{ name: 'story', type: 3, value: `<${LINK}>` }]);
    expect(d.data.flags).toBe(64);
    expect(d.data.content).toMatch(/\nIn scope: State cyberespionage/);
    expect(d.data.embeds).toHaveLength(1);
    const unknown = await slash('why https://elsewhere.example/story', 'UMEMBER');
    expect(unknown.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^No stored story has that link/) });
  });

  it('resumes edits in a channel once someone there marks the story relevant again', async () => {
    const relevant = slackButtons(slackPosts(S1)[0]!.blocks)[0]!;
    await sendBlockAction({ url: events, signingSecret: SECRET, userId: 'UADMIN', channelId: S1, actionId: relevant.action_id, value: relevant.value, responseUrl: slack.responseUrl('again') });
    await waitFor('the acknowledgement', () => slack.responses.find((r) => r.path === '/respond/again'));
    changeStory(2);
    const edit = await waitFor('the edit in the unmuted channel', () => slackEdits(S1)[0], 30_000);
    expect(edit.text).toMatch(/update 2/);
    expect(slackButtons(edit.blocks).map((b) => b.text.text)).toEqual(['Relevant', 'Not relevant']);
    // D1 is still muted: the other Discord channel got the second edit, D1 none.
    await waitFor('the second edit in the other Discord channel', () => discordEdits(D2)[1], 30_000);
    expect(discordEdits(D1)).toEqual([]);
  }, 60_000);
});
