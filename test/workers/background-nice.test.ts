// workers.background_nice: every thread of the process but the main one is lowered (read back from
// /proc/self/task/<tid>/stat), a worker thread the pool starts later too, and a refusal or another OS is one
// warning, after which nothing more is tried. Vitest runs each file in a process of its own (pool: forks), so
// lowering this process's helper threads touches no other test file.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/lib/logger.ts';
import { createBackgroundNice } from '../../src/workers/background-nice.ts';
import { createWorkers, type Workers } from '../../src/workers/index.ts';

const linux = process.platform === 'linux';
const threads = () => readdirSync('/proc/self/task').map(Number);
/** The nice value of one thread: field 19 of its stat line (the fields after the command's closing parenthesis start at 3). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19 - 3]);
}

function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = { warn: (_fields: unknown, msg: string) => lines.push(msg), debug: () => undefined, info: () => undefined, error: () => undefined } as unknown as Logger;
  return { logger, lines };
}

const FEED = Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title><link>https://a.example.com/1</link><guid>1</guid></item></channel></rss>');

describe.runIf(linux)('workers.background_nice on this process', () => {
  let workers: Workers | undefined;
  afterAll(() => workers?.close());

  it('lowers every thread but the main one, and the worker thread the pool starts afterwards', async () => {
    const base = niceOf(process.pid);
    const before = threads();
    expect(before.length).toBeGreaterThan(1); // V8's platform threads at least
    workers = createWorkers({ threads: 1, parse_timeout_ms: 30_000, summarize_timeout_ms: 30_000, max_heap_mb: 256, background_nice: 7 });
    const want = Math.min(19, base + 7);
    for (const tid of before) expect({ tid, nice: niceOf(tid) }).toEqual({ tid, nice: tid === process.pid ? base : want });

    // No worker runs until the first job; its thread is lowered when it comes online.
    const read = await workers.readFeed({ feedId: 1, url: 'https://a.example.com/feed', bytes: new Uint8Array(FEED), contentType: 'application/rss+xml' });
    expect(read).toBeTruthy();
    const started = threads().filter((tid) => !before.includes(tid));
    expect(started.length).toBeGreaterThan(0);
    for (const tid of started) expect({ tid, nice: niceOf(tid) }).toEqual({ tid, nice: want });
    expect(niceOf(process.pid)).toBe(base);
  });
});

describe('createBackgroundNice', () => {
  /** A fake process: thread id -> nice value; the main thread is process.pid. */
  function fake(nices: Record<number, number>, refuse?: string) {
    const table = new Map<number, number>(Object.entries(nices).map(([k, v]) => [Number(k), v]));
    const sets: Array<[number, number]> = [];
    return {
      table,
      sets,
      listThreads: () => [...table.keys()],
      getPriority: (tid: number) => {
        const v = table.get(tid);
        if (v === undefined) throw Object.assign(new Error('no such process'), { info: { code: 'ESRCH' } });
        return v;
      },
      setPriority: (tid: number, p: number) => {
        if (refuse) throw Object.assign(new Error(`uv_os_setpriority returned ${refuse}`), { info: { code: refuse } });
        sets.push([tid, p]);
        table.set(tid, p);
      },
    };
  }
  const main = process.pid;

  const cases: Array<{ name: string; nice: number; platform?: NodeJS.Platform; threads: Record<number, number>; refuse?: string; sets: Array<[number, number]>; warned: RegExp | null }> = [
    { name: 'lowers the others to main + nice', nice: 5, threads: { [main]: 0, 11: 0, 12: 0 }, sets: [[11, 5], [12, 5]], warned: null },
    { name: 'counts from the main thread\'s own nice value, capped at 19', nice: 5, threads: { [main]: 17, 11: 0 }, sets: [[11, 19]], warned: null },
    { name: 'never raises a thread already lower', nice: 5, threads: { [main]: 0, 11: 10, 12: 5, 13: 2 }, sets: [[13, 5]], warned: null },
    { name: '0 is off', nice: 0, threads: { [main]: 0, 11: 0 }, sets: [], warned: null },
    { name: 'another OS: one warning, nothing tried', nice: 5, platform: 'darwin', threads: { [main]: 0, 11: 0 }, sets: [], warned: /Linux only \(this is darwin\)/ },
    { name: 'refused: one warning, then nothing more', nice: 5, threads: { [main]: 0, 11: 0, 12: 0 }, refuse: 'EPERM', sets: [], warned: /refused \(uv_os_setpriority returned EPERM\)/ },
  ];
  it.each(cases)('$name', ({ nice, platform, threads: t, refuse, sets, warned }) => {
    const f = fake(t, refuse);
    const { logger, lines } = warnings();
    const bg = createBackgroundNice({ nice, logger, platform: platform ?? 'linux', listThreads: f.listThreads, getPriority: f.getPriority, setPriority: f.setPriority });
    bg.sweep();
    f.table.set(99, 0); // a thread started later
    bg.sweep();
    bg.sweep();
    const later: Array<[number, number]> = nice > 0 && !platform && !refuse ? [[99, Math.min(19, t[main]! + nice)]] : [];
    expect(f.sets).toEqual([...sets, ...later]);
    expect(lines.length).toBe(warned ? 1 : 0);
    if (warned) expect(lines[0]).toMatch(warned);
    expect(f.table.get(main)).toBe(t[main]);
  });

  it('skips a thread that ended between the listing and the call', () => {
    const f = fake({ [main]: 0, 11: 0 });
    const { logger, lines } = warnings();
    const bg = createBackgroundNice({ nice: 3, logger, platform: 'linux', listThreads: () => [main, 11, 12], getPriority: f.getPriority, setPriority: f.setPriority });
    expect(bg.sweep()).toBe(1);
    expect(lines).toEqual([]);
  });
});
