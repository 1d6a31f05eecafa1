// The topic editor's term lines ("weight term", an optional case mode) and the one-line "what changed"
// a saved version records.
import { describe, expect, it } from 'vitest';
import { parseTopics } from '../../src/config/topics.ts';
import type { Topic } from '../../src/domain/types.ts';
import { describeChange, editedTopics, parseTermLines, termsText } from '../../src/web/pages/topics.tsx';

describe('topic editor lines', () => {
  it.each([
    ['4 state-sponsored', [{ term: 'state-sponsored', weight: 4 }]],
    ['spying', [{ term: 'spying', weight: 1 }]],
    ['-2 ransomware', [{ term: 'ransomware', weight: -2 }]],
    ['1.5 (Chinese|Russian) hackers', [{ term: '(Chinese|Russian) hackers', weight: 1.5 }]],
    ['3 GRU [exact]\n\n# a comment\n2 us [fold]', [{ term: 'GRU', weight: 3, case: 'exact' }, { term: 'us', weight: 2, case: 'fold' }]],
    ['4 russian (government|military) [not_before_target]\n2 PLA [exact] [not_before_target]', [{ term: 'russian (government|military)', weight: 4, notBeforeTarget: true }, { term: 'PLA', weight: 2, case: 'exact', notBeforeTarget: true }]],
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
    const terms = [{ term: 'GRU', weight: 3, case: 'exact' as const }, { term: 'spying', weight: 2 }, { term: 'ransomware', weight: -1.5 }, { term: 'chinese military', weight: 4, notBeforeTarget: true as const }];
    expect(parseTermLines(termsText(terms))).toEqual(terms);
  });

  it('says what changed in one line', () => {
    const before: Topic = { id: 'esp', name: 'E', description: '', threshold: 8, terms: [{ term: 'spying', weight: 2 }, { term: 'hack', weight: 1 }] };
    const after: Topic = { ...before, threshold: 10, terms: [{ term: 'spying', weight: 3 }, { term: 'ransomware', weight: -2 }] };
    expect(describeChange(before, after)).toBe('esp: threshold 8 → 10; "spying" 2 → 3; +"ransomware" (-2); -"hack"');
    expect(describeChange(before, before)).toBe('');
  });

  // The form's problems in the form's words: a line number and the field, never the topics file's key path
  // ("topics: the edited topics: topics.1.terms.0.term = ...") of the list the form is checked as.
  const topics: Topic[] = [
    { id: 'esp', name: 'E', description: '', threshold: 8, terms: [{ term: 'spying', weight: 2 }] },
    { id: 'talks', name: 'T', description: '', threshold: 4, terms: [{ term: 'working group', weight: 3 }] },
  ];
  it.each([
    { name: 'a negative threshold', threshold: '-5', terms: '2 talks', error: 'The threshold must be a number from 0 to 10000.' },
    { name: 'a threshold too large', threshold: '20000', terms: '2 talks', error: 'The threshold must be a number from 0 to 10000.' },
    { name: 'no threshold', threshold: ' ', terms: '2 talks', error: 'The threshold must be a number from 0 to 10000.' },
    { name: 'an unclosed alternative, after a comment and a blank line', threshold: '4', terms: '# talks\n\n2 talks\n3 (cyber|digital', error: /^Line 4: "\(cyber\|digital" is invalid: it has a "\(" without "\)"; write words, phrases and \(a\|b\) alternatives\.$/ },
    { name: 'a term with nothing to match', threshold: '4', terms: '2 talks\n1 ()', error: /^Line 2: "\(\)" is invalid/ },
  ])('refuses $name in one sentence of its own', ({ threshold, terms, error }) => {
    expect(() => editedTopics(topics, 'talks', { threshold, terms }, parseTopics)).toThrow(error);
  });

  it('gives the list with the topic edited', () => {
    const list = editedTopics(topics, 'talks', { threshold: '5', terms: '2 talks\n-1 webinar' }, parseTopics);
    expect(list.map((t) => [t.id, t.threshold, t.terms])).toEqual([
      ['esp', 8, [{ term: 'spying', weight: 2 }]],
      ['talks', 5, [{ term: 'talks', weight: 2 }, { term: 'webinar', weight: -1 }]],
    ]);
  });
});
