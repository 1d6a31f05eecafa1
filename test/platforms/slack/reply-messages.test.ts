// A command reply as Slack messages: sections of at most 3,000 characters cut at line breaks, messages
// within 50 blocks and 40,000 characters, five messages at most, stories after the text. Every message is
// checked against the emulator's copy of Slack's limits.
import { describe, expect, it } from 'vitest';
import type { StoryView } from '../../../src/domain/chat.ts';
import { replyMessages } from '../../../src/platforms/slack/blocks.ts';
import { slackLimitError } from '../../emulators/slack.ts';

const lines = (n: number, width: number) => Array.from({ length: n }, (_, i) => `${i + 1}. ${'word '.repeat(Math.ceil(width / 5))}`.slice(0, width).trimEnd()).join('\n');
const story: StoryView = { title: 'A story', url: 'https://news.example/a', source: 'Wire', publishedAt: null, summary: 'Summary.', fromExcerpt: false, topics: [], alsoCoveredBy: [] };

describe('replyMessages', () => {
  // A reply of several sections gets its first line as the notification text, cut to 200 characters: at a
  // space, else (a long link) on a character boundary and outside the entities escaping made.
  it.each([
    { name: 'cut at the last space', first: `${'word '.repeat(60)}`, want: `${'word '.repeat(39)}word…` },
    { name: 'no space: an emoji at the cut kept whole', first: `${'x'.repeat(198)}😀${'y'.repeat(60)}`, want: `${'x'.repeat(198)}😀…` },
    { name: 'no space: an & at the cut not left as half its entity', first: `https://news.example/${'x'.repeat(176)}&${'y'.repeat(60)}`, want: `https://news.example/${'x'.repeat(176)}…` },
    { name: 'no space: a whole entity before the cut kept', first: `https://news.example/${'x'.repeat(172)}&${'y'.repeat(60)}`, want: `https://news.example/${'x'.repeat(172)}&amp;y…` },
  ])('the notification text of a long reply: $name', ({ first, want }) => {
    const [m] = replyMessages({ text: `${first.trimEnd()}\n${lines(40, 150)}`, ephemeral: true });
    expect(m!.blocks.length).toBeGreaterThan(1);
    expect(m!.text).toBe(want);
    expect(m!.text).not.toMatch(/\p{Cs}/u);
  });

  const cases = [
    { name: 'a short reply: one section, the text as fallback', text: 'Added "cyber".', stories: 0, messages: 1, sections: [1], note: null },
    { name: 'over a section: several sections in one message', text: lines(40, 150), stories: 0, messages: 1, sections: [3], note: null },
    { name: 'over a message: several messages', text: lines(600, 150), stories: 0, messages: 3, sections: [12, 12, 8], note: null },
    { name: 'over five messages: a note of what was left out', text: lines(1400, 150), stories: 0, messages: 5, sections: [12, 12, 12, 12, 12], note: /^…260 more lines not shown: Slack takes at most 5 messages in answer to a command\.$/ },
    { name: 'stories after a long text, in the last message', text: lines(40, 150), stories: 3, messages: 1, sections: [3], note: null },
  ];
  it.each(cases)('$name', ({ text, stories, messages, sections, note }) => {
    const got = replyMessages({ text, ephemeral: false, stories: Array.from({ length: stories }, () => story) });
    expect(got).toHaveLength(messages);
    for (const m of got) {
      expect(slackLimitError(m as unknown as Record<string, unknown>)).toBeNull();
      expect(m.response_type).toBe('in_channel');
    }
    // The text's sections lead each message; stories (after a divider) and notes follow.
    const leading = (m: (typeof got)[number]) => {
      const end = m.blocks.findIndex((b) => b.type !== 'section');
      return end < 0 ? m.blocks : m.blocks.slice(0, end);
    };
    expect(got.map((m) => leading(m).length)).toEqual(sections);
    const shown = got.flatMap((m) => leading(m).map((b) => (b as { text: { text: string } }).text.text));
    // Whole lines, in order: the reply's first lines, none cut.
    const all = text.split('\n');
    expect(shown.flatMap((t) => t.split('\n'))).toEqual(all.slice(0, shown.flatMap((t) => t.split('\n')).length));
    if (note) expect((got.at(-1)!.blocks.at(-1) as { elements: Array<{ text: string }> }).elements[0]!.text).toMatch(note);
    else expect(shown.flatMap((t) => t.split('\n'))).toEqual(all);
    expect(got[0]!.text).toBe(sections[0] === 1 && messages === 1 ? text : all[0]);
    expect(got.at(-1)!.blocks.filter((b) => b.type === 'divider')).toHaveLength(stories);
  });

  // Slack refuses a block whose text is empty: a reply with no text and no stories is a sentence instead.
  it.each([
    { name: 'empty text', text: '', stories: 0, want: 'This command gave no answer to show; try /news help, or tell the operator if one was expected.' },
    { name: 'only white space and invisible characters', text: ' \n\u200b ', stories: 0, want: 'This command gave no answer to show; try /news help, or tell the operator if one was expected.' },
    { name: 'empty text with a story: the story alone', text: '', stories: 1, want: null },
  ])('a reply with $name', ({ text, stories, want }) => {
    const got = replyMessages({ text, ephemeral: true, stories: Array.from({ length: stories }, () => story) });
    expect(got).toHaveLength(1);
    expect(slackLimitError(got[0] as unknown as Record<string, unknown>)).toBeNull();
    const sections = got[0]!.blocks.filter((b) => b.type === 'section' && !('accessory' in b)).map((b) => (b as { text: { text: string } }).text.text);
    if (want) expect(sections).toEqual([want]);
    if (want) expect(got[0]!.text).toBe(want);
    else expect(got[0]!.blocks.filter((b) => b.type === 'divider')).toHaveLength(1);
  });
});
