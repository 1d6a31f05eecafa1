// The Discord adapter sends a delivery's ref as an enforced nonce, so a create repeated after a crash
// returns the message made the first time. Real discord.js against the fake REST API and gateway.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatPlatform, StoryView } from '../../../src/domain/chat.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createDiscordPlatform, nonceOf } from '../../../src/platforms/discord/adapter.ts';
import { startFakeDiscord, type FakeDiscord } from '../../emulators/discord.ts';

const TOKEN = 'discord-test-token.nonce.123456';
const APP = '800000000000000002';
const GUILD = '700000000000000002';
const CHAN = '710000000000000002';

const story = (title: string, ref?: string): StoryView => ({
  title, url: null, source: 'Example News', publishedAt: null, summary: 'S.', fromExcerpt: true, topics: [], alsoCoveredBy: [], ...(ref ? { ref } : {}),
});

describe('Discord adapter nonce', () => {
  let discord: FakeDiscord;
  let platform: ChatPlatform;

  beforeEach(async () => {
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test', channels: [{ id: CHAN, name: 'news' }] }] });
    platform = createDiscordPlatform({ token: TOKEN, applicationId: APP, devGuildId: GUILD, apiUrl: discord.apiUrl, logger: silentLogger(), readyTimeoutMs: 30_000, deferAfterMs: 30_000 });
    await platform.start(async () => ({ text: '', ephemeral: true }));
  });
  afterEach(async () => {
    await platform.stop();
    await discord.close();
  });

  it('a repeated post with the same ref returns the first message; other refs post anew', async () => {
    const a = await platform.postStory(CHAN, story('First', 'cyberbrief-alert-1'));
    const again = await platform.postStory(CHAN, story('First', 'cyberbrief-alert-1'));
    const b = await platform.postStory(CHAN, story('Second', 'cyberbrief-alert-2'));
    await platform.postStory(CHAN, story('No ref'));
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    const creates = discord.messages.filter((m) => m.kind === 'create');
    expect(creates.map((m) => [m.body.nonce, m.body.enforce_nonce])).toEqual([['cyberbrief-alert-1', true], ['cyberbrief-alert-2', true], [undefined, undefined]]);
  });

  it.each([
    ['cyberbrief-alert-1', 'cyberbrief-alert-1'],
    ['cyberbrief-alert-123456789', /^[0-9a-f]{25}$/],
  ])('nonce of %s', (ref, want) => {
    if (typeof want === 'string') expect(nonceOf(ref)).toBe(want);
    else expect(nonceOf(ref)).toMatch(want);
  });
});
