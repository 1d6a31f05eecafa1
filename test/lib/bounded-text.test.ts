import { describe, expect, it } from 'vitest';
import { boundedText, clipText, codePoints, firstChars, quoted, QUOTE_MAX, storedError, STORED_ERROR_MAX } from '../../src/lib/bounded-text.ts';

const chars = (s: string) => Array.from(s).length;
// Controls, escape sequences and invisible format characters a stranger may send.
const NASTY = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

describe('boundedText', () => {
  it.each<{ name: string; text: string; max: number; want: string }>([
    { name: 'short text unchanged', text: 'hub said no', max: 20, want: 'hub said no' },
    { name: 'exactly max', text: 'x'.repeat(20), max: 20, want: 'x'.repeat(20) },
    { name: 'escape sequences and controls removed, lines joined', text: 'topic\u001b[31m not\r\nallowed\u0007', max: 50, want: 'topic not allowed' },
    { name: 'bidi overrides and zero-width characters removed', text: 'evil\u202egnp.exe\u200b', max: 50, want: 'evilgnp.exe' },
    { name: 'cut, saying so and how long it was', text: 'y'.repeat(100), max: 60, want: `${'y'.repeat(30)} …[cut: 100 characters in all]` },
    { name: 'never splits an astral character', text: '😀'.repeat(100), max: 40, want: `${'😀'.repeat(10)} …[cut: 100 characters in all]` },
  ])('$name', ({ text, max, want }) => {
    expect(boundedText(text, max)).toBe(want);
  });

  it.each<{ name: string; text: string; bound: (s: string) => string; max: number }>([
    { name: 'a 16 KB Location quoted', text: `https://evil.example/${'a'.repeat(16 * 1024)}`, bound: quoted, max: QUOTE_MAX },
    { name: 'a 16 KB hub body with escapes, stored', text: '\u001b]8;;https://x\u0007click\u001b]8;;\u0007 \u202e'.repeat(600), bound: storedError, max: STORED_ERROR_MAX },
    { name: 'a megabyte of emoji, stored', text: '🔥'.repeat(512 * 1024), bound: storedError, max: STORED_ERROR_MAX },
    { name: 'a megabyte of controls only', text: '\u0001'.repeat(1024 * 1024), bound: storedError, max: STORED_ERROR_MAX },
  ])('$name: at most the bound, one clean line, marked as cut', ({ text, bound, max }) => {
    const out = bound(text);
    expect(chars(out)).toBeLessThanOrEqual(max);
    expect(out).not.toMatch(NASTY);
    expect(out).not.toMatch(/\p{Cs}/u);
    expect(out).toMatch(/…\[cut: \d+ characters in all\]$/);
  });
});

// Text shown as it is, cut to a length: on a character boundary, so an emoji (two UTF-16 code units) at the
// cut is kept whole or left out whole, never halved into a lone surrogate (shown as �, or refused).
describe('clipText', () => {
  it.each<{ name: string; text: string; max: number; want: string }>([
    { name: 'short text unchanged', text: 'abc', max: 3, want: 'abc' },
    { name: 'cut with an ellipsis, within max', text: 'abcdef', max: 4, want: 'abc…' },
    { name: 'max counts characters, not code units', text: '😀😀😀', max: 3, want: '😀😀😀' },
    { name: 'an emoji last before the cut is kept whole', text: `${'x'.repeat(8)}😀yyy`, max: 10, want: `${'x'.repeat(8)}😀…` },
    { name: 'an emoji across the code-unit cut is left out whole', text: `${'x'.repeat(9)}😀yy`, max: 10, want: `${'x'.repeat(9)}…` },
    { name: 'emoji only', text: '😀'.repeat(50), max: 5, want: `${'😀'.repeat(4)}…` },
    { name: 'a space before the ellipsis dropped', text: 'abc def', max: 5, want: 'abc…' },
    { name: 'max 1', text: 'ab', max: 1, want: '…' },
    // What a reader sees as one character may be several code points: it is kept or left out whole.
    { name: 'a flag (two regional letters) across the cut is left out whole', text: `${'x'.repeat(8)}🇩🇪yy`, max: 10, want: `${'x'.repeat(8)}…` },
    { name: 'a family emoji (joined by U+200D) across the cut is left out whole', text: `${'x'.repeat(6)}👩\u200d👩\u200d👧yy`, max: 10, want: `${'x'.repeat(6)}…` },
    { name: 'a skin-tone emoji across the cut is left out whole', text: `${'x'.repeat(8)}👍🏽yy`, max: 10, want: `${'x'.repeat(8)}…` },
    { name: 'a letter and its combining accent stay together', text: `${'x'.repeat(8)}e\u0301yy`, max: 10, want: `${'x'.repeat(8)}…` },
    { name: 'one grapheme longer than the room is cut on a code point', text: `e${'\u0301'.repeat(20)}`, max: 5, want: `e${'\u0301'.repeat(3)}…` },
    { name: 'CR LF across the cut is left out whole', text: `${'x'.repeat(8)}\r\nyy`, max: 10, want: `${'x'.repeat(8)}…` },
    { name: 'a precomposed accented letter is one character', text: `${'x'.repeat(8)}éyy`, max: 10, want: `${'x'.repeat(8)}é…` },
  ])('$name', ({ text, max, want }) => {
    const got = clipText(text, max);
    expect(got).toBe(want);
    expect(chars(got)).toBeLessThanOrEqual(max);
    expect(got).not.toMatch(/\p{Cs}/u);
  });

  it('cuts where a grapheme segmenter would, also where it skips the segmenter (both sides under U+0300)', () => {
    // The reference: the last grapheme boundary within the room, always from Intl.Segmenter.
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const reference = (text: string, max: number): string => {
      if (chars(text) <= max) return text;
      const head = firstChars(text, max + 1);
      const keep = firstChars(head, max - 1);
      let end = 0;
      for (const g of segmenter.segment(head)) {
        if (g.index + g.segment.length > keep.length) break;
        end = g.index + g.segment.length;
      }
      return `${(end > 0 ? keep.slice(0, end) : keep).trimEnd()}…`;
    };
    const pieces = ['a', 'Z', ' ', '\r', '\n', '\r\n', 'é', 'ÿ', '\u00ad', '\u02ff', 'e\u0301', '\u0300', '\u200d', '👩\u200d👧', '🇩🇪', '👍🏽', '😀', '\u1100\u1161', '가', '\ufe0f', 'ก\u0e31'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const len = 1 + next(30);
      for (let k = 0; k < len; k++) text += pieces[next(pieces.length)];
      const max = 1 + next(20);
      expect(clipText(text, max), JSON.stringify({ text, max })).toBe(reference(text, max));
    }
  });
});

describe('firstChars and codePoints', () => {
  it.each<{ name: string; text: string; n: number; want: string; count: number }>([
    { name: 'plain text', text: 'abcdef', n: 3, want: 'abc', count: 6 },
    { name: 'fewer than n', text: 'ab', n: 5, want: 'ab', count: 2 },
    { name: 'an emoji is one character', text: '😀😀😀', n: 2, want: '😀😀', count: 3 },
    { name: 'mixed', text: 'a😀b😀c', n: 3, want: 'a😀b', count: 5 },
    { name: 'none', text: 'abc', n: 0, want: '', count: 3 },
    { name: 'a negative count is none', text: 'abc', n: -1, want: '', count: 3 },
    { name: 'a lone surrogate counts as one', text: '\ud83dabc', n: 2, want: '\ud83da', count: 4 },
  ])('$name', ({ text, n, want, count }) => {
    expect(firstChars(text, n)).toBe(want);
    expect(codePoints(text)).toBe(count);
  });
});
