// The worker pool against real worker threads: results and classified errors come back as they would in
// this thread, a job past its deadline fails alone and its worker is replaced, a worker that runs out of
// memory likewise, the event loop stays free meanwhile, and close() leaves nothing running.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { FeedParseTimeoutError } from '../../src/feeds/fetch-error.ts';
import { readFeed } from '../../src/feeds/read-feed.ts';
import { CyberbriefError } from '../../src/lib/errors.ts';
import { createWorkers, defaultThreads, JobTimeoutError, WorkerCrashError, type Workers } from '../../src/workers/index.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'feeds', 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const URL_ = 'https://feeds.example.com/feed';

/** A real-looking feed of `items` entries with `words` words each (about 6 bytes a word). */
function bigFeed(items: number, words: number): Buffer {
  const entry = (i: number) => `<item><title>Story ${i} about cyber talks</title><link>https://big.example.com/${i}</link><guid>big-${i}</guid><description>${'Officials met again to discuss norms. '.repeat(Math.ceil(words / 6))}</description></item>`;
  return Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>${Array.from({ length: items }, (_, i) => entry(i)).join('')}</channel></rss>`);
}

const config = (over: Partial<Parameters<typeof createWorkers>[0]> = {}) => ({ threads: 1, parse_timeout_ms: 30_000, summarize_timeout_ms: 30_000, max_heap_mb: 256, ...over });

// Stand-in worker scripts, written to one folder removed when the file's tests end.
const standIns = mkdtempSync(path.join(tmpdir(), 'cyberbrief-pool-'));
afterAll(() => rmSync(standIns, { recursive: true, force: true }));
/** A stand-in worker script: `source` answers the pool's messages; it says ready once loaded. */
function standInWorker(name: string, source: string): URL {
  const entry = path.join(standIns, name);
  writeFileSync(entry, `${source}\nparentPort.postMessage({ ready: true });\n`);
  return pathToFileURL(entry);
}
/** A stand-in worker that runs its jobs one after the other: `job` (with `m`, the message) returns the value. */
const inOrderWorker = (name: string, imports: string, job: string) =>
  standInWorker(name, `import { ${imports} } from 'node:worker_threads';\nlet last = Promise.resolve();\nparentPort.on('message', (m) => { last = last.then(() => { ${job} }); });`);

let open: Workers[] = [];
const make = (over: Partial<Parameters<typeof createWorkers>[0]> = {}) => {
  const w = createWorkers(config(over));
  open.push(w);
  return w;
};
afterEach(async () => {
  await Promise.all(open.map((w) => w.close()));
  open = [];
});

describe('worker pool', () => {
  it('starts no thread before the first job; reads feeds there exactly as in this thread, classified errors included', async () => {
    const w = make();
    expect(w.pool.stats()).toMatchObject({ live: 0, started: 0 });
    for (const name of ['rss2.xml', 'atom.xml', 'rdf.xml', 'jsonfeed.json', 'broken.xml']) {
      const input = { contentType: null, url: URL_, feedId: 7 };
      const here = await readFeed({ ...input, bytes: fixture(name) });
      const there = await w.readFeed({ ...input, bytes: fixture(name) });
      expect(there, name).toEqual(here);
      expect(there.items[0]!.publishedAt === null || there.items[0]!.publishedAt instanceof Date).toBe(true);
    }
    const err = await w.readFeed({ bytes: fixture('not-a-feed.html'), contentType: 'text/html', url: URL_, feedId: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CyberbriefError);
    expect((err as CyberbriefError).code).toBe('parse');
    expect((err as Error).message).toMatch(/is an HTML page, not a feed/);
    expect(w.pool.stats()).toMatchObject({ started: 1, replaced: 0, busy: 0, queued: 0 });
  });

  it('copies a body to the worker, never moves it: no buffer of this thread is detached (feed-reader.ts says why)', async () => {
    const w = make();
    const own = new Uint8Array(fixture('rss2.xml'));
    expect((await w.readFeed({ bytes: own, contentType: null, url: URL_, feedId: 1 })).items).toHaveLength(3);
    expect(own.byteLength).toBe(fixture('rss2.xml').byteLength); // still ours: copied, not moved
    const pooled = Buffer.from('<rss version="2.0"><channel><title>P</title><item><title>One</title><link>https://p.example.com/1</link></item></channel></rss>');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    expect((await w.readFeed({ bytes: pooled, contentType: null, url: URL_, feedId: 1 })).items).toHaveLength(1);
    expect(pooled.toString()).toMatch(/^<rss/); // still ours
  });

  it('a read past its deadline fails that feed alone with parse_timeout; the worker is replaced and serves the next feed', async () => {
    const w = make({ parse_timeout_ms: 50 });
    const big = bigFeed(1000, 800); // about 5 MB: far more than 50 ms to read
    const err = await w.readFeed({ bytes: big, contentType: null, url: 'https://big.example.com/feed', feedId: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseTimeoutError);
    expect((err as CyberbriefError).code).toBe('parse_timeout');
    expect((err as Error).message).toMatch(/^parser: reading https:\/\/big\.example\.com\/feed \(\d+ KB\) took longer than 50 ms, so it was stopped; .*workers\.parse_timeout_ms/);
    expect(w.pool.stats()).toMatchObject({ replaced: 1, live: 0 });
    // The next feed on the replacement thread, with time enough for a cold thread on a loaded machine.
    const next = await w.pool.run('readFeed', { bytes: fixture('rss2.xml'), contentType: null, url: URL_, feedId: 1 }, { deadlineMs: 30_000 });
    expect(next.items).toHaveLength(3);
    expect(w.pool.stats()).toMatchObject({ started: 2, replaced: 1 });
  });

  it('the jobs queued in a worker behind one past its deadline are run by the next worker, from bodies copied to it, not moved', async () => {
    const w = make();
    const read = (bytes: Uint8Array<ArrayBuffer>, deadlineMs: number) => w.pool.run('readFeed', { bytes, contentType: null, url: URL_, feedId: 1 }, { deadlineMs });
    await read(new Uint8Array(fixture('rss2.xml')), 30_000); // the thread is up and has loaded the reader
    const big = new Uint8Array(bigFeed(1000, 800));
    const small = [1, 2].map(() => new Uint8Array(fixture('rss2.xml')));
    // The big read gets 50 ms, far too few; the small ones, waiting behind it, all the time they need.
    const reads = [read(big, 50), ...small.map((b) => read(b, 30_000))].map((p) => p.catch((e: unknown) => e));
    expect(big.byteLength).toBe(bigFeed(1000, 800).byteLength); // the idle worker's job: copied too (feed-reader.ts says why)
    expect(small.map((b) => b.byteLength)).toEqual(small.map(() => fixture('rss2.xml').byteLength)); // waiting behind it: copied
    expect(w.pool.stats()).toMatchObject({ busy: 1, queued: 2 });
    const [err, ...after] = await Promise.all(reads);
    expect(err).toBeInstanceOf(JobTimeoutError);
    expect(after.map((r) => (r as Awaited<ReturnType<Workers['readFeed']>>).items.length)).toEqual([3, 3]);
    expect(w.pool.stats()).toMatchObject({ started: 2, replaced: 1, busy: 0, queued: 0 });
  });

  it('hands a busy worker the next jobs, so it runs them while this thread is busy (not one per turn of its event loop)', async () => {
    // A stand-in worker that runs its jobs one after the other, each adding one to a counter shared with this thread.
    const entry = inOrderWorker('count-worker.mjs', 'parentPort', 'const c = new Int32Array(m.input.counter); Atomics.add(c, 0, 1); Atomics.notify(c, 0); parentPort.postMessage({ id: m.id, ok: true, value: Atomics.load(c, 0) });');
    const { createWorkerPool } = await import('../../src/workers/index.ts');
    const pool = createWorkerPool<{ count: (i: { counter: SharedArrayBuffer }) => number }>({ threads: 1, maxHeapMb: 64, entry });
    try {
      const counter = new SharedArrayBuffer(4);
      const count = new Int32Array(counter);
      expect(await pool.run('count', { counter }, { deadlineMs: 60_000 })).toBe(1); // the thread is up
      const runs = Array.from({ length: 8 }, () => pool.run('count', { counter }, { deadlineMs: 60_000 }));
      // This thread is blocked from here on: a worker handed one job at a time would stop after the first.
      const until = Date.now() + 10_000;
      for (let n = Atomics.load(count, 0); n < 9 && Date.now() < until; n = Atomics.load(count, 0)) Atomics.wait(count, 0, n, Math.max(1, until - Date.now()));
      expect(Atomics.load(count, 0)).toBe(9);
      expect(await Promise.all(runs)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await pool.close();
    }
  });

  it('leaves a burst of jobs that comes while a second thread starts to both threads, not all to the first one ready', async () => {
    // A stand-in worker whose jobs wait for a gate in shared memory, then answer with the thread that ran them.
    const entry = inOrderWorker('gate-worker.mjs', 'parentPort, threadId', 'const g = new Int32Array(m.input.gate); while (Atomics.load(g, 0) === 0) Atomics.wait(g, 0, 0, 1000); parentPort.postMessage({ id: m.id, ok: true, value: threadId });');
    const { createWorkerPool } = await import('../../src/workers/index.ts');
    const pool = createWorkerPool<{ wait: (i: { gate: SharedArrayBuffer }) => number }>({ threads: 2, maxHeapMb: 64, entry });
    try {
      const gate = new SharedArrayBuffer(4);
      const runs = Array.from({ length: 8 }, () => pool.run('wait', { gate }, { deadlineMs: 60_000 }));
      await waitFor('both threads to be busy', () => pool.stats().busy >= 2, 30_000);
      Atomics.store(new Int32Array(gate), 0, 1);
      Atomics.notify(new Int32Array(gate), 0);
      expect(new Set(await Promise.all(runs)).size).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('keeps the event loop free while a worker reads a 5 MB feed', async () => {
    const w = make();
    await w.readFeed({ bytes: fixture('rss2.xml'), contentType: null, url: URL_, feedId: 1 }); // the thread is up
    let last = performance.now();
    let worstGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const read = await w.readFeed({ bytes: bigFeed(1000, 800), contentType: null, url: URL_, feedId: 1 });
    const took = performance.now() - started;
    clearInterval(ticker);
    expect(read.items).toHaveLength(1000);
    expect(took).toBeGreaterThan(100); // real work happened meanwhile
    // Read inline, the longest gap between ticks would be the whole read. Compared with the read's own time in
    // the same run, not with a fixed bound, so a loaded machine slows both alike.
    expect(worstGap).toBeLessThan(took / 2);
  });

  it('a worker that runs out of memory fails its job (classified) and a new one serves the next, and the jobs waiting in it', async () => {
    const w = make({ max_heap_mb: 64 });
    const text = '<p>word &amp; more</p>'.repeat(2_500_000); // ~55 million characters: cleaning it needs far more than 64 MB
    // Sent together: the two small jobs wait in the worker behind the big one, and are not blamed for its death.
    const [err, ...after] = await Promise.all([text, '<b>still</b> working', '<i>and</i> this'].map((t) => w.summaryWork.cleanText(t).catch((e: unknown) => e)));
    expect((err as CyberbriefError).code).toBe('summarize_failed');
    expect((err as Error).message).toMatch(/ran out of memory \(workers\.max_heap_mb is 64\)/);
    expect(after).toEqual(['still working', 'and this']);
    expect(await w.summaryWork.cleanText('<b>still</b> working')).toBe('still working');
    expect(w.pool.stats()).toMatchObject({ started: 2, replaced: 1 });
  });

  it('runs jobs on several threads at once, up to the configured number', async () => {
    const w = make({ threads: 2 });
    const reads = await Promise.all([1, 2, 3, 4].map((i) => w.readFeed({ bytes: bigFeed(200, 200), contentType: null, url: URL_, feedId: i })));
    expect(reads.map((r) => r.items.length)).toEqual([200, 200, 200, 200]);
    expect(w.pool.stats()).toMatchObject({ threads: 2, started: 2, live: 2 });
  });

  it('close() fails running and queued jobs, stops every thread, and refuses new jobs', async () => {
    const w = make();
    const running = w.readFeed({ bytes: bigFeed(1000, 800), contentType: null, url: URL_, feedId: 1 }).catch((e: unknown) => e);
    const queued = w.readFeed({ bytes: fixture('rss2.xml'), contentType: null, url: URL_, feedId: 2 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await w.close();
    expect(String(await running)).toMatch(/workers: shutting down/);
    expect(String(await queued)).toMatch(/workers: shutting down/);
    expect(w.pool.stats()).toMatchObject({ live: 0, queued: 0 });
    await expect(w.readFeed({ bytes: fixture('rss2.xml'), contentType: null, url: URL_, feedId: 3 })).rejects.toThrow(/the pool is closed/);
  });

  it.each([
    ['the long-running bot (preloadAll)', true],
    ['poll --once (modules on first use)', false],
  ])('a worker is told whether to load every module before it says ready: %s', async (_name, preloadAll) => {
    // A stand-in worker script that answers every job with the workerData the pool started it with.
    const entry = standInWorker(`echo-worker-${preloadAll}.mjs`, "import { parentPort, workerData } from 'node:worker_threads';\nparentPort.on('message', (m) => parentPort.postMessage({ id: m.id, ok: true, value: workerData }));");
    const { createWorkerPool } = await import('../../src/workers/index.ts');
    const pool = createWorkerPool<{ echo: (i: object) => unknown }>({ threads: 1, maxHeapMb: 64, entry, preloadAll });
    try {
      expect(await pool.run('echo', {}, { deadlineMs: 5000 })).toEqual({ preloadAll });
    } finally {
      await pool.close();
    }
  });

  it('threads that cannot start fail the queued jobs instead of retrying for ever', async () => {
    const { createWorkerPool } = await import('../../src/workers/index.ts');
    const pool = createWorkerPool<{ cleanText: (i: { text: string }) => string }>({ threads: 1, maxHeapMb: 64, entry: new URL('./no-such-entry.mjs', import.meta.url) });
    try {
      const err = await pool.run('cleanText', { text: 'x' }, { deadlineMs: 1000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerCrashError);
      expect((err as Error).message).toMatch(/worker threads fail to start/);
      expect(pool.stats().started).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it.each([
    [1, 1],
    [2, 1],
    [4, 3],
    [5, 4],
    [64, 4],
  ])('workers.threads 0 with %i CPUs means %i threads', (cpus, want) => {
    expect(defaultThreads(cpus)).toBe(want);
  });
});
