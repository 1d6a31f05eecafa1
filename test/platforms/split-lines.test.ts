// Long text cut for a platform's limits: at line breaks, then at spaces, never inside a word, a link, an
// entity or a surrogate pair; nothing lost, nothing added.
import { describe, expect, it } from 'vitest';
import { splitAtLines } from '../../src/platforms/split-lines.ts';

const line = (n: number, width: number) => `${n}. ${'x'.repeat(width - String(n).length - 2)}`;
const url = `https://feeds.example/${'a'.repeat(60)}?x=1&amp;y=2`;

describe('splitAtLines', () => {
  const cases: { name: string; text: string; max: number; pieces: string[] }[] = [
    { name: 'short text is one piece', text: 'one\ntwo', max: 20, pieces: ['one\ntwo'] },
    { name: 'exactly the limit', text: 'x'.repeat(20), max: 20, pieces: ['x'.repeat(20)] },
    { name: 'at line breaks, lines packed', text: [line(1, 8), line(2, 8), line(3, 8)].join('\n'), max: 17, pieces: [`${line(1, 8)}\n${line(2, 8)}`, line(3, 8)] },
    { name: 'a blank line kept inside a piece', text: 'aaaa\n\nbbbb\ncccccccccccccccccc', max: 20, pieces: ['aaaa\n\nbbbb', 'cccccccccccccccccc'] },
    { name: 'a long line at spaces', text: 'alpha bravo charlie delta echo foxtrot', max: 16, pieces: ['alpha bravo', 'charlie delta', 'echo foxtrot'] },
    { name: 'a link is never cut', text: `see ${url} now`, max: url.length + 2, pieces: ['see', url, 'now'] },
    { name: 'a word longer than a piece is cut, not inside an entity', text: `${'y'.repeat(14)}&amp;zz`, max: 16, pieces: ['y'.repeat(14), '&amp;zz'] },
    { name: 'a word longer than a piece is cut, not inside a surrogate pair', text: `${'y'.repeat(15)}😀z`, max: 16, pieces: ['y'.repeat(15), '😀z'] },
  ];
  it.each(cases)('$name', ({ text, max, pieces }) => {
    const got = splitAtLines(text, max);
    expect(got).toEqual(pieces);
    for (const p of got) expect(p.length).toBeLessThanOrEqual(max);
    // Nothing lost or added: the pieces give the text back, up to the break (a line break or a space) at each cut.
    expect(got.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' ').replace(/(y+)&/, '$1 &').replace(/(y+)😀/, '$1 😀'));
  });
});
