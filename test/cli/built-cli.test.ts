// The program as shipped: bin/cyberbrief running the bundle in dist/bundle/ (built by vitest's global setup
// when src/ changed), as child processes. Every module the ES module loader resolves is recorded
// (helpers/record-imports.mjs), and the build's dist/bundle/modules.json says which of dist/'s modules each
// bundle file holds, so these tests also say what each command loads: no TypeScript compiler and no source
// file at run time, worker threads on the bundle too, and no chat SDK without its token.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../src/cli/index.ts';
import { openStorage } from '../../src/storage/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/cyberbrief');
const RECORD = path.join(ROOT, 'test/helpers/record-imports.mjs');
const ROOT_URL = pathToFileURL(ROOT).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every module URL the loader resolved, in the main thread and in worker threads. */
  imports: string[];
}

/** The npm packages among the recorded imports (`@scope/name` or `name`). */
function packages(imports: string[]): Set<string> {
  const names = imports.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((n): n is string => !!n);
  return new Set(names);
}

/** Our own files among the recorded imports, relative to the project root. */
const ownFiles = (imports: string[]) => [...new Set(imports.filter((u) => u.startsWith(ROOT_URL) && !u.includes('/node_modules/')).map((u) => u.slice(ROOT_URL.length + 1)))];

/** Which of dist/'s modules each file of the bundle holds (written by scripts/build.mjs). */
const bundleModules = (): Record<string, string[]> => JSON.parse(readFileSync(path.join(ROOT, 'dist/bundle/modules.json'), 'utf8')) as Record<string, string[]>;

/** dist/'s modules that the recorded imports loaded: those the bundle files held, and any file outside the bundle. */
function ownModules(imports: string[]): string[] {
  const held = bundleModules();
  return [...new Set(ownFiles(imports).flatMap((f) => (f.startsWith('dist/bundle/') ? (held[f.slice('dist/bundle/'.length)] ?? [f]) : [f])))];
}

function newDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cyberbrief-built-'));
}

/** Runs `node [--import record-imports] <script> ...args` in `cwd` with only PATH, HOME and `env`. */
function runNode(cwd: string, script: string[], env: Record<string, string> = {}, opts: { until?: RegExp; signal?: NodeJS.Signals } = {}): Promise<Run> {
  const recordTo = path.join(cwd, `imports-${Math.random().toString(36).slice(2)}.txt`);
  const child = spawn(process.execPath, ['--import', RECORD, ...script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, RECORD_IMPORTS_TO: recordTo, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // One signal only: output written after it (the shutdown lines) still matches, and a second SIGTERM that
    // arrives once the bot has stopped and let go of its handlers ends it by the signal's default action.
    if (!signalled && opts.until?.test(stdout)) {
      signalled = true;
      child.kill(opts.signal ?? 'SIGTERM');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      const imports = existsSync(recordTo) ? readFileSync(recordTo, 'utf8').split('\n').filter(Boolean) : [];
      resolve({ code, stdout, stderr, imports });
    }),
  );
}

const cli = (cwd: string, args: string[], env: Record<string, string> = {}, opts = {}) => runNode(cwd, [BIN, ...args], env, opts);

/** Nothing of the sources or the compiler is loaded: only bin/ and the bundle of ours, no tsx, no TypeScript. */
function expectCompiledOnly(run: Run): void {
  const own = ownFiles(run.imports);
  expect(own.length).toBeGreaterThan(0);
  expect(own.filter((f) => !f.startsWith('dist/bundle/') && f !== 'bin/cyberbrief' && !f.startsWith('test/helpers/record-imports'))).toEqual([]);
  const pkgs = packages(run.imports);
  for (const compiler of ['tsx', 'typescript', 'esbuild']) expect(pkgs.has(compiler), compiler).toBe(false);
}

describe('bin/cyberbrief runs the build', () => {
  let feedServer: http.Server;
  let feedUrl = '';

  beforeAll(async () => {
    const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>
      <item><title>Cyber talks resume</title><link>http://127.0.0.1/a</link><guid>a</guid><description>Officials met.</description></item>
      <item><title>Norms working group meets</title><link>http://127.0.0.1/b</link><guid>b</guid><description>Diplomats met.</description></item>
      </channel></rss>`;
    feedServer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(body);
    });
    await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', r));
    feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/feed.xml`;
  });
  afterAll(() => new Promise<void>((r) => feedServer.close(() => r())));

  it('--help lists every command, exits 0, and loads no package at all', async () => {
    const run = await cli(newDir(), ['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: cyberbrief <command> \[options\]/);
    for (const c of SUBCOMMANDS) expect(run.stdout).toContain(`  ${c.name} `);
    expectCompiledOnly(run);
    expect([...packages(run.imports)]).toEqual([]);
  });

  it('poll --once with no feeds migrates a new SQLite file, says there are no feeds yet, exits 0, and loads neither chat SDK nor pg', async () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'none.yaml'), 'feeds: []\n');
    const dbFile = path.join(dir, 'data', 'bot.db');
    const run = await cli(dir, ['poll', '--once'], { CYBERBRIEF_CONFIG: 'none.yaml', DATABASE_URL: dbFile });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe('No feeds yet: add one with `cyberbrief feeds add URL` (or under feeds: in the configuration).');
    expectCompiledOnly(run);
    const pkgs = packages(run.imports);
    for (const absent of ['@slack/bolt', 'discord.js', 'pg', 'pino-pretty', 'linkedom', 'xml2js']) expect(pkgs.has(absent), absent).toBe(false);
    // Storage loaded from the bundle, kysely inside it: none of kysely's files was resolved on its own.
    expect(ownModules(run.imports)).toContain('dist/storage/index.js');
    expect(pkgs.has('kysely')).toBe(false);
    // The feed reader (parser, normaliser) loads on first use: nothing was read, so it never loaded.
    expect(ownModules(run.imports)).not.toContain('dist/feeds/read-feed.js');
    expect(ownModules(run.imports)).not.toContain('dist/cli/run.js');
    const storage = await openStorage(dbFile, { migrate: false });
    try {
      expect(await storage.pending()).toEqual([]);
      expect(await storage.feeds.list()).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('poll --once --all reads a local feed on a worker thread that runs compiled JavaScript', async () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'one.yaml'), `feeds:\n  - url: ${feedUrl}\n`);
    const run = await cli(dir, ['poll', '--once', '--all', '--json'], { CYBERBRIEF_CONFIG: 'one.yaml', DATABASE_URL: path.join(dir, 'bot.db'), CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1' });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { url: string; status: string; items: number; new: number });
    expect(lines).toMatchObject([{ url: feedUrl, status: 'new', items: 2, new: 2 }]);
    expectCompiledOnly(run);
    // The worker thread ran the bundle's worker.js, which holds the compiled worker.
    expect(ownFiles(run.imports)).toContain('dist/bundle/worker.js');
    const own = ownModules(run.imports);
    expect(own).toContain('dist/workers/worker.js');
    expect(own).toContain('dist/feeds/read-feed.js');
    // The lean client read it: undici's clients (and all of undici's index, 80 ms of start-up) never loaded.
    expect(run.imports.filter((u) => u.includes('/node_modules/undici/'))).toEqual([]);
    expect(own).not.toContain('dist/feeds/origin-clients.js');
  });

  it('run with no chat tokens starts on the console and loads neither chat SDK', async () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'none.yaml'), 'feeds: []\nserver:\n  host: 127.0.0.1\n');
    const run = await cli(dir, ['run'], { CYBERBRIEF_CONFIG: 'none.yaml', DATABASE_URL: path.join(dir, 'bot.db'), PORT: '0' }, { until: /Health at http:\/\/127\.0\.0\.1:\d+\/healthz/ });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/Alerts go to this console/);
    expect(run.stdout + run.stderr).toContain('shutdown: stopped cleanly');
    expectCompiledOnly(run);
    const pkgs = packages(run.imports);
    expect(pkgs.has('@slack/bolt')).toBe(false);
    expect(pkgs.has('discord.js')).toBe(false);
    expect(ownModules(run.imports)).toContain('dist/main.js');
    expect(ownModules(run.imports)).not.toContain('dist/platforms/slack/adapter.js');
    expect(ownModules(run.imports)).not.toContain('dist/platforms/discord/adapter.js');
  });

  it('ships every file the program reads beside its code: the dashboard\'s static files and data', () => {
    for (const file of ['dist/web/static/app.css', 'dist/web/static/preview.js', 'dist/bundle/static/app.css', 'dist/bundle/static/preview.js']) expect(existsSync(path.join(ROOT, file)), file).toBe(true);
  });

  // Node 22.1+ only: the compile cache goes to the system's temporary folder (TMPDIR here) unless told where.
  it.skipIf(!('enableCompileCache' in module))('keeps V8\'s compiled code of the bundle on disk between runs (Node 22.1 and later), unless NODE_DISABLE_COMPILE_CACHE is set', async () => {
    for (const [disabled, expected] of [[false, true], [true, false]] as const) {
      const tmp = newDir();
      const run = await cli(newDir(), ['--help'], { TMPDIR: tmp, ...(disabled ? { NODE_DISABLE_COMPILE_CACHE: '1' } : {}) });
      expect(run.code).toBe(0);
      const cache = path.join(tmp, 'node-compile-cache');
      const files = existsSync(cache) ? readdirSync(cache, { recursive: true }).length : 0;
      expect(files > 0, `files in ${cache} with NODE_DISABLE_COMPILE_CACHE ${disabled ? 'set' : 'unset'}`).toBe(expected);
    }
  });

  it('says in one sentence how to build when dist/ is missing, and exits 1', async () => {
    const dir = newDir();
    mkdirSync(path.join(dir, 'bin'));
    copyFileSync(BIN, path.join(dir, 'bin', 'cyberbrief'));
    const run = await runNode(dir, [path.join(dir, 'bin', 'cyberbrief'), '--help']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^cyberbrief: the program is not built \(.*dist\/bundle\/cli\.js is missing\); run `npm run build` in .* \(npm ci does it too\)\.$/m);
  });
});

describe('a chat SDK is loaded only when its platform is configured', () => {
  const SLACK = { SLACK_BOT_TOKEN: 'xoxb-lazy-test', SLACK_SIGNING_SECRET: 'lazy-signing-secret', SLACK_API_URL: 'http://127.0.0.1:9/api/' };
  const DISCORD = { DISCORD_TOKEN: 'lazy.discord.token', DISCORD_APPLICATION_ID: '800000000000000042', DISCORD_API_URL: 'http://127.0.0.1:9/api' };
  // Builds the platforms as `run` does (without starting them) in a fresh process, from dist/.
  const script = [
    `const { loadConfig } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/config/load.js')).href)});`,
    `const { createPlatforms } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/platforms/registry.js')).href)});`,
    `const { silentLogger } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/lib/logger.js')).href)});`,
    'const { platforms } = await createPlatforms(await loadConfig({ env: process.env }), silentLogger());',
    "process.stdout.write(platforms.map((p) => p.name).join(','));",
    'process.exit(0);',
  ].join('\n');

  it.each([
    { name: 'no tokens', env: {}, platforms: 'console', loaded: [], absent: ['@slack/bolt', 'discord.js'] },
    { name: 'Slack tokens', env: SLACK, platforms: 'slack', loaded: ['@slack/bolt'], absent: ['discord.js'] },
    { name: 'Discord tokens', env: DISCORD, platforms: 'discord', loaded: ['discord.js'], absent: ['@slack/bolt'] },
    { name: 'both', env: { ...SLACK, ...DISCORD }, platforms: 'slack,discord', loaded: ['@slack/bolt', 'discord.js'], absent: [] },
  ])('$name: $platforms', async ({ env, platforms, loaded, absent }) => {
    const run = await runNode(newDir(), ['--input-type=module', '-e', script], { DATABASE_URL: ':memory:', ...env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(platforms);
    const pkgs = packages(run.imports);
    for (const p of loaded) expect(pkgs.has(p), `${p} loaded`).toBe(true);
    for (const p of absent) expect(pkgs.has(p), `${p} not loaded`).toBe(false);
  });
});
