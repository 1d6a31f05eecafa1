import { describe, expect, it } from 'vitest';
import { AdaptiveCap, DEFAULT_CAP_TUNING, type CapSample } from '../../src/feeds/adaptive-cap.ts';

const OPTS = { min: 16, max: 256, ...DEFAULT_CAP_TUNING, maxWriteBacklog: 2000 };
const ok = (ms: number): CapSample => ({ ms, failed: false, capped: true });

/** Feeds whole windows of samples; `window(cap)` gives the samples of one window at that cap. */
function run(cap: AdaptiveCap, windows: Array<{ sample: (i: number) => CapSample; backlog?: number }>): number[] {
  const caps: number[] = [];
  for (const w of windows) {
    const n = cap.current;
    for (let i = 0; i < n; i++) cap.record(w.sample(i), w.backlog ?? 0);
    caps.push(cap.current);
  }
  return caps;
}

describe('AdaptiveCap', () => {
  it.each([
    {
      name: 'slow start doubles while polls stay fast, up to max',
      windows: Array.from({ length: 6 }, () => ({ sample: () => ok(200) })),
      caps: [32, 64, 128, 256, 256, 256],
    },
    {
      name: 'a window much slower than the baseline cuts by 0.7, then growth is by an eighth',
      windows: [{ sample: () => ok(200) }, { sample: () => ok(200) }, { sample: () => ok(2_000) }, { sample: () => ok(200) }, { sample: () => ok(200) }],
      caps: [32, 64, 44, 50, 57],
    },
    {
      name: 'a slower window within factor and slack is not congestion',
      windows: [{ sample: () => ok(200) }, { sample: () => ok(650) }],
      caps: [32, 64],
    },
    {
      name: 'timeouts and network errors above 20% cut',
      windows: [{ sample: () => ok(100) }, { sample: (i: number) => ({ ms: 100, failed: i % 4 === 0, capped: true }) }],
      caps: [32, 22],
    },
    {
      name: 'errors at or below 20% do not cut',
      windows: [{ sample: () => ok(100) }, { sample: (i: number) => ({ ms: 100, failed: i % 8 === 0, capped: true }) }],
      caps: [32, 64],
    },
    {
      name: 'a write backlog past the limit cuts, never below min',
      windows: [{ sample: () => ok(5), backlog: 5_000 }, { sample: () => ok(5), backlog: 5_000 }],
      caps: [16, 16],
    },
    {
      name: 'no growth when the cap was not the limit (few polls started with it full)',
      windows: [{ sample: () => ({ ms: 100, failed: false, capped: false }) }, { sample: () => ({ ms: 100, failed: false, capped: false }) }],
      caps: [16, 16],
    },
    {
      name: 'the median decides: a few slow polls in a window do not cut',
      windows: [{ sample: () => ok(100) }, { sample: (i: number) => ok(i < 10 ? 5_000 : 100) }],
      caps: [32, 64],
    },
  ])('$name', ({ windows, caps }) => {
    const cap = new AdaptiveCap(OPTS);
    expect(cap.current).toBe(16);
    expect(run(cap, windows)).toEqual(caps);
  });

  it('decides only once a whole window (the current cap) of polls finished', () => {
    const cap = new AdaptiveCap(OPTS);
    for (let i = 0; i < 15; i++) cap.record(ok(100));
    expect([cap.current, cap.lastDecision]).toEqual([16, null]);
    cap.record(ok(100));
    expect([cap.current, cap.lastDecision]).toEqual([32, 'grow']);
  });

  it('min equal to max is a fixed cap', () => {
    const cap = new AdaptiveCap({ ...OPTS, min: 40, max: 40 });
    expect(run(cap, [{ sample: () => ok(10) }, { sample: () => ok(10_000) }])).toEqual([40, 40]);
  });

  it.each([
    [{ min: 0, max: 10 }, /1 <= min <= max/],
    [{ min: 20, max: 10 }, /1 <= min <= max/],
    [{ decrease: 1 }, /decrease must be in \(0, 1\)/],
  ])('refuses bad options %o', (bad, message) => {
    expect(() => new AdaptiveCap({ ...OPTS, ...bad })).toThrow(message);
  });
});
