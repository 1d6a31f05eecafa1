import { describe, expect, it } from 'vitest';
import { plainLine, terminalSafe, xmlChars } from '../../src/lib/terminal-text.ts';

// Hostile feed titles: what a terminal would obey, and what must be left once it is cleaned.
const HOSTILE: Array<{ name: string; input: string; line: string }> = [
  { name: 'colour (CSI SGR)', input: 'Breaking \u001b[31;1mred\u001b[0m news', line: 'Breaking red news' },
  { name: 'clear screen and cursor home', input: '\u001b[2J\u001b[HFake prompt $', line: 'Fake prompt $' },
  { name: 'window title (OSC 0, BEL)', input: 'Title\u001b]0;pwned\u0007 rest', line: 'Title rest' },
  { name: 'hyperlink (OSC 8, ST)', input: '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\ me', line: 'click me' },
  { name: 'an unterminated OSC', input: 'Safe part\u001b]2;everything after', line: 'Safe part' },
  { name: 'device status report request', input: 'x\u001b[6ny', line: 'x y' },
  { name: 'DCS string', input: 'a\u001bPq#0;2;0;0;0\u001b\\b', line: 'a b' },
  { name: '8-bit CSI', input: 'a\u009b31mb', line: 'a b' },
  { name: 'other C1 controls', input: 'quote\u0093d\u0094 text\u0085', line: 'quote d text' },
  { name: 'bare ESC and C0 controls', input: 'bell\u0007 back\u0008space\u001b', line: 'bell back space' },
  { name: 'carriage return overwriting the line', input: 'Real title\rFAKE', line: 'Real title FAKE' },
  { name: 'newlines and tabs', input: 'two\nlines\tand tab', line: 'two lines and tab' },
  { name: 'bidi override (RLO)', input: 'invoice \u202egpj.exe', line: 'invoice gpj.exe' },
  { name: 'bidi isolates and marks', input: '\u2066a\u2069 \u200fb\u200e \u061cc', line: 'a b c' },
  { name: 'zero-width and BOM', input: 'ze\u200bro\u2060 wi\ufeffdth', line: 'zero width' },
  { name: 'line and paragraph separators', input: 'a\u2028b\u2029c', line: 'a b c' },
  { name: 'plain text is unchanged', input: 'U.S. and China — talks «on cyber» 网络', line: 'U.S. and China — talks «on cyber» 网络' },
];

describe('plainLine', () => {
  it.each(HOSTILE)('$name', ({ input, line }) => {
    const out = plainLine(input);
    expect(out).toBe(line);
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/);
  });

  it('caps the length on code point boundaries', () => {
    expect(plainLine('ab😀cd', 3)).toBe('ab😀');
    expect(plainLine('a'.repeat(500), 200)).toHaveLength(200);
  });

  it('is linear on long runs of escape introducers (the 10 s timeout catches a quadratic path)', () => {
    const out = plainLine('\u001b['.repeat(50_000) + '\u001b]'.repeat(50_000) + '\u009b0'.repeat(50_000));
    expect(out).not.toMatch(/[\u001b\u009b]/);
  }, 10_000);
});

describe('terminalSafe', () => {
  it.each(HOSTILE.filter((h) => !/newlines|zero-width|separators|carriage/.test(h.name)))('$name', ({ input }) => {
    expect(terminalSafe(input)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps lines, tabs, emoji sequences and ordinary text as they are', () => {
    const text = 'line one\n\tline two 👩‍💻 «ok»';
    expect(terminalSafe(text)).toBe(text);
    expect(terminalSafe('a\r\nb')).toBe('a\nb');
  });
});

describe('xmlChars', () => {
  it('removes every character outside XML 1.0 Char and keeps the rest', () => {
    expect(xmlChars('a\u0000b\u001bc\u000bd\ufffee\uffff')).toBe('abcde');
    expect(xmlChars('lone \ud800 surrogate \udc00!')).toBe('lone  surrogate !');
    expect(xmlChars('tab\tnl\ncr\r 😀 \u0085 ok')).toBe('tab\tnl\ncr\r 😀 \u0085 ok');
  });
});
