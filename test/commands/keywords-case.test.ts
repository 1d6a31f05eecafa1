// Keywords that match alike are one keyword: `Espionage` after `espionage` changes nothing, `remove Espionage`
// removes `espionage`; a word in capitals (matched only in capitals) stays its own keyword. Real keyword parser.
import { describe, expect, it } from 'vitest';
import { keywordKey, parseKeyword } from '../../src/matching/keywords.ts';
import { commandsOnFreshSqlite, slashCommand as command } from '../helpers/command-deps.ts';



describe('keywordKey', () => {
  it.each([
    ['Espionage', 'espionage'],
    ['Trade Secrets', 'trade secrets'],
    ['café', 'cafe'],
    ['APT', 'APT'],
    ['Chinese APT groups', 'chinese APT groups'],
    // Compatibility forms (as keywords stored before they were normalised hold them): the NFKC form's key.
    ['𝐜𝐲𝐛𝐞𝐫', 'cyber'],
    ['𝘴𝘵𝘢𝘵𝘦 𝘩𝘢𝘤𝘬𝘦𝘳𝘴', 'state hackers'],
    ['ｃｙｂｅｒ', 'cyber'],
    ['ﬁrewall', 'firewall'],
    ['ＡＰＴ', 'APT'],
    ['𝐀𝐏𝐓𝟐𝟖', 'APT28'],
  ])('%s -> %s', (term, want) => {
    expect(keywordKey(term)).toBe(want);
  });
});

describe('/news keywords: terms that match alike are one keyword (SQLite)', () => {
  const bot = commandsOnFreshSqlite({ parseKeyword });

  const stored = async () => {
    const ch = await bot.storage.channels.find('slack', 'C1');
    return (ch ? await bot.storage.channels.keywords(ch.id) : []).map((k) => `${k.exclude ? '-' : ''}${k.term}`);
  };

  it.each([
    ['the same word in other case', ['keywords add espionage', 'keywords add Espionage'], 'Nothing changed: those keywords were already there.', ['espionage']],
    ['one phrase twice in one command', ['keywords add "Trade Secrets" \'trade secrets\''], 'Added "Trade Secrets".', ['Trade Secrets']],
    ['accents', ['keywords add café', 'keywords add cafe'], 'Nothing changed: those keywords were already there.', ['café']],
    ['removed in other case', ['keywords add espionage', 'keywords remove Espionage'], 'Removed "espionage".', []],
    ['flipped in other case', ['keywords add espionage', 'keywords add -Espionage'], 'Added -"espionage" (it was included before).', ['-espionage']],
    ['included and excluded in other case at once', ['keywords add Espionage -espionage'], '"Espionage" is given both to include and to exclude; give it once, as Espionage or -Espionage.', []],
    ['an include removed as an exclude in other case', ['keywords add espionage', 'keywords remove -ESPIONAGe'], 'Nothing changed. "espionage" is an include keyword, not an exclude one; /news keywords remove espionage removes it.', ['espionage']],
    ['capitals are another keyword', ['keywords add APT', 'keywords add apt'], 'Added "apt".', ['APT', 'apt']],
    // Compatibility forms are stored as they match: NFKC, capitals kept.
    ['mathematical bold letters', ['keywords add 𝐜𝐲𝐛𝐞𝐫'], 'Added "cyber".', ['cyber']],
    ['full-width letters after the plain word', ['keywords add cyber', 'keywords add ｃｙｂｅｒ'], 'Nothing changed: those keywords were already there.', ['cyber']],
    ['a ligature', ['keywords add ﬁrewall'], 'Added "firewall".', ['firewall']],
    ['a full-width minus excludes', ['keywords add －ransomware'], 'Added -"ransomware".', ['-ransomware']],
    ['full-width capitals are the capitals keyword', ['keywords add APT', 'keywords add ＡＰＴ'], 'Nothing changed: those keywords were already there.', ['APT']],
    ['full-width capitals are not the lower-case word', ['keywords add apt', 'keywords add ＡＰＴ'], 'Added "APT".', ['APT', 'apt']],
    ['removed typed in italic', ['keywords add cyber', 'keywords remove 𝑐𝑦𝑏𝑒𝑟'], 'Removed "cyber".', []],
  ])('%s', async (_name, texts, want, keep) => {
    let last = '';
    for (const t of texts) last = (await bot.handle(command(t))).text;
    expect(last).toBe(want);
    expect((await stored()).sort()).toEqual([...keep].sort());
  });
});

describe('/news keywords: keywords stored before the parser refused or normalised their form (SQLite)', () => {
  const bot = commandsOnFreshSqlite({ parseKeyword });

  it.each([
    ['a term starting with a sign', '-ransomware', true, 'keywords remove --ransomware', 'Removed "-ransomware".'],
    ['a term with a comma', 'ransomware,espionage', false, 'keywords remove ransomware,espionage', 'Removed "ransomware,espionage".'],
  ])('%s is removed as typed, and not added again', async (_name, term, exclude, text, want) => {
    const ch = await bot.storage.channels.upsert({ platform: 'slack', externalId: 'C1', workspaceId: 'T1', name: 'news' });
    await bot.storage.channels.addKeyword(ch.id, term, exclude, null);
    expect((await bot.handle(command(text.replace('remove', 'add')))).text).toMatch(/^Keyword ".*" is not valid: /);
    expect((await bot.handle(command(text))).text).toBe(want);
    expect(await bot.storage.channels.keywords(ch.id)).toEqual([]);
  });

  // Stored in a compatibility form (before keywords were normalised to NFKC): found as typed or plainly.
  it.each([
    ['typed as stored', '𝐜𝐲𝐛𝐞𝐫', 'keywords remove 𝐜𝐲𝐛𝐞𝐫', 'Removed "𝐜𝐲𝐛𝐞𝐫".', []],
    ['typed plainly', '𝐜𝐲𝐛𝐞𝐫', 'keywords remove cyber', 'Removed "𝐜𝐲𝐛𝐞𝐫".', []],
    ['full-width capitals, typed in capitals', 'ＡＰＴ', 'keywords remove APT', 'Removed "ＡＰＴ".', []],
    ['full-width capitals are not the lower-case word', 'ＡＰＴ', 'keywords remove apt', 'Nothing changed: this channel had none of those keywords.', ['ＡＰＴ']],
    ['added again plainly: nothing changes', '𝐜𝐲𝐛𝐞𝐫', 'keywords add Cyber', 'Nothing changed: those keywords were already there.', ['𝐜𝐲𝐛𝐞𝐫']],
  ])('compatibility form: %s', async (_name, term, text, want, keep) => {
    const ch = await bot.storage.channels.upsert({ platform: 'slack', externalId: 'C1', workspaceId: 'T1', name: 'news' });
    await bot.storage.channels.addKeyword(ch.id, term, false, null);
    expect((await bot.handle(command(text))).text).toBe(want);
    expect((await bot.storage.channels.keywords(ch.id)).map((k) => k.term)).toEqual(keep);
  });
});

// A keyword over the limit was quoted twice: 'Keyword "xxx…" is not valid: "xxxxx..." is 120 characters; ...'.
describe('/news keywords add: a refused keyword is quoted once, in one sentence (SQLite)', () => {
  const bot = commandsOnFreshSqlite({ parseKeyword });

  it.each([
    ['120 characters', `add ${'x'.repeat(120)}`, `Keyword "${'x'.repeat(60)}…" is not valid: it is 120 characters; keep it to 60 or fewer.`],
    ['70 emoji, cut between two, not inside one', `add ${'\u{1F510}'.repeat(70)}`, `Keyword "${'\u{1F510}'.repeat(60)}…" is not valid: it is 70 characters; keep it to 60 or fewer.`],
    ['pattern characters', 'add spy.*ware', 'Keyword "spy.*ware" is not valid: it has pattern characters; keywords are plain words or phrases, not regular expressions.'],
  ])('%s', async (_name, args, want) => {
    expect((await bot.handle(command(`keywords ${args}`))).text).toBe(want);
  });
});
