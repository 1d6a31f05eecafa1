// Raw entries to NewItems: canonical URLs, clean text beside the original HTML, UTC dates, a stable key per
// feed and a content hash that tells a material edit from a re-dated or re-guided copy.
import type { NewItem } from '../domain/types.ts';
import { boundedText, clipText } from '../lib/bounded-text.ts';
import { sha256 } from '../lib/digest.ts';
import { plainLine } from '../lib/terminal-text.ts';
import { htmlToText, oneLine } from './html-text.ts';
import type { ParsedFeed, RawEntry } from './parser.ts';

const TRACKING = /^(utm_[a-z_]+|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|_openstat|igshid|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wt\.mc_id|cmpid|ncid|ocid|sr_share|at_medium|at_campaign|at_custom\d|ref_src|ref_url|__twitter_impression|rss|feedtype)$/i;

/**
 * The canonical form of a link: absolute (against `base`), http(s) only, host lower-cased, default port,
 * fragment and tracking parameters removed. Null when it is not a usable http(s) URL.
 */
export function canonicalUrl(raw: string | null | undefined, base?: string | null): string | null {
  if (!raw) return null;
  const s = raw.trim();
  if (!s) return null;
  // Without a base, a string with no colon has no scheme and cannot parse: skip the throw (guids such as
  // "post-123" come here for every entry).
  if (!base && !s.includes(':')) return null;
  let u: URL;
  try {
    u = base ? new URL(s, base) : new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  // Each setter re-serialises the URL: only the parts present are cleared (the result is the same).
  if (u.hash || s.includes('#')) u.hash = ''; // an empty fragment ('#') reads as no hash
  if (u.username) u.username = '';
  if (u.password) u.password = '';
  if ((u.protocol === 'http:' && u.port === '80') || (u.protocol === 'https:' && u.port === '443')) u.port = '';
  if (u.search) {
    const keep = [...u.searchParams].filter(([k]) => !TRACKING.test(k));
    u.search = '';
    for (const [k, v] of keep) u.searchParams.append(k, v);
  }
  if (u.hostname.endsWith('.')) u.hostname = u.hostname.replace(/\.$/, '');
  return u.href;
}

/** Resolves a link against the entry's xml:base, the feed's, then the feed URL. */
export function resolveLink(link: string | null, entryBase: string | null, feedBase: string | null, feedUrl: string): string | null {
  if (!link) return null;
  let base = feedUrl;
  try {
    if (feedBase) base = new URL(feedBase, base).href;
    if (entryBase) base = new URL(entryBase, base).href;
  } catch {
    base = feedUrl;
  }
  return canonicalUrl(link, base);
}

const ZONES: Record<string, string> = {
  CET: '+0100', CEST: '+0200', MET: '+0100', MEST: '+0200', BST: '+0100', IST: '+0530', JST: '+0900', KST: '+0900',
  AEST: '+1000', AEDT: '+1100', ACST: '+0930', AWST: '+0800', NZST: '+1200', NZDT: '+1300', EET: '+0200', EEST: '+0300',
  WET: '+0000', WEST: '+0100', MSK: '+0300', HKT: '+0800', SGT: '+0800', PHT: '+0800', BRT: '-0300', ART: '-0300',
  AKST: '-0900', AKDT: '-0800', HST: '-1000', AST: '-0400', ADT: '-0300', NST: '-0330', NDT: '-0230',
};

/** A date from a feed, in UTC; null when it cannot be read (the item is kept all the same). */
export function parseFeedDate(raw: string | null | undefined): Date | null {
  if (!raw || raw.length > 200) return null; // no date is that long
  let s = raw.trim().replace(/\s+/g, ' ');
  if (!s) return null;
  let t = Date.parse(s);
  if (Number.isNaN(t)) {
    // Named zones V8 does not know, "UT", missing comma, two-digit years, day names in the wrong place.
    s = s.replace(/\b([A-Z]{2,5})$/, (z) => ZONES[z] ?? (z === 'UT' ? '+0000' : z));
    s = s.replace(/^[A-Za-z]{3,9},?\s*/, '');
    s = s.replace(/\b(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{2}) (\d{1,2}:\d{2})/, (_w, d: string, m: string, y: string, hm: string) => `${d} ${m} ${Number(y) > 50 ? '19' : '20'}${y} ${hm}`);
    t = Date.parse(s);
  }
  if (Number.isNaN(t)) return null;
  const d = new Date(t);
  const year = d.getUTCFullYear();
  if (year < 1990 || year > 2200) return null;
  return d;
}

/** Hash of what a reader sees: title and text. A changed date or guid does not change it. */
export function contentHash(title: string, summary: string, content: string): string {
  // Inputs are already clean text (whitespace collapsed by htmlToText); case changes count as no change.
  return sha256(`${title.toLowerCase()}\n${summary.toLowerCase()}\n${content.toLowerCase()}`).slice(0, 32);
}

function untitled(summary: string, link: string | null): string {
  if (!summary) return link ?? '(untitled)';
  // Cut as every shown text is (never inside an emoji), then back to the last whole word.
  const cut = clipText(summary, 120);
  // eslint-disable-next-line regexp/no-super-linear-move -- on at most 120 characters
  return cut === summary ? summary : cut.replace(/\s+\S*…$/, '…');
}

/** Stored lengths, in characters: a feed's text is bounded before it reaches storage and the matcher. */
export const MAX_TITLE_CHARS = 1000;
export const MAX_TEXT_CHARS = 100_000;
export const MAX_HTML_CHARS = 200_000;
/** A guid: cut on a character boundary, nothing else changed (it is the item's key). */
export const MAX_GUID_CHARS = 2000;
/** An author: one clean line (lib/bounded-text.ts), a cut one saying so. */
export const MAX_AUTHOR_CHARS = 300;

/** The first `max` characters, not splitting a surrogate pair. */
function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

const capOrNull = (s: string | null, max: number): string | null => (s === null ? null : cap(s, max));

export interface NormaliseContext {
  feedId: number;
  /** The URL the feed was fetched from (after redirects): base for relative links. */
  feedUrl: string;
}

/**
 * NewItems for a parsed feed, in feed order. The key is the guid when it is trustworthy (present, unique
 * in this document, not the feed's home page), else the canonical link when unique, else a hash of title
 * and date (title and text when undated). Entries with neither title, text nor link are dropped.
 */
export function normaliseFeed(feed: ParsedFeed, ctx: NormaliseContext): NewItem[] {
  const siteUrl = canonicalUrl(feed.siteUrl, ctx.feedUrl);
  const prepared = feed.entries.map((e: RawEntry) => {
    const url = resolveLink(e.link, e.base, feed.base, ctx.feedUrl) ?? (e.guid && /^https?:\/\//i.test(e.guid) ? canonicalUrl(e.guid) : null);
    const summary = cap(htmlToText(e.summary), MAX_TEXT_CHARS);
    const content = e.content ? cap(htmlToText(e.content), MAX_TEXT_CHARS) : '';
    const title = oneLine(e.title) || untitled(oneLine(e.summary ?? e.content), url);
    // A guid is the item's identity, not display text: cut on a character boundary but otherwise kept as it
    // was (the parser has already removed what a database refuses), so every stored item keeps its key.
    const guid = e.guid ? cap(e.guid.trim(), MAX_GUID_CHARS) || null : null;
    return { e, url, summary, content: content === summary ? '' : content, title, guid, publishedAt: parseFeedDate(e.date) };
  });
  const count = (values: Array<string | null>) => {
    const m = new Map<string, number>();
    for (const v of values) if (v) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  const guidCounts = count(prepared.map((p) => p.guid));
  const urlCounts = count(prepared.map((p) => p.url));
  const out: NewItem[] = [];
  const seenKeys = new Set<string>();
  for (const p of prepared) {
    if (!p.title && !p.summary && !p.url) continue;
    let key: string;
    if (p.guid && guidCounts.get(p.guid) === 1 && canonicalUrl(p.guid) !== siteUrl) key = `g:${p.guid}`;
    else if (p.url && urlCounts.get(p.url) === 1 && p.url !== siteUrl) key = `u:${p.url}`;
    else key = `h:${sha256(`${p.title}\n${p.publishedAt ? p.publishedAt.toISOString() : p.summary}`).slice(0, 40)}`;
    if (seenKeys.has(key)) continue; // an exact duplicate entry in one document
    seenKeys.add(key);
    out.push({
      feedId: ctx.feedId,
      key,
      guid: p.guid,
      url: p.url,
      title: cap(p.title, MAX_TITLE_CHARS),
      summary: p.summary,
      content: p.content,
      html: capOrNull(p.e.content ?? p.e.summary, MAX_HTML_CHARS),
      // Escape sequences go before markup is read (oneLine would leave their printable tail), then the cut.
      author: p.e.author ? boundedText(oneLine(plainLine(p.e.author)), MAX_AUTHOR_CHARS) || null : null,
      publishedAt: p.publishedAt,
      contentHash: contentHash(p.title, p.summary, p.content),
    });
  }
  return out;
}
