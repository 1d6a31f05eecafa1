// Worker threads for feed reading: throughput over the real captures in ../shared/data/feeds read in this
// thread (the baseline) and on the pool with 1 and 2 threads, the longest the event loop was held meanwhile
// (in this thread: the slowest single feed),
// the resident memory a worker adds, and a hostile feed (unclosed `<a` escaped in a description) read by
// rss-parser's parseString (what the bot used before) and by us. Run: node --import tsx bench/workers.bench.ts
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import RssParser from 'rss-parser';
import { readFeed } from '../src/feeds/read-feed.ts';
import { createWorkers } from '../src/workers/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const realDir = path.resolve(root, '..', 'shared', 'data', 'feeds', 'sample-feeds', 'content', 'real-world');
if (!existsSync(realDir)) {
  console.log(`workers bench: skipped, ${realDir} is absent`);
  process.exit(0);
}
const captures: Buffer[] = [];
for (const h of readdirSync(realDir)) {
  const d = path.join(realDir, h);
  if (!statSync(d).isDirectory()) continue;
  for (const f of readdirSync(d)) if (f !== 'index.md') captures.push(readFileSync(path.join(d, f)));
}
const totalBytes = captures.reduce((n, b) => n + b.length, 0);
const URL_ = 'https://feeds.example.com/feed';
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = () => process.memoryUsage().rss / 1024 / 1024;

/** Runs `fn` while a 5 ms ticker measures the longest gap of the event loop. */
async function withLoopWatch(fn: () => Promise<void>): Promise<{ ms: number; worstGapMs: number }> {
  let last = performance.now();
  let worst = 0;
  const t = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  worst = Math.max(worst, performance.now() - last);
  clearInterval(t);
  return { ms, worstGapMs: worst };
}

const ROUNDS = 6;
const rssBefore = mb();
const one = createWorkers({ threads: 1, parse_timeout_ms: 10_000, summarize_timeout_ms: 10_000, max_heap_mb: 256 });
const two = createWorkers({ threads: 2, parse_timeout_ms: 10_000, summarize_timeout_ms: 10_000, max_heap_mb: 256 });
const variants = [
  { name: 'in this thread (baseline)', read: (b: Buffer) => readFeed({ bytes: b, contentType: null, url: URL_, feedId: 1 }), parallel: 1 },
  { name: 'worker pool, 1 thread', read: (b: Buffer) => one.readFeed({ bytes: new Uint8Array(b), contentType: null, url: URL_, feedId: 1 }), parallel: 1 },
  { name: 'worker pool, 2 threads', read: (b: Buffer) => two.readFeed({ bytes: new Uint8Array(b), contentType: null, url: URL_, feedId: 1 }), parallel: 2 },
];
// Warm-up (and thread start) outside the measurement.
for (const v of variants) for (const b of captures) await v.read(b);
const rssAfter = mb();
const results = variants.map((v) => ({ ...v, ms: 0, worst: 0 }));
for (let r = 0; r < ROUNDS; r++) {
  for (const v of results) {
    const w = await withLoopWatch(async () => {
      for (let i = 0; i < captures.length; i += v.parallel) {
        await Promise.all(captures.slice(i, i + v.parallel).map((b) => v.read(b)));
        await new Promise((r) => setImmediate(r)); // as between two polls: the loop gets a turn
      }
    });
    v.ms += w.ms;
    v.worst = Math.max(v.worst, w.worstGapMs);
  }
}
console.log(`feed reading over ${captures.length} real captures (${fmt(totalBytes / 1e6, 2)} MB), ${ROUNDS} interleaved rounds:`);
const base = (totalBytes * ROUNDS) / 1e6 / (results[0]!.ms / 1000);
for (const v of results) {
  const rate = (totalBytes * ROUNDS) / 1e6 / (v.ms / 1000);
  console.log(`  ${v.name.padEnd(28)} ${fmt(rate).padStart(6)} MB/s (${fmt(rate / base, 2)}x)  event loop held at most ${fmt(v.worst, 0).padStart(4)} ms`);
}
console.log(`  resident memory: ${fmt(rssBefore, 0)} MB before the pools, ${fmt(rssAfter, 0)} MB with 3 worker threads up (${fmt((rssAfter - rssBefore) / 3, 0)} MB each)`);

// A hostile description: rss-parser's unused contentSnippet is quadratic on it; our reading is linear.
const rss = new RssParser();
for (const kb of [25, 50]) {
  const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>H</title><item><title>x</title><link>https://h.example.com/1</link><description>${'&lt;a'.repeat((kb * 1024) / 5)}</description></item></channel></rss>`;
  let t = performance.now();
  await rss.parseString(xml);
  const theirs = performance.now() - t;
  t = performance.now();
  await readFeed({ bytes: Buffer.from(xml), contentType: null, url: URL_, feedId: 1 });
  const ours = performance.now() - t;
  console.log(`hostile feed, ${kb} KB of &lt;a in a description: rss-parser parseString (baseline) ${fmt(theirs, 0)} ms, cyberbrief readFeed ${fmt(ours, 1)} ms (${fmt(theirs / ours, 0)}x faster); 200 KB took rss-parser about a minute`);
}
await one.close();
await two.close();
