// The topic editor's term lines ("weight term", an optional case mode) and the one-line "what changed"
// a saved version records.
import { describe, expect, it } from 'vitest';
import type { Topic } from '../../src/domain/types.ts';
import { describeChange, parseTermLines, termsText } from '../../src/web/pages/topics.tsx';

describe('topic editor lines', () => {
  it.each([
    ['4 state-sponsored', [{ term: 'state-sponsored', weight: 4 }]],
    ['spying', [{ term: 'spying', weight: 1 }]],
    ['-2 ransomware', [{ term: 'ransomware', weight: -2 }]],
    ['1.5 (Chinese|Russian) hackers', [{ term: '(Chinese|Russian) hackers', weight: 1.5 }]],
    ['3 GRU [exact]\n\n# a comment\n2 us [fold]', [{ term: 'GRU', weight: 3, case: 'exact' }, { term: 'us', weight: 2, case: 'fold' }]],
    ['2024 report', [{ term: 'report', weight: 2024 }]],
  ])('reads %j', (text, want) => {
    if (want[0]!.weight > 100) expect(() => parseTermLines(text)).toThrow('Line 1: the weight must be between -100 and 100.');
    else expect(parseTermLines(text)).toEqual(want);
  });

  it.each([
    ['', 'A topic needs at least one term.'],
    ['# only a comment', 'A topic needs at least one term.'],
    ['1 a\n500 b', 'Line 2: the weight must be between -100 and 100.'],
    [Array.from({ length: 5001 }, () => 'x').join('\n'), 'A topic holds at most 5000 terms; this has 5001 lines.'],
  ])('refuses %j with one sentence', (text, sentence) => {
    expect(() => parseTermLines(text)).toThrow(sentence);
  });

  it('writes the lines it reads', () => {
    const terms = [{ term: 'GRU', weight: 3, case: 'exact' as const }, { term: 'spying', weight: 2 }, { term: 'ransomware', weight: -1.5 }];
    expect(parseTermLines(termsText(terms))).toEqual(terms);
  });

  it('says what changed in one line', () => {
    const before: Topic = { id: 'esp', name: 'E', description: '', threshold: 8, terms: [{ term: 'spying', weight: 2 }, { term: 'hack', weight: 1 }] };
    const after: Topic = { ...before, threshold: 10, terms: [{ term: 'spying', weight: 3 }, { term: 'ransomware', weight: -2 }] };
    expect(describeChange(before, after)).toBe('esp: threshold 8 → 10; "spying" 2 → 3; +"ransomware" (-2); -"hack"');
    expect(describeChange(before, before)).toBe('');
  });
});
