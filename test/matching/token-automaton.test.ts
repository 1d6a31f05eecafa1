import { describe, expect, it } from 'vitest';
import { TokenAutomaton } from '../../src/matching/token-automaton.ts';

/** Every (end position, pattern) pair, found by brute force. */
function bruteForce(patterns: number[][], text: number[]): string[] {
  const hits: string[] = [];
  for (let end = 0; end < text.length; end++) {
    patterns.forEach((p, id) => {
      const start = end - p.length + 1;
      if (start >= 0 && p.every((s, j) => text[start + j] === s)) hits.push(`${end}:${id}`);
    });
  }
  return hits.sort();
}

function scan(a: TokenAutomaton, text: number[]): string[] {
  const hits: string[] = [];
  let state = 0;
  text.forEach((sym, end) => {
    state = a.advance(state, sym);
    for (const id of a.outputsOf(state)) hits.push(`${end}:${id}`);
  });
  return hits.sort();
}

describe('TokenAutomaton', () => {
  it('finds overlapping and nested patterns', () => {
    const patterns = [[1, 2, 3], [2, 3], [3], [1, 2, 4], [2, 1, 2]];
    const a = new TokenAutomaton();
    patterns.forEach((p, i) => a.add(p, i));
    a.build();
    const text = [1, 2, 1, 2, 3, 9, 1, 2, 4, -1, 3];
    expect(scan(a, text)).toEqual(bruteForce(patterns, text));
  });

  it('agrees with brute force on random patterns and texts', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const patterns = Array.from({ length: 1 + rand(12) }, () => Array.from({ length: 1 + rand(4) }, () => rand(4)));
      const a = new TokenAutomaton();
      patterns.forEach((p, i) => a.add(p, i));
      a.build();
      const text = Array.from({ length: 40 }, () => rand(5) - 1);
      expect(scan(a, text)).toEqual(bruteForce(patterns, text));
    }
  });
});
