import { describe, expect, it } from 'vitest';
import { withoutPublisherFooter } from '../../src/summarize/index.ts';

describe('withoutPublisherFooter', () => {
  it.each([
    ['a WordPress footer after the story', 'Hackers hit three ports. The post Ports Hit by Hackers appeared first on SecurityWeek .', 'Hackers hit three ports.'],
    ['the footer after an excerpt cut mid-sentence', 'attacks that traditional tools miss The post Webinar Today: Email Security appeared first on SecurityWeek .', 'attacks that traditional tools miss'],
    ['"first appeared on", in a paragraph of its own', 'The ministry confirmed the breach.\n\nThe post Ministry Breached first appeared on Example Blog.', 'The ministry confirmed the breach.'],
    ['"This article, ..." with a short line after it, which goes too', 'Apple tests a button.\n\nThis article, " Edit Button Tested " first appeared on MacRumors.com\n\nDiscuss this article in our forums', 'Apple tests a button.'],
    ['a footer that is the whole text', 'The post Ports Hit by Hackers appeared first on SecurityWeek.', ''],
    ['trailing whitespace around it', 'Body text.  The post Title appeared first on Site.\n\n  ', 'Body text.'],
  ])('removes %s', (_name, text, expected) => {
    expect(withoutPublisherFooter(text)).toBe(expected);
  });

  it.each([
    ['the verb in a sentence of the story', 'In the growing debate about when people first appeared on this continent, an archaeologist spoke.'],
    ['a file that first appeared on a platform, mid-text', 'The artifact ("Invoice540.pdf") first appeared on the VirusTotal platform on November 28, 2025. A second one followed.'],
    ['a footer followed by more than a short line of text', `The post A Title appeared first on Site.\n\n${'The story goes on after it. '.repeat(10)}`],
    ['"The post" inside a word', 'xThe post Title appeared first on Site.'],
    ['"The post office" with no verb', 'The post office was hacked, officials said.'],
    ['a "site" with no letters', 'The post Title appeared first on 2025.'],
    ['an opener too far before the verb', `The post ${'very long title '.repeat(40)}appeared first on Site.`],
    ['a site name too long to be one', `The post Title appeared first on ${'a site '.repeat(20)}`],
    ['no text at all', ''],
  ])('leaves the text as it is with %s', (_name, text) => {
    expect(withoutPublisherFooter(text)).toBe(text);
  });

  it('returns for hostile input without reading all of it for each line (a megabyte of footers, of lines)', () => {
    const footers = 'The post appeared first on X '.repeat(40_000);
    expect(footers.length).toBeGreaterThan(1_000_000);
    expect(withoutPublisherFooter(footers).length).toBeLessThan(footers.length);
    const lines = 'a\n'.repeat(500_000);
    expect(withoutPublisherFooter(lines) === lines).toBe(true);
  });
});
