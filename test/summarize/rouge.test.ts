import { describe, expect, it } from 'vitest';
import { rouge, tokenize } from '../../src/summarize/index.ts';
import { lcsLength } from '../../src/summarize/rouge.ts';

describe('tokenize', () => {
  it('lowercases and keeps runs of letters and digits', () => {
    expect(tokenize("The U.S. isn't 3.5% — Café!")).toEqual(['the', 'u', 's', 'isn', 't', '3', '5', 'café']);
  });
});

describe('rouge', () => {
  const cases: Array<{ name: string; cand: string; ref: string; r1: number; r2: number; rl: number }> = [
    { name: 'identical', cand: 'the cat sat', ref: 'The cat sat.', r1: 1, r2: 1, rl: 1 },
    { name: 'disjoint', cand: 'dogs bark', ref: 'cats meow', r1: 0, r2: 0, rl: 0 },
    { name: 'empty candidate', cand: '', ref: 'cats meow', r1: 0, r2: 0, rl: 0 },
    // cand: the cat was found under the bed (7); ref: the cat was under the bed (6)
    // unigrams: 6 overlap -> P 6/7, R 6/6; bigrams cand 6, ref 5, overlap 4 (the cat, cat was, the bed, under the)
    // LCS = 6 (the cat was under the bed)
    {
      name: 'textbook example',
      cand: 'the cat was found under the bed',
      ref: 'the cat was under the bed',
      r1: (2 * (6 / 7) * 1) / (6 / 7 + 1),
      r2: (2 * (4 / 6) * (4 / 5)) / (4 / 6 + 4 / 5),
      rl: (2 * (6 / 7) * 1) / (6 / 7 + 1),
    },
    // clipped counts: "the the the" vs "the cat": unigram overlap 1; P 1/3 R 1/2
    { name: 'repeated words are clipped', cand: 'the the the', ref: 'the cat', r1: (2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2), r2: 0, rl: (2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2) },
    // order matters for ROUGE-L but not ROUGE-1: LCS of "b a" and "a b" is 1
    { name: 'order', cand: 'beta alpha', ref: 'alpha beta', r1: 1, r2: 0, rl: 0.5 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = rouge(c.cand, c.ref);
      expect(s.rouge1).toBeCloseTo(c.r1, 10);
      expect(s.rouge2).toBeCloseTo(c.r2, 10);
      expect(s.rougeL).toBeCloseTo(c.rl, 10);
    });
  }

  it('lcsLength', () => {
    expect(lcsLength(['a', 'b', 'c', 'b', 'd', 'a', 'b'], ['b', 'd', 'c', 'a', 'b', 'a'])).toBe(4);
    expect(lcsLength([], ['a'])).toBe(0);
  });
});
