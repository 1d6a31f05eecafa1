import { describe, expect, it } from 'vitest';
import { briefMessages, SLACK_LIMITS, slackMessageChars } from '../../../src/platforms/slack/brief-blocks.ts';
import { bigBrief, hostileBrief, marker, smallBrief } from '../brief-fixtures.ts';

type Block = { type: string; text?: { type: string; text: string }; elements?: Array<{ text: string }> };

describe('Slack brief messages', () => {
  it('fit in one message when small, with no part numbers', () => {
    const [m, ...rest] = briefMessages(smallBrief);
    expect(rest).toEqual([]);
    const blocks = m!.blocks as Block[];
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Daily brief', emoji: false } });
    const text = JSON.stringify(blocks);
    expect(text).toContain('*<https://news.example/1|Spies charged>*\\nAlpha · relevance 0.93 · 2 outlets\\nFour officers were charged.\\n_Also covered by: <https://beta.example/1|Beta>_');
    expect(text).toContain('*State cyberespionage*');
    expect(m!.text).toBe('Daily brief: 2 stories');
  });

  it('split a brief far over the limits into messages within them, never inside a story, every story once and in order', () => {
    const view = bigBrief(60, 2);
    const parts = briefMessages(view);
    expect(parts.length).toBeGreaterThan(1);
    const seen: number[] = [];
    for (const [i, m] of parts.entries()) {
      const blocks = m.blocks as Block[];
      expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      expect(slackMessageChars(m)).toBeLessThanOrEqual(SLACK_LIMITS.messageChars);
      for (const b of blocks) if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
      expect(blocks[0]!.text!.text).toBe(`Daily brief (${i + 1}/${parts.length})`);
      // Each story is one section holding its marker; a marker never appears in two blocks.
      for (const b of blocks) {
        const found = [...JSON.stringify(b).matchAll(/T(\d{3})x/g)].map((x) => Number(x[1]));
        expect(new Set(found).size).toBeLessThanOrEqual(1);
        if (found.length) seen.push(found[0]!);
      }
      // A topic heading is never the last thing in a part.
      const last = blocks[blocks.length - 1]!;
      expect(last.type === 'section' && /^\*Topic \d\*/.test(last.text!.text)).toBe(false);
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // A topic that goes on in the next part says so.
    expect(parts.slice(1).some((m) => JSON.stringify(m.blocks).includes('(continued)'))).toBe(true);
    // Stories too long for a section lost their "also covered by" links, not their title.
    expect(JSON.stringify(parts)).toContain(marker(60));
    expect(JSON.stringify(parts[parts.length - 1])).toContain('20 more stories matched');
  });

  it('escape feed text: no mention, no forged link, no javascript: link', () => {
    const all = JSON.stringify(briefMessages(hostileBrief));
    expect(all).not.toMatch(/<!channel>|<!here>|<@U0ADMIN>|<https:\/\/evil\.example\|/);
    expect(all).not.toContain('javascript:');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('@\u2060everyone');
    expect(all).toContain('<https://mirror.example/a)b|@\u2060everyone Mirror>');
  });
});
