// One wording for "what was left out" wherever a list is cut short: the helper, and each place that uses it
// (a command's lines, Discord's and Slack's five messages, Slack's stories), each with its own tail.
import { describe, expect, it } from 'vitest';
import { fitLines } from '../../src/commands/reply-size.ts';
import type { StoryView } from '../../src/domain/chat.ts';
import { LINES, notShown, STORIES } from '../../src/lib/not-shown.ts';
import { replyMessages as discordReplies } from '../../src/platforms/discord/reply-messages.ts';
import { replyMessages as slackReplies } from '../../src/platforms/slack/blocks.ts';

const numbered = (n: number, width: number) => Array.from({ length: n }, (_, i) => `${i + 1} ${'w'.repeat(width)}`);
const story: StoryView = { title: 'A story', url: 'https://news.example/a', source: 'Wire', publishedAt: null, summary: 'Summary.', fromExcerpt: false, topics: [], alsoCoveredBy: [] };
/** The numbered lines a platform's messages show. */
const shownLines = (texts: string[]) => texts.join('\n').split('\n').filter((l) => /^\d+ w/.test(l)).length;
const contextText = (block: unknown) => (block as { elements: Array<{ text: string }> }).elements[0]!.text;

describe('notShown', () => {
  it.each([
    { count: 1, noun: LINES, want: '…1 more line not shown' },
    { count: 2, noun: LINES, want: '…2 more lines not shown' },
    { count: 1, noun: STORIES, want: '…1 more story not shown' },
    { count: 7, noun: ['topic', 'topics'] as const, want: '…7 more topics not shown' },
  ])('$count $noun: $want', ({ count, noun, want }) => {
    expect(notShown(count, noun)).toBe(want);
  });
});

describe('every cut list ends with the same note', () => {
  it.each([
    {
      caller: 'a command reply over its size (commands/reply-size.ts)',
      note: () => {
        const text = fitLines(['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)], LINES, 70);
        return { got: text.split('\n').at(-1), want: '…2 more lines not shown.' };
      },
    },
    {
      caller: 'Discord, over five messages',
      note: () => {
        const out = discordReplies({ text: numbered(200, 98).join('\n'), ephemeral: true }).map((m) => m.content!);
        return { got: out.at(-1)!.split('\n').at(-1), want: `…${200 - shownLines(out)} more lines not shown: Discord takes at most 5 messages in answer to a command.` };
      },
    },
    {
      caller: 'Slack, over five messages',
      note: () => {
        const out = slackReplies({ text: numbered(1400, 148).join('\n'), ephemeral: true });
        const sections = out.flatMap((m) => m.blocks.filter((b) => b.type === 'section').map((b) => (b as { text: { text: string } }).text.text));
        return { got: contextText(out.at(-1)!.blocks.at(-1)), want: `…${1400 - shownLines(sections)} more lines not shown: Slack takes at most 5 messages in answer to a command.` };
      },
    },
    {
      caller: 'Slack, stories over one message',
      note: () => {
        // Four blocks a story: twenty are more than Slack's 50 blocks.
        const [last] = slackReplies({ text: 'Latest', ephemeral: true, stories: Array.from({ length: 20 }, () => story) });
        const shown = last!.blocks.filter((b) => b.type === 'divider').length;
        return { got: contextText(last!.blocks.at(-1)), want: `…${20 - shown} more stories not shown; ask for fewer with a count.` };
      },
    },
  ])('$caller', ({ note }) => {
    const { got, want } = note();
    // The cut happened (something was left out), and the note says so in the shared words.
    expect(want).not.toMatch(/…0 more/);
    expect(got).toBe(want);
  });
});
