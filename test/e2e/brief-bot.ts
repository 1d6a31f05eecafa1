// A bot for end-to-end tests of briefs with `cyberbrief run` as a child process: the Slack and Discord
// emulators, channels in brief mode holding many stories (so a brief takes several messages on both
// platforms), briefs due a few seconds ahead (times with seconds), and how to read what arrived: the parts
// of each brief by their refs, and the stories in them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { nextOccurrence, type BriefSchedule, type QuietHours } from '../../src/domain/brief-schedule.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { seedChannel, seedFeed } from '../delivery/fixtures.ts';
import { startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFakeSlack, type FakeSlack } from '../emulators/slack.ts';

const SLACK_TOKEN = 'xoxb-brief-crash-token';
const DISCORD_TOKEN = 'discord-brief-crash.token';
const APP = '800000000000000114';
export const GUILD = '700000000000000114';

export interface BriefChannel {
  platform: 'slack' | 'discord';
  id: string;
}

export interface BriefBot {
  dir: string;
  env: Record<string, string>;
  slack: FakeSlack;
  discord: FakeDiscord;
  /** Opens the test's own connection to the bot's database. */
  storage(): Promise<Storage>;
  /** Puts the channel in brief mode with `stories` held stories, its brief due at `at` (UTC, to the second). */
  briefAt(c: BriefChannel, at: Date, stories: number, tag: string): Promise<void>;
  /** Puts the channel in live mode with quiet hours ending at `end` and `stories` held stories. */
  quietUntil(c: BriefChannel, end: Date, stories: number, tag: string): Promise<void>;
  /** The messages of each brief posted to the channel, by ref (`cyberbrief-brief-ID-PART`), in order. */
  parts(c: BriefChannel): Array<{ ref: string; text: string }>;
  /** Each ref posted once, the parts of each brief contiguous from 1, every story of `tag` once. */
  expectOnce(c: BriefChannel, tag: string, stories: number): void;
  close(): Promise<void>;
}

/**
 * The bots' pipelines took none of the seeded stories: they watch no feed, so every item is the test's, written
 * as already processed. A pipeline that took one would have logged it and routed it to every channel
 * following the topic (a race between seeding and the pipeline's next look for work).
 */
export function expectPipelineUntouched(output: string): void {
  const lines = output.split('\n').filter((l) => l.includes('"msg":"pipeline: processed items"'));
  expect(lines, 'a running bot processed seeded stories itself').toEqual([]);
}

const story = (tag: string, n: number) => `${tag}-${String(n).padStart(3, '0')}`;
const long = 'with a long headline about the port records and the harbour logistics of the region';

export async function prepareBriefBot(databaseUrl: string, channels: readonly BriefChannel[]): Promise<BriefBot> {
  const slack = await startFakeSlack({ token: SLACK_TOKEN });
  const discord = await startFakeDiscord({
    token: DISCORD_TOKEN,
    applicationId: APP,
    guilds: [{ id: GUILD, name: 'Briefs', channels: channels.filter((c) => c.platform === 'discord').map((c) => ({ id: c.id, name: c.id })) }],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-brief-bot-'));
  writeFileSync(path.join(dir, 'topics.yaml'), 'topics:\n  - id: port\n    name: Port records\n    description: Port stories\n    threshold: 2\n    terms: [{ term: port, weight: 3 }]\n');
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      'feeds: []',
      'server: { host: 127.0.0.1 }',
      `topics: { file: ${JSON.stringify(path.join(dir, 'topics.yaml'))} }`,
      'matching: { scorer: rules }',
      'summary: { fetch_article: false }',
      'delivery: { max_attempts: 50, burst_per_channel: 100, channel_interval_ms: 20, lease_seconds: 5 }',
      'brief: { max_stories: 60, per_topic: 50, check_seconds: 1 }',
      `discord: { dev_guild_id: "${GUILD}", leader_retry_seconds: 1 }`,
    ].join('\n'),
  );
  const open = () => openStorage(databaseUrl);
  const s0 = await open();
  try {
    for (const c of channels) await seedChannel(s0, c.platform, c.id, ['port']);
  } finally {
    await s0.close();
  }

  // The stories are written as the pipeline would have left them, on either database: the items stored as
  // already processed in one INSERT (storage's rule for a new feed's backlog), then their clusters, topics and
  // held alerts. A running bot's pipeline takes only unprocessed items, so it never sees these as work. Stored
  // as new and marked processed one by one afterwards, the bot's pipeline took some in between and routed them
  // itself to every channel following the topic (on SQLite, where no pipeline lock is held: 45 of them in a
  // 30-second reproduction on a quiet machine; on PostgreSQL before session 15's lock: briefs of 71 stories
  // where 50 were seeded).
  async function heldStories(storage: Storage, channelId: number, stories: number, tag: string): Promise<void> {
    const at = new Date(Date.now() - 60_000);
    const { itemIds } = await seedFeed(
      storage,
      { url: `http://127.0.0.1:9/${tag}.xml`, title: `Wire ${tag}` },
      Array.from({ length: stories }, (_, i) => ({ key: story(tag, i + 1), title: `${story(tag, i + 1)} port story ${long}`, summary: `${story(tag, i + 1)} port summary ${long}.` })),
      at,
      { processed: true },
    );
    await storage.feeds.setEnabled((await storage.feeds.getByUrl(`http://127.0.0.1:9/${tag}.xml`))!.id, false);
    for (const itemId of itemIds) {
      // What the pipeline would have written: a story, its topic, the held alert.
      const c = await storage.clusters.create({ signature: '00', title: 't', firstItemId: itemId, at, createdAt: at });
      await storage.clusters.assignCluster(itemId, c.id);
      await storage.clusters.setItemTopics(itemId, [{ topicId: 'port', score: 9, reasons: [] }], null);
      await storage.alerts.enqueue({ channelId, clusterId: c.id, itemId, at, held: true });
    }
  }
  const channelId = async (storage: Storage, c: BriefChannel) => (await storage.channels.find(c.platform, c.id))!.id;

  const parts = (c: BriefChannel) =>
    c.platform === 'slack'
      ? slack.messages
          .filter((m) => m.method === 'chat.postMessage' && m.channel === c.id)
          .map((m) => ({ ref: String((m.args.metadata as { event_payload?: { ref?: string } } | undefined)?.event_payload?.ref ?? ''), text: JSON.stringify(m.blocks) }))
      : discord.messages.filter((m) => m.kind === 'create' && m.channelId === c.id).map((m) => ({ ref: String(m.body.nonce ?? ''), text: JSON.stringify(m.body.embeds) }));

  return {
    dir,
    slack,
    discord,
    env: {
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: 'brief-crash-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: APP,
      DISCORD_API_URL: discord.apiUrl,
    },
    storage: open,
    async briefAt(c, at, stories, tag) {
      const storage = await open();
      try {
        const id = await channelId(storage, c);
        // Brief mode first, not yet due (a running bot releases the held stories of a channel in live mode),
        // then the stories, then the time: the brief cannot come due half-way through the seeding.
        const s: BriefSchedule = { every: 'daily', weekday: null, time: { hour: at.getUTCHours(), minute: at.getUTCMinutes(), second: at.getUTCSeconds() }, zone: 'UTC' };
        const d = await storage.channels.delivery(id);
        await storage.channels.setDelivery(id, { ...d, mode: 'brief', brief: s }, null);
        await heldStories(storage, id, stories, tag);
        await storage.channels.setDelivery(id, { ...d, mode: 'brief', brief: s }, new Date(nextOccurrence(s, at.getTime() - 1).at));
      } finally {
        await storage.close();
      }
    },
    async quietUntil(c, end, stories, tag) {
      const storage = await open();
      try {
        const id = await channelId(storage, c);
        const start = new Date(Date.now() - 3600_000);
        const clock = (d: Date) => ({ hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
        const q: QuietHours = { start: clock(start), end: clock(end), zone: 'UTC' };
        // Quiet until well after the seeding, then until `end`: the window cannot end half-way through it.
        await storage.channels.setDelivery(id, { mode: 'live', brief: null, quiet: { ...q, end: clock(new Date(Date.now() + 3600_000)) }, threads: false }, null);
        await heldStories(storage, id, stories, tag);
        await storage.channels.setDelivery(id, { mode: 'live', brief: null, quiet: q, threads: false }, null);
      } finally {
        await storage.close();
      }
    },
    parts,
    expectOnce(c, tag, stories) {
      const all = parts(c);
      const refs = all.map((p) => p.ref);
      expect(new Set(refs).size, `${c.id}: a part posted twice`).toBe(refs.length);
      const byBrief = new Map<string, number[]>();
      for (const r of refs) {
        const m = /^cyberbrief-brief-(\d+)-(\d+)$/.exec(r);
        expect(m, `${c.id}: ref ${r}`).not.toBeNull();
        byBrief.set(m![1]!, [...(byBrief.get(m![1]!) ?? []), Number(m![2])]);
      }
      for (const list of byBrief.values()) expect(list).toEqual(list.map((_, i) => i + 1));
      const text = all.map((p) => p.text).join('\n');
      const copies = Array.from({ length: stories }, (_, i) => text.split(`${story(tag, i + 1)} port story`).length - 1);
      expect(copies.filter((n) => n !== 1), `${c.id}: stories of ${tag} not in the briefs exactly once`).toEqual([]);
    },
    async close() {
      await Promise.all([slack.close(), discord.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
