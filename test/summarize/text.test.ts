import { describe, expect, it } from 'vitest';
import { withoutPublisherFooter, withoutReadOn } from '../../src/summarize/index.ts';

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

describe('withoutReadOn', () => {
  it.each([
    ['"[...]" after a sentence', 'Hackers hit three ministries. [...]', 'Hackers hit three ministries.'],
    ['"[…]" after a sentence', 'Hackers hit three ministries. […]', 'Hackers hit three ministries.'],
    ['"[...]" after a cut sentence: the cut still shows', 'The attackers then used a custom [...]', 'The attackers then used a custom…'],
    ['"Continue reading..." on a line of its own', 'A long story.\n\nJane Doe is a columnist\n\nContinue reading...', 'A long story.\n\nJane Doe is a columnist'],
    ['"Continue reading..." after a cut sentence with "..."', 'for every crime they commit...   Continue reading...', 'for every crime they commit...'],
    ['"Read More »" after "…"', 'notifying journalists and regulators… Read More »', 'notifying journalists and regulators…'],
    ['"[…]" and then "Continue reading"', 'The end … […] Continue reading »', 'The end …'],
    ['a label that is the whole text', 'Continue reading...', ''],
    ['trailing whitespace', 'Body text. [...]\n  ', 'Body text.'],
  ])('removes %s', (_name, text, expected) => {
    expect(withoutReadOn(text)).toBe(expected);
  });

  it.each([
    ['"read more" ending a sentence of the story', 'Officials urged citizens to read more.'],
    ['"Read more" starting a sentence that goes on', 'Advice for all readers. Read more blogs around threat'],
    ['a plain ellipsis cutting the text', 'The council met for hours and then...'],
    ['a marker before the end', 'Hackers [...] returned, officials said.'],
    ['no text at all', ''],
  ])('leaves the text as it is with %s', (_name, text) => {
    expect(withoutReadOn(text)).toBe(text);
  });

  it('reads only the end of a hostile text (a megabyte of markers)', () => {
    const markers = '[...] '.repeat(200_000);
    expect(markers.length).toBeGreaterThan(1_000_000);
    // Three labels at most go, each found in the last few dozen characters.
    expect(withoutReadOn(markers).length).toBe(markers.trimEnd().length - 3 * 6);
  });
});
