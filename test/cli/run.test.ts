import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');

/** Starts `cyberbrief run` as a child process with no feeds and no tokens; resolves once it is up. */
async function startBot(extraEnv: Record<string, string> = {}, configYaml = 'feeds: []\n', seed?: (dbFile: string) => Promise<void>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-run-'));
  const override = path.join(dir, 'config.yaml');
  writeFileSync(override, `${configYaml}server:\n  host: 127.0.0.1\n`);
  const dbFile = path.join(dir, 'bot.db');
  await seed?.(dbFile);
  const child = spawn(process.execPath, [BIN, 'run'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: override, LOG_LEVEL: 'info', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = stdout.match(/Health at http:\/\/127\.0\.0\.1:(\d+)\/healthz/);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 50);
    exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`bot exited early with ${code}: ${stdout}\n${stderr}`));
    });
  });
  return { child, port, dbFile, exited, output: () => stdout + stderr };
}

describe('cyberbrief run', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves /healthz, says what it watches, and on %s stops cleanly with exit 0', async (signal) => {
    const bot = await startBot();
    const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, checks: { database: { ok: true } } });
    expect(bot.output()).toMatch(/cyberbrief is running .* storing in SQLite file .*bot\.db/);
    expect(bot.output()).toContain('Watching no feeds: add one with `cyberbrief feeds add URL` (or under feeds: in the configuration); nothing is polled until then.');
    expect(existsSync(`${bot.dbFile}-wal`)).toBe(true);

    bot.child.kill(signal);
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain(`shutdown: ${signal} received`);
    expect(bot.output()).toContain('shutdown: stopped cleanly');
    // SQLite removes the write-ahead log when the last connection closes: the database was closed.
    expect(existsSync(`${bot.dbFile}-wal`)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${bot.port}/healthz`)).rejects.toThrow();
  });

  it('prints feed titles in its start-up banner without escape sequences, controls or bidi overrides', async () => {
    const bot = await startBot({}, 'feeds: []\n', async (dbFile) => {
      // A row as older versions stored a hostile feed's title.
      const storage = await openStorage(dbFile);
      await storage.feeds.add({ url: 'https://dirty.example/rss', title: 'Cyber \u001b[31mRed\u001b[0m\u001b]0;pwned\u0007 \u202eDesk\u009b2J', source: 'cli' });
      await storage.close();
    });
    const banner = bot.output().split('\n').find((l) => l.includes('Watching 1 feed:'));
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(banner).toContain('Watching 1 feed: Cyber Red Desk.');
    expect(bot.output()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('with no tokens, posts a matching story from a local feed to the console, once', async () => {
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>
      <item><title>Dutch government accuses Russian military intelligence of hacking the port of Rotterdam</title>
      <link>/s1?utm_source=rss</link><guid>s1</guid><description>Officials attributed the intrusion to a GRU unit and summoned the Russian ambassador.</description></item>
      <item><title>Local bakery wins award</title><link>/s2</link><guid>s2</guid><description>Bread.</description></item>
      </channel></rss>`;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(feed);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const yaml = [
      'feeds:',
      `  - url: http://127.0.0.1:${port}/feed.xml`,
      'polling:',
      '  tick: "* * * * * *"',
      '  jitter_seconds: 0',
      '  backfill: 5',
      'summary:',
      '  fetch_article: false',
      '',
    ].join('\n');
    try {
      const bot = await startBot({ CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1' }, yaml);
      expect(bot.output()).toMatch(/Alerts go to this console \(no chat tokens set; subscribed to every topic\)/);
      const deadline = Date.now() + 20_000;
      while (!bot.output().includes('[console]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 2500)); // a few more ticks: nothing may be posted twice
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      // Its stdout is a pipe, so logs are JSON and console alerts are records of their own (first line: the title).
      const records = bot.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { platform?: string; msg: string });
      const posted = records.filter((r) => r.platform === 'console').map((r) => r.msg.split('\n')[0]);
      expect(posted).toEqual(['[console] ■ Dutch government accuses Russian military intelligence of hacking the port of Rotterdam']);
      expect(bot.output()).toContain(`http://127.0.0.1:${port}/s1`);
      expect(bot.output()).not.toContain('utm_source');
      expect(bot.output()).not.toContain('Local bakery');
    } finally {
      server.close();
    }
  });

  it('polls its feeds as soon as it starts, not at the first tick', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end('<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title><item><title>Quiet day</title><guid>q1</guid></item></channel></rss>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    // A tick once a year: only the poll at start-up can reach the feed within the test.
    const yaml = ['feeds:', `  - url: http://127.0.0.1:${port}/feed.xml`, 'polling:', '  tick: "0 0 1 1 *"', '  jitter_seconds: 0', ''].join('\n');
    try {
      const bot = await startBot({ CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1' }, yaml);
      const deadline = Date.now() + 15_000;
      while (!bot.output().includes('"poll cycle done"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(hits).toBe(1);
      expect(bot.output()).toMatch(/"feeds":1,.*"msg":"poll cycle done"/);
    } finally {
      server.close();
    }
  });

  it('a bad configuration value stops start-up with one sentence and changes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-run-bad-'));
    const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { PATH: process.env.PATH, PORT: '99999', DATABASE_URL: path.join(dir, 'x.db') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('config: server.port = 99999 is invalid (check PORT or the config files): expected a number <= 65535.');
    expect(existsSync(path.join(dir, 'x.db'))).toBe(false);
  });

  it.each([
    // Refused at configuration time (credentials in an API URL are never used), in one sentence without the password.
    { name: 'SLACK_API_URL', shown: 'config: SLACK_API_URL = "http://bot:[redacted]@127.0.0.1:9/api/" is invalid: expected no user name or password in the URL (they are never used: Slack reads SLACK_BOT_TOKEN; remove them).', env: { SLACK_BOT_TOKEN: 'xoxb-run-redaction-token', SLACK_SIGNING_SECRET: 'run-redaction-signing', SLACK_API_URL: 'http://bot:hunter2secret@127.0.0.1:9/api/' } },
    { name: 'DISCORD_API_URL', shown: 'config: DISCORD_API_URL = "http://bot:[redacted]@127.0.0.1:9/api" is invalid: expected no user name or password in the URL (they are never used: Discord reads DISCORD_TOKEN; remove them).', env: { DISCORD_TOKEN: 'run.redaction.discord-token', DISCORD_APPLICATION_ID: '800000000000000099', DISCORD_API_URL: 'http://bot:hunter2secret@127.0.0.1:9/api' } },
  ])('a password inside $name is never printed when start-up fails', async ({ shown, env }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-run-redact-'));
    const override = path.join(dir, 'config.yaml');
    writeFileSync(override, 'feeds: []\nserver:\n  host: 127.0.0.1\ndiscord:\n  leader_retry_seconds: 1\n');
    const child = spawn(process.execPath, [BIN, 'run'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATABASE_URL: path.join(dir, 'x.db'), CYBERBRIEF_CONFIG: override, LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(out).toContain(shown);
    expect(out).not.toContain('hunter2secret');
  });
});
