// Names joined as a sentence lists them, with "and" or "or".
import { describe, expect, it } from 'vitest';
import { wordList } from '../../src/lib/word-list.ts';

describe('wordList', () => {
  it.each([
    [[], 'and', ''],
    [['A'], 'and', 'A'],
    [['A', 'B'], 'and', 'A and B'],
    [['A', 'B', 'C'], 'and', 'A, B and C'],
    [['A', 'B', 'C'], 'or', 'A, B or C'],
  ] as const)('%j with %s: %j', (names, conjunction, want) => {
    expect(wordList(names, conjunction)).toBe(want);
  });
});
