import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/feeds/html-text.ts';
import { parseOpml } from '../../src/feeds/opml.ts';
import { parseFeed } from '../../src/feeds/parser.ts';
import { nestsDeeperThan, removeComments, removeElements, unwrapCdata } from '../../src/lib/markup-spans.ts';
import { extractArticleText } from '../../src/summarize/article-text.ts';
import { stripMarkup } from '../../src/matching/text.ts';
import { cleanText } from '../../src/summarize/text.ts';

describe('markup spans', () => {
  const cases: Array<{ name: string; got: () => string; want: string }> = [
    { name: 'comments removed', got: () => removeComments('a<!-- x -->b<!--y-->c', ' '), want: 'a b c' },
    { name: 'unclosed comment left as it is', got: () => removeComments('a<!-- x -->b<!-- y', ' '), want: 'a b<!-- y' },
    { name: 'CDATA unwrapped', got: () => unwrapCdata('<![CDATA[<b>x</b>]]> and <![CDATA[y]]>'), want: '<b>x</b> and y' },
    { name: 'unclosed CDATA left', got: () => unwrapCdata('a <![CDATA[b'), want: 'a <![CDATA[b' },
    { name: 'elements removed, case-insensitive end tag', got: () => removeElements('a<script type="x">var s="<b>";</SCRIPT >b<style>p{}</style>c', ['script', 'style'], '|'), want: 'a|b|c' },
    { name: 'first end tag closes', got: () => removeElements('<script>1</script>x<script>2</script>', ['script'], ''), want: 'x' },
    { name: 'unclosed element left', got: () => removeElements('a<script>b', ['script'], ''), want: 'a<script>b' },
    { name: 'later closed element of another name still removed', got: () => removeElements('<style>x<script>y</script>', ['script', 'style'], ''), want: '<style>x' },
    { name: 'a name prefix is not the element', got: () => removeElements('<scripts>x</scripts>', ['script'], ''), want: '<scripts>x</scripts>' },
    { name: 'without requireTagEnd the start tag may be broken', got: () => removeElements('a<script x</script>b', ['script'], ' ', false), want: 'a b' },
  ];
  for (const c of cases) it(c.name, () => expect(c.got()).toBe(c.want));
});

// Adversarial feed text: unclosed openers repeated over ~2 MB. The old regexes rescanned to the end of the
// input from every opener (quadratic: hours at this size); each case must finish within the test timeout.
describe('stripping hostile markup stays linear', () => {
  const n = 250_000;
  const hostile: Array<{ name: string; input: string }> = [
    { name: 'unclosed tags', input: '<a'.repeat(n * 4) },
    { name: 'unclosed block tags', input: '<p '.repeat(n * 3) },
    { name: 'unclosed comments', input: '<!--'.repeat(n * 2) },
    { name: 'unclosed scripts', input: '<script>'.repeat(n) },
    { name: 'unclosed script start tags', input: '<script '.repeat(n) },
    { name: 'unclosed CDATA', input: '<![CDATA['.repeat(n) },
  ];
  for (const h of hostile) {
    it(`htmlToText, cleanText and stripMarkup on ${h.name}`, () => {
      expect(htmlToText(`ok ${h.input}`).startsWith('ok')).toBe(true);
      expect(cleanText(`ok ${h.input}`).startsWith('ok')).toBe(true);
      expect(stripMarkup(`ok ${h.input}`).startsWith('ok')).toBe(true);
    });
  }

  it('parseOpml on unclosed outline tags', () => {
    expect(parseOpml(`<opml><body><outline xmlUrl="http://example.org/a"/>${'<outline xmlUrl="x" '.repeat(n / 2)}`)).toEqual([
      { url: 'http://example.org/a', title: null },
    ]);
  });

  it('parseFeed on an HTML page with unclosed link tags', async () => {
    const page = `<!doctype html><html><head>${'<link type="text/css" '.repeat(n / 2)}</head></html>`;
    await expect(parseFeed(Buffer.from(page))).rejects.toThrow(/is an HTML page, not a feed/);
  });
});

describe('nestsDeeperThan', () => {
  const cases: Array<{ name: string; text: string; limit: number; html?: boolean; want: boolean }> = [
    { name: 'at the limit', text: '<a><b><c></c></b></a>', limit: 3, want: false },
    { name: 'one past the limit', text: '<a><b><c><d></d></c></b></a>', limit: 3, want: true },
    { name: 'siblings do not add up', text: '<a></a><a></a><a></a><a></a>', limit: 1, want: false },
    { name: 'self-closing tags do not nest', text: '<a><b/><b/><b/></a>', limit: 1, want: false },
    { name: 'comments, CDATA, declarations and PIs are skipped', text: '<?xml version="1.0"?><!DOCTYPE x><a><!-- <b><c><d> --><![CDATA[<b><c><d>]]></a>', limit: 1, want: false },
    { name: 'a "<" in text is not a tag', text: '<a>1 < 2 and 3 < 4</a>', limit: 1, want: false },
    { name: 'html: void and optional-end elements do not nest', text: `<div>${'<p>x<br><img src=y><li>z'.repeat(50)}</div>`, limit: 2, html: true, want: false },
    { name: 'xml: the same tags nest', text: `<div>${'<p>x<br>'.repeat(50)}</div>`, limit: 2, want: true },
    { name: 'html: nested divs count', text: `${'<div>'.repeat(10)}x`, limit: 5, html: true, want: true },
    { name: 'an unclosed comment ends the scan', text: `<a><!--${'<b>'.repeat(10)}`, limit: 2, want: false },
  ];
  for (const c of cases) it(c.name, () => expect(nestsDeeperThan(c.text, c.limit, c.html)).toBe(c.want));

  it('is linear on broken markup (unclosed tags, lone "<")', () => {
    expect(nestsDeeperThan('<a'.repeat(1_000_000), 10)).toBe(false);
    expect(nestsDeeperThan(`<a>${'<'.repeat(1_000_000)}>`, 10)).toBe(false);
  });
});

// Documents nested deeper than any real one: rss-parser overflowed the stack and the lenient DOM walk took
// 36 s on 200,000 levels; Readability took 32 s on 50,000 and overflowed. Both are refused up front.
describe('deeply nested documents are refused before parsing', () => {
  it('a feed', async () => {
    const feed = `<rss version="2.0"><channel><title>t</title><item><title>x</title><description>${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}</description></item></channel></rss>`;
    await expect(parseFeed(Buffer.from(feed))).rejects.toThrow('parser: nests elements more than 256 deep; no real feed does, so it is not read.');
  });

  it('an article page', () => {
    const page = `<html><body>${'<div>'.repeat(50_000)}${'<p>Officials said the talks would resume. '.repeat(50)}</body></html>`;
    expect(extractArticleText(page)).toBeNull();
  });
});
