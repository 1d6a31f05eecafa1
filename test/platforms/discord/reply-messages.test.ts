// Command replies as Discord messages: cut at line breaks to 2,000 characters, at most five messages with a
// last line saying what was left out, never inside a link, a code span or an escape.
import { describe, expect, it } from 'vitest';
import { markdownSpans, replyMessages } from '../../../src/platforms/discord/reply-messages.ts';
import { splitAtLines } from '../../../src/platforms/split-lines.ts';

const lines = (n: number, width: number) => Array.from({ length: n }, (_, i) => `${i + 1} ${'w'.repeat(width)}`).join('\n');

describe('replyMessages (Discord)', () => {
  it.each([
    { name: 'a short reply is one message', text: 'Keywords: "apt".', messages: 1, note: false },
    { name: 'exactly 2,000 characters is one message', text: 'x '.repeat(999) + 'xx', messages: 1, note: false },
    { name: '3,000 characters of lines: two messages', text: lines(30, 98), messages: 2, note: false },
    { name: '9,000 characters: five messages, nothing left out', text: lines(90, 95), messages: 5, note: false },
    { name: '20,000 characters: five messages and a note of what was left out', text: lines(200, 98), messages: 5, note: true },
  ])('$name', ({ text, messages, note }) => {
    const out = replyMessages({ text, ephemeral: true });
    expect(out).toHaveLength(messages);
    for (const m of out) {
      expect(m.content!.length).toBeLessThanOrEqual(2000);
      expect(m.allowed_mentions).toEqual({ parse: [] });
    }
    const last = out.at(-1)!.content!;
    expect(/\n…\d+ more lines not shown: Discord takes at most 5 messages in answer to a command\.$/.test(last)).toBe(note);
    if (note) {
      const shown = out.map((m) => m.content!).join('\n').split('\n').filter((l) => /^\d+ w/.test(l)).length;
      expect(last).toContain(`…${200 - shown} more lines not shown`);
    } else expect(out.map((m) => m.content!).join('\n').replace(/\n/g, ' ')).toBe(text.replace(/\n/g, ' '));
  });

  // Discord refuses a message with nothing in it: a blank reply is a sentence, or its stories alone.
  it.each([
    { name: 'empty text, no stories', text: '', stories: 0, content: 'This command gave no answer to show; try /news help, or tell the operator if one was expected.' },
    { name: 'invisible characters and spaces, no stories', text: '\u200b \n ', stories: 0, content: 'This command gave no answer to show; try /news help, or tell the operator if one was expected.' },
    { name: 'empty text with a story: the story alone', text: '', stories: 1, content: '' },
  ])('a reply with $name', ({ text, stories, content }) => {
    const story = { title: 'T', url: 'https://news.example/t', source: 'S', publishedAt: null, summary: 's', fromExcerpt: false, topics: [], alsoCoveredBy: [] };
    const out = replyMessages({ text, ephemeral: true, stories: Array.from({ length: stories }, () => story) });
    expect(out.map((m) => [m.content, m.embeds.length])).toEqual([[content, stories]]);
  });

  it('puts stories on the last message', () => {
    const story = { title: 'T', url: 'https://news.example/t', source: 'S', publishedAt: null, summary: 's', fromExcerpt: false, topics: [], alsoCoveredBy: [] };
    const out = replyMessages({ text: lines(30, 98), ephemeral: false, stories: [story] });
    expect(out.map((m) => m.embeds.length)).toEqual([0, 1]);
  });
});

describe('markdownSpans: what a cut never falls inside', () => {
  it.each([
    { name: 'an escape', line: 'a \\* b', spans: [[2, 4]] },
    { name: 'an autolink', line: 'see <https://x.example/a b> now', spans: [[4, 27]] },
    { name: 'a masked link', line: 'x [a label](https://x.example) y', spans: [[2, 30]] },
    { name: 'a code span', line: 'run `cyberbrief alerts retry --all` now', spans: [[4, 35]] },
    { name: 'an escaped bracket is no link', line: '\\[a](b)', spans: [[0, 2]] },
    { name: 'an escaped backtick opens no code span', line: '\\`a b`', spans: [[0, 2]] },
  ])('$name', ({ line, spans }) => {
    expect(markdownSpans(line)).toEqual(spans);
  });

  it.each([
    { name: 'a space inside a code span is not cut at', text: 'aaaa `b c d e f g` hh', max: 16, pieces: ['aaaa', '`b c d e f g` hh'] },
    { name: 'a space inside a masked link label is not cut at', text: 'aaaa [b c d e](https://x.y) z', max: 24, pieces: ['aaaa', '[b c d e](https://x.y) z'] },
    { name: 'a word is cut before an escape, not inside it', text: `${'y'.repeat(15)}\\*z`, max: 16, pieces: ['y'.repeat(15), '\\*z'] },
  ])('splitAtLines with them: $name', ({ text, max, pieces }) => {
    expect(splitAtLines(text, max, markdownSpans)).toEqual(pieces);
  });
});
