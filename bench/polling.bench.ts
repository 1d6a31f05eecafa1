// Polling at scale (issue 12): N generated feeds (RSS, 20 items, ETag and Last-Modified, a tenth changed each
// cycle) on a local feed farm spread over many loopback hosts, in a child process. cyberbrief runs as users
// run it: the built CLI `cyberbrief poll --once --all` with the DEFAULT configuration (only allow_hosts set,
// so the address guard lets loopback through) on a SQLite file, timed as a process, its peak resident memory
// read from /proc; beside it, in the same run against the same farm, the naive loop: rss-parser parseURL,
// 8 at a time, no conditional GET.
// a. the second poll of N feeds whose server answers after 200 ms;  b. the same with no delay, with its cycle
// time alone and two floors (the same requests through undici alone and through plain sockets: http-floor.ts),
// then again with the feeds served as static files by nginx when it is installed (nginx-farm.ts);
// w. the running bot (`cyberbrief run`): all feeds made due at once, four cycles, the later ones warm;
// c. two instances on PostgreSQL (TEST_DATABASE_URL) polling one feed table, each its own process.
// Sizes by environment: POLL_BENCH_FEEDS (10000), POLL_BENCH_HOSTS (2000), POLL_BENCH_DELAY_MS (200),
// POLL_BENCH_NAIVE_DELAYED (2000: feeds the naive loop fetches in case a, where all N would take N/8 x 200 ms;
// its rate is measured there and projected to N), POLL_BENCH_PG_FEEDS (2000), POLL_BENCH_PG_CAP (100),
// POLL_BENCH_PG_DELAY_MS (1000: the server's delay in case c);
// POLL_BENCH_NODE_ARGS: node flags for cyberbrief, split on spaces (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof; node
// refuses --cpu-prof in NODE_OPTIONS, so they go on its command line).
// Run: npm run bench -- polling
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import RssParser from 'rss-parser';
import { openStorage } from '../src/storage/index.ts';
import { socketFloor, undiciFloor, type FloorRequest } from './helpers/http-floor.ts';
import { startNginxFarm } from './helpers/nginx-farm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const FEEDS = env('POLL_BENCH_FEEDS', 10_000);
const HOSTS = Math.min(env('POLL_BENCH_HOSTS', 2_000), FEEDS);
const DELAY = env('POLL_BENCH_DELAY_MS', 200);
const NAIVE_DELAYED = Math.min(env('POLL_BENCH_NAIVE_DELAYED', 2_000), FEEDS);
const PG_FEEDS = Math.min(env('POLL_BENCH_PG_FEEDS', 2_000), FEEDS);
const PG_CAP = env('POLL_BENCH_PG_CAP', 100);
const PG_DELAY = env('POLL_BENCH_PG_DELAY_MS', 1000);
const PG_URL = process.env.TEST_DATABASE_URL?.trim() || null;
/** POLL_BENCH_CASES: which of a, b, w, c to run (default all; the first poll always runs unless only c is asked). */
const CASES = new Set((process.env.POLL_BENCH_CASES ?? 'abwc').split(''));
const node = process.execPath;
const nodeArgs = (process.env.POLL_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const bin = path.join(root, 'bin', 'cyberbrief');
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const built = spawnSync(node, [path.join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  console.log('polling bench: the build failed; see above.');
  process.exit(1);
}

// ---- the feed farm -------------------------------------------------------------------------------------
type FarmReply = { ok: boolean; port?: number; changed?: number; full?: number; notModified?: number; once?: number; more?: number; never?: number };
const farm: ChildProcess = spawn(node, ['--import', 'tsx', path.join(root, 'bench', 'helpers', 'feed-farm.ts')], {
  env: { ...process.env, FEEDS: String(FEEDS), HOSTS: String(HOSTS) },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const replies: Array<(r: FarmReply) => void> = [];
farm.on('message', (m: FarmReply) => replies.shift()?.(m));
const next = () => new Promise<FarmReply>((resolve) => replies.push(resolve));
const ask = (msg: object) => {
  const r = next();
  farm.send(msg);
  return r;
};
const ready = await next();
const port = ready.port!;
const hostAddress = (h: number) => `127.1.${(h + 1) >> 8}.${(h + 1) & 255}`;
const farmFeedUrl = (i: number) => `http://${hostAddress(i % HOSTS)}:${port}/f/${i}.xml`;
const urls = Array.from({ length: FEEDS }, (_, i) => farmFeedUrl(i));

const dir = mkdtempSync(path.join(os.tmpdir(), 'cyberbrief-polling-'));
// The default configuration, but for loopback being allowed (the farm's hosts are 127.1.x.y).
// POLL_BENCH_LEAN_HTTP=false runs cyberbrief with undici alone (polling.lean_http: false), for comparison.
const leanHttpLine = process.env.POLL_BENCH_LEAN_HTTP === 'false' ? '  lean_http: false\n' : '';
writeFileSync(path.join(dir, 'default-config.yaml'), `polling:\n  allow_hosts: ["127.1.0.0/16"]\n${leanHttpLine}feeds: []\n`);
const sqliteFile = path.join(dir, 'bench.db');

async function addFeeds(url: string, list: readonly string[]): Promise<void> {
  const storage = await openStorage(url);
  try {
    for (const u of list) await storage.feeds.add({ url: u, source: 'cli' });
  } finally {
    await storage.close();
  }
}

interface CliRun {
  seconds: number;
  peakMb: number;
  /** CPU (user + system, all threads) of the process, from /proc at its last sample. */
  cpuSeconds: number;
  /** CPU of its main thread (the event loop: HTTP, scheduling, SQLite) alone. */
  mainCpuSeconds: number;
  /** CPU by thread (main thread, worker threads, V8's GC helpers, libuv's pool), at the last sample. */
  threads: Record<string, number>;
  /**
   * The main thread's scheduler statistics (/proc/PID/task/PID/schedstat), seconds: running, and waiting for a
   * core while runnable (other processes' work on a shared machine; near 0 on a quiet one).
   */
  mainRun: number;
  mainWaitCore: number;
  /** The `poll cycle done` log line's fields, when the run logged at info. */
  cycle: Record<string, unknown> | null;
  /** Seconds from the start of the process to that line's arrival (null without it): the run's end is the rest. */
  cycleLineAt: number | null;
  lines: Record<string, number>;
}

/** CPU seconds per thread, the busiest first, keyed `name/tid` (Node leaves most threads named after the process). */
function byThread(threads: Map<string, { name: string; ticks: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tid, t] of [...threads].sort((a, b) => b[1].ticks - a[1].ticks)) out[`${t.name}/${tid}`] = t.ticks / 100;
  return out;
}

/** Runs bin/cyberbrief as a child process; counts its output lines by status; samples its peak RSS (VmHWM). */
function runCli(args: string[], vars: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(node, [...nodeArgs, bin, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    let cpuTicks = 0;
    let mainTicks = 0;
    let sched = [0, 0];
    const perThread = new Map<string, { name: string; ticks: number }>();
    const ticks = (stat: string) => {
      // Fields 14 and 15 of a stat file (after the parenthesised name): utime, stime in clock ticks.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        cpuTicks = Math.max(cpuTicks, ticks(readFileSync(`/proc/${child.pid}/stat`, 'utf8')));
        mainTicks = Math.max(mainTicks, ticks(readFileSync(`/proc/${child.pid}/task/${child.pid}/stat`, 'utf8')));
        sched = readFileSync(`/proc/${child.pid}/task/${child.pid}/schedstat`, 'utf8').split(' ').map(Number);
        for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
          const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
          perThread.set(tid, { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: ticks(stat) });
        }
      } catch {
        // the process has ended
      }
    };
    const sampler = setInterval(sample, 10);
    const lines: Record<string, number> = {};
    let rest = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      const text = rest + d.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop()!;
      for (const l of parts) {
        const status = l.split(' ')[0] ?? '';
        lines[status] = (lines[status] ?? 0) + 1;
      }
    });
    let cycleLineAt: number | null = null;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      if (cycleLineAt === null && stderr.includes('"poll cycle done"')) cycleLineAt = (performance.now() - t0) / 1000;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      const seconds = (performance.now() - t0) / 1000;
      const line = stderr.split('\n').find((l) => l.includes('"poll cycle done"'));
      if (code !== 0) reject(new Error(`polling bench: cyberbrief ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ seconds, peakMb: peakKb / 1024, cpuSeconds: cpuTicks / 100, mainCpuSeconds: mainTicks / 100, threads: byThread(perThread), mainRun: (sched[0] ?? 0) / 1e9, mainWaitCore: (sched[1] ?? 0) / 1e9, lines, cycle: line ? (JSON.parse(line) as Record<string, unknown>) : null, cycleLineAt });
    });
    // Read the peak just before exit as well: VmHWM only grows, so the last sample is the peak.
    child.stdout!.on('end', sample);
  });
}

/** The naive bot: rss-parser parseURL, `concurrency` at a time, every feed fetched and parsed in full. */
async function naiveLoop(list: readonly string[], concurrency = 8): Promise<{ seconds: number; items: number; failed: number }> {
  const parser = new RssParser({ timeout: 30_000 });
  let nextIdx = 0;
  let items = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextIdx < list.length) {
        const u = list[nextIdx++]!;
        try {
          const n = (await parser.parseURL(u)).items.length;
          items += n;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, items, failed };
}

const summary = (r: CliRun) => Object.entries(r.lines).map(([k, v]) => `${v} ${k}`).join(', ');
const sqliteVars = { DATABASE_URL: sqliteFile, CYBERBRIEF_CONFIG: 'default-config.yaml' };

console.log(`polling bench: ${FEEDS} feeds of 20 items on ${HOSTS} loopback hosts (farm in a child process), ${os.availableParallelism()} CPUs, load ${load()}`);
if (CASES.has('a') || CASES.has('b') || CASES.has('w')) await addFeeds(sqliteFile, urls);

// ---- first poll (primes validators and stores the backlog) -----------------------------------------------
await ask({ cmd: 'delay', ms: 0 });
const first = CASES.has('a') || CASES.has('b') || CASES.has('w') ? await runCli(['poll', '--once', '--all'], sqliteVars) : null;
if (first) console.log(`first poll, no delay (stores ${FEEDS * 20} items): cyberbrief ${fmt(first.seconds, 2)} s, peak ${fmt(first.peakMb, 0)} MB (${summary(first)}); CPU ${fmt(first.cpuSeconds, 2)} s (main thread ${fmt(first.mainCpuSeconds, 2)} s; by thread ${Object.entries(first.threads).filter(([, cpu]) => cpu >= 0.01).map(([name, cpu]) => `${name} ${fmt(cpu, 2)} s`).join(', ')})`);

// ---- a. server answers after DELAY ms ----------------------------------------------------------------------
if (CASES.has('a')) {
  const { changed } = await ask({ cmd: 'cycle' });
  await ask({ cmd: 'delay', ms: DELAY });
  await ask({ cmd: 'reset' });
  const ours = await runCli(['poll', '--once', '--all'], sqliteVars);
  const s = await ask({ cmd: 'stats' });
  const naive = await naiveLoop(urls.slice(0, NAIVE_DELAYED));
  const projected = (naive.seconds / NAIVE_DELAYED) * FEEDS;
  console.log(`a. second poll, server answers after ${DELAY} ms, ${changed} changed (load ${load()}):`);
  console.log(`   cyberbrief (default configuration)   ${fmt(ours.seconds, 2).padStart(8)} s  peak ${fmt(ours.peakMb, 0)} MB  (${summary(ours)}; server: ${s.notModified} x 304, ${s.full} x 200)  target < 60 s, < 300 MB`);
  console.log(`   naive loop (rss-parser, 8 at a time) ${fmt(projected, 2).padStart(8)} s  projected from ${NAIVE_DELAYED} feeds in ${fmt(naive.seconds, 2)} s (${naive.failed} failed)`);
  console.log(`   ratio: cyberbrief ${fmt(projected / ours.seconds, 1)}x faster; ${ours.seconds < 60 && ours.peakMb < 300 ? 'target met' : 'TARGET MISSED'}`);
}

// ---- b. no delay -----------------------------------------------------------------------------------------
interface NoDelayFarm {
  /** Changes a tenth of the feeds; returns how many. */
  cycle(): Promise<number>;
  reset(): Promise<void>;
  stats(): Promise<{ notModified?: number; full?: number }>;
}

/** The second poll with no server delay, beside the naive loop and the two HTTP floors, all against `farmOf`. */
async function noDelayCase(title: string, farmOf: NoDelayFarm, list: readonly string[], vars: Record<string, string>, dbFile: string): Promise<void> {
  const changed = await farmOf.cycle();
  await farmOf.reset();
  const ours = await runCli(['poll', '--once', '--all'], { ...vars, LOG_LEVEL: 'info' });
  const s = await farmOf.stats();
  // The same command with nothing due: its CPU is the start-up, subtracted to get the CPU per poll.
  const idle = await runCli(['poll', '--once'], vars);
  const naive = await naiveLoop(list);
  console.log(`${title}, ${changed} changed (load ${load()}):`);
  console.log(`   cyberbrief (default configuration)   ${fmt(ours.seconds, 2).padStart(8)} s  peak ${fmt(ours.peakMb, 0)} MB  (${summary(ours)}; server: ${s.notModified} x 304, ${s.full} x 200)`);
  console.log(`   naive loop (rss-parser, 8 at a time) ${fmt(naive.seconds, 2).padStart(8)} s  (${naive.items} items, ${naive.failed} failed)`);
  console.log(`   ratio: cyberbrief ${fmt(naive.seconds / ours.seconds, 1)}x faster; target >= 3x: ${naive.seconds / ours.seconds >= 3 ? 'met' : 'MISSED'}`);
  const perPoll = ((ours.cpuSeconds - idle.cpuSeconds) / list.length) * 1000;
  console.log(`   cyberbrief CPU: ${fmt(ours.cpuSeconds, 2)} s for the run (main thread ${fmt(ours.mainCpuSeconds, 2)} s), ${fmt(idle.cpuSeconds, 2)} s for start-up alone (poll --once, nothing due; main thread ${fmt(idle.mainCpuSeconds, 2)} s): ${fmt(perPoll, 3)} ms per feed polled (${changed} of them parsed and stored)`);
  const threads = Object.entries(ours.threads).filter(([, cpu]) => cpu >= 0.01);
  console.log(`   cyberbrief CPU by thread: ${threads.map(([name, cpu]) => `${name} ${fmt(cpu, 2)} s`).join(', ')}`);
  // How much of the run the main thread was runnable but waited for a core: other processes' work on a shared
  // machine (near 0 on a quiet one). Read beside the load average to judge whether a run's wall times mean anything.
  console.log(`   cyberbrief's main thread: ran ${fmt(ours.mainRun, 2)} s, waited for a core ${fmt(ours.mainWaitCore, 2)} s, idle ${fmt(Math.max(0, ours.seconds - ours.mainRun - ours.mainWaitCore), 2)} s of the ${fmt(ours.seconds, 2)} s run`);
  const cycleMs = Number(ours.cycle?.duration_ms ?? NaN);
  if (Number.isFinite(cycleMs)) console.log(`   cyberbrief's cycle alone (its 'poll cycle done' line; start-up and opening the database left out, as the naive loop's start-up is): ${fmt(cycleMs / 1000, 2)} s, ${fmt(naive.seconds / (cycleMs / 1000), 1)}x faster than the naive loop`);
  if (Number.isFinite(cycleMs) && ours.cycleLineAt !== null) {
    const before = ours.cycleLineAt - cycleMs / 1000;
    console.log(`   cyberbrief's run in three parts: ${fmt(before, 2)} s before the cycle (the process, start-up, opening the database), the cycle ${fmt(cycleMs / 1000, 2)} s, ${fmt(ours.seconds - ours.cycleLineAt, 2)} s after it (printing the lines, stopping the workers, closing the database, the process's exit)`);
  }
  // Floors: the same conditional GETs (the validators cyberbrief just stored, so all are 304) with an HTTP
  // client alone, in this process like the naive loop, as many in flight as cyberbrief's ceiling.
  const validators = new Database(dbFile, { readonly: true });
  const requests = validators.prepare('select url, etag, last_modified as lastModified from feeds order by id').all() as FloorRequest[];
  validators.close();
  const floors = [
    ['undici alone (a Client per origin, dispatch, status kept)', await undiciFloor(requests, 256)],
    ['plain sockets (a hand-written request, the 304 head read)', await socketFloor(requests, 256)],
  ] as const;
  for (const [name, f] of floors) {
    const codes = Object.entries(f.codes).map(([c, n]) => `${n} x ${c === '0' ? 'failed' : c}`).join(', ');
    console.log(`   floor, ${name}: ${fmt(f.seconds, 2)} s, ${fmt(f.cpuSeconds, 2)} s CPU (${codes}); the naive loop / 3 is ${fmt(naive.seconds / 3, 2)} s`);
  }
}

if (CASES.has('b')) {
  const nodeFarm: NoDelayFarm = {
    cycle: async () => (await ask({ cmd: 'cycle' })).changed!,
    reset: async () => {
      await ask({ cmd: 'delay', ms: 0 });
      await ask({ cmd: 'reset' });
    },
    stats: () => ask({ cmd: 'stats' }),
  };
  await noDelayCase('b. second poll, no delay', nodeFarm, urls, sqliteVars, sqliteFile);

  // The same feeds as static files served by nginx, as the issue measured them: a server that costs the
  // two cores far less CPU than the Node farm, so what is left is the clients' own work.
  const nginxDir = path.join(dir, 'nginx');
  mkdirSync(nginxDir);
  const nginx = await startNginxFarm({ feeds: FEEDS, hosts: HOSTS, hostAddress, dir: nginxDir });
  if (!nginx) {
    console.log("b'. the same served by nginx: skipped, nginx is not installed (apt-get install nginx-light).");
  } else {
    try {
      const nginxFile = path.join(dir, 'nginx.db');
      const nginxUrls = Array.from({ length: FEEDS }, (_, i) => nginx.url(i));
      await addFeeds(nginxFile, nginxUrls);
      const vars = { DATABASE_URL: nginxFile, CYBERBRIEF_CONFIG: 'default-config.yaml' };
      await runCli(['poll', '--once', '--all'], vars); // first poll: primes validators, stores the backlog
      await noDelayCase("b'. the same served by nginx (static files, its own ETag and Last-Modified), second poll, no delay", { cycle: async () => nginx.cycle(), reset: () => nginx.reset(), stats: () => nginx.stats() }, nginxUrls, vars, nginxFile);
    } finally {
      await nginx.close();
    }
  }
}

// ---- w. the running bot -------------------------------------------------------------------------------------
// `cyberbrief run` as an operator runs it, its scheduler ticking every second with no start spread; the feeds
// are made due all at once, a tenth of them changed, four times over. The first cycle is the process's
// first; the later ones run warm (code compiled, pools made), as every cycle of a bot that runs for days
// does. Between cycles the bench waits out the farm's keep-alive (5 s), so each cycle opens its connections
// afresh, as one 15 minutes after the last would; the new items go through the pipeline (matching,
// clustering) meanwhile, as in the bot. Beside it, the naive loop in the same run.
async function runningBotCase(): Promise<void> {
  const config = path.join(dir, 'run-config.yaml');
  writeFileSync(config, 'server:\n  host: 127.0.0.1\npolling:\n  allow_hosts: ["127.1.0.0/16"]\n  tick: "* * * * * *"\n  jitter_seconds: 0\nfeeds: []\n');
  await ask({ cmd: 'delay', ms: 0 });
  const bot = spawn(node, [...nodeArgs, bin, 'run'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: sqliteFile, CYBERBRIEF_CONFIG: config, LOG_LEVEL: 'info', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cycles: Array<Record<string, unknown>> = [];
  const waiting: Array<() => void> = [];
  let output = '';
  const read = (d: Buffer) => {
    output += d.toString('utf8');
    const parts = output.split('\n');
    output = parts.pop()!;
    for (const l of parts) {
      if (!l.includes('"poll cycle done"')) continue;
      cycles.push(JSON.parse(l) as Record<string, unknown>);
      waiting.shift()?.();
    }
  };
  bot.stdout!.on('data', read);
  bot.stderr!.on('data', read);
  const nextCycle = () =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('polling bench: the running bot logged no poll cycle within 120 s')), 120_000);
      waiting.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  const ms: number[] = [];
  try {
    for (let round = 0; round < 4; round++) {
      await ask({ cmd: 'cycle' });
      await ask({ cmd: 'reset' });
      await new Promise((r) => setTimeout(r, 6_000));
      const done = nextCycle();
      const db = new Database(sqliteFile);
      db.pragma('busy_timeout = 10000');
      db.prepare('update feeds set next_check_at = 0').run();
      db.close();
      await done;
      const c = cycles.at(-1)!;
      if (Number(c.feeds) !== FEEDS) throw new Error(`polling bench: the running bot polled ${String(c.feeds)} feeds in a cycle, not ${FEEDS}`);
      ms.push(Number(c.duration_ms));
    }
  } finally {
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
  }
  const naive = await naiveLoop(urls);
  const warm = ms.slice(1).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)]! / 1000;
  console.log(`w. the running bot (cyberbrief run), all ${FEEDS} feeds due at once, ${FEEDS / 10} changed, four times (load ${load()}):`);
  console.log(`   its cycles ('poll cycle done'): ${ms.map((m) => fmt(m / 1000, 2)).join(', ')} s (the first is the process's first; the rest warm)`);
  console.log(`   naive loop (rss-parser, 8 at a time) ${fmt(naive.seconds, 2)} s`);
  console.log(`   ratio, warm cycles (median ${fmt(median, 2)} s): ${fmt(naive.seconds / median, 1)}x faster; the first cycle ${fmt(naive.seconds / (ms[0]! / 1000), 1)}x`);
}
if (CASES.has('w')) await runningBotCase();

// ---- c. two instances on PostgreSQL ------------------------------------------------------------------------
if (!CASES.has('c')) {
  // not asked for
} else if (!PG_URL) {
  console.log('c. two instances on PostgreSQL: skipped, TEST_DATABASE_URL is not set.');
} else {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const dbName = `cyberbrief_bench_${process.pid}`;
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${dbName}`;
  const pgUrl = u.toString();
  try {
    // Each instance is held to PG_CAP polls in flight (adaptive cap off) and the farm answers after PG_DELAY ms:
    // one instance is bound by latency, not by the two cores (shared with the farm, PostgreSQL and the second
    // instance), so the figure shows how the shared feed table (claims with FOR UPDATE SKIP LOCKED, batched
    // writes) lets a second instance add its share, not how two processes split two busy cores.
    writeFileSync(
      path.join(dir, 'pg-config.yaml'),
      `polling:\n  allow_hosts: ["127.1.0.0/16"]\n  concurrency: ${PG_CAP}\n  min_concurrency: ${PG_CAP}\n  adaptive_concurrency: false\nfeeds: []\n`,
    );
    const pgVars = { DATABASE_URL: pgUrl, CYBERBRIEF_CONFIG: 'pg-config.yaml', LOG_LEVEL: 'info' };
    const list = urls.slice(0, PG_FEEDS);
    await addFeeds(pgUrl, list);
    await ask({ cmd: 'delay', ms: 0 });
    await runCli(['poll', '--once', '--all'], pgVars); // prime: every later poll is a 304
    const makeDue = async () => {
      const storage = await openStorage(pgUrl);
      await storage.feeds.makeAllDue();
      await storage.close();
    };
    await ask({ cmd: 'delay', ms: PG_DELAY });
    const round = async (instances: number) => {
      await makeDue();
      await ask({ cmd: 'reset' });
      const t0 = performance.now();
      // Without --all: the feeds are due once; a feed polled by one instance is not due for the other.
      const runs = await Promise.all(Array.from({ length: instances }, () => runCli(['poll', '--once'], pgVars)));
      const seconds = (performance.now() - t0) / 1000;
      const s = await ask({ cmd: 'stats' });
      return { seconds, runs, s };
    };
    const one = await round(1);
    const two = await round(2);
    const rate = (r: { seconds: number }) => PG_FEEDS / r.seconds;
    console.log(`c. ${PG_FEEDS} feeds on PostgreSQL, server answers after ${PG_DELAY} ms, each instance ${PG_CAP} in flight, its own process (load ${load()}):`);
    console.log(`   one instance  ${fmt(one.seconds, 2).padStart(7)} s  ${fmt(rate(one), 0).padStart(6)} feeds/s  (fetched once: ${one.s.once}, more than once: ${one.s.more}, never: ${one.s.never})`);
    console.log(`   two instances ${fmt(two.seconds, 2).padStart(7)} s  ${fmt(rate(two), 0).padStart(6)} feeds/s  (fetched once: ${two.s.once}, more than once: ${two.s.more}, never: ${two.s.never}; split ${two.runs.map((r) => Object.values(r.lines).reduce((a, b) => a + b, 0)).join(' + ')})`);
    const cycles = (r: { runs: CliRun[] }) => r.runs.map((x) => (x.cycle ? `${x.cycle.feeds} feeds in ${fmt(Number(x.cycle.duration_ms) / 1000, 2)} s of ${fmt(x.seconds, 2)} s` : 'no cycle line')).join('; ');
    const pollingRate = (r: { runs: CliRun[] }) => PG_FEEDS / Math.max(...r.runs.map((x) => Number(x.cycle?.duration_ms ?? NaN) / 1000));
    console.log(`   polling itself (each process's cycle line, start-up left out): one: ${cycles(one)}; two: ${cycles(two)}; ${fmt(pollingRate(two) / pollingRate(one), 2)}x`);
    console.log(`   ratio: ${fmt(rate(two) / rate(one), 2)}x the feeds per second of one; target >= 1.7x: ${rate(two) / rate(one) >= 1.7 ? 'met' : 'MISSED'}; each feed once: ${two.s.once === PG_FEEDS ? 'yes' : 'NO'}`);
  } finally {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
}

farm.send({ cmd: 'exit' });
await new Promise((resolve) => farm.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
