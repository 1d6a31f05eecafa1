// `cyberbrief run` stopping (SIGTERM) while a feed's server has taken the request and never answers: the
// fetch is given up at once (its total timeout here is 10 minutes, so a bot that waited it out would outlive
// the test), the feed goes back unleased and due with nothing held against it, and the bot exits 0 before
// the stalled server ever answers. The built CLI as a child process, on a real SQLite file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { waitFor } from '../emulators/http-util.ts';
import { alive, announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server that takes every request and never answers it; counts requests and closed ones. */
async function stalledServer() {
  const seen = { requests: 0, closedByClient: 0, answered: 0 };
  const pending = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    seen.requests++;
    pending.add(res);
    req.socket.on('close', () => {
      if (!res.writableEnded) seen.closedByClient++;
      pending.delete(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const res of pending) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/feed.xml`, origin, seen };
}

/** A feed server answering one story that every topic set matches. */
async function storyServer(): Promise<string> {
  const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>
    <item><title>Dutch government accuses Russian military intelligence of hacking the port of Rotterdam</title>
    <link>/s1</link><guid>s1</guid><description>Officials attributed the intrusion to a GRU unit and summoned the Russian ambassador.</description></item>
    </channel></rss>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(feed);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
}

/** `polling` lines go under polling:, `server` lines under server:, `rest` at the top level. */
function startBot(feedUrl: string, more: { polling?: string[]; server?: string[]; rest?: string[] } = {}): { bot: Bot; dbFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-run-stop-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const override = path.join(dir, 'config.yaml');
  // A tick once a year: only the poll at start-up reaches the feed. Ten minutes before a fetch times out.
  const yaml = ['feeds:', `  - url: ${feedUrl}`, 'server:', '  host: 127.0.0.1', ...(more.server ?? []), 'polling:', '  tick: "0 0 1 1 *"', '  jitter_seconds: 0', '  total_timeout_ms: 600000', ...(more.polling ?? []), ...(more.rest ?? []), ''];
  writeFileSync(override, yaml.join('\n'));
  const dbFile = path.join(dir, 'bot.db');
  const bot = startBotProcess(dir, { PORT: '0', DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: override, CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'info' });
  cleanups.push(async () => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
  });
  return { bot, dbFile };
}

/**
 * A bot whose pipeline waits on an LLM that never answers (for up to 5 minutes) to summarise the story it
 * polled at start-up, so its stop cannot finish that item; resolves once the LLM has been asked.
 */
async function botWaitingOnLlm(graceSeconds: number): Promise<{ bot: Bot; llm: Awaited<ReturnType<typeof stalledServer>> }> {
  const llm = await stalledServer();
  const { bot } = startBot(await storyServer(), {
    server: [`  shutdown_grace_seconds: ${graceSeconds}`],
    polling: ['  backfill: 5'],
    rest: ['summary:', '  fetch_article: false', '  llm:', '    enabled: true', `    base_url: ${llm.origin}/v1`, '    timeout_ms: 300000', 'workers:', '  summarize_timeout_ms: 600000'],
  });
  await announcedPort(bot);
  await waitFor('the pipeline to ask the LLM for a summary', () => alive(bot) && llm.seen.requests >= 1, 20_000);
  return { bot, llm };
}

describe('cyberbrief run stopping while a feed stalls', () => {
  it('gives the stalled fetch up, leaves the feed due and unleased with no failure, and exits 0', async () => {
    const feed = await stalledServer();
    const { bot, dbFile } = startBot(feed.url);
    await announcedPort(bot);
    await waitFor('the bot to fetch the stalled feed', () => alive(bot) && feed.seen.requests === 1, 20_000);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    // The bot let go of the request before the server answered anything.
    expect(feed.seen.answered).toBe(0);
    await waitFor('the stalled request to be closed by the bot', () => feed.seen.closedByClient === 1, 10_000);
    expect(bot.output()).toContain('shutdown: stopped cleanly');
    expect(bot.output()).not.toContain('feed poll failed');

    const storage = await openStorage(dbFile, { existing: true });
    try {
      const [row] = await storage.feeds.list();
      expect(row).toMatchObject({ url: feed.url, errorCount: 0, lastError: null });
      const due = await storage.feeds.claimDue({ now: new Date(), limit: 10, owner: 'test-after-stop', leaseUntil: new Date(Date.now() + 60_000) });
      expect(due.map((f) => f.url)).toEqual([feed.url]);
    } finally {
      await storage.close();
    }
  });

  it('exits 1 after server.shutdown_grace_seconds, naming the component still stopping, when in-flight work outlasts it', async () => {
    // The grace of 1 s ends the wait.
    const { bot, llm } = await botWaitingOnLlm(1);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(1);
    expect(llm.seen.answered).toBe(0);
    const lines = bot.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number | string; msg: string });
    const gaveUp = lines.filter((l) => l.msg.startsWith('shutdown: '));
    expect(gaveUp.at(-1)!.msg).toBe('shutdown: pipeline did not stop within 1 s (server.shutdown_grace_seconds); exiting now: work still under way is released by its leases and taken up again at the next start.');
    expect(bot.output()).not.toContain('shutdown: stopped cleanly');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('a second signal (%s) while in-flight work holds the stop exits at once with %i, as `poll --once` does', async (second, code) => {
    // A grace of 60 s would outlast the test.
    const { bot } = await botWaitingOnLlm(60);
    bot.child.kill('SIGTERM');
    await waitFor('the bot to start stopping', () => bot.output().includes('finishing in-flight work'), 10_000);
    bot.child.kill(second);
    expect(await bot.exited).toBe(code);
    expect(bot.output()).toContain('shutdown: second signal, exiting now');
    expect(bot.output()).not.toContain('shutdown: stopped cleanly');
  });
});
