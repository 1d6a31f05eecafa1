import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_FEED_TITLE_CHARS, MAX_OPML_FEEDS, parseOpml, renderOpml } from '../../src/feeds/opml.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('OPML', () => {
  it('reads nested outlines, prefers title over text, drops duplicates', () => {
    const feeds = parseOpml(readFileSync(path.join(FIXTURES, 'opml.opml'), 'utf8'));
    expect(feeds).toEqual([
      { url: 'https://news.example.org/feed.xml', title: 'Cyber Desk' },
      { url: 'https://atom.example.net/atom.xml', title: 'Atom & Co' },
      { url: 'ftp://files.example.org/feed', title: 'Not http' },
    ]);
  });

  it('round-trips through export, escaping what needs escaping', () => {
    const feeds = [
      { url: 'https://a.example/rss?x=1&y=2', title: 'A "quoted" <title> & more' },
      { url: 'https://b.example/atom', title: null },
    ];
    const xml = renderOpml(feeds, { now: new Date('2026-11-23T00:00:00Z') });
    expect(xml).toContain('xmlUrl="https://a.example/rss?x=1&amp;y=2"');
    expect(xml).toContain('<opml version="2.0">');
    expect(parseOpml(xml)).toEqual([
      { url: 'https://a.example/rss?x=1&y=2', title: 'A "quoted" <title> & more' },
      { url: 'https://b.example/atom', title: 'https://b.example/atom' },
    ]);
  });

  it('exports well-formed XML 1.0 whatever a stored title holds', () => {
    const xml = renderOpml([{ url: 'https://a.example/rss', title: 'A\u0000B\u001b[1mC\u000bD\ufffeE\ud800F\u202eG' }], { now: new Date('2026-11-23T00:00:00Z') });
    expect(xml).not.toMatch(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u);
    expect(xml).toContain('title="A B C DEFG"');
  });

  it(`refuses more than ${MAX_OPML_FEEDS} feeds in one sentence`, () => {
    const outlines = (n: number) => Array.from({ length: n }, (_, i) => `<outline xmlUrl="https://f.example/${i}"/>`).join('');
    expect(parseOpml(`<opml><body>${outlines(MAX_OPML_FEEDS)}</body></opml>`)).toHaveLength(MAX_OPML_FEEDS);
    expect(() => parseOpml(`<opml><body>${outlines(MAX_OPML_FEEDS + 1)}</body></opml>`)).toThrow(
      `opml: the file lists more than ${MAX_OPML_FEEDS} feeds; split it into smaller files.`,
    );
  });

  it(`cuts titles to ${MAX_FEED_TITLE_CHARS} characters`, () => {
    expect(parseOpml(`<opml><body><outline title="${'t'.repeat(5000)}" xmlUrl="https://f.example/x"/></body></opml>`)[0]?.title).toBe('t'.repeat(MAX_FEED_TITLE_CHARS));
  });

  it('does not expand DTD entities (no billion laughs)', () => {
    const lol = '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    expect(parseOpml(`${lol}<opml><body><outline title="&c;" xmlUrl="https://f.example/x"/></body></opml>`)).toEqual([{ url: 'https://f.example/x', title: '&c;' }]);
  });

  it('refuses a file that is not OPML', () => {
    expect(() => parseOpml('<rss version="2.0"></rss>')).toThrow(/not OPML/);
  });

  it('reads an outline with a 200 KB run of name characters in linear time (minutes before the fix; the 10 s timeout catches it)', () => {
    // An attribute name was retried from every character of the run (quadratic: minutes).
    const feeds = parseOpml(`<opml><body><outline ${'a'.repeat(200_000)} xmlUrl="https://a.example/feed"/></body></opml>`);
    expect(feeds).toEqual([{ url: 'https://a.example/feed', title: null }]);
  }, 10_000);
});
