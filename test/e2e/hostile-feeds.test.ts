// Issue 11, end to end: the real bot (`cyberbrief run`) polls feeds whose descriptions hold 200 KB of
// unclosed `<a` (in CDATA, escaped, raw, in content:encoded) and 100 KB of dots, matches, summarises and
// posts them, while /healthz, asked every 50 ms throughout, answers every time. Then, while a worker is
// reading a 9 MB hostile feed, /healthz is answered and SIGTERM handled, and the bot stops cleanly (the read
// given up: the feed stays due, nothing held against it).
// Before the fix one such feed held the event loop for about a minute and the signal waited with it.
// No wall-clock bound: that the event loop is free during a hostile read is shown by order, in the bot's own
// log (one stream, written by the main thread): it says a worker is reading the big feed; only then is
// /healthz asked, and only once it has answered is SIGTERM sent; the bot must log the signal before it logs
// that the read is over. With the read on the main thread, nothing could come between those two lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { alive, announcedPort, startBotProcess } from '../helpers/bot-process.ts';

const KB = 1024;
const unclosed = '<a'.repeat((200 * KB) / 2);
const escapedUnclosed = '&lt;a'.repeat((200 * KB) / 5);

/** One matching story per feed (each its own, so no two join one cluster), with hostile text after its lead. */
const STORIES = [
  {
    path: '/cdata.xml',
    title: 'Dutch government accuses Russian military intelligence of hacking the port of Rotterdam',
    lead: 'Officials attributed the intrusion to a GRU unit and summoned the Russian ambassador.',
    field: (s: string) => `<description><![CDATA[${s} ${unclosed}]]></description>`,
  },
  {
    path: '/escaped.xml',
    title: 'Germany accuses Chinese state hackers of cyberespionage against its foreign ministry',
    lead: 'Berlin summoned the Chinese ambassador after investigators traced the intrusion to a state-backed group.',
    field: (s: string) => `<description>${s} ${escapedUnclosed}</description>`,
  },
  {
    path: '/raw.xml',
    title: 'Canada summons Iranian ambassador over state-sponsored hacking of its power grid',
    lead: 'Ottawa said a state-backed group broke into the control systems of two utilities.',
    field: (s: string) => `<description>${s} ${unclosed}</description>`,
  },
  {
    path: '/encoded.xml',
    title: 'Poland blames Russian military intelligence for cyberattack on railway signalling',
    lead: 'Warsaw said the GRU was behind the attack on critical infrastructure.',
    field: (s: string) => `<description>${s}</description><content:encoded>${s} ${escapedUnclosed}</content:encoded>`,
  },
  {
    path: '/dots.xml',
    title: 'Japan accuses North Korean state hackers of stealing trade secrets from defence firms',
    lead: 'Tokyo said the cyberespionage campaign targeted intellectual property.',
    field: (s: string) => `<description>${s} ${'.'.repeat(100 * KB)}</description>`,
  },
];

const rss = (title: string, body: string) =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>${title}</title>${body}</channel></rss>`;

/** 9 MB (under polling.max_body_bytes, 10 MB): 900 entries, each with 10 KB of escaped unclosed `<a`; it takes a worker a good while to read. */
const BIG = rss('Big', Array.from({ length: 900 }, (_, i) => `<item><title>Filler ${i}</title><link>https://big.example.com/${i}</link><description>${'&lt;a'.repeat(2 * KB)}</description></item>`).join(''));

interface Probe {
  status: number | string;
  /**
   * Sent once SIGTERM was, or in the second before it and answered after it: the server may be closing, and a
   * request on a kept-alive connection that the server closes as idle before it reads the request fails
   * ("other side closed"), which no server can prevent; so a failure then is no failure of the bot.
   */
  afterSignal: boolean;
}

/** How long before the signal a probe that fails after it may have been sent and still met the closing server. */
const CLOSING_RACE_MS = 1_000;

describe('cyberbrief run on hostile feeds', () => {
  it('answers /healthz while it polls, summarises and posts them, and answers /healthz and SIGTERM while a worker reads a hostile feed', { timeout: 180_000 }, async () => {
    let releaseBig: () => void = () => undefined;
    const bigHeld = new Promise<void>((r) => (releaseBig = r));
    const server = http.createServer((req, res) => {
      const story = STORIES.find((s) => s.path === req.url);
      if (story) {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(rss('Hostile', `<item><title>${story.title}</title><link>https://hostile.example.com${story.path}</link><guid>${story.path}</guid>${story.field(story.lead)}</item>`));
        return;
      }
      if (req.url === '/big.xml') {
        // Held until the first phase is over, so its reading overlaps the signal.
        void bigHeld.then(() => {
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          res.end(BIG);
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const feedPort = (server.address() as AddressInfo).port;

    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-hostile-'));
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'feeds:',
        ...[...STORIES.map((s) => s.path), '/big.xml'].map((p) => `  - url: http://127.0.0.1:${feedPort}${p}`),
        'server:\n  host: 127.0.0.1',
        'polling:\n  tick: "* * * * * *"\n  jitter_seconds: 0\n  backfill: 5\n  per_host_concurrency: 8',
        'summary:\n  fetch_article: false',
        'delivery:\n  channel_interval_ms: 50',
        '',
      ].join('\n'),
    );
    const bot = startBotProcess(dir, { PORT: '0', DATABASE_URL: path.join(dir, 'bot.db'), CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'debug' });
    const probes: Probe[] = [];
    let inFlight = 0;
    let signalSentAt: number | undefined;
    let ticker: NodeJS.Timeout | undefined;
    try {
      const port = await announcedPort(bot, 60_000);
      await (await fetch(`http://127.0.0.1:${port}/healthz`)).arrayBuffer(); // this process's first fetch sets up its client
      ticker = setInterval(() => {
        inFlight++;
        const sentAt = Date.now();
        const afterSignal = () => signalSentAt !== undefined && sentAt >= signalSentAt - CLOSING_RACE_MS;
        fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(30_000) })
          .then(
            async (res) => {
              await res.arrayBuffer();
              probes.push({ status: res.status, afterSignal: afterSignal() });
            },
            (err: Error) => probes.push({ status: err.name, afterSignal: afterSignal() }),
          )
          .finally(() => inFlight--);
      }, 50);

      // Phase 1: every hostile story is polled, matched, summarised and posted to the console.
      // stdout is a pipe, so logs are JSON and each console alert is a record of its own (first line: the title).
      const posted = () =>
        bot
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { platform?: string; msg: string })
          .filter((r) => r.platform === 'console' && r.msg.startsWith('[console] ■ '))
          .map((r) => r.msg.split('\n')[0]!);
      await waitFor('the five hostile stories to be posted', () => alive(bot) && posted().length >= STORIES.length, 90_000);
      // Then probing goes on until more than 20 probes have answered (a fast machine posts the five stories
      // in about a second; the count is about the evidence, not the bot's speed).
      await new Promise((r) => setTimeout(r, 500));
      await waitFor('more than 20 /healthz probes to answer', () => probes.length > 20, 10_000);
      const phase1 = [...probes];
      expect(posted().map((l) => l.slice('[console] ■ '.length)).sort()).toEqual(STORIES.map((s) => s.title).sort());
      const polled = bot.output().split('\n').filter((l) => l.includes('"msg":"feed polled'));
      for (const s of STORIES) expect(polled.some((l) => l.includes(`${s.path}"`) && l.includes('"status":"new"')), s.path).toBe(true);
      expect(bot.output()).not.toMatch(/"error_class":"(?:internal|parse_timeout|summarize_timeout)"/);

      // Phase 2: the big hostile feed is sent. Once the bot has logged that a worker is reading it, /healthz is
      // asked; once that has answered, SIGTERM. Both answers must come before the bot logs the read as over.
      releaseBig();
      const records = () =>
        bot
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { msg: string; url?: string; time?: number | string });
      const lineOf = (msg: string, url?: string) => records().findIndex((r) => r.msg.startsWith(msg) && (url === undefined || r.url?.endsWith(url) === true));
      await waitFor('the bot to say a worker is reading the big feed', () => lineOf('workers: reading a feed', '/big.xml') >= 0, 60_000);
      const midRead = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(60_000) });
      await midRead.arrayBuffer();
      signalSentAt = Date.now();
      bot.child.kill('SIGTERM');
      await waitFor('the bot to log the signal', () => bot.output().includes('shutdown: SIGTERM received'), 60_000);
      clearInterval(ticker);
      expect(await Promise.race([bot.exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))])).toBe(0);
      await waitFor('the last probes to settle', () => inFlight === 0, 65_000);

      const out = bot.output();
      expect(out).toContain('shutdown: stopped cleanly');
      expect(midRead.status).toBe(200);
      // The order in the bot's log: reading began, /healthz was answered (before the signal was sent), and the
      // signal was handled while the read was still under way: the read was given up at shutdown (no line that
      // it ended, or one after the signal) and the big feed was never recorded as polled, nor as failed.
      const readStart = lineOf('workers: reading a feed', '/big.xml');
      const signalLine = lineOf('shutdown: SIGTERM received');
      const readEnd = lineOf('workers: feed read', '/big.xml');
      const bigPolled = records().findIndex((r) => r.url?.endsWith('/big.xml') === true && /^feed (polled|poll failed)/.test(r.msg));
      expect({ readStart: readStart >= 0, signalAfterStart: signalLine > readStart, readEndAfterSignal: readEnd === -1 || readEnd > signalLine, bigPolled }).toEqual({ readStart: true, signalAfterStart: true, readEndAfterSignal: true, bigPolled: -1 });

      // Every probe sent before the signal was answered, none failed or was dropped; one sent after it, or failing
      // after it within CLOSING_RACE_MS of being sent, may be answered 503 (stopping) or find the server closed.
      const failed = probes.filter((p) => !p.afterSignal && p.status !== 200 && p.status !== 503);
      const at = (line: number) => new Date(records()[line]!.time ?? 0).getTime();
      console.log(
        `hostile feeds: ${probes.length} /healthz probes answered (phase 1: ${phase1.length}); in the bot's log, the big feed's read began at line ${readStart}, ` +
          `SIGTERM was handled at line ${signalLine} (${at(signalLine) - at(readStart)} ms in), ${readEnd < 0 ? 'the read was given up unlogged' : `the read ended at line ${readEnd} (${at(readEnd) - at(readStart)} ms in)`} (times for the record, not asserted).`,
      );
      expect(failed).toEqual([]);
      expect(phase1.length).toBeGreaterThan(20);
    } catch (err) {
      // The bot's own account of what happened, with the probes that did not answer.
      const failed = probes.filter((p) => !p.afterSignal && p.status !== 200 && p.status !== 503).slice(0, 5);
      throw new Error(`${(err as Error).message}\nfailed probes: ${JSON.stringify(failed)}\nbot output (end):\n${bot.output().slice(-6000)}`, { cause: err });
    } finally {
      clearInterval(ticker);
      releaseBig();
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      server.close();
    }
  });
});
