import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { formatPollLine, pollRow } from '../../src/cli/poll.ts';
import type { PollResult } from '../../src/feeds/poller.ts';
import { serve, startFeedServer, type FeedServer } from '../feeds/helpers/feed-server.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'feeds', 'fixtures');

async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { LOG_LEVEL: 'silent', ...env }, cwd: env.CWD ?? tmpdir() });
  // Result lines are written many at a time.
  return { code, writes: out.length, stdout: out.flatMap((s) => s.split('\n')), stderr: err.join('\n') };
}

describe('cyberbrief poll --once', () => {
  let server: FeedServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startFeedServer();
    server.route('/rss', (req, res) => {
      if (req.headers['if-none-match'] === '"r1"') return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"r1"' }).end(readFileSync(path.join(FIXTURES, 'rss2.xml')));
    });
    server.route('/broken', serve('nope', {}, 500));
    server.route('/html', serve('<!DOCTYPE html><html><body>hi</body></html>', { 'content-type': 'text/html' }));
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-'));
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, ['feeds:', `  - url: ${server.url('/rss')}`, `  - url: ${server.url('/broken')}`, `  - url: ${server.url('/html')}`, 'polling:', '  total_timeout_ms: 3000', ''].join('\n'));
    env = { CYBERBRIEF_CONFIG: config, DATABASE_URL: '', CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1', CWD: dir };
  });
  // A database of each case's own: a case that needs an earlier poll runs it (they ran in file order only).
  beforeEach(() => {
    env = { ...env, DATABASE_URL: path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-db-')), 'poll.db') };
  });
  afterAll(async () => server.close());

  it('polls every configured feed once, one JSON line each; a failing feed does not stop the run', async () => {
    const r = await cli(['poll', '--once', '--json'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    const byUrl = Object.fromEntries(lines.map((l) => [l.url, l]));
    expect(Object.keys(byUrl).sort()).toEqual([server.url('/broken'), server.url('/html'), server.url('/rss')].sort());
    expect(byUrl[server.url('/rss')]).toMatchObject({ status: 'new', items: 3, new: 3, error: null });
    expect(byUrl[server.url('/broken')]).toMatchObject({ status: 'error', items: 0, new: 0, error: { class: 'fetch_http', message: expect.stringMatching(/HTTP 500/) } });
    expect(byUrl[server.url('/html')]).toMatchObject({ status: 'error', error: { class: 'parse' } });
    for (const l of lines) expect(Object.keys(l)).toEqual(['url', 'status', 'items', 'new', 'ms', 'error']);
  });

  it('--all polls again, the unchanged feed answers 304; text output has one line per feed', async () => {
    expect((await cli(['poll', '--once'], env)).code).toBe(0);
    const r = await cli(['poll', '--once', '--all'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(3);
    expect(r.stdout.find((l) => l.includes('/rss'))).toMatch(/^not_modified +not modified +\d+ ms {2}http:\/\/127\.0\.0\.1:\d+\/rss$/);
    expect(r.stdout.find((l) => l.includes('/broken'))).toMatch(/^error +failed .*fetch_http: fetcher: .*HTTP 500/);
    expect(r.stderr).toMatch(/3 feeds polled, 0 new items, 2 failed\./);
  });

  it('a feed read again with nothing new says so, in text and in JSON alike (it said status "new" with 0 new)', async () => {
    const srv = await startFeedServer();
    try {
      // No validators: every poll reads the whole document again.
      srv.route('/again', serve(readFileSync(path.join(FIXTURES, 'rss2.xml'), 'utf8'), { 'content-type': 'application/rss+xml' }));
      const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-again-'));
      writeFileSync(path.join(dir, 'config.yaml'), ['feeds:', `  - url: ${srv.url('/again')}`, ''].join('\n'));
      const again = { ...env, CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: path.join(dir, 'again.db'), CWD: dir };
      const json = async () => (await cli(['poll', '--once', '--all', '--json'], again)).stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(await json()).toMatchObject([{ status: 'new', items: 3, new: 3 }]);
      expect(await json()).toMatchObject([{ status: 'nothing_new', items: 3, new: 0, error: null }]);
      const text = await cli(['poll', '--once', '--all'], again);
      expect(text.stdout).toHaveLength(1);
      expect(text.stdout[0]).toMatch(/^nothing_new +3 items, 0 new +\d+ ms {2}http:\/\/127\.0\.0\.1:\d+\/again$/);
      expect(text.stderr).toBe('1 feed polled, 0 new items, 0 failed.');
    } finally {
      await srv.close();
    }
  });

  it('without --all nothing is due right after a poll', async () => {
    expect((await cli(['poll', '--once'], env)).code).toBe(0);
    const r = await cli(['poll', '--once'], env);
    expect(r.stdout).toEqual([]);
    expect(r.stderr).toMatch(/^No feed was due; the next is due (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC \(use --all to poll every enabled feed\)\.$/);
  });

  it('refuses 127.0.0.1 when it is not allowed', async () => {
    const { CYBERBRIEF_ALLOW_HOSTS: _drop, ...strict } = env;
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-strict-'));
    const r = await cli(['poll', '--once', '--json'], { ...strict, DATABASE_URL: path.join(dir, 'strict.db') });
    const lines = r.stdout.map((l) => JSON.parse(l) as { error: { class: string } });
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.error.class).toBe('fetch_blocked_address');
    // Every feed failed: the exit status says so, for scripts (a run where only some fail exits 0, above).
    expect(r.code).toBe(1);
  });

  it('writes the lines many at a time, each cleaned on its own: an escape sequence left open in one line hides none of the others', async () => {
    const hostile = startFeedServer();
    const srv = await hostile;
    try {
      // The page names a "feed" whose address opens an OSC string and never ends it; the parse error quotes it.
      const page = '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="https://x.example/\u001b]0;pwned"></head></html>';
      const paths = ['/a', '/osc1', '/b', '/osc2', '/c', '/d'];
      for (const p of paths) srv.route(p, p.startsWith('/osc') ? serve(page, { 'content-type': 'text/html' }) : serve('nope', {}, 500));
      const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-osc-'));
      const config = path.join(dir, 'config.yaml');
      writeFileSync(config, ['feeds:', ...paths.map((p) => `  - url: ${srv.url(p)}`), 'polling:', '  total_timeout_ms: 3000', ''].join('\n'));
      const r = await cli(['poll', '--once'], { ...env, CYBERBRIEF_CONFIG: config, DATABASE_URL: path.join(dir, 'osc.db'), CWD: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('6 feeds polled, 0 new items, 6 failed.');
      expect(r.writes).toBe(1);
      expect(r.stdout).toHaveLength(paths.length);
      for (const p of paths) expect(r.stdout.filter((l) => l.includes(srv.url(p))), p).toHaveLength(1);
      for (const l of r.stdout) expect(l).not.toMatch(/\u001b/);
      expect(r.stdout.filter((l) => l.includes('names a feed at https://x.example/'))).toHaveLength(2);
    } finally {
      await srv.close();
    }
  });

  it('hides a password that a feed\'s error quotes, in the one line that holds it, and leaves the other lines as they are', async () => {
    const srv = await startFeedServer();
    try {
      // The page names a "feed" at an address with a password; the parse error quotes the address.
      const page = '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="https://reader:hunter2secret@x.example/rss"></head></html>';
      const paths = ['/a', '/named', '/c'];
      for (const p of paths) srv.route(p, p === '/named' ? serve(page, { 'content-type': 'text/html' }) : serve('nope', {}, 500));
      const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-pass-'));
      const config = path.join(dir, 'config.yaml');
      writeFileSync(config, ['feeds:', ...paths.map((p) => `  - url: ${srv.url(p)}`), 'polling:', '  total_timeout_ms: 3000', ''].join('\n'));
      const r = await cli(['poll', '--once'], { ...env, CYBERBRIEF_CONFIG: config, DATABASE_URL: path.join(dir, 'pass.db'), CWD: dir });
      expect(r.writes).toBe(1);
      expect(r.stdout).toHaveLength(3);
      expect(r.stdout.join('\n')).not.toContain('hunter2secret');
      const named = r.stdout.filter((l) => l.includes(srv.url('/named')));
      expect(named).toHaveLength(1);
      expect(named[0]).toContain('names a feed at https://reader:[redacted]@x.example/rss');
      for (const p of ['/a', '/c']) expect(r.stdout.filter((l) => l.includes(srv.url(p)) && /^error +failed +\d+ ms {2}http:\/\/127\.0\.0\.1:\d+\/[ac] {2}\w+: /.test(l)), p).toHaveLength(1);
    } finally {
      await srv.close();
    }
  });

  it.each([
    ['no feeds at all', [] as string[], ['poll', '--once', '--all'], 'No feeds yet: add one with `cyberbrief feeds add URL` (or under feeds: in the configuration).'],
    ['only a disabled feed, even with --all', ['feeds add https://off.example/rss', 'feeds disable 1'], ['poll', '--once', '--all'], "No feed is enabled (1 disabled): 'cyberbrief feeds enable ID' polls one again."],
  ])('polling nothing with %s says why and what to do', async (_name, setup, argv, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-none-'));
    writeFileSync(path.join(dir, 'config.yaml'), 'feeds: []\n');
    const none = { CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: path.join(dir, 'none.db'), CWD: dir };
    for (const line of setup) expect((await cli(line.split(' '), none)).code).toBe(0);
    expect(await cli(argv, none)).toMatchObject({ code: 0, stdout: [], stderr: message });
  });

  it('requires --once', async () => {
    const r = await cli(['poll'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--once is required/);
  });
});

describe('a poll line', () => {
  // It said "1 items, 1 new".
  // A document read again with nothing new said "new          3 items, 0 new".
  it.each([
    { items: 1, fresh: 1, updated: 0, status: 'new', counts: '1 item, 1 new' },
    { items: 4, fresh: 1, updated: 1, status: 'new', counts: '4 items, 1 new, 1 changed' },
    { items: 3, fresh: 0, updated: 0, status: 'nothing_new', counts: '3 items, 0 new' },
    { items: 3, fresh: 0, updated: 1, status: 'nothing_new', counts: '3 items, 0 new, 1 changed' },
    { items: 0, fresh: 0, updated: 0, status: 'nothing_new', counts: '0 items, 0 new' },
  ])('says "$status $counts", the same status as its JSON', ({ items, fresh, updated, status, counts }) => {
    const r: PollResult = { feedId: 1, url: 'https://a.example/rss', status: 'new', items, new: fresh, updated, queued: fresh, ms: 12, nextCheckAt: new Date(0) };
    expect(formatPollLine(r)).toBe(`${status.padEnd(12)} ${counts.padEnd(28)}     12 ms  https://a.example/rss`);
    expect(JSON.parse(JSON.stringify(pollRow(r)))).toEqual({ url: r.url, status, items, new: fresh, ms: 12, error: null });
  });
});

describe('cyberbrief poll --once stopped by a signal (the built CLI, a child process)', () => {
  // The process died at once and left every claimed feed leased for a minute and a half: a poll or a bot
  // started right after polled none of them ("each is being polled by another process").
  it.each(testDatabases.flatMap((db) => (['SIGTERM', 'SIGINT'] as const).map((signal) => ({ db, signal, name: `${signal} on ${db.name}` }))))('$name: the poll under way finishes, the feeds are given back, exit 128+n', async ({ db, signal }) => {
    notePostgresSkip();
    const { url, drop } = await db.create();
    const requests: string[] = [];
    let firstRequest: () => void = () => undefined;
    const requested = new Promise<void>((resolve) => (firstRequest = resolve));
    // Answers nothing: each poll runs into polling.total_timeout_ms.
    const server = http.createServer((req) => {
      requests.push(req.url ?? '');
      firstRequest();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-poll-signal-'));
    try {
      writeFileSync(
        path.join(dir, 'config.yaml'),
        [
          `feeds: [${['a', 'b', 'c'].map((n) => `{ url: "${base}/${n}" }`).join(', ')}]`,
          'polling: { jitter_seconds: 0, total_timeout_ms: 1500, concurrency: 1, min_concurrency: 1, adaptive_concurrency: false, per_host_concurrency: 1 }',
        ].join('\n'),
      );
      const env = { ...process.env, DATABASE_URL: url, CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'silent' };
      const child = spawn(process.execPath, [BIN, 'poll', '--once'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await requested;
      child.kill(signal);
      const code = await exited;
      expect({ code, stdout: stdout.trim().split('\n').length, stderr: stderr.trim().split('\n') }).toEqual({
        code: signal === 'SIGINT' ? 130 : 143,
        stdout: 1,
        stderr: [`cyberbrief poll: ${signal} received; finishing the polls under way and giving the other feeds back (again to stop at once).`, `1 feed polled before ${signal}, 0 new items, 1 failed.`],
      });
      // Nothing is held: the next poll takes every feed at once.
      const again = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'poll', '--once', '--all', '--json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        c.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out }));
      });
      // The server never answers, so every feed fails again: exit status 1.
      expect(again.code).toBe(1);
      expect(again.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { url: string }).url).sort()).toEqual(['a', 'b', 'c'].map((n) => `${base}/${n}`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      rmSync(dir, { recursive: true, force: true });
      await drop();
    }
    // Two child processes each starting the built CLI (and PostgreSQL's database made and dropped): 4-10 s
    // alone, over 30 s on two busy cores beside other files' bots.
  }, 120_000);
});
