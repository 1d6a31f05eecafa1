// SIGTERM arriving while `cyberbrief run` is still starting (the built CLI as a child process, SQLite, the
// real discord.js client against the local Discord stand-in): sent the moment a start-up step says it is
// done, so the signal lands in the steps after it (migrations just run, the gateway login under way). The
// bot must stop cleanly: exit 0, nothing left running (no component started after the stop), the
// database closed (SQLite removes its write-ahead log), no error logged.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { waitFor } from '../emulators/http-util.ts';
import { startBotProcess, type Bot } from '../helpers/bot-process.ts';

const TOKEN = 'discord-startup-stop.abcdef.123456';
const APP = '800000000000000077';
const GUILD = '700000000000000077';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(withDiscord: boolean): Promise<{ bot: Bot; dbFile: string; discord: FakeDiscord | null }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-startup-stop-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const override = path.join(dir, 'config.yaml');
  writeFileSync(override, ['feeds: []', 'server:', '  host: 127.0.0.1', 'discord:', `  dev_guild_id: "${GUILD}"`, ''].join('\n'));
  const dbFile = path.join(dir, 'bot.db');
  let discordEnv: Record<string, string> = {};
  let discord: FakeDiscord | null = null;
  if (withDiscord) {
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test Server', channels: [] }] });
    const d = discord;
    cleanups.push(() => d.close());
    discordEnv = { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APP, DISCORD_API_URL: discord.apiUrl };
  }
  const bot = startBotProcess(dir, { PORT: '0', DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: override, LOG_LEVEL: 'info', ...discordEnv });
  cleanups.push(async () => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
  });
  return { bot, dbFile, discord };
}

describe('cyberbrief run stopped while it starts', () => {
  it.each([
    { name: 'right after the database is migrated and open', discord: false, after: /storage: SQLite file .* ready/ },
    { name: 'while the HTTP server has just started listening', discord: false, after: /http: listening on/ },
    { name: 'while the Discord gateway login runs (/news just registered)', discord: true, after: /discord: registered \/news/ },
  ])('$name: exits 0, stopped cleanly, nothing started after the stop', async ({ discord, after }) => {
    const { bot, dbFile, discord: fake } = await start(discord);
    await waitFor('the start-up step', () => {
      if (bot.child.exitCode !== null) throw new Error(`the bot exited early:\n${bot.output()}`);
      return after.test(bot.output());
    }, 30_000);
    bot.child.kill('SIGTERM');
    expect(await bot.exited, bot.output()).toBe(0);
    const lines = bot.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string });
    const stopAt = lines.findIndex((l) => l.msg.startsWith('shutdown: SIGTERM received'));
    expect(stopAt).toBeGreaterThanOrEqual(0);
    // Nothing starts once the stop was asked for (a gateway login under way finishes, and is closed), and nothing fails.
    const afterStop = lines.slice(stopAt + 1).map((l) => l.msg);
    expect(afterStop.filter((m) => /scheduler started|cyberbrief is running|dispatcher|pipeline/.test(m)), afterStop.join('\n')).toEqual([]);
    if (fake) await waitFor('the gateway connection to be closed', () => fake.gatewayConnections === 0, 10_000);
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal' || l.level === 'warn').map((l) => l.msg)).toEqual([]);
    expect(afterStop.at(-1)).toBe('shutdown: stopped cleanly');
    expect(existsSync(`${dbFile}-wal`)).toBe(false);
  });
});
