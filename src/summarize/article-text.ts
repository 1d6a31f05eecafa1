// The main text of an article page: @mozilla/readability over a linkedom DOM, then the same cleaning as feed
// text so paragraphs survive as paragraph breaks. Returns null when the page is not HTML or has no article.
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { nestsDeeperThan } from '../lib/markup-spans.ts';
import { cleanText } from './text.ts';

/** Less than this many characters of extracted text is not an article (a cookie wall, an index page). */
export const MIN_ARTICLE_CHARS = 200;

export function isHtmlContentType(contentType: string | null): boolean {
  if (!contentType) return true;
  return /^\s*(?:text\/html|application\/xhtml\+xml)\b/i.test(contentType);
}

/** Extracted text kept, in characters, like a feed item's text: it is matched and summarised as one. */
export const MAX_ARTICLE_CHARS = 100_000;

/** Element nesting a page may have (real pages stay under a few hundred); deeper is not parsed. */
export const MAX_PAGE_DEPTH = 1000;

export function extractArticleText(html: string, contentType: string | null = 'text/html'): string | null {
  if (!isHtmlContentType(contentType) || !html.trim()) return null;
  // The DOM build and Readability recurse per level: 50,000 nested <div>s took 32 s and then overflowed the stack.
  if (nestsDeeperThan(html, MAX_PAGE_DEPTH, true)) return null;
  const { document } = parseHTML(html);
  if (!document.documentElement) return null;
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: MIN_ARTICLE_CHARS }).parse();
  if (!article) return null;
  const text = cleanText(article.content ?? article.textContent ?? '');
  if (text.length < MIN_ARTICLE_CHARS) return null;
  // Cut at the last paragraph or sentence end within the cap, so the kept text ends cleanly.
  if (text.length <= MAX_ARTICLE_CHARS) return text;
  const head = text.slice(0, MAX_ARTICLE_CHARS);
  const end = Math.max(head.lastIndexOf('\n\n'), head.lastIndexOf('. ') + 1);
  return end > MAX_ARTICLE_CHARS / 2 ? head.slice(0, end).trimEnd() : head;
}
