import { describe, expect, it } from 'vitest';
import type { Topic } from '../../src/domain/types.ts';
import { htmlToText, oneLine } from '../../src/feeds/html-text.ts';
import { UsageError } from '../../src/lib/errors.ts';
import {
  acceptsForChannel,
  assertKeywordCapacity,
  compileKeywords,
  compileTopics,
  MAX_KEYWORD_LENGTH,
  MAX_KEYWORDS_PER_CHANNEL,
  parseKeyword,
} from '../../src/matching/index.ts';

describe('parseKeyword', () => {
  const valid: [string, string, { term: string; exclude: boolean }][] = [
    ['plain word', 'espionage', { term: 'espionage', exclude: false }],
    ['exclude', '-ransomware', { term: 'ransomware', exclude: true }],
    ['explicit include', '+APT', { term: 'APT', exclude: false }],
    ['quoted phrase', '"state hackers"', { term: 'state hackers', exclude: false }],
    ['excluded quoted phrase', '-"patch tuesday"', { term: 'patch tuesday', exclude: true }],
    ['spaces collapsed', '  working   group ', { term: 'working group', exclude: false }],
    ['hyphen inside kept', 'cyber-espionage', { term: 'cyber-espionage', exclude: false }],
    // Unicode compatibility forms are stored in the NFKC form they match in (capitals kept).
    ['mathematical bold', '𝐜𝐲𝐛𝐞𝐫', { term: 'cyber', exclude: false }],
    ['mathematical italic phrase', '"𝑠𝑡𝑎𝑡𝑒 ℎ𝑎𝑐𝑘𝑒𝑟𝑠"', { term: 'state hackers', exclude: false }],
    ['full-width letters', 'ｃｙｂｅｒ', { term: 'cyber', exclude: false }],
    ['full-width capitals', 'ＡＰＴ', { term: 'APT', exclude: false }],
    ['ligature', 'ﬁrewall', { term: 'firewall', exclude: false }],
    ['full-width minus', '－ransomware', { term: 'ransomware', exclude: true }],
    ['full-width quotes and space', '＂state　hackers＂', { term: 'state hackers', exclude: false }],
    ['60 bold letters are 60 characters', '𝐱'.repeat(MAX_KEYWORD_LENGTH), { term: 'x'.repeat(MAX_KEYWORD_LENGTH), exclude: false }],
    // Counted in characters (code points), as clipText counts what is shown: an emoji is one, not two code units.
    ['a word and 54 emoji are 60 characters', `cyber ${'🛰'.repeat(54)}`, { term: `cyber ${'🛰'.repeat(54)}`, exclude: false }],
  ];
  it.each(valid)('%s', (_name, raw, expected) => {
    expect(parseKeyword(raw)).toEqual(expected);
  });

  const invalid: [string, string, RegExp][] = [
    ['empty', '   ', /give a word or phrase/],
    ['only a minus', '-', /give a word or phrase/],
    ['too long', 'x'.repeat(MAX_KEYWORD_LENGTH + 1), /^keyword: it is 61 characters; keep it to 60 or fewer\.$/],
    ['too long with emoji, counted in characters', `cyber ${'🛰'.repeat(55)}`, /^keyword: it is 61 characters; keep it to 60 or fewer\.$/],
    ['control character', 'cyber\u0007spy', /control character/],
    ['regular expression', 'hack(er|ing)', /not regular expressions/],
    ['wildcard', 'cyber*', /not regular expressions/],
    ['no letters', '---!!', /no letter or digit/],
    ['too many words', 'a b c d e f g', /at most 6/],
    ['two signs', '--ransomware', /^keyword: "-ransomware" starts with a second sign; give one, as -ransomware or ransomware\.$/],
    ['a plus then a minus', '+-ransomware', /starts with a second sign/],
    ['a quoted term after a sign with a sign', '-"-ransomware"', /starts with a second sign/],
    ['comma-separated keywords', 'ransomware,espionage', /^keyword: "ransomware,espionage" has a comma; separate keywords with spaces \(\/news keywords add ransomware espionage\), and quote a phrase\.$/],
    ['a comma in a quoted phrase', '"state hackers, spies"', /has a comma/],
  ];
  it.each(invalid)('rejects %s with one sentence', (_name, raw, message) => {
    expect(() => parseKeyword(raw)).toThrow(UsageError);
    expect(() => parseKeyword(raw)).toThrow(message);
  });

  // Invisible format characters (Unicode Cf) are refused with one sentence naming the code point.
  const INVISIBLE: [string, string][] = [
    ['zero width space', '\u200b'], ['zero width non-joiner', '\u200c'], ['zero width joiner', '\u200d'],
    ['left-to-right mark', '\u200e'], ['right-to-left mark', '\u200f'], ['left-to-right embedding', '\u202a'],
    ['right-to-left override', '\u202e'], ['word joiner', '\u2060'], ['invisible plus', '\u2064'],
    ['left-to-right isolate', '\u2066'], ['pop directional isolate', '\u2069'], ['byte order mark', '\ufeff'],
    ['soft hyphen', '\u00ad'], ['Arabic letter mark', '\u061c'], ['a tag character', '\u{e0041}'],
  ];
  it.each(INVISIBLE)('refuses a keyword holding a %s, naming it', (_name, ch) => {
    const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    // (A leading BOM is whitespace to String.prototype.trim, so it is trimmed like a space, not refused.)
    const leading = ch.trim() === '' ? [] : [`${ch}espionage`];
    for (const raw of [`espi${ch}onage`, ...leading, `-ransom${ch}ware`, `"state ${ch}hackers"`]) {
      expect(() => parseKeyword(raw)).toThrow(UsageError);
      expect(() => parseKeyword(raw)).toThrow(`keyword: it contains an invisible formatting character (${code}, e.g. a zero-width space or a direction mark); type the word again without it.`);
    }
  });

  it('caps the keywords of a channel', () => {
    expect(() => assertKeywordCapacity(MAX_KEYWORDS_PER_CHANNEL - 1, 1)).not.toThrow();
    expect(() => assertKeywordCapacity(MAX_KEYWORDS_PER_CHANNEL, 1)).toThrow(/may hold 50/);
  });
});

describe('compileKeywords', () => {
  const filter = compileKeywords(['espionage', 'APT', '-ransomware', '-patch tuesday'].map(parseKeyword));
  const cases: { name: string; title: string; description?: string; accepted: boolean; include: string[]; excludedBy: string | null }[] = [
    { name: 'include hit', title: 'Espionage campaign found', accepted: true, include: ['"Espionage" in title'], excludedBy: null },
    { name: 'inflected include: the story\'s word, the keyword beside', title: 'x', description: 'The APTs are back', accepted: true, include: ['"APTs" in description (keyword "APT")'], excludedBy: null },
    { name: 'acronym typed in capitals matches by case', title: 'an apt remark', accepted: false, include: [], excludedBy: null },
    { name: 'exclude wins', title: 'Espionage', description: 'ransomware gang', accepted: false, include: ['"Espionage" in title'], excludedBy: '"ransomware" in description' },
    { name: 'excluded phrase', title: 'Patch Tuesday: espionage bug fixed', accepted: false, include: ['"espionage" in title'], excludedBy: '"Patch Tuesday" in title' },
    { name: 'excluded, spelled otherwise', title: 'Ransomwares', accepted: false, include: [], excludedBy: '"Ransomwares" in title (keyword "ransomware")' },
    { name: 'nothing', title: 'Football results', accepted: false, include: [], excludedBy: null },
  ];
  it.each(cases)('$name', (c) => {
    const r = filter.test({ title: c.title, description: c.description ?? null });
    expect(r).toEqual({ accepted: c.accepted, includeHits: c.include, excludedBy: c.excludedBy });
  });

  it('lists includes and excludes', () => {
    expect(filter.includes).toEqual(['espionage', 'APT']);
    expect(filter.excludes).toEqual(['ransomware', 'patch tuesday']);
  });
});

describe('keywords in Unicode compatibility forms match stories, and stories in them match keywords', () => {
  const cases: { name: string; keyword: string; title: string; hit: string | null }[] = [
    { name: 'bold keyword, plain story', keyword: '𝐜𝐲𝐛𝐞𝐫', title: 'Cyber talks resume in Geneva', hit: '"Cyber" in title' },
    { name: 'italic phrase, plain story', keyword: '"𝑠𝑡𝑎𝑡𝑒 ℎ𝑎𝑐𝑘𝑒𝑟𝑠"', title: 'State hackers blamed', hit: '"State hackers" in title' },
    { name: 'full-width keyword, inflected story word', keyword: 'ｈａｃｋｅｒ', title: 'Hackers charged', hit: '"Hackers" in title (keyword "hacker")' },
    { name: 'ligature keyword', keyword: 'ﬁrewall', title: 'New firewall rules for ministries', hit: '"firewall" in title' },
    { name: 'full-width capitals match capitals', keyword: 'ＡＰＴ', title: 'APT group blamed', hit: '"APT" in title' },
    { name: 'full-width capitals stay capitals', keyword: 'ＡＰＴ', title: 'an apt remark', hit: null },
    { name: 'plain keyword, bold story', keyword: 'cyber', title: '𝐂𝐲𝐛𝐞𝐫 norms agreed', hit: '"Cyber" in title' },
    { name: 'plain keyword, full-width story', keyword: 'espionage', title: 'ｅｓｐｉｏｎａｇｅ case opens', hit: '"espionage" in title' },
    { name: 'plain keyword, story with a ligature', keyword: 'firewall', title: 'Ministry ﬁrewall breached', hit: '"firewall" in title' },
    { name: 'capitals keyword, bold capitals story', keyword: 'APT28', title: '𝐀𝐏𝐓𝟐𝟖 returns', hit: '"APT28" in title' },
  ];
  it.each(cases)('$name', (c) => {
    expect(compileKeywords([parseKeyword(c.keyword)]).test({ title: c.title }).includeHits).toEqual(c.hit ? [c.hit] : []);
  });
});

describe('acceptsForChannel: (subscribed topic OR include keyword) AND no exclude keyword', () => {
  const topics: Topic[] = [
    { id: 'spying', name: 'Spying', description: '', terms: [{ term: 'cyberespionage', weight: 1 }], threshold: 1 },
    { id: 'talks', name: 'Talks', description: '', terms: [{ term: 'cyber talks', weight: 1 }], threshold: 1 },
  ];
  const matcher = compileTopics(topics);
  const decide = (subscribed: string[], keywords: string[], title: string) => {
    const doc = { title };
    return acceptsForChannel(matcher.match(doc), subscribed, compileKeywords(keywords.map(parseKeyword)), doc);
  };
  const cases: { name: string; subscribed: string[]; keywords: string[]; title: string; accepted: boolean; reason: string }[] = [
    { name: 'subscribed topic matched', subscribed: ['spying'], keywords: [], title: 'Cyberespionage charges', accepted: true, reason: 'matched topic spying' },
    { name: 'topic matched but not subscribed', subscribed: ['talks'], keywords: [], title: 'Cyberespionage charges', accepted: false, reason: 'no subscribed topic matched and no keyword hit' },
    { name: 'include keyword alone', subscribed: [], keywords: ['Huawei'], title: 'Huawei ban widens', accepted: true, reason: 'matched keyword "Huawei" in title' },
    { name: 'exclude vetoes a topic match', subscribed: ['spying'], keywords: ['-ransomware'], title: 'Cyberespionage or ransomware?', accepted: false, reason: 'excluded by keyword "ransomware" in title' },
    { name: 'include keyword spelled otherwise in the story', subscribed: [], keywords: ['sanction'], title: 'Sanctions widen', accepted: true, reason: 'matched keyword "Sanctions" in title (keyword "sanction")' },
    { name: 'topic and keyword', subscribed: ['spying'], keywords: ['charges'], title: 'Cyberespionage charges', accepted: true, reason: 'matched topic spying; keyword "charges" in title' },
    { name: 'no subscriptions, no keywords', subscribed: [], keywords: [], title: 'Cyberespionage charges', accepted: false, reason: 'no subscribed topic matched and no keyword hit' },
  ];
  it.each(cases)('$name', (c) => {
    const d = decide(c.subscribed, c.keywords, c.title);
    expect(d.accepted).toBe(c.accepted);
    expect(d.reason).toBe(c.reason);
  });
});

describe('feed text cannot hide a word from keywords with invisible characters', () => {
  const filter = compileKeywords(['espionage', '-ransomware', '-patch tuesday'].map(parseKeyword));
  const HIDDEN: [string, string][] = [
    ['zero width space', '\u200b'], ['zero width non-joiner', '\u200c'], ['zero width joiner', '\u200d'],
    ['right-to-left mark', '\u200f'], ['right-to-left override', '\u202e'], ['word joiner', '\u2060'],
    ['invisible separator', '\u2063'], ['first strong isolate', '\u2068'], ['byte order mark', '\ufeff'],
    ['soft hyphen', '\u00ad'], ['as an entity (&#8288;)', '&#8288;'], ['as an entity (&zwj;)', '&zwj;'],
  ];
  it.each(HIDDEN)('a %s inside a feed word', (_name, hide) => {
    // As the parser hands titles and descriptions over: HTML, cleaned by the feed text cleaner.
    const title = oneLine(`<b>Espio${hide}nage</b> campaign blamed on state hackers`);
    const description = htmlToText(`<p>The ransom${hide}ware gang struck on patch${hide} tues${hide}day.</p>`);
    const r = filter.test({ title, description });
    expect(r.includeHits).toEqual(['"Espionage" in title']);
    expect(r.excludedBy).toBe('"ransomware" in description');
    expect(r.accepted).toBe(false);
  });
});
