// Feed bytes to raw entries. RSS 0.9x/1.0/2.0 and Atom are read strictly (xml2js, mapped as rss-parser
// did: xml-feed.ts); JSON Feed 1.0/1.1 is read here. Bytes are decoded by BOM, HTTP charset, then XML
// declaration. When the XML is broken, common damage (bare `&`, control characters, junk before the root)
// is repaired and the strict reading tried again; failing that, a lenient DOM walk (linkedom, htmlparser2
// in XML mode) picks the entries out. Every step is linear in the input: this runs on feeds from anyone.
// linkedom is loaded on the first lenient walk: loading it costs about a quarter of a second of CPU, which a
// worker thread reading well-formed feeds (nearly all of them) never needs to pay.
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { nestsDeeperThan } from '../lib/markup-spans.ts';
import { decodeBody } from './charset.ts';
import { parseFeedDate } from './normalise.ts';
import { FeedParseError } from './fetch-error.ts';
import { readXmlFeed, type XmlFeed, type XmlFeedItem } from './xml-feed.ts';

export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

/** One entry as the feed gave it: strings untouched except for XML unescaping; links may be relative. */
export interface RawEntry {
  guid: string | null;
  link: string | null;
  title: string | null;
  /** Description / summary (HTML or text). */
  summary: string | null;
  /** Full content (content:encoded, atom:content, content_html) when distinct from the summary. */
  content: string | null;
  author: string | null;
  /** The date as written (published, else updated). */
  date: string | null;
  /** xml:base in scope for the entry, if any. */
  base: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  siteUrl: string | null;
  /** RSS <ttl> in minutes. */
  ttlMinutes: number | null;
  /** Base for relative links: the feed-level xml:base, if any. */
  base: string | null;
  entries: RawEntry[];
  /** How the feed was read: `strict`, `repaired`, `lenient`, `json`. */
  via: 'strict' | 'repaired' | 'lenient' | 'json';
  encoding: string;
  /** Entries beyond `maxEntries` left out (the first ones in document order are kept). */
  dropped?: number;
}

const str = (v: unknown): string | null => {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o._ === 'string') return str(o._);
    if (o.$ && typeof (o.$ as Record<string, unknown>).href === 'string') return str((o.$ as Record<string, unknown>).href);
    if (Array.isArray(v)) return str(v[0]);
  }
  return null;
};

/** Parses a feed body. Throws FeedParseError (class `parse`) with a sentence saying what was wrong. */
export interface ParseOptions {
  contentType?: string | null;
  /** For messages, e.g. the feed URL. */
  url?: string;
  /** Cap when a body turns out to be gzip without Content-Encoding (default 10 MB). */
  maxBytes?: number;
  /** Entries kept, the first in document order (default MAX_ENTRIES); feeds list their newest first. */
  maxEntries?: number;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Element nesting read; feeds nest a handful of levels (XHTML content a few dozen). */
export const MAX_DEPTH = 256;
/** Real feeds carry tens of entries, archives a few hundred; more is a broken or hostile feed. */
export const MAX_ENTRIES = 1000;

/**
 * At most `max` entries, and how many were left out: the newest end of the document, which is its start
 * unless the dates say the feed lists its oldest entries first.
 */
function capEntries(list: RawEntry[], max: number): { kept: RawEntry[]; dropped: number } {
  if (list.length <= max) return { kept: list, dropped: 0 };
  const first = parseFeedDate(list[0]?.date);
  const last = parseFeedDate(list[list.length - 1]?.date);
  const oldestFirst = !!first && !!last && last.getTime() > first.getTime();
  return { kept: oldestFirst ? list.slice(list.length - max) : list.slice(0, max), dropped: list.length - max };
}

/** A gzip body served without Content-Encoding (or a .gz file): unpacked within the cap. */
function gunzipBody(bytes: Uint8Array, where: string, max: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: max, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (err) {
    const tooBig = err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new FeedParseError(tooBig ? `parser:${where} is gzip that unpacks to more than ${max} bytes; cut off.` : `parser:${where} is corrupt gzip: ${(err as Error).message}.`, { cause: err });
  }
}

export async function parseFeed(bytes: Uint8Array, opts: ParseOptions = {}): Promise<ParsedFeed> {
  return parseFeedText(decodeFeed(bytes, opts), opts);
}

/** A feed body as text: gzip unpacked (within the cap), decoded by BOM, HTTP charset, then XML declaration. */
export interface DecodedFeed {
  /** The text from its first non-blank character (BOM removed). */
  text: string;
  encoding: string;
  /** JSON (starts with `{` or `[`), else read as XML. */
  json: boolean;
}

/** Decodes a body; throws FeedParseError for an empty, blank or corrupt one. */
export function decodeFeed(bytes: Uint8Array, opts: Pick<ParseOptions, 'contentType' | 'url' | 'maxBytes'> = {}): DecodedFeed {
  const where = opts.url ? ` ${opts.url}` : '';
  if (bytes.length === 0) throw new FeedParseError(`parser: feed${where} is empty.`);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipBody(bytes, where, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const decoded = decodeBody(bytes, opts.contentType ?? null);
  const text = decoded.text.replace(/^\uFEFF/, '');
  const start = text.search(/\S/);
  if (start < 0) throw new FeedParseError(`parser: feed${where} holds only whitespace.`);
  const first = text[start];
  return { text: start > 0 ? text.slice(start) : text, encoding: decoded.encoding, json: first === '{' || first === '[' };
}

/** Parses decoded feed text (decodeFeed's output, or part of it); throws FeedParseError as parseFeed does. */
export async function parseFeedText(decoded: DecodedFeed, opts: Pick<ParseOptions, 'url' | 'maxEntries'> = {}): Promise<ParsedFeed> {
  const where = opts.url ? ` ${opts.url}` : '';
  const { text } = decoded;
  const maxEntries = opts.maxEntries ?? MAX_ENTRIES;
  if (decoded.json) return parseJsonFeed(text, where, decoded.encoding, maxEntries);
  const trimmed = stripLeadingJunk(text);
  assertLooksLikeFeed(trimmed, where);
  // The strict reader overflowed its stack at ~50,000 levels and the DOM walk slows with depth
  // (200,000 levels took 36 s): a feed nested deeper than any real one is refused up front.
  if (nestsDeeperThan(trimmed, MAX_DEPTH)) throw new FeedParseError(`parser:${where} nests elements more than ${MAX_DEPTH} deep; no real feed does, so it is not read.`);

  try {
    return fromXml(readXmlFeed(trimmed), trimmed, 'strict', decoded.encoding, maxEntries);
  } catch (err) {
    if (!(err instanceof Error) || /not recognized as RSS/i.test(err.message)) {
      // A root the strict reading does not know (CDF, unknown namespaces...): the lenient walk may still find entries.
      return await lenient(trimmed, where, decoded.encoding, err, maxEntries);
    }
  }
  const repaired = repairXml(trimmed);
  if (repaired !== trimmed) {
    try {
      return fromXml(readXmlFeed(repaired), repaired, 'repaired', decoded.encoding, maxEntries);
    } catch {
      // fall through to the lenient walk
    }
  }
  return await lenient(repaired, where, decoded.encoding, null, maxEntries);
}

/** Drops anything before the first `<` (stray whitespace, text, a second BOM) and stray DOCTYPEs. */
function stripLeadingJunk(s: string): string {
  const lt = s.indexOf('<');
  return lt > 0 ? s.slice(lt) : s;
}

function assertLooksLikeFeed(s: string, where: string): void {
  const head = s.slice(0, 4096);
  if (/<(rss|feed|rdf:RDF|RDF|channel)\b/i.test(head) || /<(rss|feed|rdf:RDF)\b/i.test(s.slice(0, 65536))) return;
  if (/^<!doctype html|^<html\b|<html\b/i.test(head.replace(/^<\?xml[^>]*>\s*/, ''))) {
    // Each <link> tag, then its attributes: one regex across both retried the tag's tail from every
    // `type=` in it (a 300 KB tag took 4 s).
    const alt = [...s.matchAll(/<link\b[^<>]*>/gi)].find((m) => /type=["']application\/(?:rss|atom)\+xml["']/i.test(m[0]));
    const href = alt ? /href=["']([^"']+)["']/i.exec(alt[0])?.[1] : null;
    throw new FeedParseError(`parser:${where} is an HTML page, not a feed${href ? `; the page names a feed at ${href}` : '; use the site\'s RSS or Atom URL'}.`);
  }
  if (!/^</.test(s)) throw new FeedParseError(`parser:${where} is not XML or JSON.`);
}

/** Repairs the breakage seen most in the wild: bare `&`, control characters, unclosed CDATA at EOF. */
export function repairXml(s: string): string {
  let out = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
  out = out.replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#x[0-9a-fA-F]+);)/g, '&amp;');
  // HTML named entities are undefined in XML: turn the common ones into numeric references.
  out = out.replace(/&([a-zA-Z][a-zA-Z0-9]*);/g, (whole, name: string) => {
    if (name === 'amp' || name === 'lt' || name === 'gt' || name === 'quot' || name === 'apos') return whole;
    const cp = HTML_ENTITY_CODES[name];
    return cp ? `&#${cp};` : `&amp;${name};`;
  });
  const opens = (out.match(/<!\[CDATA\[/g) ?? []).length;
  const closes = (out.match(/\]\]>/g) ?? []).length;
  if (opens > closes) out += ']]>';
  return out;
}

const HTML_ENTITY_CODES: Record<string, number> = {
  nbsp: 160, copy: 169, reg: 174, trade: 8482, hellip: 8230, mdash: 8212, ndash: 8211, lsquo: 8216, rsquo: 8217,
  ldquo: 8220, rdquo: 8221, laquo: 171, raquo: 187, bull: 8226, middot: 183, euro: 8364, pound: 163, eacute: 233,
  egrave: 232, aacute: 225, agrave: 224, oacute: 243, uacute: 250, iacute: 237, ntilde: 241, ouml: 246, uuml: 252,
  auml: 228, ccedil: 231, szlig: 223, deg: 176, times: 215, shy: 173, acirc: 226, ecirc: 234, ocirc: 244,
};

/** xml:base of the root and of each entry, in document order (the strict reading drops attributes). */
function xmlBases(xml: string): { root: string | null; entries: Array<string | null> } {
  // `[^<>]*`: a tag ends before the next `<`, so `<item<item...` in a comment or CDATA costs linear time.
  const rootTag = /<(?:feed|rss|rdf:RDF|channel)\b[^<>]*>/i.exec(xml)?.[0] ?? '';
  const root = /\bxml:base\s*=\s*["']([^"']*)["']/.exec(rootTag)?.[1] ?? null;
  const entries: Array<string | null> = [];
  if (!xml.includes('xml:base')) return { root, entries };
  for (const m of xml.matchAll(/<(?:entry|item)\b[^<>]*>/g)) entries.push(/\bxml:base\s*=\s*["']([^"']*)["']/.exec(m[0])?.[1] ?? null);
  return { root, entries };
}

function formatOf(xml: string): FeedFormat {
  const head = xml.slice(0, 4096);
  if (/<feed\b/.test(head)) return 'atom';
  if (/<rdf:RDF\b|<RDF\b/.test(head)) return 'rdf';
  return 'rss';
}

/** A date string that Date.parse reads, else null (an unreadable dc:date yields to <published>). */
function readableDate(v: unknown): string | null {
  const s = str(v);
  return s && !Number.isNaN(Date.parse(s.trim())) ? s : null;
}

function fromXml(feed: XmlFeed, xml: string, via: 'strict' | 'repaired', encoding: string, maxEntries: number): ParsedFeed {
  const bases = xmlBases(xml);
  const all: XmlFeedItem[] = feed.items;
  const baseFor = (i: number): string | null => (bases.entries.length === all.length ? (bases.entries[i] ?? null) : null);
  const mapped = all.map((it, i): RawEntry => {
    const encoded = str(it['content:encoded']);
    const description = str(it.content) ?? str(it.summary);
    const summary = str(it.summary) ?? description;
    return {
      guid: str(it.guid) ?? str(it.id),
      link: str(it.link),
      title: str(it.title),
      summary: summary ?? encoded,
      content: encoded && encoded !== summary ? encoded : description && description !== summary ? description : null,
      author: str(it.creator) ?? str(it['dc:creator']) ?? str(it.author),
      date: str(it.pubDate) ?? readableDate(it['dc:date']) ?? str(it.published) ?? str(it['dc:date']) ?? str(it.updated),
      base: baseFor(i),
    };
  });
  const { kept: entries, dropped } = capEntries(mapped, maxEntries);
  const ttl = Number(str(feed.ttl));
  return {
    format: formatOf(xml),
    title: str(feed.title),
    siteUrl: str(feed.link),
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? ttl : null,
    base: bases.root,
    entries,
    via,
    encoding,
    ...(dropped ? { dropped } : {}),
  };
}

interface JsonFeedItem {
  id?: unknown;
  url?: unknown;
  external_url?: unknown;
  title?: unknown;
  content_html?: unknown;
  content_text?: unknown;
  summary?: unknown;
  date_published?: unknown;
  date_modified?: unknown;
  author?: { name?: unknown };
  authors?: Array<{ name?: unknown }>;
}

const JSON_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const JSON_CONTROLS = new RegExp(JSON_CONTROL.source, 'g');

function parseJsonFeed(text: string, where: string, encoding: string, maxEntries: number): ParsedFeed {
  let doc: unknown;
  try {
    // The control characters XML repair removes are removed here too: JSON can carry them as escapes, and
    // PostgreSQL refuses a NUL in text, so one such string would fail the feed's every poll there.
    doc = JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' && JSON_CONTROL.test(value) ? value.replace(JSON_CONTROLS, '') : value));
  } catch (err) {
    throw new FeedParseError(`parser:${where} looks like JSON but is not valid JSON: ${(err as Error).message}.`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new FeedParseError(`parser:${where} is JSON but not a JSON Feed (no top-level object).`);
  const d = doc as Record<string, unknown>;
  const version = typeof d.version === 'string' ? d.version : '';
  if (!/jsonfeed\.org\/version\//i.test(version) && !Array.isArray(d.items)) {
    throw new FeedParseError(`parser:${where} is JSON but not a JSON Feed (no "version" naming jsonfeed.org and no "items").`);
  }
  const items = (Array.isArray(d.items) ? (d.items as JsonFeedItem[]) : []).filter((it) => it && typeof it === 'object');
  const mapped = items.map((it): RawEntry => {
    const html = str(it.content_html);
    const plain = str(it.content_text);
    const summary = str(it.summary);
    const authorName = str(it.authors?.[0]?.name) ?? str(it.author?.name);
    return {
      guid: str(it.id),
      link: str(it.url) ?? str(it.external_url),
      title: str(it.title),
      summary: summary ?? html ?? plain,
      content: summary ? (html ?? plain) : null,
      author: authorName,
      date: str(it.date_published) ?? str(it.date_modified),
      base: null,
    };
  });
  const { kept: entries, dropped } = capEntries(mapped, maxEntries);
  return { format: 'json', title: str(d.title), siteUrl: str(d.home_page_url), ttlMinutes: null, base: null, entries, via: 'json', encoding, ...(dropped ? { dropped } : {}) };
}

// ---- lenient fallback -------------------------------------------------------------------------------

interface Node {
  localName?: string;
  tagName?: string;
  textContent: string | null;
  children: ArrayLike<Node>;
  getAttribute(name: string): string | null;
  innerHTML?: string;
}

const local = (n: Node): string => (n.localName ?? n.tagName ?? '').toLowerCase().replace(/^.*:/, '');

// linkedom builds `children` afresh on every read (a walk of the node's list): read it once per loop, or a
// channel of a thousand items costs a million steps per lookup.
function childrenNamed(n: Node, names: string[]): Node[] {
  const out: Node[] = [];
  const kids = n.children;
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i]!;
    if (names.includes(local(c))) out.push(c);
  }
  return out;
}

function textOf(n: Node | undefined): string | null {
  if (!n) return null;
  const inner = n.innerHTML ?? n.textContent ?? '';
  const cdata = cdataBody(inner);
  const t = cdata ?? (n.children.length > 0 ? inner : (n.textContent ?? ''));
  return t.trim() === '' ? null : unescapeXml(t.trim());
}

/** The text of an element that is one CDATA section (its `]]>` may be missing), else null. */
function cdataBody(inner: string): string | null {
  // Not /^\s*<!\[CDATA\[([\s\S]*?)(?:\]\]>)?\s*$/: its lazy body and trailing \s* share whitespace, so a
  // long run of spaces cost quadratic time.
  const t = inner.trim();
  if (!t.startsWith('<![CDATA[')) return null;
  const body = t.slice('<![CDATA['.length);
  return body.endsWith(']]>') ? body.slice(0, -3) : body;
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_w, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

function linkOf(n: Node): string | null {
  const links = childrenNamed(n, ['link']);
  const alt = links.find((l) => l.getAttribute('href') && (!l.getAttribute('rel') || l.getAttribute('rel') === 'alternate'));
  if (alt) return alt.getAttribute('href');
  const text = links.map((l) => textOf(l)).find((t) => !!t);
  if (text) return text;
  return n.getAttribute('href') ?? n.getAttribute('rdf:about') ?? null;
}

function collect(root: Node, names: string[], out: Node[] = [], depth = 0): Node[] {
  if (depth > 8) return out;
  const kids = root.children;
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i]!;
    if (names.includes(local(c))) out.push(c);
    else collect(c, names, out, depth + 1);
  }
  return out;
}

let linkedom: Promise<typeof import('linkedom')> | null = null;

/** Loads linkedom for the lenient walk (once); a worker of the long-running bot does it when it starts. */
export function loadLenientReader(): Promise<typeof import('linkedom')> {
  return (linkedom ??= import('linkedom'));
}

async function lenient(xml: string, where: string, encoding: string, cause: unknown, maxEntries: number): Promise<ParsedFeed> {
  const { DOMParser } = await loadLenientReader();
  let doc: { documentElement: Node | null };
  try {
    doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as { documentElement: Node | null };
  } catch (err) {
    throw new FeedParseError(`parser:${where} is not well-formed XML and could not be recovered: ${(err as Error).message}.`, { cause: err });
  }
  const root = doc.documentElement;
  if (!root) throw new FeedParseError(`parser:${where} has no root element.`);
  const nodes = ['item', 'entry'].includes(local(root)) ? [root] : collect(root, ['item', 'entry']);
  if (nodes.length === 0) {
    // A feed root with no entries is a valid, empty feed; any other root is not a feed.
    const rootName = local(root);
    if (!['rss', 'feed', 'rdf', 'channel'].includes(rootName)) {
      const reason = cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : '';
      // Binary or garbled bytes give a "root" of whatever followed a '<': not worth echoing.
      if (!/^[A-Za-z_][\w.-]{0,63}$/.test(rootName)) throw new FeedParseError(`parser:${where} is not a feed: its body is neither RSS, Atom, RDF nor JSON Feed (binary or garbled data?).`);
      throw new FeedParseError(`parser:${where} is XML with root <${rootName}>, not RSS, Atom or RDF${reason}.`);
    }
  }
  const channel = collect(root, ['channel'])[0] ?? root;
  const first = (n: Node, names: string[]) => textOf(childrenNamed(n, names)[0]);
  const mapped = nodes.map((n): RawEntry => {
    const summary = first(n, ['description', 'summary', 'abstract']);
    const content = first(n, ['encoded', 'content']);
    return {
      guid: first(n, ['guid', 'id']),
      link: linkOf(n),
      title: first(n, ['title']),
      summary: summary ?? content,
      content: summary && content && content !== summary ? content : null,
      author: first(n, ['creator', 'author']) ?? textOf(childrenNamed(childrenNamed(n, ['author'])[0] ?? n, ['name'])[0]),
      date: first(n, ['pubdate', 'published', 'date', 'issued', 'updated', 'modified', 'lastmod']) ?? n.getAttribute('lastmod'),
      base: n.getAttribute('xml:base'),
    };
  });
  const { kept: entries, dropped } = capEntries(mapped, maxEntries);
  const ttl = Number(first(channel, ['ttl']));
  return {
    format: formatOf(xml),
    title: first(channel, ['title']),
    siteUrl: linkOf(channel),
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? ttl : null,
    base: root.getAttribute('xml:base'),
    entries,
    via: 'lenient',
    encoding,
    ...(dropped ? { dropped } : {}),
  };
}
