import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { createLogger, silentLogger } from '../../src/lib/logger.ts';
import { createCompactor } from '../../src/storage/compactor.ts';
import type { CompactResult, Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const DAY = 86_400_000;
const sqlite = testDatabases.find((d) => d.name === 'sqlite')!;

describe('compactor', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-01-01T00:00:00Z');
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(sqlite));
    await storage.articles.put('https://a.example/old', 'old', t0);
    await storage.articles.put('https://a.example/new', 'new', new Date(t0.getTime() + 40 * DAY));
  });
  afterEach(async () => cleanup());

  it('runs once at start with the cut-off compact_after_days before now, then again on its interval', async () => {
    const clock = fixedClock(new Date(t0.getTime() + 31 * DAY));
    const seen: CompactResult[] = [];
    let done!: () => void;
    const twice = new Promise<void>((resolve) => (done = resolve));
    const c = createCompactor(
      {
        compaction: storage.compaction,
        clock,
        logger: silentLogger(),
        onCompacted: (r) => {
          seen.push(r);
          if (seen.length === 1) clock.set(new Date(t0.getTime() + 71 * DAY)); // a later day
          if (seen.length === 2) done();
        },
      },
      { afterDays: 30, intervalMs: 10 },
    );
    c.start();
    await twice;
    await c.stop();
    // Day 31: the day-0 row is over 30 days old, the day-40 row is not; day 71: it is.
    expect(seen.slice(0, 2)).toEqual([
      { items: 0, articleCache: 1 },
      { items: 0, articleCache: 1 },
    ]);
    expect(await storage.articles.get('https://a.example/old')).toBeUndefined();
    expect(await storage.articles.get('https://a.example/new')).toBeUndefined();
  });

  it('does nothing when compact_after_days is 0', async () => {
    const c = createCompactor({ compaction: storage.compaction, clock: fixedClock(new Date(t0.getTime() + 400 * DAY)), logger: silentLogger() }, { afterDays: 0 });
    c.start();
    expect(await c.runOnce()).toBeNull();
    await c.stop();
    expect(await storage.articles.get('https://a.example/old')).toBe('old');
  });

  it('a failing run is logged and reported as null, not thrown; runs do not overlap', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = createCompactor(
      {
        compaction: {
          compact: async () => {
            calls++;
            await gate;
            throw new Error('database is locked');
          },
        },
        clock: fixedClock(t0),
        logger: createLogger({ level: 'info', pretty: false, secrets: [], destination: sink }),
      },
      { afterDays: 30 },
    );
    const first = c.runOnce();
    expect(await c.runOnce()).toBeNull();
    release();
    expect(await first).toBeNull();
    expect(calls).toBe(1);
    expect(lines.join('')).toContain('storage: compaction failed; will try again at the next run');
    expect(lines.join('')).toContain('database is locked');
  });
});
