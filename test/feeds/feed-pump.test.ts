import { describe, expect, it } from 'vitest';
import type { Feed } from '../../src/domain/types.ts';
import { pumpFeeds, type PumpStart } from '../../src/feeds/feed-pump.ts';

const feed = (id: number, url: string): Feed => ({
  id, url, title: null, siteUrl: null, enabled: true, intervalSeconds: null, etag: null, lastModified: null,
  nextCheckAt: new Date(0), errorCount: 0, lastError: null, lastErrorAt: null, lastSuccessAt: null, disabledReason: null, ttlMinutes: null, primed: false, global: true, createdAt: new Date(0),
});

/** A claim function over a list: hands out up to `limit` at a time, recording each limit asked for. */
function source(feeds: Feed[]) {
  const left = [...feeds];
  const limits: number[] = [];
  return { limits, claim: async (limit: number) => (limits.push(limit), left.splice(0, limit)) };
}

/** Work that takes `ms`, recording the most in flight overall and per host. */
function timedWork(ms: number) {
  let active = 0;
  let maxActive = 0;
  const perHost = new Map<string, number>();
  const maxPerHost = new Map<string, number>();
  const work = async (f: Feed, _start: PumpStart) => {
    const host = new URL(f.url).host;
    active++;
    perHost.set(host, (perHost.get(host) ?? 0) + 1);
    maxActive = Math.max(maxActive, active);
    maxPerHost.set(host, Math.max(maxPerHost.get(host) ?? 0, perHost.get(host)!));
    await new Promise((r) => setTimeout(r, ms));
    active--;
    perHost.set(host, perHost.get(host)! - 1);
    return f.id;
  };
  return { work, stats: () => ({ maxActive, maxPerHost }) };
}

describe('pumpFeeds', () => {
  it.each([
    { name: 'three busy hosts, a cap far above what they allow', hosts: 3, feeds: 60, cap: 1000, perHost: 2, maxActive: 6, maxPerHost: 2 },
    { name: 'many hosts, the cap is the limit', hosts: 60, feeds: 120, cap: 10, perHost: 2, maxActive: 10, maxPerHost: 1 },
    { name: 'one host, one at a time', hosts: 1, feeds: 8, cap: 50, perHost: 1, maxActive: 1, maxPerHost: 1 },
  ])('$name: every feed runs once, per-host and global limits hold', async ({ hosts, feeds, cap, perHost, maxActive, maxPerHost }) => {
    const list = Array.from({ length: feeds }, (_, i) => feed(i + 1, `https://h${i % hosts}.example/${i}`));
    const src = source(list);
    const w = timedWork(2);
    const out = await pumpFeeds({ claim: src.claim, work: w.work, cap: () => cap, perHost });
    expect(out.results.sort((a, b) => a - b)).toEqual(list.map((f) => f.id));
    expect(out.skipped).toEqual([]);
    expect(w.stats().maxActive).toBe(maxActive);
    expect(Math.max(...w.stats().maxPerHost.values())).toBe(maxPerHost);
    expect(out.peak).toBe(maxActive);
  });

  it('tells once when every poll left has released its place and nothing more will start', async () => {
    const list = Array.from({ length: 6 }, (_, i) => feed(i + 1, `https://h${i}.example/`));
    const src = source(list);
    let idle = 0;
    let releasedAll: () => void;
    const allReleased = new Promise<void>((r) => (releasedAll = r));
    let released = 0;
    const out = pumpFeeds({
      claim: src.claim,
      cap: () => 2,
      perHost: 1,
      onIdle: () => idle++,
      work: async (f, start) => {
        await new Promise((r) => setTimeout(r, 1));
        start.release();
        if (++released === list.length) releasedAll();
        // The rest of the work (a write) waits until every feed has been released.
        await allReleased;
        await new Promise((r) => setTimeout(r, 5));
        return f.id;
      },
    });
    await allReleased;
    await new Promise((r) => setTimeout(r, 0));
    expect(idle).toBe(1);
    expect((await out).results).toHaveLength(6);
    expect(idle).toBe(1);
  });

  it('claims more while work runs, as much as the cap allows, until a claim comes back empty', async () => {
    const list = Array.from({ length: 50 }, (_, i) => feed(i + 1, `https://h${i}.example/`));
    const src = source(list);
    const out = await pumpFeeds({ claim: src.claim, work: timedWork(1).work, cap: () => 10, perHost: 2 });
    expect(out.results).toHaveLength(50);
    expect(src.limits[0]).toBe(20);
    expect(src.limits.at(-1)).toBeGreaterThan(0);
    expect(src.limits.length).toBeGreaterThan(2);
  });

  it('a cap that changes between starts is followed', async () => {
    const list = Array.from({ length: 40 }, (_, i) => feed(i + 1, `https://h${i}.example/`));
    let cap = 2;
    let maxSeen = 0;
    let active = 0;
    const out = await pumpFeeds({
      claim: source(list).claim,
      cap: () => cap,
      perHost: 1,
      work: async (f) => {
        active++;
        maxSeen = Math.max(maxSeen, active);
        if (f.id === 3) cap = 8;
        await new Promise((r) => setTimeout(r, 2));
        active--;
        return f.id;
      },
    });
    expect(out.results).toHaveLength(40);
    expect(maxSeen).toBe(8);
  });

  it('release() frees the place before the work ends, and the pump still waits for the work', async () => {
    const list = Array.from({ length: 6 }, (_, i) => feed(i + 1, `https://same.example/${i}`));
    const ended: number[] = [];
    let overlap = 0;
    let running = 0;
    const out = await pumpFeeds({
      claim: source(list).claim,
      cap: () => 1,
      perHost: 1,
      work: async (f, start) => {
        running++;
        overlap = Math.max(overlap, running);
        await new Promise((r) => setTimeout(r, 1));
        start.release();
        await new Promise((r) => setTimeout(r, 10));
        running--;
        ended.push(f.id);
        return f.id;
      },
    });
    expect(out.results.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ended).toHaveLength(6);
    expect(overlap).toBeGreaterThan(1);
    expect(out.peak).toBe(1);
  });

  it('a feed with a start time waits for it without holding a place', async () => {
    const t0 = Date.now();
    const starts = new Map<number, number>();
    const list = [feed(1, 'https://a.example/'), feed(2, 'https://b.example/')];
    await pumpFeeds({
      claim: source(list).claim,
      cap: () => 1,
      perHost: 1,
      startAt: (f) => (f.id === 1 ? t0 + 60 : undefined),
      work: async (f) => (starts.set(f.id, Date.now() - t0), f.id),
    });
    expect(starts.get(2)!).toBeLessThan(starts.get(1)!);
    expect(starts.get(1)!).toBeGreaterThanOrEqual(55);
  });

  it('once aborted, waiting feeds come back as skipped and no more are claimed', async () => {
    const list = Array.from({ length: 10 }, (_, i) => feed(i + 1, `https://one.example/${i}`));
    const src = source(list);
    const stop = new AbortController();
    const out = await pumpFeeds({
      claim: src.claim,
      cap: () => 5,
      perHost: 1,
      signal: stop.signal,
      work: async (f) => {
        stop.abort();
        await new Promise((r) => setTimeout(r, 1));
        return f.id;
      },
    });
    expect(out.results).toEqual([1]);
    expect(out.skipped.map((f) => f.id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(src.limits).toEqual([10]);
  });

  it('a failing claim ends the run after the work already claimed, and is reported', async () => {
    let calls = 0;
    const out = await pumpFeeds({
      claim: async () => {
        if (calls++ === 0) return [feed(1, 'https://a.example/')];
        throw new Error('database away');
      },
      cap: () => 1,
      perHost: 1,
      work: async (f) => f.id,
    });
    expect(out.results).toEqual([1]);
    expect((out.claimError as Error).message).toBe('database away');
  });
});
