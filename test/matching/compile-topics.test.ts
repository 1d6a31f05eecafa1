import { describe, expect, it } from 'vitest';
import type { Topic } from '../../src/domain/types.ts';
import { compileTopics, type MatchDoc } from '../../src/matching/index.ts';
import { RelevanceScorer } from '../../src/matching/relevance.ts';

const topic = (terms: Topic['terms'], extra: Partial<Topic> = {}): Topic => ({
  id: 't',
  name: 'T',
  description: '',
  terms,
  threshold: 1,
  ...extra,
});

const hit = (t: Topic, doc: MatchDoc) => compileTopics([t]).match(doc)[0]!;

describe('compileTopics: what a term matches', () => {
  const cases: { name: string; term: string; text: string; matches: boolean; case?: 'auto' | 'exact' | 'fold' }[] = [
    { name: 'case-insensitive', term: 'cyberespionage', text: 'CyberEspionage rises', matches: true },
    { name: 'accent-insensitive', term: 'Škoda', text: 'skoda hacked', matches: true },
    { name: 'accent in text', term: 'cafe', text: 'Café attack', matches: true },
    { name: 'word boundary: no match inside a word', term: 'hack', text: 'a fishing shack', matches: false },
    { name: 'word boundary: prefix is not a match', term: 'spy', text: 'spyware found', matches: false },
    { name: 'inflection: spies', term: 'spy', text: 'Chinese spies', matches: true },
    { name: 'inflection: spying', term: 'spy', text: 'accused of spying', matches: true },
    { name: 'inflection: term written plural', term: 'hackers', text: 'a hacker', matches: true },
    { name: 'hyphenated text, joined term', term: 'cyberespionage', text: 'cyber-espionage talks', matches: true },
    { name: 'spaced text, joined term', term: 'cyberespionage', text: 'cyber espionage talks', matches: true },
    { name: 'joined text, spaced term', term: 'cyber espionage', text: 'cyberespionage talks', matches: true },
    { name: 'joined text, hyphenated term', term: 'state-sponsored', text: 'statesponsored actors', matches: true },
    { name: 'three words, partly joined', term: 'nation state hackers', text: 'nation-state hackers', matches: true },
    { name: 'phrase needs adjacent words', term: 'working group', text: 'group working', matches: false },
    { name: 'letters outside the BMP: a CJK extension B term', term: '\u{20B9F}\u{2A6D6}', text: '\u{20B9F}\u{2A6D6} talks resume', matches: true },
    { name: 'letters outside the BMP: a whole word only', term: '\u{20B9F}', text: '\u{20B9F}\u{2A6D6} talks resume', matches: false },
    { name: 'acronym matches its case', term: 'APT', text: 'a Chinese APT', matches: true },
    { name: 'acronym plural', term: 'APT', text: 'Chinese APTs', matches: true },
    { name: 'acronym does not match a lower-case word', term: 'PLA', text: 'pla is a plastic', matches: false },
    { name: 'acronym with digits split', term: 'APT28', text: 'APT 28 strikes', matches: true },
    { name: 'acronym is not the lower-case word', term: 'APT', text: 'an apt description', matches: false },
    { name: 'acronym is not the capitalised word', term: 'APT', text: 'Apt remarks were made', matches: false },
    { name: 'acronym is not a name in title case', term: 'GRU', text: 'Gru and the minions', matches: false },
    { name: 'acronym is not lower-case letters', term: 'MSS', text: 'the mss was found', matches: false },
    { name: 'acronym possessive', term: 'GRU', text: "the GRU's hackers", matches: true },
    { name: 'acronym after a curly possessive', term: 'MSS', text: 'China’s MSS denied it', matches: true },
    { name: 'acronym hyphenated to a word', term: 'GRU', text: 'a GRU-linked group', matches: true },
    { name: 'acronym in brackets', term: 'GRU', text: 'military intelligence (GRU) officers', matches: true },
    { name: 'acronym before a capitalised word', term: 'PLA', text: 'PLA Navy drills', matches: true },
    { name: 'dotted acronym', term: 'US', text: 'the U.S. accused', matches: true },
    { name: 'US is not us', term: 'US', text: 'tell us more', matches: false },
    { name: 'acronyms are ignored in an all-caps field', term: 'US', text: 'TELL US MORE ABOUT IT NOW', matches: false },
    { name: 'case: fold makes an acronym insensitive', term: 'GRU', text: 'the gru unit', matches: true, case: 'fold' },
    { name: 'case: exact on a word', term: 'Typhoon', text: 'a typhoon hits', matches: false, case: 'exact' },
    { name: 'alternatives expand', term: '(Chinese|Russian) (hackers|APT)', text: 'Russian APT', matches: true },
    { name: 'alternatives do not cross', term: '(Chinese|Russian) (hackers|APT)', text: 'Russian spies', matches: false },
    { name: 'possessive', term: 'China', text: "China's hackers", matches: true },
  ];
  it.each(cases)('$name', (c) => {
    const r = hit(topic([{ term: c.term, weight: 1, ...(c.case ? { case: c.case } : {}) }]), { title: c.text });
    expect(r.matched).toBe(c.matches);
  });
});

describe('compileTopics: scores and reasons', () => {
  const t = topic([
    { term: 'cyberespionage', weight: 2 },
    { term: 'ransomware', weight: -1 },
  ]);

  it('weighs title above description above content, once per field', () => {
    const m = compileTopics([t]);
    const inTitle = m.match({ title: 'cyberespionage' })[0]!;
    const inDescription = m.match({ title: 'x', description: 'cyberespionage cyberespionage' })[0]!;
    const inContent = m.match({ title: 'x', content: 'cyberespionage' })[0]!;
    expect(inTitle.score).toBe(6);
    expect(inDescription.score).toBe(4);
    expect(inContent.score).toBe(2);
    expect(inTitle.score).toBeGreaterThan(inDescription.score);
    expect(inDescription.score).toBeGreaterThan(inContent.score);
  });

  it('explains each term and where it was found, quoting the item (first found) and the term when they differ', () => {
    const r = compileTopics([t]).match({ title: 'Cyber-espionage', description: 'cyberespionage and ransomware' })[0]!;
    expect(r.score).toBe(6 + 4 - 2);
    expect(r.reasons).toContain('"Cyber-espionage" in title, description (term "cyberespionage", +10.0)');
    expect(r.reasons).toContain('"ransomware" in description (-2.0)');
  });

  it('names the alternative that matched', () => {
    const r = hit(topic([{ term: '(china|russia)-linked', weight: 1 }]), { title: 'Russia-linked group' });
    expect(r.reasons[0]).toBe('"Russia-linked" in title (+3.0)');
  });

  it('compares the score with the threshold', () => {
    const strict = topic([{ term: 'cyberespionage', weight: 2 }], { threshold: 5 });
    expect(hit(strict, { title: 'cyberespionage' }).matched).toBe(true);
    const below = hit(strict, { title: 'x', description: 'cyberespionage' });
    expect(below.matched).toBe(false);
    expect(below.reasons.at(-1)).toBe('score 4.0 below threshold 5.0');
  });

  it('lets negative terms pull a score under the threshold', () => {
    expect(hit(t, { title: 'cyberespionage ransomware' }).matched).toBe(true);
    expect(hit(topic(t.terms, { threshold: 4 }), { title: 'cyberespionage ransomware' }).matched).toBe(false);
  });

  it('returns one result per topic, in order', () => {
    const a = topic([{ term: 'alpha', weight: 1 }], { id: 'a' });
    const b = topic([{ term: 'beta', weight: 1 }], { id: 'b' });
    const results = compileTopics([a, b]).match({ title: 'beta' });
    expect(results.map((r) => [r.topicId, r.matched])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });
});

// Reasons quoted the term's form ("cyber espionage") where the item said "cyberespionage". Both ways of
// matching give the same reasons: scan() over the text, and matchPrepared() over fields already tokenised
// (the relevance scorer's, which `cyberbrief match` and the pipeline use).
describe.each([
  { way: 'match', run: (tp: Topic, doc: MatchDoc) => hit(tp, doc) },
  { way: 'matchPrepared', run: (tp: Topic, doc: MatchDoc) => new RelevanceScorer(compileTopics([tp]), null, null).decide({ description: 'x', ...doc }).rules[0]! },
])('compileTopics: reasons quote the words as the item wrote them ($way)', ({ run }) => {
  it.each<{ name: string; terms: Topic['terms']; groups?: Topic['groups']; doc: MatchDoc; reason: string }>([
    { name: 'joined text, spaced term', terms: [{ term: 'cyber espionage', weight: 1 }], doc: { title: 'US warns of cyberespionage' }, reason: '"cyberespionage" in title (term "cyber espionage", +3.0)' },
    { name: 'an inflected word', terms: [{ term: 'hacker', weight: 1 }], doc: { title: 'Hackers strike again' }, reason: '"Hackers" in title (term "hacker", +3.0)' },
    { name: 'the same word in other case: no term repeated', terms: [{ term: 'espionage', weight: 1 }], doc: { title: 'Espionage case opens' }, reason: '"Espionage" in title (+3.0)' },
    { name: 'a dotted acronym', terms: [{ term: 'US', weight: 1 }], doc: { title: 'U.S. charges hackers' }, reason: '"U.S." in title (term "US", +3.0)' },
    { name: 'a phrase across a line break', terms: [{ term: 'power grid', weight: 1 }], doc: { title: 'Outage', description: 'The power\n\n   grid failed' }, reason: '"power grid" in description (+2.0)' },
    { name: 'a group', terms: [{ term: 'ministry', weight: 1 }], groups: { allOf: [['state-sponsored']] }, doc: { title: 'State sponsored attack on ministry' }, reason: 'all_of group 1: "State sponsored" in title (term "state-sponsored")' },
    { name: 'a veto', terms: [{ term: 'ministry', weight: 1 }], groups: { noneOf: ['webinar'] }, doc: { title: 'Ministry hosts webinars' }, reason: 'vetoed by none_of "webinars" in title (term "webinar")' },
    {
      name: 'a long phrase, cut as shown text is',
      terms: [{ term: 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima', weight: 1 }],
      doc: { title: 'Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett Kilo Lima' },
      reason: '"Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Jul…" in title (term "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima", +3.0)',
    },
  ])('$name', ({ terms, groups, doc, reason }) => {
    expect(run(topic(terms, groups ? { groups } : {}), doc).reasons).toContain(reason);
  });
});

describe('compileTopics: groups', () => {
  const base = topic([{ term: 'hackers', weight: 1 }], {
    groups: {
      allOf: [
        ['state-sponsored', 'Chinese hackers'],
        ['hackers', 'malware'],
      ],
      anyOf: ['government', 'ministry'],
      noneOf: ['webinar'],
    },
  });
  const cases: { name: string; doc: MatchDoc; matched: boolean; reason?: string }[] = [
    { name: 'all groups met', doc: { title: 'Chinese hackers hit ministry' }, matched: true },
    { name: 'all_of list missing', doc: { title: 'hackers hit ministry' }, matched: false, reason: 'all_of group 1 not met' },
    { name: 'any_of missing', doc: { title: 'Chinese hackers hit bank' }, matched: false, reason: 'any_of not met' },
    { name: 'none_of vetoes', doc: { title: 'Chinese hackers hit ministry', description: 'join our webinar' }, matched: false, reason: 'vetoed by none_of "webinar" in description' },
    { name: 'groups look at every field', doc: { title: 'hackers', description: 'state-sponsored', content: 'the ministry' }, matched: true },
  ];
  it.each(cases)('$name', (c) => {
    const r = hit(base, c.doc);
    expect(r.matched).toBe(c.matched);
    if (c.reason) expect(r.reasons.some((x) => x.startsWith(c.reason!))).toBe(true);
  });
});

describe('compileTopics: errors and scale', () => {
  it('names the topic of a bad term', () => {
    expect(() => compileTopics([topic([{ term: '(a|b', weight: 1 }], { id: 'broken' })])).toThrow(/topic "broken".*without "\)"/);
  });

  it('matches one of 1,000 terms in one pass', () => {
    const terms = Array.from({ length: 1000 }, (_, i) => ({ term: `term${i} word${i % 7}`, weight: 1 }));
    const m = compileTopics([topic(terms)]);
    const r = m.match({ title: 'nothing here', description: 'but term997 word3 is' })[0]!;
    expect(r.matched).toBe(true);
    expect(r.reasons).toEqual(['"term997 word3" in description (+2.0)']);
  });
});
