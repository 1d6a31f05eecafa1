// What a user typed, quoted back in a sentence (an unknown command, subcommand, page or feed): cut on a
// character boundary (never half an emoji, which chat clients show as a replacement character) and without
// invisible format characters (a bidi override would reverse the rest of the reply).
import { describe, expect, it } from 'vitest';
import { commandsOnFreshSqlite, MANAGER as manager, slashCommand as command } from '../helpers/command-deps.ts';

const X = 'x'.repeat(39);
const LONG = `${X}\u{1F600}\u{1F600}`;
const URL_LONG = `https://x.example/${'y'.repeat(181)}\u{1F600}\u{1F600}`;
const isWellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('typed text quoted back (SQLite)', () => {
  const bot = commandsOnFreshSqlite();

  it.each([
    { name: 'an unknown command', text: LONG, echo: `/news ${X}… command` },
    { name: 'help for an unknown command', text: `help ${LONG}`, echo: `/news ${X}… command` },
    { name: 'an unknown subcommand', text: `keywords ${LONG}`, echo: `Usage: /news keywords` },
    { name: 'a mistyped subcommand', text: `mode ${'l'.repeat(2)}ive\u202e`, echo: `/news mode has no "llive"` },
    { name: 'a page that is not one', text: `feeds list page ${LONG}`, echo: `"${X}…" is not a page number` },
    { name: 'a word too many after a page', text: `feeds list 1 ${LONG}`, echo: `"${X}…" is one word too many` },
    { name: 'a feed that is not there', text: `feeds remove ${URL_LONG}`, echo: `No feed matches "https://x.example/${'y'.repeat(181)}…"` },
    { name: 'an unknown command with a bidi override', text: '\u202eevil', echo: '/news evil command' },
    { name: 'help for one with a bidi override', text: 'help \u202eevil', echo: '/news evil command' },
  ])('$name: cut on a character, no invisible characters', async ({ text, echo }) => {
    await bot.storage.feeds.add({ url: 'https://feeds.example/rss', source: 'user' });
    const r = await bot.handle(command(text, manager));
    expect(r.text).toContain(echo);
    expect(isWellFormed(r.text)).toBe(true);
    expect(r.text).not.toMatch(/\p{Cf}/u);
  });
});
