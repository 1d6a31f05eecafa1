// Start-up: `cyberbrief --help` and `cyberbrief poll --once` (no feeds, a migrated SQLite file) run as
// users run them, bin/cyberbrief on the bundle in dist/bundle/, beside the same commands run from tsc's
// per-file build in dist/ (what bin/cyberbrief ran before the bundle) and from the TypeScript sources through
// tsx (how it ran before there was a build; `npm run dev`) and `node -e 0`, the floor, all in the same run,
// interleaved so load on the machine hits each alike. Each figure is the median of RUNS runs (min-max beside
// it). Then what one worker thread costs, bundled, built per file and through tsx: the resident memory it
// adds and its first job's time (the thread's start-up). Targets: --help under 0.5 s, poll --once under 1 s.
// Run: npm run bench -- startup
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.STARTUP_RUNS ?? 9);
const node = process.execPath;
const bin = path.join(root, 'bin', 'cyberbrief');
const dev = path.join(root, 'scripts', 'dev.ts');
/** tsx's loader by URL: the commands run in a scratch folder, where a bare `tsx` would not resolve. */
const tsx = import.meta.resolve('tsx');
const fmt = (n: number, d = 2) => n.toFixed(d);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const built = spawnSync(node, [path.join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  console.log('startup bench: the build failed; see above.');
  process.exit(1);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cyberbrief-startup-'));
writeFileSync(path.join(dir, 'none.yaml'), 'feeds: []\n');
const env = { PATH: process.env.PATH, HOME: process.env.HOME, CYBERBRIEF_CONFIG: 'none.yaml', DATABASE_URL: path.join(dir, 'bench.db') };

function run(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(node, args, { cwd: dir, env, encoding: 'utf8' });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`startup bench: node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return s;
}

// Migrate the file once, outside the measurement (poll --once then finds it migrated).
run([bin, 'db', 'migrate']);

// tsc's per-file build, run as bin/cyberbrief runs the bundle.
const perFile = path.join(dir, 'per-file.mjs');
writeFileSync(perFile, `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(root, 'dist/cli/index.js')).href)});\nprocess.exitCode = await main(process.argv.slice(2));\n`);

const cases = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: '--help, built (bin/cyberbrief)', args: [bin, '--help'], target: 0.5 },
  { name: '--help, sources through tsx', args: ['--import', tsx, dev, '--help'] },
  { name: 'poll --once, built (bin/cyberbrief)', args: [bin, 'poll', '--once'], target: 1 },
  { name: 'poll --once, sources through tsx', args: ['--import', tsx, dev, 'poll', '--once'] },
  { name: 'poll --once, built per file (dist/cli/)', args: [perFile, 'poll', '--once'] },
];
const loadBefore = load();
for (const c of cases) run(c.args); // warm the file cache
const times = cases.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++) cases.forEach((c, i) => times[i]!.push(run(c.args)));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`start-up, median of ${RUNS} runs (load average ${loadBefore} before, ${load()} after; ${os.availableParallelism()} CPUs)`);
const medians = times.map(median);
cases.forEach((c, i) => {
  const xs = times[i]!;
  const verdict = c.target ? `  target < ${c.target} s: ${medians[i]! < c.target ? 'met' : 'NOT met'}` : '';
  console.log(`  ${c.name.padEnd(40)} ${fmt(medians[i]!)} s  (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})${verdict}`);
});
console.log(`  --help: built ${fmt(medians[2]! / medians[1]!, 1)}x faster than through tsx; poll --once: ${fmt(medians[4]! / medians[3]!, 1)}x`);
console.log(`  above the floor: --help ${fmt(medians[1]! - medians[0]!)} s built, poll --once ${fmt(medians[3]! - medians[0]!)} s built`);
console.log(`  poll --once above the floor: bundled ${fmt(medians[3]! - medians[0]!)} s, built per file ${fmt(medians[5]! - medians[0]!)} s (${fmt((medians[5]! - medians[0]!) / (medians[3]! - medians[0]!), 1)}x)`);

// One worker thread: resident memory it adds to the process and its first job (thread start-up included).
const probe = path.join(dir, 'worker-probe.mjs');
writeFileSync(
  probe,
  `const { createWorkerPool } = await import(process.argv[2]);
const before = process.memoryUsage().rss;
const pool = createWorkerPool({ threads: 1, maxHeapMb: 256, ...(process.argv[3] ? { entry: new URL(process.argv[3]) } : {}) });
const t = performance.now();
await pool.run('cleanText', { text: 'Officials met again to discuss norms.' }, { deadlineMs: 30000 });
const ms = performance.now() - t;
await new Promise((r) => setTimeout(r, 200));
const mb = (process.memoryUsage().rss - before) / 1048576;
await pool.close();
process.stdout.write(JSON.stringify({ ms, mb }));
`,
);
const workerCases = [
  { name: 'bundled (dist/bundle/worker.js)', args: [probe, pathToFileURL(path.join(root, 'dist/workers/pool.js')).href, pathToFileURL(path.join(root, 'dist/bundle/worker.js')).href] },
  { name: 'built per file (dist/workers/worker.js)', args: [probe, pathToFileURL(path.join(root, 'dist/workers/pool.js')).href] },
  { name: 'sources through tsx', args: ['--import', tsx, probe, pathToFileURL(path.join(root, 'src/workers/pool.ts')).href] },
];
const WORKER_RUNS = Math.max(3, Math.ceil(RUNS / 3));
const workerResults = workerCases.map(() => ({ ms: [] as number[], mb: [] as number[] }));
for (let r = 0; r < WORKER_RUNS; r++) {
  workerCases.forEach((c, i) => {
    const out = spawnSync(node, c.args, { cwd: root, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`startup bench: worker probe (${c.name}) exited ${out.status}: ${out.stderr}`);
    const v = JSON.parse(out.stdout) as { ms: number; mb: number };
    workerResults[i]!.ms.push(v.ms);
    workerResults[i]!.mb.push(v.mb);
  });
}
console.log(`one worker thread, median of ${WORKER_RUNS} runs: resident memory it adds, and its first job (start-up included)`);
workerCases.forEach((c, i) => console.log(`  ${c.name.padEnd(40)} ${fmt(median(workerResults[i]!.mb), 0)} MB  ${fmt(median(workerResults[i]!.ms), 0)} ms`));
