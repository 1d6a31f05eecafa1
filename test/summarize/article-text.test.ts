import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractArticleText } from '../../src/summarize/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('extractArticleText', () => {
  it('keeps the article body and drops navigation, ads, scripts, asides and footers', () => {
    const text = extractArticleText(fixture('article.html'), 'text/html; charset=utf-8');
    expect(text).not.toBeNull();
    expect(text).toContain('form a standing working group on cybersecurity');
    expect(text).toContain('“We will not accept the theft of intellectual property as the price of doing business,”');
    expect(text).toContain('by Jan. 15 next year');
    for (const junk of ['Sign in', 'Advertisement', 'window.tracker', 'Celebrity wedding', 'All rights reserved', '.ad-banner {']) {
      expect(text).not.toContain(junk);
    }
    // Paragraphs survive as paragraph breaks.
    expect(text?.split('\n\n').length).toBeGreaterThanOrEqual(4);
  });

  const none: Array<{ name: string; body: string; type: string | null }> = [
    { name: 'a front page with only links', body: fixture('index-page.html'), type: 'text/html' },
    { name: 'JSON', body: '{"title": "not a page"}', type: 'application/json' },
    { name: 'a PDF content type', body: '%PDF-1.7', type: 'application/pdf' },
    { name: 'an empty body', body: '', type: 'text/html' },
  ];
  for (const c of none) {
    it(`returns null for ${c.name}`, () => {
      expect(extractArticleText(c.body, c.type)).toBeNull();
    });
  }
});
