// Every text a message shows cut to a length is cut by one piece of code (lib/bounded-text.ts clipText): never
// inside what a reader sees as one character (an emoji, a flag, a letter with its accent), always with `…`.
// Before, these four cut with .slice() and "...", which could leave half an emoji (a lone surrogate, shown as
// � or refused by PostgreSQL) or half a flag.
import { describe, expect, it } from 'vitest';
import { echoed } from '../../src/cli/format.ts';
import { show } from '../../src/config/issue-text.ts';
import { normaliseFeed } from '../../src/feeds/normalise.ts';
import { compileTopics } from '../../src/matching/index.ts';

const EMOJI = '\u{1F512}';
const FLAG = '\u{1F1E9}\u{1F1EA}';

/** The title normaliseFeed gives an item with no title and this summary. */
function untitledTitle(summary: string): string {
  const feed = { format: 'rss' as const, title: 'F', siteUrl: null, ttlMinutes: null, base: null, via: 'strict' as const, encoding: 'utf-8', entries: [{ guid: 'g', link: null, title: '', summary, content: null, author: null, date: null, base: null }] };
  return normaliseFeed(feed, { feedId: 1, feedUrl: 'https://site.example/feed' })[0]!.title;
}

/** The reason a topic whose any_of group names `term` gives for a story without it: `any_of not met (none of "…")`. */
function anyOfReason(term: string): string {
  const topic = { id: 't', name: 'T', description: '', threshold: 1, terms: [{ term: 'hackers', weight: 1 }], groups: { anyOf: [term] } };
  const r = compileTopics([topic]).match({ title: 'hackers' })[0]!;
  return r.reasons.find((x) => x.startsWith('any_of not met'))!;
}

describe('shown cuts keep what a reader sees as one character whole', () => {
  it.each([
    { name: 'cli echoed: an emoji across the old cut', got: () => echoed(`${'x'.repeat(76)}${EMOJI}${'y'.repeat(10)}`), want: `${'x'.repeat(76)}${EMOJI}yy…` },
    { name: 'cli echoed: a flag across the cut is left out whole', got: () => echoed(`${'x'.repeat(78)}${FLAG}y`), want: `${'x'.repeat(78)}…` },
    { name: 'cli echoed: short text as it is', got: () => echoed(`${'x'.repeat(78)}${EMOJI}y`), want: `${'x'.repeat(78)}${EMOJI}y` },
    { name: 'config value shown: an emoji across the old cut', got: () => show(`${'x'.repeat(75)}${EMOJI}${'y'.repeat(10)}`), want: `"${'x'.repeat(75)}${EMOJI}yy…` },
    { name: 'untitled item: back to the last whole word', got: () => untitledTitle(`${'word '.repeat(23)}ab${EMOJI}cd more`), want: `${'word '.repeat(22)}word…` },
    { name: 'untitled item: one long word with an emoji across the old cut', got: () => untitledTitle(`${'x'.repeat(116)}${EMOJI}${'y'.repeat(10)}`), want: `${'x'.repeat(116)}${EMOJI}yy…` },
    { name: 'topic reason: a long group term with an emoji across the old cut', got: () => anyOfReason(`${'x'.repeat(36)}${EMOJI} ${'y'.repeat(10)}`), want: `any_of not met (none of "${'x'.repeat(36)}${EMOJI} y…")` },
  ])('$name', ({ got, want }) => {
    const text = got();
    expect(text).toBe(want);
    expect(text).not.toMatch(/\p{Cs}|\.\.\./u);
  });
});
