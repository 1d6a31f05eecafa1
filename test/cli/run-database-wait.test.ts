// `cyberbrief run` started before its PostgreSQL answers (the built CLI as a child process): it waits,
// saying so once (no "fatal"), stops cleanly on SIGTERM meanwhile, and starts once the server answers (a
// TCP proxy to the real PostgreSQL that refuses at first). Errors that waiting cannot fix (an unknown
// database, a bad URL) exit 1 at once with one sentence.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { alive, announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { heldClosedPort } from '../helpers/ports.ts';
import { startProxy } from '../helpers/tcp-proxy.ts';

notePostgresSkip();
const PG_URL = process.env.TEST_DATABASE_URL?.trim() || null;

let dir = '';
const bots: Bot[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const b of bots.splice(0)) {
    if (b.child.exitCode === null && b.child.signalCode === null) {
      b.child.kill('SIGKILL');
      await b.exited;
    }
  }
  for (const c of cleanups.splice(0).reverse()) await c();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function start(databaseUrl: string): Bot {
  dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-run-wait-'));
  const override = path.join(dir, 'config.yaml');
  writeFileSync(override, 'feeds: []\nserver:\n  host: 127.0.0.1\n');
  const bot = startBotProcess(dir, { PORT: '0', DATABASE_URL: databaseUrl, CYBERBRIEF_CONFIG: override, LOG_LEVEL: 'info' });
  bots.push(bot);
  return bot;
}


const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('cyberbrief run while PostgreSQL does not answer yet', () => {
  it('waits for a closed port, saying so once and not fatally, and stops cleanly on SIGTERM', async () => {
    const closed = await heldClosedPort();
    cleanups.push(closed.close);
    const { port } = closed;
    const bot = start(`postgres://postgres@127.0.0.1:${port}/cyberbrief_wait`);
    await waitFor('the bot to say it waits', () => bot.output().includes('storage: start-up waits for PostgreSQL'), 20_000);
    // Several probes later it is still waiting, and has said so once.
    const before = closed.attempts();
    await waitFor('three more connection attempts', () => closed.attempts() >= before + 3, 30_000);
    expect(alive(bot)).toBe(true);
    const out = bot.output();
    // The reset reaches the driver while it connects, writes its start-up message or reads the answer, so
    // the driver's words name any of the three.
    const waits = new RegExp(`storage: start-up waits for PostgreSQL 127\\.0\\.0\\.1:${port}/cyberbrief_wait to answer \\((?:connect|read|write) ECONNRESET(?: 127\\.0\\.0\\.1:${port})?\\)`, 'g');
    expect(out.match(waits) ?? [], out).toHaveLength(1);
    expect(count(out, 'is not answering')).toBe(1);
    expect(out).not.toContain('fatal');
    expect(out).not.toContain('cannot reach');
    bot.child.kill('SIGTERM');
    expect([0, 143]).toContain(await bot.exited);
    expect(bot.output()).not.toContain('"level":"fatal"');
  });

  it('serves /healthz while it waits: 503 in fixed words (starting, database not open yet), and the rest 503 too', async () => {
    const closed = await heldClosedPort();
    cleanups.push(closed.close);
    const { port } = closed;
    const bot = start(`postgres://postgres@127.0.0.1:${port}/cyberbrief_wait`);
    await waitFor('the bot to say it waits', () => alive(bot) && bot.output().includes('storage: start-up waits for PostgreSQL'), 20_000);
    const m = /http: listening on 127\.0\.0\.1:(\d+)/.exec(bot.output());
    expect(m, bot.output()).not.toBeNull();
    const base = `http://127.0.0.1:${m![1]}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, checks: { database: { ok: false, detail: 'database not open yet' }, running: { ok: true }, startup: { ok: false, detail: 'starting' } } });
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('5');
    expect(await page.text()).toBe('cyberbrief is starting; try again shortly.\n');
    // Nothing public names the database.
    expect(JSON.stringify(await (await fetch(`${base}/healthz`)).json())).not.toContain(String(port));
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it.skipIf(!PG_URL)('starts and serves /healthz once the database answers (a proxy to it opened after a few refused attempts)', async () => {
    const database = testDatabases.find((d) => d.name === 'postgres')!;
    const { url, drop } = await database.create();
    cleanups.push(drop);
    const real = new URL(url);
    const proxy = await startProxy(real, { up: false });
    cleanups.push(proxy.close);
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const bot = start(viaProxy.toString());
    await waitFor('the bot to say it waits', () => alive(bot) && bot.output().includes('storage: start-up waits for PostgreSQL'), 20_000);
    const before = proxy.refused();
    await waitFor('two more connection attempts refused', () => proxy.refused() >= before + 2, 30_000);
    expect(alive(bot)).toBe(true);
    proxy.restore();
    const httpPort = await announcedPort(bot, 30_000);
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(res.status).toBe(200);
    expect(bot.output()).toMatch(/storage: PostgreSQL 127\.0\.0\.1:\d+\/\w+ answers; start-up goes on after \d+ s of waiting/);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).not.toContain('fatal');
  });

  it.each([
    { name: 'an unknown database', needsPostgres: true, url: () => `${PG_URL!.replace(/\/[^/]*$/, '')}/cyberbrief_no_such_database`, said: 'refused the connection: database "cyberbrief_no_such_database" does not exist; check the user, password and database name in DATABASE_URL.' },
    { name: 'a port out of range', needsPostgres: false, url: () => 'postgres://postgres@127.0.0.1:99999/x', said: 'storage: DATABASE_URL is not a valid PostgreSQL URL (expected the form postgres://user@host:5432/database' },
  ])('$name (which waiting cannot fix) exits 1 at once with one sentence', async ({ needsPostgres, url, said }) => {
    if (needsPostgres && !PG_URL) return;
    const bot = start(url());
    expect(await bot.exited).toBe(1);
    // One sentence, logged as fatal (beside, for PostgreSQL, the line saying /healthz was served meanwhile).
    const lines = bot.output().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    const others = lines.filter((l) => l.level !== 'fatal');
    expect(others.every((l) => l.level === 'info' && l.msg.startsWith('http: listening on 127.0.0.1:')), bot.output()).toBe(true);
    const fatal = lines.filter((l) => l.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.msg).toContain(said);
  });
});
