// End to end, with the real bot as a child process against the Slack and Discord emulators: 100 alerts
// reach their channels exactly once and in order, (7) when the bot is killed with SIGKILL mid-way and
// restarted, and (8) when the emulators answer 429 and 5xx at random for a while.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { waitFor } from '../emulators/http-util.ts';
import { startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { alive, seededRandom, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { seedChannel, seedFeed } from './fixtures.ts';

const SLACK_TOKEN = 'xoxb-test-exactly-once-token';
const DISCORD_TOKEN = 'discord-test-token.exactly.once';
const APP = '800000000000000077';
const GUILD = '700000000000000077';
const TOTAL = 100;

/** Three channels, each following one topic; story n goes to channel n % 3. */
const CHANNELS = [
  { platform: 'slack' as const, id: 'C0SPIES', topic: 'spying', word: 'Cyberespionage' },
  { platform: 'slack' as const, id: 'C0SABOTAGE', topic: 'sabotage', word: 'Sabotage' },
  { platform: 'discord' as const, id: '710000000000000077', topic: 'smuggling', word: 'Smuggling' },
];
const channelOf = (n: number) => CHANNELS[n % CHANNELS.length]!;

// Each story has its own made-up words so no two share a cluster, and its channel's topic word.
const word = (n: number, salt: number) => `w${((n * 7919 + salt * 104729) % 1_000_003).toString(36)}x`;
const title = (n: number) => `${channelOf(n).word} ${word(n, 1)} ${word(n, 2)} ${word(n, 3)} number ${n}`;

const TOPICS = `topics:\n${CHANNELS.map((c) => `  - id: ${c.topic}\n    name: ${c.word}\n    description: Stories about ${c.word.toLowerCase()}\n    threshold: 3\n    terms:\n      - { term: ${c.word.toLowerCase()}, weight: 3 }\n`).join('')}`;

interface Emulators {
  slack: FakeSlack;
  discord: FakeDiscord;
}

async function prepare(): Promise<{ dir: string; dbFile: string; env: Record<string, string> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-e2e-'));
  const dbFile = path.join(dir, 'bot.db');
  writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      'feeds: []',
      'server:\n  host: 127.0.0.1',
      `topics:\n  file: ${JSON.stringify(path.join(dir, 'topics.yaml'))}`,
      'summary:\n  fetch_article: false',
      `discord:\n  dev_guild_id: "${GUILD}"`,
      // Fast pacing so the run is short; a burst cap above the batch so every story is its own message.
      'delivery:\n  max_attempts: 50\n  burst_per_channel: 100\n  channel_interval_ms: 20\n  lease_seconds: 5',
    ].join('\n'),
  );
  const storage = await openStorage(dbFile);
  try {
    for (const c of CHANNELS) await seedChannel(storage, c.platform, c.id, [c.topic]);
    const t0 = new Date(Date.now() - 3600_000);
    const items = Array.from({ length: TOTAL }, (_, i) => ({ key: `item-${i + 1}`, title: title(i + 1), summary: `${title(i + 1)}.`, publishedAt: t0 }));
    const { feedId } = await seedFeed(storage, { url: 'http://127.0.0.1:9/feed.xml', title: 'Local Wire' }, items, t0);
    // The feed row is only the stories' source: never polled.
    await storage.feeds.setEnabled(feedId, false);
  } finally {
    await storage.close();
  }
  return { dir, dbFile, env: { DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml') } };
}

async function startEmulators(): Promise<Emulators> {
  const slack = await startFakeSlack({ token: SLACK_TOKEN });
  const discord = await startFakeDiscord({ token: DISCORD_TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test', channels: [{ id: CHANNELS[2]!.id, name: 'news' }] }] });
  return { slack, discord };
}

function startBot(dir: string, env: Record<string, string>, e: Emulators): Bot {
  return startBotProcess(dir, {
    PORT: '0',
    LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: SLACK_TOKEN,
    SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789',
    SLACK_API_URL: e.slack.apiUrl,
    DISCORD_TOKEN,
    DISCORD_APPLICATION_ID: APP,
    DISCORD_API_URL: e.discord.apiUrl,
    ...env,
  });
}

/** Story texts posted to a channel, in order. */
function posted(e: Emulators, channelId: string): string[] {
  const slack = e.slack.messages.filter((m) => m.method === 'chat.postMessage' && m.channel === channelId).map((m) => m.text);
  const discord = e.discord.messages.filter((m) => m.kind === 'create' && m.channelId === channelId).map((m) => String((m.body.embeds as { title?: string }[] | undefined)?.[0]?.title ?? ''));
  return [...slack, ...discord];
}
const allPosts = (e: Emulators) => CHANNELS.reduce((n, c) => n + posted(e, c.id).length, 0);

async function outboxDone(dbFile: string): Promise<boolean> {
  const storage = await openStorage(dbFile, { migrate: false });
  try {
    const c = await storage.alerts.counts();
    return c.sent === TOTAL && c.pending === 0 && c.sending === 0 && c.dead === 0;
  } finally {
    await storage.close();
  }
}

async function waitUntilDelivered(dbFile: string, bot: () => Bot, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive(bot());
    if (await outboxDone(dbFile)) return;
    if (Date.now() > deadline) throw new Error(`alerts not all delivered in time; bot output:\n${bot().output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every story exactly once in its channel, in order; nothing else posted. */
function expectExactlyOnce(e: Emulators): void {
  for (const c of CHANNELS) {
    const titles = Array.from({ length: TOTAL }, (_, i) => i + 1).filter((n) => channelOf(n) === c).map(title);
    const got = posted(e, c.id);
    const seen = titles.map((t) => got.filter((g) => g.includes(t)).length);
    expect(seen.filter((n) => n !== 1), `${c.platform} ${c.id}: stories not posted exactly once`).toEqual([]);
    expect(got.length).toBe(titles.length);
    const order = got.map((g) => titles.findIndex((t) => g.includes(t)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
}

describe('exactly-once delivery with the bot as a child process', () => {
  let emulators: Emulators | null = null;
  let bots: Bot[] = [];

  afterEach(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    bots = [];
    await emulators?.slack.close();
    await emulators?.discord.close();
    emulators = null;
  });

  it('(7) killed with SIGKILL mid-way and restarted, every alert arrives exactly once, in order', async () => {
    const e = (emulators = await startEmulators());
    const { dir, dbFile, env } = await prepare();
    let bot = startBot(dir, env, e);
    bots.push(bot);
    for (const killAt of [15, 60]) {
      await waitFor(`${killAt} stories posted`, () => alive(bot) && allPosts(e) >= killAt, 60_000);
      bot.child.kill('SIGKILL');
      await bot.exited;
      expect(allPosts(e)).toBeLessThan(TOTAL);
      bot = startBot(dir, env, e);
      bots.push(bot);
    }
    await waitUntilDelivered(dbFile, () => bot, 90_000);
    const recovered = bots.map((b) => b.output().split('had been posted before a restart').length - 1).reduce((a, b) => a + b, 0);
    console.log(`crash test: ${allPosts(e)} stories posted; ${recovered} interrupted Slack send(s) found already posted after a restart`);
    expectExactlyOnce(e);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expectExactlyOnce(e);
  }, 240_000);

  it('(8) with 429s and 5xx at random for a while, every alert still arrives exactly once, in order', async () => {
    const e = (emulators = await startEmulators());
    const { dir, dbFile, env } = await prepare();
    // Seeded, so which calls fail depends only on each emulator's call count, not on timing.
    const chaos = (seed: number) => ({ rate: 0.3, statuses: [429, 500, 502, 503], retryAfterSeconds: 1, random: seededRandom(seed) });
    e.slack.chaos(chaos(7));
    e.discord.chaos(chaos(11));
    const failures = () => [...e.slack.chaosFailures.values(), ...e.discord.chaosFailures.values()].reduce((a, b) => a + b, 0);
    const bot = startBot(dir, env, e);
    bots.push(bot);
    const bothKinds = (m: Map<number, number>) => (m.get(429) ?? 0) > 0 && [500, 502, 503].some((st) => (m.get(st) ?? 0) > 0);
    await waitFor('faults for a while', () => alive(bot) && failures() >= 20 && bothKinds(e.slack.chaosFailures) && bothKinds(e.discord.chaosFailures), 90_000);
    e.slack.chaos(null);
    e.discord.chaos(null);
    await waitUntilDelivered(dbFile, () => bot, 120_000);
    console.log(`fault test: ${failures()} injected failures (slack ${JSON.stringify([...e.slack.chaosFailures])}, discord ${JSON.stringify([...e.discord.chaosFailures])})`);
    expectExactlyOnce(e);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 240_000);
});
