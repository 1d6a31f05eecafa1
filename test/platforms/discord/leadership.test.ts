// Several instances, one gateway: only the leader connects; a follower sends over REST and takes the
// gateway over when the leader stops or loses its lock.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatPlatform, StoryView } from '../../../src/domain/chat.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createDiscordPlatform, type GatewayLease, type GatewayLeadership } from '../../../src/platforms/discord/adapter.ts';
import { LeaderLocks } from '../../../src/storage/leader-locks.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../../emulators/discord.ts';
import { waitFor } from '../../emulators/http-util.ts';

const TOKEN = 'discord-leader-token.abcdef.123456';
const APP = '800000000000000003';
const GUILD = '700000000000000003';
const CHAN = '710000000000000003';

const story: StoryView = { title: 'T', url: null, source: 'S', publishedAt: null, summary: 'x', fromExcerpt: true, topics: [], alsoCoveredBy: [] };

describe('Discord gateway leadership', () => {
  let discord: FakeDiscord;
  const platforms: ChatPlatform[] = [];

  const make = (leadership: GatewayLeadership) => {
    const p = createDiscordPlatform({ token: TOKEN, applicationId: APP, devGuildId: GUILD, apiUrl: discord.apiUrl, logger: silentLogger(), leadership, leaderRetryMs: 20, readyTimeoutMs: 30_000, deferAfterMs: 30_000 });
    platforms.push(p);
    return p;
  };
  const answering = async (by: string) => ({ text: `answered by ${by}`, ephemeral: true });

  afterEach(async () => {
    for (const p of platforms.splice(0)) await p.stop();
    await discord.close();
  });

  it('connects the leader only; the follower sends over REST and takes over when the leader stops', async () => {
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'G', channels: [{ id: CHAN, name: 'news' }] }] });
    const locks = new LeaderLocks({ dialect: 'sqlite', location: ':memory:' });
    const leadership: GatewayLeadership = { tryAcquire: () => locks.tryAcquire('discord-gateway') };
    const a = make(leadership);
    const b = make(leadership);
    await a.start(() => answering('a'));
    await b.start(() => answering('b'));
    expect(discord.identifies).toHaveLength(1);
    expect(discord.gatewayConnections).toBe(1);

    const sent = await b.postStory(CHAN, story);
    expect(discord.messages.map((m) => m.id)).toEqual([sent.messageId]);

    await a.stop();
    await waitFor('the follower to identify', () => discord.identifies.length === 2);
    await waitFor('one gateway connection', () => discord.gatewayConnections === 1);
    const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000001', permissions: PERMISSIONS.ViewChannel, subcommand: 'status' });
    const reply = await waitFor('the reply', () => discord.interactionReplies.find((r) => r.interactionId === id));
    expect((reply.body.data as { content: string }).content).toBe('answered by b');
  });

  it('disconnects when the lock is lost, keeps sending, and reconnects when it gets the lock again', async () => {
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'G', channels: [{ id: CHAN, name: 'news' }] }] });
    let loseFirst!: () => void;
    let grants = 0;
    const leadership: GatewayLeadership = {
      async tryAcquire(): Promise<GatewayLease | null> {
        grants += 1;
        if (grants === 1) {
          return { lost: new Promise<void>((resolve) => (loseFirst = resolve)), release: async () => {} };
        }
        // The lock is held elsewhere for a while, then free again.
        if (grants < 4) return null;
        return { lost: new Promise<void>(() => {}), release: async () => {} };
      },
    };
    const p = make(leadership);
    await p.start(() => answering('p'));
    expect(discord.identifies).toHaveLength(1);
    loseFirst();
    await waitFor('the gateway to close', () => discord.gatewayConnections === 0);
    await p.postStory(CHAN, story);
    expect(discord.messages).toHaveLength(1);
    await waitFor('a second identify after regaining the lock', () => discord.identifies.length === 2);
    expect(grants).toBeGreaterThanOrEqual(4);
    await waitFor('one gateway connection', () => discord.gatewayConnections === 1);
  });
});
