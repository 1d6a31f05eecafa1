import { describe, expect, it } from 'vitest';
import { createAddressGuard } from '../../src/feeds/address-guard.ts';
import { CHAT_FEED_HINT, checkFeedUrl } from '../../src/feeds/feed-url.ts';
import { UsageError } from '../../src/lib/errors.ts';

const strict = createAddressGuard([]);
const allowLocal = createAddressGuard(['127.0.0.1', 'localhost']);

describe('checkFeedUrl', () => {
  it.each([
    ['https://example.com/feed.xml', 'https://example.com/feed.xml'],
    ['  <https://example.com/rss#top>  ', 'https://example.com/rss'],
    ['<https://example.com/rss|example.com/rss>', 'https://example.com/rss'],
    ['http://93.184.216.34/rss', 'http://93.184.216.34/rss'],
  ])('accepts %s', (input, expected) => {
    expect(checkFeedUrl(input, strict)).toBe(expected);
  });

  // What was typed is echoed in one clean line of at most 80 characters, never cutting an emoji in half.
  it.each([
    // Where a cut of 80 UTF-16 units would split the emoji: 50 characters are kept (the marker takes 30).
    { name: 'an emoji across 80 units', input: `${'x'.repeat(79)}\u{1F600}${'y'.repeat(30)}`, shown: `"${'x'.repeat(50)} …[cut: 110 characters in all]" is not a URL; give a full http(s) address such as https://example.com/feed.xml.` },
    { name: 'an emoji at the cut kept whole', input: `${'x'.repeat(49)}\u{1F600}${'y'.repeat(60)}`, shown: `"${'x'.repeat(49)}\u{1F600} …[cut: 110 characters in all]" is not a URL; give a full http(s) address such as https://example.com/feed.xml.` },
    { name: 'control characters and an escape sequence', input: 'not\u0007 a\u001b[2J url', shown: '"not a url" is not a URL; give a full http(s) address such as https://example.com/feed.xml.' },
    { name: 'a bidi override', input: 'evil\u202egpj.exe', shown: '"evilgpj.exe" is not a URL; give a full http(s) address such as https://example.com/feed.xml.' },
  ])('echoes input that is not a URL safely: $name', ({ input, shown }) => {
    expect(() => checkFeedUrl(input, strict)).toThrow(new UsageError(shown));
  });

  it.each([
    ['', /required/],
    ['not a url', /is not a URL/],
    ['ftp://example.com/rss', /must use http or https, not ftp/],
    ['javascript:alert(1)', /must use http or https, not javascript/],
    ['https://user:pw@example.com/rss', /user name or password/],
    ['http://127.0.0.1:8080/rss', /127\.0\.0\.1 is a private, loopback or reserved address/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a private/],
    ['http://[::1]/rss', /::1 is a private/],
    ['http://10.0.0.5/rss', /10\.0\.0\.5 is a private/],
    ['http://localhost/rss', /localhost is this machine/],
    [`https://example.com/${'a'.repeat(2100)}`, /limit is 2048/],
  ])('refuses %s with one sentence', (input, message) => {
    let error: unknown;
    try {
      checkFeedUrl(input, strict);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['http://127.0.0.1:8080/rss', '127.0.0.1 is a private, loopback or reserved address; '],
    ['http://localhost/rss', 'localhost is this machine; '],
  ])('tells a chat admin refused %s what to do instead (CHAT_FEED_HINT)', (url, start) => {
    expect(() => checkFeedUrl(url, strict, CHAT_FEED_HINT)).toThrow(`${start}${CHAT_FEED_HINT}.`);
    expect(() => checkFeedUrl(url, strict)).toThrow(/the operator must allow it \(polling\.allow_hosts/);
  });

  it('accepts loopback when the operator allows it', () => {
    expect(checkFeedUrl('http://127.0.0.1:8080/rss', allowLocal)).toBe('http://127.0.0.1:8080/rss');
    expect(checkFeedUrl('http://localhost/rss', allowLocal)).toBe('http://localhost/rss');
  });
});
