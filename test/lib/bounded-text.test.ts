import { describe, expect, it } from 'vitest';
import { boundedText, quoted, QUOTE_MAX, storedError, STORED_ERROR_MAX } from '../../src/lib/bounded-text.ts';

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
