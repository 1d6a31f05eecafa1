// The logistic regression fitter: finds the optimum (zero gradient), separates what can be separated,
// shrinks toward a prior, and gives the same weights for the same data.
import { describe, expect, it } from 'vitest';
import { fitLogistic, predict, sigmoid, type Sample } from '../../../src/matching/scorer/logistic.ts';

const sample = (pairs: [number, number][]): Sample => ({ indices: Int32Array.from(pairs.map((p) => p[0])), values: Float64Array.from(pairs.map((p) => p[1])) });

/** A small problem: feature 0 says yes, feature 1 says no, feature 2 is noise. */
const samples: Sample[] = [];
const labels: number[] = [];
for (let i = 0; i < 60; i++) {
  const yes = i % 3 === 0;
  const noisy = i % 5 === 0;
  samples.push(sample([[yes ? 0 : 1, 1], ...(noisy ? ([[2, 1]] as [number, number][]) : [])]));
  labels.push(yes !== (i % 17 === 0) ? 1 : 0);
}

function gradient(w: Float64Array, bias: number, lambda: number): number[] {
  const g = new Array(w.length + 1).fill(0);
  samples.forEach((s, i) => {
    const d = (predict({ weights: w, bias }, s) - labels[i]!) / samples.length;
    for (let k = 0; k < s.indices.length; k++) g[s.indices[k]!] += d * s.values[k]!;
    g[w.length] += d;
  });
  for (let j = 0; j < w.length; j++) g[j] += lambda * w[j]!;
  return g;
}

describe('fitLogistic', () => {
  it('reaches the optimum of the regularised loss', () => {
    const m = fitLogistic(samples, labels, 3, { lambda: 0.01 });
    for (const g of gradient(m.weights, m.bias, 0.01)) expect(Math.abs(g)).toBeLessThan(1e-5);
    expect(m.weights[0]).toBeGreaterThan(1);
    expect(m.weights[1]).toBeLessThan(-1);
    expect(Math.abs(m.weights[2]!)).toBeLessThan(Math.abs(m.weights[0]!));
  });

  it('is deterministic', () => {
    const a = fitLogistic(samples, labels, 3, { lambda: 0.003, positiveWeight: 2 });
    const b = fitLogistic(samples, labels, 3, { lambda: 0.003, positiveWeight: 2 });
    expect([...a.weights, a.bias]).toEqual([...b.weights, b.bias]);
  });

  it('shrinks toward a prior instead of zero', () => {
    const prior = Float64Array.from([0, 0, 5]);
    const free = fitLogistic(samples, labels, 3, { lambda: 1 });
    const held = fitLogistic(samples, labels, 3, { lambda: 1, prior });
    expect(held.weights[2]! - free.weights[2]!).toBeGreaterThan(3);
  });

  it('weighs positives more when asked', () => {
    const plain = fitLogistic(samples, labels, 3, { lambda: 0.01 });
    const heavy = fitLogistic(samples, labels, 3, { lambda: 0.01, positiveWeight: 4 });
    expect(heavy.bias).toBeGreaterThan(plain.bias);
  });

  it('refuses to fit nothing', () => {
    expect(() => fitLogistic([], [], 1, { lambda: 1 })).toThrow('scorer: cannot fit on no samples');
  });

  it('computes the sigmoid stably at the extremes', () => {
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
  });
});
