import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalUrl, contentHash, normaliseFeed, parseFeedDate } from '../../src/feeds/normalise.ts';
import { sha256 } from '../../src/lib/digest.ts';
import type { ParsedFeed, RawEntry } from '../../src/feeds/parser.ts';

describe('sha256', () => {
  // Stored item keys and content hashes are made of it: any change would make every known item look new.
  it.each([
    ['empty', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['ASCII', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['accents, emoji and CJK as UTF-8', 'é🔒 网络', createHash('sha256').update('é🔒 网络', 'utf8').digest('hex')],
    ['a lone surrogate, as createHash reads it', 'x\ud800y', createHash('sha256').update('x\ud800y').digest('hex')],
  ])('%s', (_name, input, expected) => {
    expect(sha256(input)).toBe(expected);
  });
});

describe('canonicalUrl', () => {
  it.each([
    ['tracking parameters dropped, others kept in order', 'https://a.example/x?utm_source=rss&b=2&fbclid=z&a=1&utm_campaign=c', 'https://a.example/x?b=2&a=1'],
    ['fragment dropped', 'https://a.example/x#comments', 'https://a.example/x'],
    ['default ports dropped', 'http://a.example:80/x', 'http://a.example/x'],
    ['https default port dropped', 'https://a.example:443/x', 'https://a.example/x'],
    ['other ports kept', 'https://a.example:8443/x', 'https://a.example:8443/x'],
    ['host lower-cased', 'https://A.Example.COM/Path', 'https://a.example.com/Path'],
    ['empty query dropped', 'https://a.example/x?utm_medium=feed', 'https://a.example/x'],
    ['credentials dropped', 'https://user:pw@a.example/x', 'https://a.example/x'],
    ['a password without a user dropped', 'https://:pw@a.example/x', 'https://a.example/x'],
    ['an empty fragment dropped', 'https://a.example/x?#', 'https://a.example/x?'],
    ['a trailing dot of the host dropped', 'https://a.example./x#top', 'https://a.example/x'],
    ['a scheme in capitals', 'HTTPS://a.example/x', 'https://a.example/x'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it.each([['mailto:a@b.example'], ['javascript:alert(1)'], ['not a url'], [''], ['ftp://a.example/x'], ['post-123'], ['tag:a.example,2026:1']])('%s is not a usable link', (input) => {
    expect(canonicalUrl(input)).toBeNull();
  });

  it('resolves relative links against a base', () => {
    expect(canonicalUrl('../b?utm_source=x', 'https://a.example/dir/sub/')).toBe('https://a.example/dir/b');
  });
});

describe('parseFeedDate', () => {
  it.each([
    ['RFC 822 with GMT', 'Mon, 23 Nov 2026 09:00:00 GMT', '2026-11-23T09:00:00.000Z'],
    ['RFC 822 with offset', 'Mon, 23 Nov 2026 09:00:00 +0100', '2026-11-23T08:00:00.000Z'],
    ['US zone', 'Mon, 23 Nov 2026 09:00:00 EST', '2026-11-23T14:00:00.000Z'],
    ['zone V8 does not know', 'Tue, 24 Nov 2026 10:00:00 CEST', '2026-11-24T08:00:00.000Z'],
    ['two-digit year', 'Thu, 07 Dec 17 10:00:29 -0800', '2017-12-07T18:00:29.000Z'],
    ['ISO 8601 with offset', '2026-11-23T08:15:00-05:00', '2026-11-23T13:15:00.000Z'],
    ['ISO 8601 UTC', '2026-11-23T08:15:00Z', '2026-11-23T08:15:00.000Z'],
  ])('%s', (_name, input, iso) => {
    expect(parseFeedDate(input)?.toISOString()).toBe(iso);
  });

  it.each([[null], [''], ['yesterday-ish'], ['0000-00-00']])('%s gives null', (input) => {
    expect(parseFeedDate(input)).toBeNull();
  });
});

function entry(over: Partial<RawEntry>): RawEntry {
  return { guid: null, link: null, title: 'T', summary: 'S', content: null, author: null, date: null, base: null, ...over };
}
function feed(entries: RawEntry[], siteUrl: string | null = 'https://site.example/'): ParsedFeed {
  return { format: 'rss', title: 'F', siteUrl, ttlMinutes: null, base: null, entries, via: 'strict', encoding: 'utf-8' };
}
const ctx = { feedId: 9, feedUrl: 'https://site.example/feed' };

describe('item keys', () => {
  it.each([
    ['a unique guid', [entry({ guid: 'abc-1', link: 'https://site.example/1' })], 'g:abc-1'],
    ['a duplicated guid falls back to the link', [entry({ guid: 'same', link: 'https://site.example/1' }), entry({ guid: 'same', link: 'https://site.example/2', title: 'U' })], 'u:https://site.example/1'],
    ['a guid equal to the home page is not trusted', [entry({ guid: 'https://site.example/', link: 'https://site.example/1' })], 'u:https://site.example/1'],
    ['no guid: the canonical link', [entry({ link: 'https://site.example/1?utm_source=x' })], 'u:https://site.example/1'],
  ])('%s', (_name, entries, key) => {
    expect(normaliseFeed(feed(entries), ctx)[0]!.key).toBe(key);
  });

  it('no guid and links shared by every entry: a hash of title and date', () => {
    const items = normaliseFeed(feed([entry({ link: 'https://site.example/', title: 'A', date: '2026-11-01T00:00:00Z' }), entry({ link: 'https://site.example/', title: 'B', date: '2026-11-01T00:00:00Z' })]), ctx);
    expect(items[0]!.key).toMatch(/^h:[0-9a-f]{40}$/);
    expect(items[0]!.key).not.toBe(items[1]!.key);
  });

  it('the content hash ignores date and guid but not title or text', () => {
    const a = normaliseFeed(feed([entry({ guid: 'g1', date: '2026-11-01T00:00:00Z' })]), ctx)[0]!;
    const b = normaliseFeed(feed([entry({ guid: 'g2', date: '2026-11-05T00:00:00Z' })]), ctx)[0]!;
    const c = normaliseFeed(feed([entry({ guid: 'g1', title: 'T updated' })]), ctx)[0]!;
    expect(a.contentHash).toBe(b.contentHash);
    expect(c.contentHash).not.toBe(a.contentHash);
    expect(contentHash('T', 'S', '')).toBe(a.contentHash);
  });
});

// A guid is the item's key: cut at 2,000 characters on a character boundary (never inside a surrogate pair,
// which PostgreSQL refuses), otherwise exactly as before, so no stored item gets a new key on upgrade. An
// author is display text: one clean line, cut with a note, no control character or escape sequence left.
describe('guid and author bounds', () => {
  const clean = (s: string) => expect(s).not.toMatch(/\p{Cs}|[\u0000-\u001f\u007f-\u009f]/u);
  it.each([
    { name: 'a guid with inner white space, kept as it was (its key)', guid: ' tag:site.example,2026:\t1 ', key: 'g:tag:site.example,2026:\t1' },
    { name: 'a guid of 2,000 characters, kept whole', guid: 'g'.repeat(2000), key: `g:${'g'.repeat(2000)}` },
    { name: 'a long guid with an emoji across 2,000 units: cut before it', guid: `${'g'.repeat(1999)}\u{1F600}tail`, key: `g:${'g'.repeat(1999)}` },
    { name: 'a long guid with an emoji before the cut kept whole', guid: `${'g'.repeat(1968)}\u{1F600}${'t'.repeat(100)}`, key: `g:${'g'.repeat(1968)}\u{1F600}${'t'.repeat(30)}` },
  ])('$name', ({ guid, key }) => {
    const [item] = normaliseFeed(feed([entry({ guid, link: 'https://site.example/1' })]), ctx);
    expect(item!.key).toBe(key);
    expect(item!.guid!).not.toMatch(/\p{Cs}/u);
    expect(item!.guid!.length).toBeLessThanOrEqual(2000);
  });

  it.each([
    { name: 'an author with controls and a bidi override', author: 'Jane\u0000 \u001b[2JDoe\u202e', want: 'Jane Doe' },
    { name: 'an author of 300 characters, kept whole', author: 'a'.repeat(300), want: 'a'.repeat(300) },
    // 270 characters kept (the marker takes 30).
    { name: 'a long author with an emoji across 300 units', author: `${'a'.repeat(299)}\u{1F600}${'b'.repeat(40)}`, want: `${'a'.repeat(270)} …[cut: 340 characters in all]` },
    { name: 'a long author with an emoji at the cut kept whole', author: `${'a'.repeat(269)}\u{1F600}${'b'.repeat(40)}`, want: `${'a'.repeat(269)}\u{1F600} …[cut: 310 characters in all]` },
    { name: 'an author of controls only', author: '\u0000\u0007', want: null },
  ])('$name', ({ author, want }) => {
    const [item] = normaliseFeed(feed([entry({ author, link: 'https://site.example/1' })]), ctx);
    expect(item!.author).toBe(want);
    if (item!.author) clean(item!.author);
  });
});
