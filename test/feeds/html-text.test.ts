import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, oneLine } from '../../src/feeds/html-text.ts';

describe('feed text cleaning', () => {
  it.each([
    ['zero-width and joiner characters inside a word', 'ransom\u200bw\u200ca\u200dr\u2060e\ufeff', 'ransomware'],
    ['bidi marks, overrides and isolates', '\u202eevil\u202c \u2066isolated\u2069 \u200fmark\u200e', 'evil isolated mark'],
    ['soft hyphen and tag characters', 'cyber\u00adespionage\u{e0041}\u{e007f}', 'cyberespionage'],
    ['C1 controls', 'a\u0085b\u009bc', 'abc'],
    ['C0 controls but line breaks', 'a\u0000b\u001bc\u0007d', 'abcd'],
    ['Windows-1252 references as HTML reads them', 'Smith&#146;s &#147;plan&#148; &#150; &#128;5', 'Smith’s “plan” – €5'],
    ['references to invisible characters', 'espio&#8203;nage &#x202E;x &#xFEFF;y', 'espionage x y'],
  ])('%s', (_name, input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });

  // One line with single spaces is only trimmed; anything else is tidied line by line, to the same result.
  it.each([
    ['one line, single spaces', '  Talks on norms resume  ', 'Talks on norms resume'],
    ['two spaces inside', 'Talks  on norms', 'Talks on norms'],
    ['a tab', 'Talks\ton norms', 'Talks on norms'],
    ['a no-break space', 'Talks\u00a0on norms', 'Talks on norms'],
    ['wide and narrow spaces', 'Talks\u2003on\u202fnorms\u3000now', 'Talks on norms now'],
    ['line breaks of three kinds, blank lines dropped', 'one \r\n\r\n two\rthree\n', 'one\ntwo\nthree'],
    ['a vertical tab (a control, removed)', 'a\u000bb', 'ab'],
    ['only spaces', '   ', ''],
    ['a line separator stays inside, as before', 'a\u2028b', 'a\u2028b'],
  ])('tidies whitespace: %s', (_name, input, expected) => {
    expect(htmlToText(input)).toBe(expected);
  });

  it('keeps emoji, accents and scripts that need no format characters', () => {
    expect(htmlToText('<p>Café 🔒 网络安全 Кибер</p>')).toBe('Café 🔒 网络安全 Кибер');
  });

  it('maps only the 1252 range: other references stay what they say', () => {
    expect(decodeEntities('&#8364; &#x41; &#129;')).toBe('€ A \u0081');
  });
});
