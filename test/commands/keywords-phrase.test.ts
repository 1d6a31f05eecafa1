// `/news keywords add trade secrets` adds two keywords, "trade" and "secrets", each matched on its own (words
// are separated by spaces, as the usage says). The reply makes that plain and shows the phrase quoted, so a
// user who meant the phrase learns it from the reply, not from the alerts the single words let through.
import { describe, expect, it } from 'vitest';
import { parseKeyword } from '../../src/matching/keywords.ts';
import { commandsOnFreshSqlite, slashCommand as command } from '../helpers/command-deps.ts';

const HINT = (words: string) => ` Each is a keyword on its own; for the phrase, quote it: /news keywords add "${words}" (and /news keywords remove ${words}).`;

describe('/news keywords add: several words are several keywords, and the reply says so (SQLite)', () => {
  const bot = commandsOnFreshSqlite({ parseKeyword });

  const stored = async () => {
    const ch = await bot.storage.channels.find('slack', 'C1');
    return (ch ? await bot.storage.channels.keywords(ch.id) : []).map((k) => `${k.exclude ? '-' : ''}${k.term}`).sort();
  };

  it.each([
    { name: 'two words', typed: ['keywords add trade secrets'], says: `Added "trade", "secrets".${HINT('trade secrets')}`, keeps: ['secrets', 'trade'] },
    { name: 'the phrase quoted', typed: ['keywords add "trade secrets"'], says: 'Added "trade secrets".', keeps: ['trade secrets'] },
    { name: 'the phrase in curly quotes', typed: ['keywords add \u201ctrade secrets\u201d'], says: 'Added "trade secrets".', keeps: ['trade secrets'] },
    { name: 'one word', typed: ['keywords add espionage'], says: 'Added "espionage".', keeps: ['espionage'] },
    { name: 'one include word and one exclude word', typed: ['keywords add espionage -sports'], says: 'Added "espionage", -"sports".', keeps: ['-sports', 'espionage'] },
    { name: 'three words and an exclude: the phrase of the include words', typed: ['keywords add state sponsored hackers -sports'], says: `Added "state", "sponsored", "hackers", -"sports".${HINT('state sponsored hackers')}`, keeps: ['-sports', 'hackers', 'sponsored', 'state'] },
    { name: 'a word and a quoted phrase: no single-word phrase to suggest', typed: ['keywords add espionage "trade secrets"'], says: 'Added "espionage", "trade secrets".', keeps: ['espionage', 'trade secrets'] },
    { name: 'single words each quoted: the user knows how to group words', typed: ['keywords add "trade" "secrets"'], says: 'Added "trade", "secrets".', keeps: ['secrets', 'trade'] },
    { name: 'one new word of two: one keyword added', typed: ['keywords add trade', 'keywords add trade secrets'], says: 'Added "secrets".', keeps: ['secrets', 'trade'] },
    { name: 'more words than a phrase may hold: no phrase suggested', typed: ['keywords add a1 b2 c3 d4 e5 f6 g7'], says: 'Added "a1", "b2", "c3", "d4", "e5", "f6", "g7".', keeps: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'] },
  ])('$name', async ({ typed, says, keeps }) => {
    let last = '';
    for (const t of typed) last = (await bot.handle(command(t))).text;
    expect(last).toBe(says);
    expect(await stored()).toEqual(keeps);
  });

  it('the phrase it suggests is taken as one keyword, and the remove it suggests removes the words', async () => {
    const first = (await bot.handle(command('keywords add trade secrets'))).text;
    const add = /\/news keywords add ("[^"]+")/.exec(first)![1]!;
    const remove = /\/news keywords remove ([^)]+)\)/.exec(first)![1]!;
    expect((await bot.handle(command(`keywords remove ${remove}`))).text).toBe('Removed "trade", "secrets".');
    expect((await bot.handle(command(`keywords add ${add}`))).text).toBe('Added "trade secrets".');
    expect(await stored()).toEqual(['trade secrets']);
  });
});
