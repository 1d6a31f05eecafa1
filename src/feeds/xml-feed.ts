// RSS 0.9x/1.0/2.0 and Atom documents to the fields the parser reads, over xml2js (sax, strict XML). This
// is the mapping rss-parser 3.13 makes, minus the work whose result we never used: its `contentSnippet`
// strips tags with `<(?:.|\n)*?>`, which backtracks quadratically on an unclosed `<` (200 KB of `&lt;a` in
// one description took a minute), and it also built iTunes fields and ISO dates we did not read. A root
// without a <channel> throws, as it did in rss-parser, so the parser's repair and lenient paths still get
// their chance to find entries; an Atom <link> without attributes is skipped (rss-parser threw on it).
import xml2js from 'xml2js';

/** An element as xml2js gives it: text, `{ _: text, $: attributes }`, or an object of child arrays. */
type XmlValue = string | XmlObject;
interface XmlObject {
  [key: string]: unknown;
  _?: string;
  $?: Record<string, string>;
}

export interface XmlFeedItem {
  title?: unknown;
  link?: unknown;
  guid?: unknown;
  id?: unknown;
  /** RSS <description>, Atom <content> (markup rebuilt as text when it is XHTML). */
  content?: unknown;
  /** RSS <summary> (rare), Atom <summary>. */
  summary?: unknown;
  'content:encoded'?: unknown;
  creator?: unknown;
  'dc:creator'?: unknown;
  author?: unknown;
  pubDate?: unknown;
  'dc:date'?: unknown;
  published?: unknown;
  updated?: unknown;
}

export interface XmlFeed {
  title?: unknown;
  link?: unknown;
  ttl?: unknown;
  items: XmlFeedItem[];
}

/** The message rss-parser gave for a root it does not know; the parser takes it as "try the lenient walk". */
export const NOT_RECOGNIZED = 'Feed not recognized as RSS 1 or 2.';

/** Parses XML text; throws the XML error, NOT_RECOGNIZED for a root that is not RSS, RDF or Atom, or a sentence for a shapeless one. */
export function readXmlFeed(xml: string): XmlFeed {
  const doc = parseXml(xml);
  if (!doc) throw new Error('Unable to parse XML.');
  if (doc.feed) return atomFeed(doc.feed as XmlObject | string);
  // RSS 2, 0.9x and a <rss> of no known version are read alike (rss-parser's defaultRSS: 2); RDF keeps its
  // items beside the channel, not in it.
  if (doc.rss) {
    const channel = channelOf(doc.rss, 'rss');
    return rssFeed(channel, typeof channel === 'object' ? channel.item : undefined);
  }
  const rdf = doc['rdf:RDF'];
  if (rdf) return rssFeed(channelOf(rdf, 'rdf:RDF'), typeof rdf === 'object' ? (rdf as XmlObject).item : undefined);
  throw new Error(NOT_RECOGNIZED);
}

/** The first <channel> of the root; a root without one is not read here (the lenient walk may find entries). */
function channelOf(root: unknown, name: string): XmlObject | string {
  const channels = typeof root === 'object' && root ? (root as XmlObject).channel : undefined;
  if (!Array.isArray(channels)) throw new Error(`The <${name}> root has no <channel>.`);
  return channels[0] as XmlObject | string;
}

function parseXml(xml: string): Record<string, unknown> | null {
  let result: Record<string, unknown> | null = null;
  let error: unknown = null;
  // Synchronous: xml2js with async: false calls back before parseString returns.
  new xml2js.Parser().parseString(xml, (err: unknown, value: Record<string, unknown> | null) => {
    error = err;
    result = value;
  });
  if (error) throw error;
  return result;
}

/** rss-parser's copyFromXML: for each [from, to], `dest[to] = xml[from][0]`, unwrapped to its text. */
function copy(xml: XmlObject | string, dest: Record<string, unknown>, fields: ReadonlyArray<string | readonly [string, string]>): void {
  if (typeof xml === 'string') return;
  for (const f of fields) {
    const [from, to] = typeof f === 'string' ? [f, f] : f;
    const v = xml[from];
    if (v !== undefined) dest[to] = (v as unknown[])[0];
    const d = dest[to] as XmlObject | undefined;
    if (d && typeof d._ === 'string') dest[to] = d._;
  }
}

/** Text content, or the element rebuilt as markup when it holds elements (XHTML content). */
function content(v: XmlValue): unknown {
  if (v && typeof v === 'object' && typeof v._ === 'string') return v._;
  if (v && typeof v === 'object') return new xml2js.Builder({ headless: true, rootName: 'div', renderOpts: { pretty: false } }).buildObject(v);
  return v;
}

/** The href of the first Atom <link> with `rel`, else of the one at `fallback`; links without attributes are skipped. */
function linkHref(links: unknown, rel: string, fallback: number): unknown {
  if (!Array.isArray(links)) return undefined;
  const withAttributes = (links as Array<XmlObject | string>).filter((l): l is XmlObject & { $: Record<string, string> } => typeof l === 'object' && !!l && !!l.$);
  return (withAttributes.find((l) => l.$.rel === rel) ?? withAttributes[fallback])?.$.href;
}

const CHANNEL_FIELDS: ReadonlyArray<string | readonly [string, string]> = [['dc:title', 'title'], 'title', 'link', 'ttl'];
const RSS_ITEM_FIELDS: ReadonlyArray<string | readonly [string, string]> = [
  ['author', 'creator'], ['dc:creator', 'creator'], ['dc:date', 'dc:date'], ['dc:title', 'title'], 'title', 'link', 'pubDate',
  'author', 'summary', 'content:encoded', 'dc:creator', 'updated', 'published', 'id',
];
const ATOM_ITEM_FIELDS = ['dc:date', 'dc:creator', 'updated', 'published', 'content:encoded', 'id'];

function rssFeed(channel: XmlObject | string, items: unknown): XmlFeed {
  const feed: XmlFeed = { items: [] };
  copy(channel, feed as unknown as Record<string, unknown>, CHANNEL_FIELDS);
  feed.items = (Array.isArray(items) ? (items as Array<XmlObject | string>) : []).map((x) => {
    const item: XmlFeedItem = {};
    copy(x, item as Record<string, unknown>, RSS_ITEM_FIELDS);
    if (typeof x === 'object' && x) {
      if (x.description) item.content = content((x.description as XmlValue[])[0]!);
      if (x.guid) {
        const g = (x.guid as XmlValue[])[0];
        item.guid = g && typeof g === 'object' && g._ ? g._ : g;
      }
    }
    return item;
  });
  return feed;
}

function atomFeed(root: XmlObject | string): XmlFeed {
  const feed: XmlFeed = { items: [] };
  if (typeof root !== 'object' || !root) return feed;
  copy(root, feed as unknown as Record<string, unknown>, ['ttl']);
  if (root.link) feed.link = linkHref(root.link, 'alternate', 0);
  if (root.title) feed.title = textOf((root.title as XmlValue[])[0]);
  feed.items = (Array.isArray(root.entry) ? (root.entry as Array<XmlObject | string>) : []).map((entry) => {
    const item: XmlFeedItem = {};
    if (typeof entry !== 'object' || !entry) return item;
    copy(entry, item as Record<string, unknown>, ATOM_ITEM_FIELDS);
    if (entry.title) {
      const t = textOf((entry.title as XmlValue[])[0]);
      if (t) item.title = t;
    }
    if (Array.isArray(entry.link) && entry.link.length) item.link = linkHref(entry.link, 'alternate', 0);
    const date = (key: string): unknown => {
      const v = entry[key] as XmlValue[] | undefined;
      return v && v.length && (v[0] as string).length ? v[0] : undefined;
    };
    item.pubDate = date('published') ?? date('updated');
    const author = (entry.author as XmlObject[] | undefined)?.[0];
    if (author && typeof author === 'object' && Array.isArray(author.name) && author.name.length) item.author = author.name[0];
    if (Array.isArray(entry.content) && entry.content.length) item.content = content(entry.content[0] as XmlValue);
    if (Array.isArray(entry.summary) && entry.summary.length) item.summary = content(entry.summary[0] as XmlValue);
    if (entry.id) item.id = (entry.id as unknown[])[0];
    return item;
  });
  return feed;
}

function textOf(v: XmlValue | undefined): unknown {
  const t = v || '';
  return typeof t === 'object' && t._ ? t._ : t;
}
