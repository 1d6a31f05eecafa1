// In JSON log mode (stdout not a terminal) every line `cyberbrief run` writes, on stdout and on stderr,
// is a JSON object: its own logs, the start-up lines, alerts printed by the console adapter, and what
// node-cron reports when a tick overlaps a slow poll or the process was stopped past its ticks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { alive, startBotProcess, type Bot } from '../helpers/bot-process.ts';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Slow Wire</title>
  <item><title>Dutch government accuses Russian military intelligence of hacking the port of Rotterdam</title>
  <link>/s1</link><guid>s1</guid><description>Officials attributed the intrusion to a GRU unit and summoned the Russian ambassador.</description></item>
  </channel></rss>`;

type LogLine = { level: string; msg: string; component?: string; [k: string]: unknown };

/** Every non-empty line parsed; a line that is not a JSON object fails the test, naming it. */
function jsonLines(stream: string, name: string): LogLine[] {
  return stream
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch {
        throw new Error(`${name} has a line that is not JSON: ${JSON.stringify(l)}`);
      }
      expect(v, `${name}: ${l}`).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
      return v as LogLine;
    });
}

describe('cyberbrief run with JSON logs', () => {
  let bot: Bot | null = null;
  let server: http.Server | null = null;
  afterEach(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGCONT');
      bot.child.kill('SIGKILL');
    }
    await bot?.exited;
    bot = null;
    server?.close();
    server = null;
  });

  it('writes only JSON lines, node-cron warnings and console alerts included', async () => {
    // The story's feed answers at once. The other takes 2.5 s and fails, so it is due again a second later
    // (backoff from 1 s) and polled by a tick, while the tick is every second: node-cron reports the
    // overlapping ticks. (The bot's first poll, at start-up, is not one of node-cron's runs.)
    server = http.createServer((req, res) => {
      if (req.url === '/feed.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(FEED);
        return;
      }
      setTimeout(() => res.writeHead(500).end(), 2500);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-json-logs-'));
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'feeds:',
        `  - url: http://127.0.0.1:${port}/feed.xml`,
        `  - url: http://127.0.0.1:${port}/slow.xml`,
        'server:\n  host: 127.0.0.1',
        'polling:\n  tick: "* * * * * *"\n  jitter_seconds: 0\n  backfill: 5\n  interval_seconds: 60\n  backoff_base_seconds: 1',
        'summary:\n  fetch_article: false',
        'log:\n  format: json',
        '',
      ].join('\n'),
    );
    bot = startBotProcess(dir, {
      PORT: '0',
      LOG_LEVEL: 'debug',
      DATABASE_URL: path.join(dir, 'bot.db'),
      CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
      CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1',
    });
    const b = bot;
    const records = () => jsonLines(b.stdout(), 'stdout');
    await waitFor('the console alert', () => alive(b) && records().some((r) => r.msg.includes('[console] ■ Dutch government accuses')), 30_000);
    await waitFor('node-cron reporting an overlapping tick', () => alive(b) && records().some((r) => r.component === 'node-cron' && /overlap/.test(r.msg)), 30_000);

    // Stopped for 3 s (as a paused VM or a blocked event loop would be): node-cron reports missed ticks.
    b.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 3000));
    b.child.kill('SIGCONT');
    await waitFor('node-cron reporting missed ticks', () => alive(b) && records().some((r) => r.component === 'node-cron' && /missed execution/.test(r.msg)), 30_000);

    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const out = jsonLines(b.stdout(), 'stdout');
    jsonLines(b.stderr(), 'stderr');
    expect(out.find((r) => /^cyberbrief is running/.test(r.msg))).toBeDefined();
    expect(out.find((r) => /Health at http:\/\/127\.0\.0\.1:\d+\/healthz/.test(r.msg))).toBeDefined();
    expect(out.find((r) => r.msg === 'shutdown: stopped cleanly')).toBeDefined();
    expect(b.output()).not.toContain('\u001b[');
  }, 120_000);
});
