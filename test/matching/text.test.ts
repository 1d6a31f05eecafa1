import { describe, expect, it } from 'vitest';
import { foldAccents, isShouting, stem, stripMarkup, tokenize } from '../../src/matching/text.ts';

describe('stem', () => {
  const cases: [string, string, string][] = [
    ['plural s', 'hackers', 'hacker'],
    ['-ies', 'spies', 'spy'],
    ['-ying', 'spying', 'spy'],
    ['-ied', 'spied', 'spy'],
    ['-ing', 'hacking', 'hack'],
    ['-ed', 'hacked', 'hack'],
    ['-ed with doubled consonant', 'mapped', 'map'],
    ['final e', 'sanctioned', 'sanction'],
    ['state and states agree', 'states', stem('state')],
    ['-ss kept', 'class', 'class'],
    ['-us kept', 'nexus', 'nexus'],
    ['short words untouched', 'gas', 'gas'],
    ['according is not accord', 'according', 'according'],
    ['digits untouched', 'apt28', 'apt28'],
  ];
  it.each(cases)('%s: %s -> %s', (_name, word, expected) => {
    expect(stem(word)).toBe(expected);
  });
});

describe('tokenize', () => {
  const cases: [string, string, string[]][] = [
    ['possessive dropped', "China's hackers", ['China', 'hackers']],
    ['curly possessive dropped', 'Russia\u2019s APT28', ['Russia', 'APT28']],
    ['dotted acronym joined', 'the U.S. and U.K. said', ['the', 'US', 'and', 'UK', 'said']],
    ['initial is not an acronym', 'N. Korean hackers', ['N', 'Korean', 'hackers']],
    ['hyphen splits', 'cyber-espionage', ['cyber', 'espionage']],
    ['underscore inside a name joins', 'the Sandworm_Mode worm', ['the', 'Sandworm_Mode', 'worm']],
    ['underscore at the edges is punctuation', '_Sandworm_ mode__', ['Sandworm', 'mode']],
    ['accents folded', 'Bundesamt für Verfassungsschutz, Škoda', ['Bundesamt', 'fur', 'Verfassungsschutz', 'Skoda']],
    ['punctuation only', '-- ... !!', []],
    // Outside the BMP: letters of two UTF-16 code units are words too (CJK extension B, Deseret, Osage).
    ['CJK extension B letters', '\u{20B9F}\u{2A6D6} port', ['\u{20B9F}\u{2A6D6}', 'port']],
    ['astral letters inside a word', 'ab\u{10437}\u{10449}cd', ['ab\u{10437}\u{10449}cd']],
    ['Osage word', '\u{104B0}\u{104DF} talks', ['\u{104B0}\u{104DF}', 'talks']],
    ['mathematical letters fold to ASCII', '\u{1D402}\u{1D421}\u{1D422}\u{1D427}\u{1D41A} hackers', ['China', 'hackers']],
    ['an emoji is punctuation', 'spy\u{1F575}\u{FE0F}ware', ['spy', 'ware']],
    ['an unpaired surrogate is punctuation', 'spy\ud83dware \udc00', ['spy', 'ware']],
  ];
  it.each(cases)('%s', (_name, text, forms) => {
    expect(tokenize(text).map((t) => t.form)).toEqual(forms);
  });
});

describe('helpers', () => {
  it('folds accents and keeps case', () => {
    expect(foldAccents('Ciberespionaje Café ÉTAT')).toBe('Ciberespionaje Cafe ETAT');
  });
  it('tells a shouting title from a normal one', () => {
    expect(isShouting('MITTERAND PHONE-TAP TRIAL OPENS')).toBe(true);
    expect(isShouting('Russia’s APT28 Weaponizes Office Bug')).toBe(false);
  });
  it('strips markup and decodes entities', () => {
    expect(stripMarkup('<p>Chinese &amp; Russian <b>APT</b>&#39;s &#x41;</p>').replace(/\s+/g, ' ').trim()).toBe(
      "Chinese & Russian APT 's A",
    );
  });
});
