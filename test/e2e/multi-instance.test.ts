// Several instances on one PostgreSQL, end to end: two real bots (`cyberbrief run` as child processes)
// share one fresh database, the Slack and Discord emulators and three local feeds. Shown: each feed is
// fetched once per polling window however many instances tick; every alert arrives exactly once across
// both; a slash command is answered once by whichever instance receives it, and sees what the other
// stored; only one instance holds the Discord gateway (one IDENTIFY, one connection) and an interaction is
// answered once; when that leader is killed with SIGKILL the other takes the gateway over and keeps
// delivering, including the alerts the dead one had claimed; in a rolling restart (a new instance joins,
// the leader stops with SIGTERM) the gateway passes on and delivery goes on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { sendSlashCommand, startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { alive, announcedPort, freezeWhen, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { testDatabases } from '../helpers/databases.ts';

const postgres = testDatabases.find((d) => d.name === 'postgres');
if (!postgres) console.log('multi-instance end-to-end test skipped: TEST_DATABASE_URL is not set (several instances need PostgreSQL).');

const SLACK_TOKEN = 'xoxb-multi-instance-token';
const SECRET = 'multi-instance-signing-secret';
const DISCORD_TOKEN = 'discord-multi.instance.token';
const APP = '800000000000000088';
const GUILD = '700000000000000088';
const MANAGER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages | PERMISSIONS.ManageChannels;

/** Four channels, each following one topic; story n goes to channel n % 4. */
const CHANNELS = [
  { platform: 'slack' as const, id: 'C0SPIES', topic: 'spying', word: 'Cyberespionage' },
  { platform: 'discord' as const, id: '710000000000000081', topic: 'smuggling', word: 'Smuggling' },
  { platform: 'slack' as const, id: 'C0SABOTAGE', topic: 'sabotage', word: 'Sabotage' },
  { platform: 'discord' as const, id: '710000000000000082', topic: 'piracy', word: 'Piracy' },
];
const channelOf = (n: number) => CHANNELS[n % CHANNELS.length]!;
// Each story has its own made-up words so no two share a cluster, and its channel's topic word.
const word = (n: number, salt: number) => `m${((n * 7919 + salt * 104729) % 1_000_003).toString(36)}q`;
const title = (n: number) => `${channelOf(n).word} ${word(n, 1)} ${word(n, 2)} ${word(n, 3)} story ${n}`;
const TOPICS = `topics:\n${CHANNELS.map((c) => `  - id: ${c.topic}\n    name: ${c.word}\n    description: Stories about ${c.word.toLowerCase()}\n    threshold: 3\n    terms:\n      - { term: ${c.word.toLowerCase()}, weight: 3 }\n`).join('')}`;

/** Stories added per polling window; the third is larger so the leader dies mid-delivery. */
const WINDOWS = [10, 10, 20, 10, 10];

describe.skipIf(!postgres)('several instances on one PostgreSQL', () => {
  const bots: Bot[] = [];
  let slack: FakeSlack | null = null;
  let discord: FakeDiscord | null = null;
  const feeds: FeedServer[] = [];
  let storage: Storage | null = null;
  let admin: pg.Client | null = null;
  let drop: () => Promise<void> = async () => {};
  let dir = '';

  afterAll(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    await storage?.close();
    await admin?.end();
    await Promise.all([slack?.close(), discord?.close(), ...feeds.map((f) => f.close())]);
    await drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fetches each feed once per window, delivers each alert once, answers each command once, and hands the Discord gateway over on SIGKILL and on SIGTERM', async () => {
    slack = await startFakeSlack({ token: SLACK_TOKEN, users: [{ id: 'UADMIN', is_admin: true }] });
    discord = await startFakeDiscord({ token: DISCORD_TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Multi', channels: CHANNELS.filter((c) => c.platform === 'discord').map((c) => ({ id: c.id, name: c.topic })) }] });
    for (let f = 0; f < 3; f++) feeds.push(await startFeedServer(`Wire ${f + 1}`));
    const sl = slack;
    const dc = discord;

    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-multi-'));
    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1 }',
        // A tick every second on both instances; a feed is due again only 60 s after its poll.
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, total_timeout_ms: 2000 }',
        `feeds: [${feeds.map((f, i) => `{ url: "${f.url}", title: "Wire ${i + 1}" }`).join(', ')}]`,
        `topics: { file: ${JSON.stringify(path.join(dir, 'topics.yaml'))} }`,
        'summary: { fetch_article: false }',
        'delivery: { max_attempts: 50, burst_per_channel: 100, channel_interval_ms: 250, lease_seconds: 5 }',
        `discord: { dev_guild_id: "${GUILD}", leader_retry_seconds: 1 }`,
      ].join('\n'),
    );
    // A fresh, empty database: the two instances migrate it as they start, at the same time.
    const db = await postgres!.create();
    drop = db.drop;

    const env = {
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
      CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1',
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: sl.apiUrl,
      DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: APP,
      DISCORD_API_URL: dc.apiUrl,
    };
    bots.push(startBotProcess(dir, env), startBotProcess(dir, env));
    const ports = await Promise.all(bots.map((b) => announcedPort(b, 45_000)));
    // The test reads the outbox and moves the feeds' schedule through its own connections.
    storage = await openStorage(db.url, { migrate: false });
    const store = storage;
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const sqlc = admin;
    const isLeader = (b: Bot) => b.output().includes('discord: connected as');
    const isFollower = (b: Bot) => b.output().includes('another instance holds the gateway');
    await waitFor('one leader and one follower', () => bots.every(alive) && bots.filter(isLeader).length === 1 && bots.filter(isFollower).length === 1, 15_000);
    const leaderIndex = bots.findIndex(isLeader);
    const leader = bots[leaderIndex]!;
    const follower = bots[1 - leaderIndex]!;
    expect(dc.identifies).toHaveLength(1);
    expect(dc.gatewayConnections).toBe(1);

    // Window 0: both instances tick every second; each (still empty) feed is fetched once.
    const hitsPerWindow: number[][] = [];
    const hits = () => feeds.map((f) => f.hits);
    // Polled means fetched and recorded: a feed's body is read on a worker thread between the two, and a
    // schedule moved before the record would be overwritten by it.
    const recorded = () => bots.reduce((n, b) => n + (b.output().match(/"msg":"feed polled/g) ?? []).length, 0);
    await waitFor('the first poll of every feed', () => bots.every(alive) && hits().every((h) => h >= 1) && recorded() >= feeds.length, 15_000);

    // Commands. Slack's HTTP endpoint is stateless: a subscription made through one instance is seen by the other.
    const slash = (port: number, channelId: string, text: string) =>
      sendSlashCommand({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, text, userId: 'UADMIN', channelId, responseUrl: sl.responseUrl(`${channelId}-${text.replace(/\W+/g, '-')}-${port}`) });
    const slashReplies: Array<Record<string, unknown> | null> = [];
    for (const [i, c] of CHANNELS.filter((x) => x.platform === 'slack').entries()) {
      const via = ports[i % 2]!;
      const other = ports[(i + 1) % 2]!;
      const sub = await slash(via, c.id, `subscribe ${c.topic}`);
      expect(sub.status).toBe(200);
      expect(sub.json).toMatchObject({ text: expect.stringMatching(new RegExp(`^This channel now follows ${c.word}\\.`)) });
      const status = await slash(other, c.id, 'status');
      expect(status.json).toMatchObject({ text: expect.stringContaining(`This channel follows ${c.word}.`) });
      slashReplies.push(sub.json, status.json);
    }
    const interactionIds: string[] = [];
    const discordCommand = async (channelId: string, subcommand: string, options: Array<{ name: string; type: 3 | 4; value: string | number }> = []) => {
      const id = dc.sendInteraction({ guildId: GUILD, channelId, userId: '600000000000000088', permissions: MANAGER, subcommand, options });
      interactionIds.push(id);
      const reply = await waitFor(`the reply to /news ${subcommand}`, () => dc.interactionReplies.find((r) => r.interactionId === id), 15_000);
      return (reply.body.data as { content: string }).content;
    };
    for (const c of CHANNELS.filter((x) => x.platform === 'discord')) {
      expect(await discordCommand(c.id, 'subscribe', [{ name: 'topics', type: 3, value: c.topic }])).toMatch(new RegExp(`^This channel now follows ${c.word}\\.`));
    }

    // A new polling window: the feeds are made due now (as if their 60 s had passed), with new stories.
    let total = 0;
    const addStories = (count: number) => {
      for (let k = 0; k < count; k++) {
        total += 1;
        const n = total;
        feeds[n % feeds.length]!.items.push({ guid: `story-${n}`, title: title(n), link: `http://127.0.0.1/story-${n}`, description: `${title(n)}.`, pubDate: new Date() });
      }
    };
    const openWindow = async (count: number) => {
      const before = hits();
      addStories(count);
      await sqlc.query('update feeds set next_check_at = $1', [Date.now()]);
      await waitFor('every feed polled in the new window', () => bots.some((b) => b.child.exitCode === null) && hits().every((h, i) => h > before[i]!), 15_000);
      return before;
    };
    const posts = () => [
      ...sl.messages.filter((m) => m.method === 'chat.postMessage').map((m) => ({ channel: m.channel, text: m.text })),
      ...dc.messages.filter((m) => m.kind === 'create').map((m) => ({ channel: m.channelId, text: String((m.body.embeds as { title?: string }[] | undefined)?.[0]?.title ?? '') })),
    ];
    const delivered = async (running: Bot[], expected: number, timeoutMs: number) =>
      waitFor(
        `${expected} alerts sent`,
        async () => {
          running.forEach(alive);
          const c = await store.alerts.counts();
          return c.sent === expected && c.pending === 0 && c.sending === 0 && c.dead === 0 && posts().length === expected;
        },
        timeoutMs,
      );
    const closeWindow = (before: number[]) => hitsPerWindow.push(hits().map((h, i) => h - before[i]!));

    for (const count of WINDOWS.slice(0, 2)) {
      const before = await openWindow(count);
      await delivered(bots, total, 30_000);
      closeWindow(before);
    }

    // The third window: the leader is killed with SIGKILL while it holds claimed, unsent alerts. To be sure
    // it is the one holding them, the follower is frozen (SIGSTOP, as if stalled) for the window, at a
    // moment it holds nothing: no lease, and no advisory lock in the database but the leader's gateway
    // lock and each instance's liveness lock (storage/instance-liveness.ts).
    const held = async () => {
      const r = await sqlc.query<{ locks: string; feeds: string; alerts: string }>(
        `select (select count(*) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())) as locks,
                (select count(*) from feeds where lease_owner is not null) as feeds,
                (select count(*) from alerts where lease_owner is not null) as alerts`,
      );
      const row = r.rows[0]!;
      return { locks: Number(row.locks), leases: Number(row.feeds) + Number(row.alerts) };
    };
    await freezeWhen(
      follower,
      'the follower frozen while holding nothing',
      async () => {
        bots.forEach(alive);
        const h = await held();
        return h.locks === 1 + bots.length && h.leases === 0;
      },
      15_000,
    );
    const before3 = await openWindow(WINDOWS[2]!);
    const sentBefore = total - WINDOWS[2]!;
    const leasedByLeader = async () =>
      Number((await sqlc.query<{ n: string }>("select count(*) as n from alerts where status <> 'sent' and lease_owner like $1", [`%:${leader.child.pid}:%`])).rows[0]!.n);
    // Frozen first, as the follower was, and looked at while frozen: a check on a running leader could see a
    // claimed alert that it sends before the SIGKILL lands (a CI run saw that once).
    await freezeWhen(leader, 'the leader frozen while delivering the third window with claimed, unsent alerts', async () => posts().length > sentBefore && (await leasedByLeader()) > 0, 30_000);
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    // Alerts the dead instance had claimed and not sent: their leases expire and the survivor sends them.
    const orphanedAlerts = await leasedByLeader();
    expect(orphanedAlerts).toBeGreaterThan(0);
    follower.child.kill('SIGCONT');
    await waitFor('the follower to take the gateway over', () => alive(follower) && dc.identifies.length === 2 && dc.gatewayConnections === 1 && isLeader(follower), 30_000);
    const takeoverMs = Date.now() - killedAt;
    await delivered([follower], total, 30_000);
    const orphansSentMs = Date.now() - killedAt;
    closeWindow(before3);

    // The fourth window, on the survivor alone.
    const before4 = await openWindow(WINDOWS[3]!);
    await delivered([follower], total, 30_000);
    closeWindow(before4);

    // Commands reach the survivor: an interaction over its gateway, a slash command over HTTP.
    expect(await discordCommand(CHANNELS[1]!.id, 'status')).toContain(`This channel follows ${CHANNELS[1]!.word}.`);
    const after = await slash(ports[1 - leaderIndex]!, CHANNELS[0]!.id, 'status');
    expect(after.json).toMatchObject({ text: expect.stringContaining(`This channel follows ${CHANNELS[0]!.word}.`) });
    slashReplies.push(after.json);

    // A rolling restart: a replacement instance joins and stands by; the survivor stops with SIGTERM,
    // gives the lock up and exits 0; the newcomer takes the gateway over and runs the fifth window.
    const newcomer = startBotProcess(dir, env);
    bots.push(newcomer);
    const newcomerPort = await announcedPort(newcomer, 45_000);
    await waitFor('the newcomer standing by', () => alive(newcomer) && isFollower(newcomer), 15_000);
    expect(dc.identifies).toHaveLength(2);
    const stoppedAt = Date.now();
    follower.child.kill('SIGTERM');
    expect(await follower.exited).toBe(0);
    await waitFor('the newcomer to take the gateway over', () => alive(newcomer) && dc.identifies.length === 3 && dc.gatewayConnections === 1 && isLeader(newcomer), 30_000);
    const handoverMs = Date.now() - stoppedAt;
    const before5 = await openWindow(WINDOWS[4]!);
    await delivered([newcomer], total, 30_000);
    closeWindow(before5);
    expect(await discordCommand(CHANNELS[3]!.id, 'status')).toContain(`This channel follows ${CHANNELS[3]!.word}.`);
    const last = await slash(newcomerPort, CHANNELS[2]!.id, 'status');
    expect(last.json).toMatchObject({ text: expect.stringContaining(`This channel follows ${CHANNELS[2]!.word}.`) });
    slashReplies.push(last.json);

    // Each feed once per window (window 0 is the first poll of the empty feeds).
    expect(hitsPerWindow).toEqual(WINDOWS.map(() => feeds.map(() => 1)));
    expect(hits()).toEqual(feeds.map(() => WINDOWS.length + 1));
    // Every story exactly once, in its own channel.
    const all = posts();
    const stories = Array.from({ length: total }, (_, i) => i + 1);
    const copies = stories.map((n) => all.filter((p) => p.text.includes(title(n))).length);
    expect(stories.filter((_, i) => copies[i] !== 1), 'stories not posted exactly once').toEqual([]);
    expect(stories.filter((n) => !all.some((p) => p.channel === channelOf(n).id && p.text.includes(title(n))))).toEqual([]);
    expect(all).toHaveLength(total);
    // Each command answered once: slash commands in their HTTP response only, interactions by one callback.
    expect(slashReplies.every((r) => r !== null)).toBe(true);
    expect(sl.responses).toEqual([]);
    expect(interactionIds.map((id) => dc.interactionReplies.filter((r) => r.kind === 'callback' && r.interactionId === id).length)).toEqual(interactionIds.map(() => 1));
    // One gateway session at a time: the first leader's, the survivor's, the newcomer's.
    expect(dc.identifies).toHaveLength(3);
    expect(dc.gatewayConnections).toBe(1);

    // Who did the work, from each instance's log (both tick every second and race for every claim).
    const count = (b: Bot, msg: RegExp) => b.output().split('\n').filter((l) => msg.test(l)).length;
    const split = bots.map((b) => `${count(b, /"msg":"feed polled/)} polls, ${count(b, /"msg":"dispatcher: story posted"/)} posts`);
    console.log(
      `multi-instance: ${total} alerts over ${CHANNELS.length} channels delivered once each by ${bots.length} instances, 2 at a time (${split.join(' / ')}); feed requests per window ${JSON.stringify(hitsPerWindow)}; ` +
        `${slashReplies.length} slash commands and ${interactionIds.length} interactions answered once each; ` +
        `gateway taken over ${takeoverMs} ms after SIGKILL, handed over ${handoverMs} ms after SIGTERM; ` +
        `${orphanedAlerts} alert(s) the dead leader had claimed were sent by the survivor once their leases expired (all sent ${orphansSentMs} ms after SIGKILL)`,
    );

    newcomer.child.kill('SIGTERM');
    expect(await newcomer.exited).toBe(0);
  }, 120_000);
});
