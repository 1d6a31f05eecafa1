// A digest names as many stories as its message can hold, whole lines only, and counts the rest: a cut line could
// leave a link's markup open (Slack's <url|title>, Discord's [title](url)). Table-driven over both platforms'
// renderings; the adapters' tests send digests through the real clients to the emulators.
import { describe, expect, it } from 'vitest';
import type { DigestView } from '../../src/domain/chat.ts';
import { digestMessage as discordDigest } from '../../src/platforms/discord/embeds.ts';
import { digestMessage as slackDigest } from '../../src/platforms/slack/blocks.ts';

const story = (i: number, urlLength: number) => ({
  title: `Story number ${i} about a state campaign`,
  url: `https://news.example/${String(i).padStart(3, '0')}/${'a'.repeat(Math.max(0, urlLength - 26))}`,
  source: 'Wire',
});
const digest = (n: number, urlLength: number): DigestView => ({ stories: Array.from({ length: n }, (_, i) => story(i + 1, urlLength)) });

const slackText = (d: DigestView) => {
  const m = slackDigest(d);
  return (m.blocks![0] as { text: { text: string } }).text.text;
};
const discordText = (d: DigestView) => discordDigest(d).embeds![0]!.description!;

describe.each([
  { platform: 'Slack', text: slackText, max: 3000, links: /<https:\/\/news\.example\/(\d{3})\/a*\|Story number \d+ about a state campaign>/g },
  { platform: 'Discord', text: discordText, max: 4096, links: /\[Story number \d+ about a state campaign\]\(<?https:\/\/news\.example\/(\d{3})\/a*>?\)/g },
])('$platform digest', ({ text, max, links }) => {
  it.each([
    { name: 'three short stories: all listed', n: 3, urlLength: 40, more: null },
    { name: 'twenty-five long URLs: whole lines, the rest counted', n: 25, urlLength: 400, more: 'counted' },
    { name: 'three URLs near the 2,000 characters a link may have: the first whole, the rest counted', n: 3, urlLength: 1900, more: 'counted' },
  ])('$name', ({ n, urlLength, more }) => {
    const t = text(digest(n, urlLength));
    expect(t.length).toBeLessThanOrEqual(max);
    const listed = [...t.matchAll(links)].map((m) => Number(m[1]));
    // Every link listed is whole, in order from the first story; the rest are counted exactly.
    expect(listed).toEqual(Array.from({ length: listed.length }, (_, i) => i + 1));
    const lines = t.split('\n').filter((l) => l.startsWith('• '));
    expect(lines.length).toBe(listed.length);
    if (more === null) {
      expect(listed.length).toBe(n);
      expect(t).not.toMatch(/more\.$/);
    } else {
      expect(listed.length).toBeLessThan(n);
      expect(t).toMatch(new RegExp(`…and ${n - listed.length} more\\.$`));
    }
  });
});
