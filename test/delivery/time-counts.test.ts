import { describe, expect, it } from 'vitest';
import { TimeCounts } from '../../src/delivery/time-counts.ts';

/** The plain answer: a list of the values, counted one by one. */
const plainCount = (xs: readonly number[], lo: number, hi: number) => xs.filter((x) => x >= lo && x <= hi).length;

describe('TimeCounts', () => {
  it.each<{ name: string; add: number[]; remove?: number[]; queries: [number, number, number][] }>([
    { name: 'empty', add: [], queries: [[0, 10, 0], [-Infinity, Infinity, 0]] },
    { name: 'both ends inclusive', add: [5, 10, 15], queries: [[5, 15, 3], [6, 14, 1], [10, 10, 1], [11, 9, 0]] },
    { name: 'repeated times', add: [7, 7, 7, 3, 7], remove: [7], queries: [[7, 7, 3], [0, 6, 1]] },
    { name: 'removing a time that is not there changes nothing', add: [1, 2], remove: [5, 1.5], queries: [[0, 10, 2]] },
    { name: 'removing the last of a time', add: [4, 8], remove: [4, 8], queries: [[0, 10, 0]] },
  ])('$name', ({ add, remove = [], queries }) => {
    const t = new TimeCounts();
    for (const x of add) t.add(x);
    for (const x of remove) t.remove(x);
    for (const [lo, hi, want] of queries) expect([lo, hi, t.count(lo, hi)]).toEqual([lo, hi, want]);
    expect(t.size).toBe(add.length - remove.filter((x) => add.includes(x)).length);
  });

  it('agrees with a plain count through thousands of adds and removes across many blocks', () => {
    let seed = 3;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const t = new TimeCounts();
    const plain: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      // Times on a coarse grid, so many repeat; removes of present and absent ones.
      const x = Math.floor(rand() * 3000) * 60_000;
      if (rand() < 0.3 && plain.length) {
        const present = rand() < 0.8 ? plain[Math.floor(rand() * plain.length)]! : x + 1;
        const i = plain.indexOf(present);
        expect(t.remove(present)).toBe(i >= 0);
        if (i >= 0) plain.splice(i, 1);
      } else {
        t.add(x);
        plain.push(x);
      }
      if (step % 500 === 0) {
        const lo = Math.floor(rand() * 3000) * 60_000;
        const hi = lo + Math.floor(rand() * 1500) * 60_000;
        expect(t.count(lo, hi)).toBe(plainCount(plain, lo, hi));
      }
    }
    expect(t.size).toBe(plain.length);
    expect(t.count(-Infinity, Infinity)).toBe(plain.length);
  });
});
