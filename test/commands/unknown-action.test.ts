// A mistyped subcommand or value (`/news brief dialy`, `/news threads onn`) names the one meant and the
// usage, to a member as to a manager (a typo is not a refusal), and changes nothing.
import { describe, expect, it } from 'vitest';
import { commandsOnFreshSqlite, MANAGER as manager, MEMBER as member, slashCommand as command } from '../helpers/command-deps.ts';


describe('mistyped subcommands (SQLite)', () => {
  const bot = commandsOnFreshSqlite();

  it.each([
    ['keywords ad volt', /^\/news keywords has no "ad"; did you mean \/news keywords add\? Usage: \/news keywords add\|remove\|list/],
    ['keywords lst', /^\/news keywords has no "lst"; did you mean \/news keywords list\? Usage:/],
    ['keywords frob x', /^Usage: \/news keywords add\|remove\|list/],
    ['brief dialy 08:00 UTC', /^\/news brief has no "dialy"; did you mean \/news brief daily\? Usage: \/news brief daily HH:MM/],
    ['brief shwo', /^\/news brief has no "shwo"; did you mean \/news brief show\? Usage:/],
    ['brief weeky mon 08:00', /^\/news brief has no "weeky"; did you mean \/news brief weekly\?/],
    ['mode lve', /^\/news mode has no "lve"; did you mean \/news mode live\? Usage: \/news mode live\|brief\|both/],
    ['mode bothh', /^\/news mode has no "bothh"; did you mean \/news mode both\?/],
    ['threads onn', /^\/news threads has no "onn"; did you mean \/news threads on\? Usage: \/news threads on\|off\.$/],
    ['threads yes', /^Usage: \/news threads on\|off\.$/],
    ['quiet of', /^\/news quiet has no "of"; did you mean \/news quiet off\? Usage: \/news quiet HH:MM-HH:MM/],
    ['quiet shw', /^\/news quiet has no "shw"; did you mean \/news quiet show\?/],
    ['quiet show extra', /^"extra" is one word too many after \/news quiet show; leave it out\. Usage: \/news quiet HH:MM-HH:MM \[Zone\] \| off, for example/],
    ['brief show extra', /^"extra" is one word too many after \/news brief show; leave it out\. Usage: \/news brief daily/],
    ['feeds lst', /^\/news feeds has no "lst"; did you mean \/news feeds list\? Usage: \/news feeds list \[page N\]\|add/],
    ['feeds ad https://x.example/feed', /^\/news feeds has no "ad"; did you mean \/news feeds add\?/],
    ['feeds delete 2', /^Usage: \/news feeds list \[page N\]\|add/],
  ])('"%s" says what was meant, to a member and a manager, and changes nothing', async (text, want) => {
    for (const who of [member, manager]) {
      const r = await bot.handle(command(text, who));
      expect(r.text).toMatch(want);
      expect(r.ephemeral).toBe(true);
    }
    expect(await bot.storage.channels.find('slack', 'C1')).toBeNull();
  });

  it.each([
    ['keywords add volt', /^Sorry, only workspace admins/],
    ['brief daily 08:00 UTC', /^Sorry, only workspace admins/],
    ['brief off', /^Sorry, only workspace admins/],
    ['mode both', /^Sorry, only workspace admins/],
    ['threads on', /^Sorry, only workspace admins/],
    ['quiet 22:00-07:00 UTC', /^Sorry, only workspace admins/],
    ['quiet off', /^Sorry, only workspace admins/],
  ])('"%s" is still refused to a member', async (text, want) => {
    expect((await bot.handle(command(text, member))).text).toMatch(want);
    expect(await bot.storage.channels.find('slack', 'C1')).toBeNull();
  });
});
