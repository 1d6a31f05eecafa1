// End to end, with the real bot as a child process against the Slack emulator: 100 alerts reach their
// channels exactly once and in order, (7) when the bot is killed with SIGKILL mid-way and restarted, and
// (8) when the emulator answers 429 and 5xx at random for a while.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { waitFor } from '../emulators/http-util.ts';
import { seedChannel, seedFeed } from './fixtures.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');
const TOKEN = 'xoxb-test-exactly-once-token';
const TOTAL = 100;

// Each story has its own made-up words so no two share a cluster; half name a topic word of channel A,
// half of channel B.
const word = (n: number, salt: number) => `w${((n * 7919 + salt * 104729) % 1_000_003).toString(36)}x`;
const title = (n: number) => `${n <= TOTAL / 2 ? 'Cyberespionage' : 'Sabotage'} ${word(n, 1)} ${word(n, 2)} ${word(n, 3)} number ${n}`;

const TOPICS = `topics:
  - id: spying
    name: Spying
    description: Stories about cyberespionage
    threshold: 3
    terms:
      - { term: cyberespionage, weight: 3 }
  - id: sabotage
    name: Sabotage
    description: Stories about sabotage
    threshold: 3
    terms:
      - { term: sabotage, weight: 3 }
`;

interface Bot {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

async function prepare(): Promise<{ dir: string; dbFile: string; env: Record<string, string>; channels: Record<string, string[]> }> {
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
      // Fast pacing so the run is short; a burst cap above the batch so every story is its own message.
      'delivery:\n  max_attempts: 50\n  burst_per_channel: 100\n  channel_interval_ms: 20\n  lease_seconds: 5',
    ].join('\n'),
  );
  const storage = await openStorage(dbFile);
  try {
    await seedChannel(storage, 'slack', 'C0SPIES', ['spying']);
    await seedChannel(storage, 'slack', 'C0SABOTAGE', ['sabotage']);
    const t0 = new Date(Date.now() - 3600_000);
    const { feedId } = await seedFeed(storage, { url: 'http://127.0.0.1:9/feed.xml', title: 'Local Wire' }, Array.from({ length: TOTAL }, (_, i) => ({ key: `item-${i + 1}`, title: title(i + 1), summary: `${title(i + 1)}.`, publishedAt: t0 })), t0);
    // The feed row is only the stories' source: never polled.
    await storage.feeds.setEnabled(feedId, false);
  } finally {
    await storage.close();
  }
  const channels = {
    C0SPIES: Array.from({ length: TOTAL / 2 }, (_, i) => title(i + 1)),
    C0SABOTAGE: Array.from({ length: TOTAL / 2 }, (_, i) => title(TOTAL / 2 + i + 1)),
  };
  return { dir, dbFile, channels, env: { DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml') } };
}

function startBot(dir: string, env: Record<string, string>, slack: FakeSlack): Bot {
  const child = spawn(process.execPath, [BIN, 'run'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789',
      SLACK_API_URL: slack.apiUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Throws when the bot died on its own (so a test fails at once, with its output). */
function alive(bot: Bot): true {
  if (bot.child.exitCode !== null) throw new Error(`the bot exited with ${bot.child.exitCode}:\n${bot.output().slice(-4000)}`);
  return true;
}

const posts = (slack: FakeSlack) => slack.messages.filter((m) => m.method === 'chat.postMessage');
const storyTitle = (m: FakeSlack['messages'][number]) => m.text;

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

/** Every expected story exactly once in its channel, in order; nothing else posted. */
function expectExactlyOnce(slack: FakeSlack, channels: Record<string, string[]>): void {
  for (const [channel, titles] of Object.entries(channels)) {
    const got = posts(slack).filter((m) => m.channel === channel).map(storyTitle);
    const seen = titles.map((t) => got.filter((g) => g.includes(t)).length);
    expect(seen.filter((n) => n !== 1), `${channel}: stories not posted exactly once`).toEqual([]);
    expect(got.length).toBe(titles.length);
    const order = got.map((g) => titles.findIndex((t) => g.includes(t)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
}

describe('exactly-once delivery with the bot as a child process', () => {
  let slack: FakeSlack | null = null;
  let bots: Bot[] = [];

  afterEach(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    bots = [];
    await slack?.close();
    slack = null;
  });

  it('(7) killed with SIGKILL mid-way and restarted, every alert arrives exactly once, in order', async () => {
    slack = await startFakeSlack({ token: TOKEN });
    const { dir, dbFile, env, channels } = await prepare();
    const s = slack;
    let bot = startBot(dir, env, s);
    bots.push(bot);
    for (const killAt of [15, 60]) {
      await waitFor(`${killAt} stories posted`, () => alive(bot) && posts(s).length >= killAt, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; bot output:\n${bot.output().slice(-4000)}`);
      });
      bot.child.kill('SIGKILL');
      await bot.exited;
      expect(posts(s).length).toBeLessThan(TOTAL);
      bot = startBot(dir, env, s);
      bots.push(bot);
    }
    await waitUntilDelivered(dbFile, () => bot, 90_000);
    const recovered = bots.map((b) => b.output().split('had been posted before a restart').length - 1).reduce((a, b) => a + b, 0);
    console.log(`crash test: ${posts(s).length} posts, ${s.calls.filter((c) => c.method === 'chat.postMessage').length} postMessage calls, ${recovered} interrupted send(s) found already posted after a restart`);
    expectExactlyOnce(s, channels);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expectExactlyOnce(s, channels);
  }, 240_000);

  it('(8) with 429s and 5xx at random for a while, every alert still arrives exactly once, in order', async () => {
    slack = await startFakeSlack({ token: TOKEN });
    const { dir, dbFile, env, channels } = await prepare();
    const s = slack;
    s.chaos({ rate: 0.3, statuses: [429, 500, 502, 503], retryAfterSeconds: 1 });
    const bot = startBot(dir, env, s);
    bots.push(bot);
    await waitFor('faults for a while', () => alive(bot) && [...s.chaosFailures.values()].reduce((a, b) => a + b, 0) >= 25, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}; bot output:\n${bot.output().slice(-4000)}`);
    });
    s.chaos(null);
    await waitUntilDelivered(dbFile, () => bot, 120_000);
    expect(s.chaosFailures.get(429) ?? 0).toBeGreaterThan(0);
    expect([500, 502, 503].reduce((a, st) => a + (s.chaosFailures.get(st) ?? 0), 0)).toBeGreaterThan(0);
    expectExactlyOnce(s, channels);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 240_000);
});
