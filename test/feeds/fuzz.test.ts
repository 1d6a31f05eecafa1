// Fuzz: thousands of generated hostile feeds (test/helpers/hostile.ts, fixed seed) read on the worker pool
// with the default deadline, as the bot's polls read them (entry marks asked for, so the entry scan runs
// too). Each ends in items or a classified parse error, none runs
// past its deadline, and each takes time linear in its size; a sample read in this thread gives the same
// results.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeed, type FeedRead } from '../../src/feeds/read-feed.ts';
import { CyberbriefError } from '../../src/lib/errors.ts';
import { createWorkers } from '../../src/workers/index.ts';
import { hostileFeed, seededRandom, type HostileFeed } from '../helpers/hostile.ts';

const SEED = 0x11_2026;
const COUNT = 3000;
const URL_ = 'https://h.example.com/feed';
const PARSE_TIMEOUT_MS = 10_000; // config/default.yaml
/** Generous for a loaded 2-core machine; a quadratic path takes seconds on 50 KB and minutes on 200 KB. */
const boundMs = (bytes: number) => 250 + 5 * (bytes / 1024);

interface Outcome {
  kind: 'items' | 'parse' | 'parse_timeout' | 'other';
  digest: string;
  detail: string;
}

function outcomeOf(run: () => Promise<FeedRead>): Promise<Outcome> {
  return run().then(
    (read) => ({ kind: 'items', digest: createHash('sha1').update(JSON.stringify(read)).digest('hex'), detail: `${read.items.length} items` }),
    (err: Error) => {
      const code = err instanceof CyberbriefError ? err.code : err.name;
      const kind = code === 'parse' || code === 'parse_timeout' ? code : 'other';
      return { kind, digest: `${code}: ${err.message}`, detail: `${code}: ${err.message.slice(0, 200)}` };
    },
  );
}

const workers = createWorkers({ threads: 2, parse_timeout_ms: PARSE_TIMEOUT_MS, summarize_timeout_ms: 10_000, max_heap_mb: 256 });
afterAll(() => workers.close());
// Both threads up before anything is timed (starting one takes about a second), each having read a broken
// feed too: the lenient reader loads linkedom on its first use (about a quarter of a second).
beforeAll(async () => {
  const read = (xml: string) => workers.readFeed({ bytes: Buffer.from(xml), contentType: null, url: URL_, feedId: 1 });
  const tiny = () => read('<rss version="2.0"><channel><title>T</title></channel></rss>');
  const broken = () => read('<rss version="2.0"><channel><title>T</title><item><title>a</item></channel></rss>');
  await Promise.all([tiny(), tiny()]);
  const warm = await Promise.all([broken(), broken()]);
  expect(warm.map((r) => r.via)).toEqual(['lenient', 'lenient']);
});

describe('feed reading on generated hostile feeds', () => {
  const random = seededRandom(SEED);
  const feeds: HostileFeed[] = Array.from({ length: COUNT }, () => hostileFeed(random));
  const outcomes: Outcome[] = [];

  it(`${COUNT} feeds on the worker threads: items or a classified parse error, none past the deadline, time linear in the size`, async () => {
    const slow: number[] = [];
    let bytes = 0;
    const started = performance.now();
    // Two at a time on two threads: no job waits in the queue, so each one's time is its own.
    for (let i = 0; i < COUNT; i += 2) {
      await Promise.all(
        feeds.slice(i, i + 2).map(async (f, j) => {
          const t = performance.now();
          const outcome = await outcomeOf(() => workers.readFeed({ bytes: new Uint8Array(f.bytes), contentType: null, url: URL_, feedId: 1, entryMarks: null }));
          const took = performance.now() - t;
          outcomes[i + j] = outcome;
          bytes += f.bytes.length;
          if (took > boundMs(f.bytes.length)) slow.push(i + j);
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    // A wall-clock time can be one busy moment of a shared machine: a feed over the bound is read again,
    // alone, three times, and counts as slow only if even its fastest read is over it (a quadratic path is
    // slow every time).
    const slowEveryTime: string[] = [];
    for (const i of slow) {
      const f = feeds[i]!;
      let fastest = Infinity;
      for (let r = 0; r < 3 && fastest > boundMs(f.bytes.length); r++) {
        const t = performance.now();
        await outcomeOf(() => workers.readFeed({ bytes: new Uint8Array(f.bytes), contentType: null, url: URL_, feedId: 1, entryMarks: null }));
        fastest = Math.min(fastest, performance.now() - t);
      }
      if (fastest > boundMs(f.bytes.length)) slowEveryTime.push(`#${i} ${Math.round(fastest)} ms at best for ${Math.round(f.bytes.length / 1024)} KB: ${f.label}`);
    }
    const count = (k: Outcome['kind']) => outcomes.filter((o) => o.kind === k).length;
    console.log(`fuzz: ${COUNT} hostile feeds, ${(bytes / 1e6).toFixed(1)} MB, read on 2 worker threads in ${seconds.toFixed(1)} s: ${count('items')} with items, ${count('parse')} classified parse errors, ${count('parse_timeout')} past the deadline, ${slow.length} over the time bound once (read again).`);
    const label = (o: Outcome, i: number) => `#${i} ${o.detail}: ${feeds[i]!.label}`;
    expect(outcomes.flatMap((o, i) => (o.kind === 'other' ? [label(o, i)] : []))).toEqual([]);
    expect(outcomes.flatMap((o, i) => (o.kind === 'parse_timeout' ? [label(o, i)] : []))).toEqual([]);
    expect(slowEveryTime).toEqual([]);
    expect(workers.pool.stats()).toMatchObject({ replaced: 0 });
    // The generator reaches both the reading paths and the error paths.
    expect(count('items')).toBeGreaterThan(COUNT / 2);
    expect(count('parse')).toBeGreaterThan(10);
  }, 600_000); // the whole run's time is not the property: about 25 s alone, over 60 s beside a busy machine's other work

  it('every tenth feed read in this thread gives the same result as on the workers', async () => {
    expect(outcomes).toHaveLength(COUNT);
    const differ: string[] = [];
    for (let i = 0; i < COUNT; i += 10) {
      const here = await outcomeOf(() => readFeed({ bytes: feeds[i]!.bytes, contentType: null, url: URL_, feedId: 1, entryMarks: null }));
      if (here.digest !== outcomes[i]!.digest) differ.push(`#${i} here ${here.detail}, on a worker ${outcomes[i]!.detail}: ${feeds[i]!.label}`);
    }
    expect(differ).toEqual([]);
  });
});
