// A whole bot for end-to-end tests where the database misbehaves: the Slack and Discord emulators, a local
// feed whose stories the test adds while the bot runs, three subscribed channels (two Slack, one Discord),
// and the configuration `cyberbrief run` reads. The bot itself is started by the test
// (helpers/bot-process.ts), so it can be watched, crashed or left running through an outage.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { seedChannel } from '../delivery/fixtures.ts';
import { startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { startFakeSlack, type FakeSlack } from '../emulators/slack.ts';

const SLACK_TOKEN = 'xoxb-outage-test-token';
export const SIGNING_SECRET = 'outage-test-signing-secret';
const DISCORD_TOKEN = 'discord-outage.test.token';
const APP = '800000000000000099';
const GUILD = '700000000000000099';

/** Three channels, each following one topic; story n goes to channel n % 3. */
export const CHANNELS = [
  { platform: 'slack' as const, id: 'C0SPIES', topic: 'spying', word: 'Cyberespionage' },
  { platform: 'discord' as const, id: '710000000000000099', topic: 'smuggling', word: 'Smuggling' },
  { platform: 'slack' as const, id: 'C0SABOTAGE', topic: 'sabotage', word: 'Sabotage' },
];
const channelOf = (n: number) => CHANNELS[n % CHANNELS.length]!;
// Each story has its own made-up words so no two share a cluster, and its channel's topic word.
const word = (n: number, salt: number) => `o${((n * 7919 + salt * 104729) % 1_000_003).toString(36)}z`;
export const storyTitle = (n: number) => `${channelOf(n).word} ${word(n, 1)} ${word(n, 2)} ${word(n, 3)} report ${n}`;
const TOPICS = `topics:\n${CHANNELS.map((c) => `  - id: ${c.topic}\n    name: ${c.word}\n    description: Stories about ${c.word.toLowerCase()}\n    threshold: 3\n    terms:\n      - { term: ${c.word.toLowerCase()}, weight: 3 }\n`).join('')}`;

export interface StoryBot {
  dir: string;
  /** The environment `cyberbrief run` gets. */
  env: Record<string, string>;
  feed: FeedServer;
  /** The Discord guild the Discord channel is in. */
  discordGuild: string;
  slack: FakeSlack;
  discord: FakeDiscord;
  /** Stories added to the feed so far. */
  readonly total: number;
  /** Adds `count` stories to the feed (each `padBytes` of extra description when given). */
  addStories(count: number, padBytes?: number): void;
  /** Story titles posted so far, with the channel each went to. */
  posts(): Array<{ channel: string; text: string }>;
  /** Every story exactly once, in its own channel; nothing else posted. */
  expectExactlyOnce(): void;
  close(): Promise<void>;
}

export async function prepareStoryBot(databaseUrl: string): Promise<StoryBot> {
  const slack = await startFakeSlack({ token: SLACK_TOKEN, users: [{ id: 'UADMIN', is_admin: true }] });
  const discord = await startFakeDiscord({ token: DISCORD_TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Outage', channels: CHANNELS.filter((c) => c.platform === 'discord').map((c) => ({ id: c.id, name: c.topic })) }] });
  const feed = await startFeedServer('Outage Wire');
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-outage-'));
  writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      'server: { host: 127.0.0.1 }',
      // A tick every second; the feed is due again 60 s after a poll unless the test makes it due sooner.
      'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, total_timeout_ms: 2000 }',
      `feeds: [{ url: "${feed.url}", title: "Outage Wire" }]`,
      `topics: { file: ${JSON.stringify(path.join(dir, 'topics.yaml'))} }`,
      'summary: { fetch_article: false }',
      'delivery: { max_attempts: 50, burst_per_channel: 100, channel_interval_ms: 20, lease_seconds: 5 }',
      `discord: { dev_guild_id: "${GUILD}", leader_retry_seconds: 1 }`,
    ].join('\n'),
  );
  const storage = await openStorage(databaseUrl);
  try {
    // Each channel in the workspace or server its commands come from (the emulators' team and guild).
    for (const c of CHANNELS) await seedChannel(storage, c.platform, c.id, [c.topic], [], c.platform === 'slack' ? 'T0TEST' : GUILD);
  } finally {
    await storage.close();
  }
  let total = 0;
  const posts = () => [
    ...slack.messages.filter((m) => m.method === 'chat.postMessage').map((m) => ({ channel: m.channel, text: m.text })),
    ...discord.messages.filter((m) => m.kind === 'create').map((m) => ({ channel: m.channelId, text: String((m.body.embeds as { title?: string }[] | undefined)?.[0]?.title ?? '') })),
  ];
  return {
    dir,
    env: {
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
      CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1',
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: APP,
      DISCORD_API_URL: discord.apiUrl,
    },
    feed,
    discordGuild: GUILD,
    slack,
    discord,
    get total() {
      return total;
    },
    addStories(count, padBytes = 0) {
      for (let k = 0; k < count; k++) {
        total += 1;
        const n = total;
        const pad = padBytes ? ` ${'Background paragraph. '.repeat(Math.ceil(padBytes / 22))}` : '';
        feed.items.push({ guid: `story-${n}`, title: storyTitle(n), link: `http://127.0.0.1/story-${n}`, description: `${storyTitle(n)}.${pad}`, pubDate: new Date() });
      }
    },
    posts,
    expectExactlyOnce() {
      const all = posts();
      const stories = Array.from({ length: total }, (_, i) => i + 1);
      const copies = stories.map((n) => all.filter((p) => p.text.includes(storyTitle(n))).length);
      expect(stories.filter((_, i) => copies[i] !== 1), 'stories not posted exactly once').toEqual([]);
      expect(stories.filter((n) => !all.some((p) => p.channel === channelOf(n).id && p.text.includes(storyTitle(n)))), 'stories in the wrong channel').toEqual([]);
      expect(all).toHaveLength(total);
    },
    async close() {
      await Promise.all([slack.close(), discord.close(), feed.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
