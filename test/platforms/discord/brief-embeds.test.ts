import { describe, expect, it } from 'vitest';
import { briefMessages, DISCORD_LIMITS, embedChars } from '../../../src/platforms/discord/brief-embeds.ts';
import { bigBrief, hostileBrief, smallBrief } from '../brief-fixtures.ts';

describe('Discord brief messages', () => {
  it('fit in one message when small: a heading embed and one embed per topic', () => {
    const [m, ...rest] = briefMessages(smallBrief);
    expect(rest).toEqual([]);
    expect(m!.allowed_mentions).toEqual({ parse: [] });
    expect(m!.embeds.map((e) => e.title)).toEqual(['Daily brief', 'State cyberespionage']);
    expect(m!.embeds[1]!.description).toBe(
      '**[Spies charged](https://news.example/1)**\nAlpha · relevance 0.93 · 2 outlets\nFour officers were charged.\n*Also covered by: [Beta](https://beta.example/1)*\n\n**Ministry breached**\nGamma\nA ministry found intruders.',
    );
    expect(m!.embeds[1]!.footer?.text).toBe('That is everything that matched in this period.');
  });

  it('split a brief far over the limits into messages within them, never inside a story, every story once and in order', () => {
    const parts = briefMessages(bigBrief(60, 2));
    expect(parts.length).toBeGreaterThan(1);
    const seen: number[] = [];
    for (const [i, m] of parts.entries()) {
      expect(m.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
      expect(embedChars(m.embeds)).toBeLessThanOrEqual(DISCORD_LIMITS.totalChars);
      for (const e of m.embeds) {
        expect((e.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
        expect((e.title ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      }
      expect(m.embeds[0]!.title).toBe(`Daily brief (${i + 1}/${parts.length})`);
      for (const e of m.embeds.slice(1)) {
        // Stories are separated by a blank line; each holds its own marker only.
        for (const story of (e.description ?? '').split('\n\n')) {
          const found = [...story.matchAll(/T(\d{3})x/g)].map((x) => Number(x[1]));
          expect(new Set(found).size).toBeLessThanOrEqual(1);
          if (found.length) seen.push(found[0]!);
        }
      }
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(parts.slice(1).some((m) => m.embeds.some((e) => e.title?.endsWith('(continued)')))).toBe(true);
  });

  it('escape feed text: mentions broken, markdown escaped, no javascript: link', () => {
    const all = JSON.stringify(briefMessages(hostileBrief));
    expect(all).not.toMatch(/(?<!\u200b)@everyone|(?<!\u200b)@here|<@U0ADMIN>|\]\(https:\/\/evil/);
    expect(all).not.toContain('javascript:');
    expect(all).toContain('@\u200beveryone');
    expect(all).toContain('\\\\[click\\\\]\\\\(https://evil.example\\\\)');
  });
});
