// Feed ingestion: parse throughput (MB/s, items/s) over the real captures in ../shared/data/feeds, the
// share of the 321-file corpus that yields items, and the CPU cost of a 304 poll, each beside rss-parser
// alone in the same run. The feed server for the poll runs in a child process so only the poller's CPU is
// counted. Run: node --import tsx bench/feeds.bench.ts
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import RssParser from 'rss-parser';
import { createFetcher } from '../src/feeds/fetcher.ts';
import { normaliseFeed } from '../src/feeds/normalise.ts';
import { parseFeed } from '../src/feeds/parser.ts';
import { pollFeed } from '../src/feeds/poller.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { systemClock } from '../src/lib/clock.ts';
import { openStorage } from '../src/storage/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(root, '..', 'shared', 'data', 'feeds');
if (!existsSync(path.join(CORPUS, 'MANIFEST.tsv'))) {
  console.log(`feeds bench: skipped, ${CORPUS}/MANIFEST.tsv is absent`);
  process.exit(0);
}

const rss = new RssParser();
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---- 1. corpus coverage -------------------------------------------------------------------------------
const files = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!);
let oursWithItems = 0;
let rssWithItems = 0;
let classified = 0;
let escaped = 0;
for (const f of files) {
  const bytes = readFileSync(path.join(CORPUS, f));
  try {
    const items = normaliseFeed(await parseFeed(bytes), { feedId: 1, feedUrl: 'https://feeds.example.com/feed' });
    if (items.length) oursWithItems++;
  } catch (err) {
    if ((err as { code?: string }).code === 'parse') classified++;
    else escaped++;
  }
  try {
    const out = await rss.parseString(bytes.toString('utf8'));
    if (out.items.length) rssWithItems++;
  } catch {
    // rss-parser alone: a failure is simply no items
  }
}
console.log(`corpus (${files.length} files): cyberbrief yields items for ${oursWithItems} (${classified} classified parse errors, ${escaped} unclassified); rss-parser parseString alone: ${rssWithItems}.`);

// ---- 2. parse throughput over the real captures -------------------------------------------------------
const realDir = path.join(CORPUS, 'sample-feeds', 'content', 'real-world');
const captures: Buffer[] = [];
for (const h of readdirSync(realDir)) {
  const d = path.join(realDir, h);
  if (!statSync(d).isDirectory()) continue;
  for (const f of readdirSync(d)) if (f !== 'index.md') captures.push(readFileSync(path.join(d, f)));
}
const totalBytes = captures.reduce((n, b) => n + b.length, 0);

type Variant = { name: string; run: (b: Buffer) => Promise<number>; ms: number; items: number };
const variants: Variant[] = [
  { name: 'rss-parser parseString (baseline)', run: async (b) => (await rss.parseString(b.toString('utf8'))).items.length, ms: 0, items: 0 },
  { name: 'cyberbrief parseFeed (decode + parse)', run: async (b) => (await parseFeed(b)).entries.length, ms: 0, items: 0 },
  { name: 'cyberbrief parseFeed + normaliseFeed', run: async (b) => normaliseFeed(await parseFeed(b), { feedId: 1, feedUrl: 'https://feeds.example.com/feed' }).length, ms: 0, items: 0 },
];
for (const v of variants) for (const b of captures) await v.run(b); // warm-up
// Rounds interleave the variants so a busy machine slows them alike.
const ROUNDS = 8;
for (let r = 0; r < ROUNDS; r++) {
  for (const v of variants) {
    const t = performance.now();
    for (const b of captures) v.items += await v.run(b);
    v.ms += performance.now() - t;
  }
}
console.log(`parse throughput over ${captures.length} real captures (${fmt(totalBytes / 1e6, 2)} MB), ${ROUNDS} interleaved rounds:`);
const rate = (v: Variant) => ({ mbps: (totalBytes * ROUNDS) / 1e6 / (v.ms / 1000), ips: v.items / (v.ms / 1000) });
for (const v of variants) console.log(`  ${v.name.padEnd(44)} ${fmt(rate(v).mbps).padStart(7)} MB/s  ${fmt(rate(v).ips, 0).padStart(8)} items/s`);
const [base, parseOnly, full] = variants.map(rate) as [ReturnType<typeof rate>, ReturnType<typeof rate>, ReturnType<typeof rate>];
console.log(`  ratio to baseline: parse ${fmt(parseOnly.mbps / base.mbps, 2)}x, parse + normalise ${fmt(full.mbps / base.mbps, 2)}x`);

// ---- 3. CPU cost of a 304 poll -------------------------------------------------------------------------
const sample = captures.reduce((a, b) => (Math.abs(b.length - 60_000) < Math.abs(a.length - 60_000) ? b : a));
const serverSrc = `
const http = require('node:http');
const body = Buffer.from(process.env.BODY_B64, 'base64');
const s = http.createServer((req, res) => {
  if (req.headers['if-none-match'] === '"v1"') { res.writeHead(304, { etag: '"v1"' }); return res.end(); }
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"' }); res.end(body);
});
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;
const child = spawn(process.execPath, ['-e', serverSrc], { env: { ...process.env, BODY_B64: sample.toString('base64') }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}/feed`;

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-bench-'));
const storage = await openStorage(path.join(dir, 'bench.db'));
const fetcher = createFetcher({ userAgent: 'cyberbrief-bench', connectTimeoutMs: 5000, totalTimeoutMs: 10_000, maxBodyBytes: 10 * 1024 * 1024, maxRedirects: 5, allowHosts: ['127.0.0.1'] });
const { feed } = await storage.feeds.add({ url, source: 'cli' });
const pollOpts = { intervalSeconds: 900, maxIntervalSeconds: 86_400, jitterSeconds: 0, backoffBaseSeconds: 60, disableAfterFailures: 10, backfill: 0 };
const logger = silentLogger();
await pollFeed(feed, { storage, fetcher, options: pollOpts, clock: systemClock, logger }); // first poll: stores, gets the ETag

async function cpuPerCall(name: string, n: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await call();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call();
  const c = process.cpuUsage(c0);
  const us = (c.user + c.system) / n;
  console.log(`  ${name.padEnd(52)} ${fmt(us, 0).padStart(6)} µs CPU/poll  ${fmt((performance.now() - t0) / n, 2).padStart(6)} ms wall/poll`);
  return us;
}

console.log(`poll of a ${fmt(sample.length / 1024, 0)} KB real capture over loopback (server in a child process):`);
const N = 400;
const rssPoll = await cpuPerCall('rss-parser parseURL (no validators: full GET + parse)', N, () => rss.parseURL(url));
const fetch304 = await cpuPerCall('cyberbrief fetchFeed with ETag (304)', N, () => fetcher.fetchFeed(url, { etag: '"v1"' }));
const poll304 = await cpuPerCall('cyberbrief pollFeed 304 (fetch + SQLite update)', N, async () => {
  const f = (await storage.feeds.get(feed.id))!;
  const r = await pollFeed(f, { storage, fetcher, options: pollOpts, clock: systemClock, logger });
  if (r.status !== 'not_modified') throw new Error(`expected not_modified, got ${r.status}`);
});
const poll200 = await cpuPerCall('cyberbrief pollFeed 200 (fetch + parse + dedupe)', Math.floor(N / 4), async () => {
  const f = (await storage.feeds.get(feed.id))!;
  await pollFeed({ ...f, etag: null, lastModified: null }, { storage, fetcher, options: pollOpts, clock: systemClock, logger });
});
console.log(`  ratio: a 304 poll costs ${fmt(poll304 / rssPoll, 2)}x the CPU of rss-parser's full fetch (${fmt(fetch304 / rssPoll, 2)}x for the fetch alone), ${fmt(poll304 / poll200, 2)}x our own full poll`);

await fetcher.close();
await storage.close();
child.kill();
rmSync(dir, { recursive: true, force: true });
