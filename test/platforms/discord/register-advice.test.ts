// What `run` tells the operator when registering /news fails at start-up: the setting to check follows
// from the failure (the real discord.js client against the local Discord stand-in, or a closed port).
// An unreachable DISCORD_API_URL used to say "check DISCORD_APPLICATION_ID".
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createDiscordPlatform } from '../../../src/platforms/discord/adapter.ts';
import { startFakeDiscord, type FakeDiscord } from '../../emulators/discord.ts';
import { heldClosedPort, type HeldClosedPort } from '../../helpers/ports.ts';

const TOKEN = 'discord-test-token.abcdef.123456';
const APP = '800000000000000001';
const GUILD = '700000000000000001';

let discord: FakeDiscord | null = null;
let closed: HeldClosedPort | null = null;
afterEach(async () => {
  await discord?.close();
  discord = null;
  await closed?.close();
  closed = null;
});

describe('Discord /news registration failing at start-up', () => {
  it.each([
    {
      name: 'an API URL nothing answers at',
      setUp: async () => {
        closed = await heldClosedPort();
        return { apiUrl: `http://127.0.0.1:${closed.port}/api`, token: TOKEN, applicationId: APP };
      },
      says: /^discord: registering \/news failed \(.+\); cannot reach DISCORD_API_URL=http:\/\/127\.0\.0\.1:\d+\/api: check that address \(unset it for Discord's own\) and this machine's network\.$/,
    },
    {
      name: 'an application id the token does not own (403 Missing Access)',
      setUp: async () => ({ apiUrl: discord!.apiUrl, token: TOKEN, applicationId: '800000000000000999' }),
      says: /^discord: registering \/news failed \(.*403.*\); check DISCORD_APPLICATION_ID and discord\.dev_guild_id\.$/,
    },
    {
      name: 'a token Discord refuses (401)',
      setUp: async () => ({ apiUrl: discord!.apiUrl, token: 'wrong.token.value', applicationId: APP }),
      says: /^discord: registering \/news failed \(.*401.*\); check DISCORD_TOKEN\.$/,
    },
  ])('$name: the sentence names the setting to check', async ({ setUp, says }) => {
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test Server', channels: [] }] });
    const o = await setUp();
    const platform = createDiscordPlatform({ token: o.token, applicationId: o.applicationId, devGuildId: GUILD, apiUrl: o.apiUrl, logger: silentLogger(), readyTimeoutMs: 15_000 });
    const err = await platform.start(async () => ({ text: '', ephemeral: true })).then(
      () => null,
      (e: unknown) => e as Error,
    );
    await platform.stop();
    expect(err?.message).toMatch(says);
  });
});
