// OPML import and export of the feed list. Import reads every <outline> with an xmlUrl, nested folders
// included; export writes OPML 2.0.
import { xmlChars } from '../lib/terminal-text.ts';
import { cleanFeedTitle, MAX_FEED_TITLE_CHARS } from './feed-title.ts';
import { FeedParseError } from './fetch-error.ts';
import { decodeEntities } from './html-text.ts';

export { MAX_FEED_TITLE_CHARS };

/** More feeds than anyone subscribes to: a larger list is a mistake or an attack, not a reading list. */
export const MAX_OPML_FEEDS = 5000;
/** Largest OPML file read (a 5000-feed export is well under 2 MB). */
export const MAX_OPML_BYTES = 10 * 1024 * 1024;

export interface OpmlFeed {
  url: string;
  title: string | null;
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/(?<![\w:.-])([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? '');
  }
  return out;
}

/** The feeds in an OPML document, deduplicated by URL, in document order; at most MAX_OPML_FEEDS. */
export function parseOpml(text: string): OpmlFeed[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/<opml\b/i.test(body)) throw new FeedParseError('opml: the file is not OPML (no <opml> element); export your subscriptions as OPML.');
  const seen = new Set<string>();
  const feeds: OpmlFeed[] = [];
  for (const m of body.matchAll(/<outline\b[^<>]*>/gi)) {
    const a = attrs(m[0]);
    const url = (a.xmlurl ?? '').trim();
    if (!url || seen.has(url)) continue;
    seen.add(url);
    if (feeds.length >= MAX_OPML_FEEDS) throw new FeedParseError(`opml: the file lists more than ${MAX_OPML_FEEDS} feeds; split it into smaller files.`);
    feeds.push({ url, title: cleanFeedTitle(a.title ?? a.text) });
  }
  return feeds;
}

/** An attribute or text value: only characters XML 1.0 allows, markup escaped. */
function esc(s: string): string {
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderOpml(feeds: ReadonlyArray<OpmlFeed & { siteUrl?: string | null }>, opts: { title?: string; now?: Date } = {}): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${esc(opts.title ?? 'cyberbrief feeds')}</title>`,
    `    <dateCreated>${(opts.now ?? new Date()).toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  for (const f of feeds) {
    const title = esc(cleanFeedTitle(f.title) ?? f.url);
    const site = f.siteUrl ? ` htmlUrl="${esc(f.siteUrl)}"` : '';
    lines.push(`    <outline type="rss" text="${title}" title="${title}" xmlUrl="${esc(f.url)}"${site}/>`);
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}
