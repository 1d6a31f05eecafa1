// fitLines: a reply's lines within the size every platform shows, whole lines only, and a last line saying
// how many were left out.
import { describe, expect, it } from 'vitest';
import { fitLines, REPLY_TEXT_MAX } from '../../src/commands/reply-size.ts';

const lines = (n: number, width: number) => Array.from({ length: n }, (_, i) => `${i + 1} ${'w'.repeat(width)}`);

describe('fitLines', () => {
  it.each([
    { name: 'lines that fit are joined whole', lines: lines(3, 10), max: 100, want: lines(3, 10).join('\n') },
    { name: 'exactly the limit fits', lines: ['a'.repeat(50), 'b'.repeat(49)], max: 100, want: `${'a'.repeat(50)}\n${'b'.repeat(49)}` },
    { name: 'one line over: cut before it, with a note', lines: lines(10, 10), max: 60, want: `${lines(2, 10).join('\n')}\n…8 more lines not shown.` },
    { name: 'one left out: singular', lines: ['a'.repeat(40), 'b'.repeat(40)], max: 70, want: `${'a'.repeat(40)}\n…1 more line not shown.` },
    { name: 'a first line too long on its own: the note alone', lines: ['x'.repeat(200), 'y'], max: 100, want: '…2 more lines not shown.' },
  ])('$name', ({ lines: given, max, want }) => {
    const got = fitLines(given, ['line', 'lines'], max);
    expect(got).toBe(want);
    expect(got.length).toBeLessThanOrEqual(max);
  });

  it('keeps a very long list within REPLY_TEXT_MAX, counting what was left out', () => {
    const given = lines(2000, 60);
    const got = fitLines(given, ['topic', 'topics']);
    expect(got.length).toBeLessThanOrEqual(REPLY_TEXT_MAX);
    const kept = got.split('\n').slice(0, -1);
    expect(kept).toEqual(given.slice(0, kept.length));
    expect(got.split('\n').at(-1)).toBe(`…${2000 - kept.length} more topics not shown.`);
  });
});
