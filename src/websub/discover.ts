// Hub discovery (WebSub §4): a feed names its hub and its own topic URL with `Link: <url>; rel="hub"` /
// rel="self" headers, or in the document: <link rel="hub" href> / <atom:link rel="self" href> in RSS and
// Atom, `hubs` (type WebSub) and `feed_url` in a JSON Feed. Headers win over the document. Only the head of
// the document is read (up to the first entry, at most 64 KB), with patterns that cannot backtrack across
// tags or a single pass over the JSON, so a hostile body costs a bounded scan.
import { jsonFeedLinks, looksLikeJson } from './json-feed-links.ts';

export interface HubLinks {
  hub: string;
  /** The topic URL to subscribe to: the feed's rel="self", else the URL it was fetched from. */
  topic: string;
}

const HEAD_BYTES = 64 * 1024;
const MAX_URL = 2048;

/** Links of an RFC 8288 Link header value: each URL with its rel values (lower case). */
export function parseLinkHeader(value: string): Array<{ url: string; rels: string[] }> {
  const out: Array<{ url: string; rels: string[] }> = [];
  for (const m of value.slice(0, 16 * 1024).matchAll(/<([^<>]{1,2048})>([^<]*)/g)) {
    const params = m[2] ?? '';
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    out.push({ url: m[1]!.trim(), rels });
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(?:#x([0-9a-f]{1,6})|#(\d{1,7})|(amp|lt|gt|quot|apos));/gi, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name) return ENTITIES[name.toLowerCase()] ?? whole;
    const cp = hex ? parseInt(hex, 16) : Number(dec);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

/**
 * Feed-level links of the document's head, as URL and rel values: a JSON Feed's WebSub `hubs` (rel hub) and
 * `feed_url` (rel self); otherwise the <link> elements (any namespace prefix) before the first entry.
 */
export function documentLinks(body: Uint8Array): Array<{ url: string; rels: string[] }> {
  let head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, HEAD_BYTES)).toString('utf8');
  if (looksLikeJson(head)) {
    const json = jsonFeedLinks(head);
    return [...json.hubs.map((url) => ({ url: url.trim(), rels: ['hub'] })), ...(json.feedUrl !== null ? [{ url: json.feedUrl.trim(), rels: ['self'] }] : [])];
  }
  const firstEntry = /<(?:[\w.-]+:)?(?:item|entry)[\s>/]/i.exec(head);
  if (firstEntry) head = head.slice(0, firstEntry.index);
  const out: Array<{ url: string; rels: string[] }> = [];
  for (const tag of head.matchAll(/<(?:[\w.-]+:)?link\b([^<>]{0,4096})>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of tag[1]!.matchAll(/(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs.set(a[1]!.toLowerCase(), unescapeXml(a[2] ?? a[3] ?? ''));
    const href = attrs.get('href');
    const rel = attrs.get('rel');
    if (href && rel) out.push({ url: href.trim(), rels: rel.toLowerCase().split(/\s+/).filter(Boolean) });
  }
  return out;
}

/** An absolute http(s) URL without credentials or fragment, resolved against `base`; null otherwise. */
function cleanUrl(raw: string, base: string): string | null {
  if (raw.length > MAX_URL) return null;
  let u: URL;
  try {
    u = new URL(raw, base);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return null;
  u.hash = '';
  return u.href;
}

/**
 * The hub and topic a fetched feed advertises, or null when it names no usable hub. `feedUrl` is the URL
 * the body came from (after redirects): the base for relative links and the topic when there is no self.
 */
export function discoverHub(input: { body: Uint8Array; linkHeader: string | null; feedUrl: string }): HubLinks | null {
  const fromHeader = input.linkHeader ? parseLinkHeader(input.linkHeader) : [];
  const fromDoc = documentLinks(input.body);
  const first = (rel: string) => {
    for (const l of [...fromHeader, ...fromDoc]) {
      if (!l.rels.includes(rel)) continue;
      const url = cleanUrl(l.url, input.feedUrl);
      if (url) return url;
    }
    return null;
  };
  const hub = first('hub');
  if (!hub) return null;
  return { hub, topic: first('self') ?? cleanUrl(input.feedUrl, input.feedUrl) ?? input.feedUrl };
}
