import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FeedParseError } from '../../src/feeds/fetch-error.ts';
import { normaliseFeed } from '../../src/feeds/normalise.ts';
import { parseFeed, repairXml } from '../../src/feeds/parser.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

async function itemsOf(name: string, feedUrl = 'https://feeds.example.com/feed') {
  const parsed = await parseFeed(fixture(name), { url: feedUrl });
  return { parsed, items: normaliseFeed(parsed, { feedId: 1, feedUrl }) };
}

describe('parseFeed', () => {
  it.each([
    ['rss2.xml', 'rss', 'strict', 3, 'Cyber Desk'],
    ['atom.xml', 'atom', 'strict', 2, 'Atom Cyber'],
    ['rdf.xml', 'rdf', 'strict', 1, 'RDF Wire'],
    ['rss091.xml', 'rss', 'strict', 1, 'Old Wire'],
    ['jsonfeed.json', 'json', 'json', 2, 'JSON Cyber'],
    ['broken.xml', 'rss', 'repaired', 2, 'Broken & Co'],
  ])('%s: format %s via %s, %i entries', async (name, format, via, count, title) => {
    const { parsed, items } = await itemsOf(name);
    expect(parsed.format).toBe(format);
    expect(parsed.via).toBe(via);
    expect(parsed.title).toBe(title);
    expect(items).toHaveLength(count);
    for (const it of items) {
      expect(it.title.length).toBeGreaterThan(0);
      expect(it.url).toMatch(/^https?:\/\//);
    }
  });

  it('RSS 2.0: canonical links, clean text beside the original HTML, UTC dates, ttl, an undated item kept', async () => {
    const { parsed, items } = await itemsOf('rss2.xml', 'https://news.example.org/feed.xml');
    expect(parsed.ttlMinutes).toBe(60);
    const [first, second, third] = items;
    expect(first!.url).toBe('https://news.example.org/2026/11/working-group?id=7');
    expect(first!.key).toBe('g:cyber-desk-0001');
    expect(first!.summary).toBe('Two governments agreed to meet & talk.');
    expect(first!.content).toBe('Two governments agreed to meet & talk.\nThe group will meet twice a year.');
    expect(first!.html).toContain('<b>agreed</b>');
    expect(first!.author).toBe('A. Writer');
    expect(first!.publishedAt?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(second!.url).toBe('https://news.example.org/2026/11/grid-intrusion');
    expect(second!.summary).toBe('Operators found malware on a control network.');
    expect(third!.publishedAt).toBeNull();
    expect(third!.key).toBe('u:https://news.example.org/2026/11/norms-note');
  });

  it('Atom: xml:base on the feed and on an entry resolves relative links; HTML titles become text', async () => {
    const { items } = await itemsOf('atom.xml');
    expect(items[0]!.url).toBe('https://atom.example.net/blog/posts/talks-resume');
    expect(items[0]!.title).toBe('Talks on espionage resume');
    expect(items[0]!.publishedAt?.toISOString()).toBe('2026-11-23T13:15:00.000Z');
    expect(items[0]!.content).toBe('Delegations met again in Geneva.');
    expect(items[1]!.url).toBe('https://mirror.example.net/archive/case-filed.html');
  });

  it('JSON Feed: tracking parameters dropped, relative URL resolved, an untitled item gets a title from its text', async () => {
    const { items } = await itemsOf('jsonfeed.json', 'https://json.example.org/feed.json');
    expect(items[0]!.url).toBe('https://json.example.org/posts/1');
    expect(items[0]!.author).toBe('C. Analyst');
    expect(items[0]!.publishedAt?.toISOString()).toBe('2026-11-21T13:00:00.000Z');
    expect(items[1]!.url).toBe('https://json.example.org/posts/2');
    expect(items[1]!.title).toContain('A post with no title');
    expect(items[1]!.publishedAt).toBeNull();
  });

  it('repairs bare ampersands, control characters, HTML entities and leading whitespace', async () => {
    const { items } = await itemsOf('broken.xml');
    expect(items[0]!.title).toBe('Spies & diplomats meet');
    expect(items[0]!.url).toBe('https://broken.example.com/a?x=1&y=2');
    expect(items[0]!.summary).toBe('Fish & chips — and bare & signs');
    expect(items[0]!.publishedAt?.toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect(repairXml('<a>R&D &amp; &copy; &#169;</a>')).toBe('<a>R&amp;D &amp; &#169; &#169;</a>');
  });

  it('falls back to the lenient walk when repair is not enough', async () => {
    const body = Buffer.from('<rss version="2.0"><channel><title>Lenient</title><item><title>One</title><link>https://l.example.com/1</link></item><item><title>Two <b>unclosed</title><link>https://l.example.com/2</link></item></channel>');
    const parsed = await parseFeed(body);
    expect(parsed.via).toBe('lenient');
    expect(parsed.entries.map((e) => e.link)).toEqual(['https://l.example.com/1', 'https://l.example.com/2']);
  });

  it('reads a gzip body served without Content-Encoding', async () => {
    const parsed = await parseFeed(gzipSync(fixture('rss2.xml')));
    expect(parsed.entries).toHaveLength(3);
  });

  it('a feed root with no entries is a valid, empty feed', async () => {
    const parsed = await parseFeed(Buffer.from('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Empty</title></channel></rss>'));
    expect(parsed.entries).toEqual([]);
    expect(parsed.title).toBe('Empty');
  });

  it('a JSON Feed loses the control characters XML repair removes (a NUL would fail every write on PostgreSQL)', async () => {
    const body = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T\u0000itle', items: [{ id: 'id\u0000-1\u0007', url: 'https://j.example/1', title: 'Cyber\u0000 talks', content_html: '<p>a\u0000b\u001fc</p>\n' }] });
    const parsed = await parseFeed(Buffer.from(body), { url: 'https://j.example/feed.json' });
    expect(parsed.title).toBe('Title');
    expect(parsed.entries[0]).toMatchObject({ guid: 'id-1', title: 'Cyber talks', summary: '<p>abc</p>\n' });
  });

  it.each([
    ['an HTML page', fixture('not-a-feed.html'), /HTML page, not a feed; the page names a feed at https:\/\/site\.example\.com\/feed\.xml/],
    ['XML that is not a feed', fixture('unknown-root.xml'), /root <catalog>, not RSS, Atom or RDF/],
    ['an empty body', Buffer.alloc(0), /is empty/],
    ['whitespace', Buffer.from('  \n '), /only whitespace/],
    ['invalid JSON', Buffer.from('{"version": "https://jsonfeed.org/version/1", items: }'), /not valid JSON/],
    ['JSON that is not a feed', Buffer.from('{"hello": "world"}'), /not a JSON Feed/],
    ['plain text', Buffer.from('hello world'), /not XML or JSON/],
    ['binary bytes after a <', Buffer.from([0x3c, 0xe8, 0x72, 0x61, 0xeb, 0x61, 0xee, 0x2c, 0xf7, 0xae, 0x30, 0xe3, 0x3e, 0x00, 0x01, 0xff]), /^parser: https:\/\/x\.example\/feed is not a feed: its body is neither RSS, Atom, RDF nor JSON Feed \(binary or garbled data\?\)\.$/],
  ])('%s is a classified parse error', async (_name, body, message) => {
    const err = await parseFeed(body, { url: 'https://x.example/feed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseError);
    expect((err as FeedParseError).code).toBe('parse');
    expect((err as Error).message).toMatch(message);
  });
});

// Issue 11: a description holding 200 KB of unclosed `<a` took a minute in rss-parser's unused
// contentSnippet (`<(?:.|\n)*?>` rescans to the end from every `<`). Every reading path is now linear.
describe('parseFeed on hostile text', () => {
  const KB200 = 200 * 1024;
  const rss = (description: string, extra = '') =>
    Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>H</title><item><title>Hostile</title><link>https://h.example.com/1</link><description>${description}</description>${extra}</item></channel></rss>`);
  const atom = (content: string) =>
    Buffer.from(`<feed xmlns="http://www.w3.org/2005/Atom"><title>H</title><entry><title>Hostile</title><link href="https://h.example.com/1"/><content type="html">${content}</content></entry></feed>`);
  const unclosed = '<a'.repeat(KB200 / 2);
  const escaped = '&lt;a'.repeat(KB200 / 5);

  it.each([
    ['unclosed <a in a CDATA description', rss(`<![CDATA[${unclosed}]]>`), 'strict'],
    ['&lt;a in a description', rss(escaped), 'strict'],
    ['&lt;a in content:encoded', rss('short', `<content:encoded>${escaped}</content:encoded>`), 'strict'],
    ['&lt;a in Atom content', atom(escaped), 'strict'],
    ['raw unclosed <a (not XML: the lenient walk)', rss(unclosed), 'lenient'],
  ])('%s: 200 KB read without backtracking (30 s and more before the fix; the 10 s timeout catches it)', async (_name, body, via) => {
    const parsed = await parseFeed(body, { url: 'https://h.example.com/feed' });
    const items = normaliseFeed(parsed, { feedId: 1, feedUrl: 'https://h.example.com/feed' });
    expect(parsed.via).toBe(via);
    expect(items).toHaveLength(1);
    expect(items[0]!.url).toBe('https://h.example.com/1');
  }, 10_000);

  it('an HTML page whose <link> tag holds 1 MB of type attributes is refused in linear time (24 s and more before the fix; the 10 s timeout catches it)', async () => {
    // Quadratic in the tag's length: 540 KB took 6 s before the fix, so twice that takes four times as long.
    const page = Buffer.from(`<!doctype html><html><head><link ${'type="application/rss+xml" '.repeat(40_000)}<body></body></html>`);
    const err = await parseFeed(page, { url: 'https://h.example.com/' }).catch((e: unknown) => e);
    expect((err as FeedParseError).code).toBe('parse');
    expect((err as Error).message).toMatch(/HTML page, not a feed/);
  }, 10_000);

  it('a lenient-path CDATA section padded with 200 KB of spaces is read in linear time (the 10 s timeout catches a quadratic path)', async () => {
    const body = Buffer.from(`<rss version="2.0"><channel><title>C</title><item><title>One <b>unclosed</title><link>https://c.example.com/1</link><description><![CDATA[${' '.repeat(KB200)}text]]></description></item></channel></rss>`);
    const parsed = await parseFeed(body);
    expect(parsed.via).toBe('lenient');
    expect(parsed.entries[0]!.summary).toBe('text');
  }, 10_000);

  it('an Atom <link> without attributes is skipped, not fatal', async () => {
    const parsed = await parseFeed(Buffer.from('<feed xmlns="http://www.w3.org/2005/Atom"><title>L</title><link>https://l.example.com/</link><entry><title>E</title><link>nothing</link><link rel="alternate" href="https://l.example.com/e"/></entry></feed>'));
    expect(parsed.via).toBe('strict');
    expect(parsed.entries.map((e) => e.link)).toEqual(['https://l.example.com/e']);
  });

  it('an RDF root without a channel still yields its items (through the lenient walk)', async () => {
    const parsed = await parseFeed(Buffer.from('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item rdf:about="https://r.example.com/1"><title>One</title><link>https://r.example.com/1</link></item></rdf:RDF>'));
    expect(parsed.via).toBe('lenient');
    expect(parsed.entries.map((e) => e.title)).toEqual(['One']);
  });
});
