// Seeded generators of hostile feeds and texts for the fuzz tests: unclosed tags and comments, punctuation
// runs, deep nesting, huge and invalid entities, whitespace and combining-mark runs, tag names that regexes
// look for, and mixes of them, placed raw, escaped or in CDATA in every field of RSS, Atom, RDF and JSON
// Feed documents, some of them truncated, nested too deep, or gzipped. The same seed gives the same cases.
import { gzipSync } from 'node:zlib';
import { seededRandom } from './bot-process.ts';

export type Random = () => number;
export { seededRandom };

const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const repeatTo = (unit: string, n: number) => unit.repeat(Math.max(1, Math.ceil(n / unit.length))).slice(0, Math.max(n, 1));

/** Hostile runs of about `n` characters, each with a name for failure messages. */
const FRAGMENTS: ReadonlyArray<readonly [string, (r: Random, n: number) => string]> = [
  ['unclosed <a', (_r, n) => repeatTo('<a', n)],
  ['unclosed <a with spaces', (_r, n) => repeatTo('<a href=x ', n)],
  ['escaped unclosed &lt;a', (_r, n) => repeatTo('&lt;a', n)],
  ['unclosed comments', (_r, n) => repeatTo('<!--', n)],
  ['unclosed CDATA openers', (_r, n) => repeatTo('<![CDATA[', n)],
  ['unclosed script', (_r, n) => repeatTo('<script>', n)],
  ['block tags without >', (_r, n) => repeatTo('<p<div<br', n)],
  ['tags feeds look for', (r, n) => repeatTo(pick(r, ['<item', '<entry', '<rss', '<channel', '<feed ', '<link ', '<outline ', '<meta charset']), n)],
  ['feed link attributes', (_r, n) => repeatTo('type="application/rss+xml" ', n)],
  ['xml:base attributes', (_r, n) => repeatTo('xml:base="x" ', n)],
  ['dots', (_r, n) => repeatTo('.', n)],
  ['end punctuation and closers', (r, n) => repeatTo(pick(r, ['?!', '…', '."\')]', '!!!"', '.”’', '?)']), n)],
  ['spaced dots', (_r, n) => repeatTo('. ', n)],
  ['abbreviations', (r, n) => repeatTo(pick(r, ['U.S. ', 'a.', 'Dr. ', 'Jan. ', 'T.J.', 'e.g. ']), n)],
  ['dangling punctuation', (_r, n) => repeatTo(',;:–—- ', n)],
  ['commas then a word', (_r, n) => `${repeatTo(',', n)}x`],
  ['deep nesting as text', (r, n) => repeatTo(pick(r, ['<div>', '<p>', '<b><i>', '<span>']), n)],
  ['escaped deep nesting', (_r, n) => repeatTo('&lt;div&gt;', n)],
  ['long hex entity', (_r, n) => `&#x${repeatTo('f', n)};`],
  ['long named entity', (_r, n) => `&${repeatTo('a', n)};`],
  ['entity without semicolon', (_r, n) => repeatTo('&amp', n)],
  ['many entities', (r, n) => repeatTo(pick(r, ['&amp;', '&#x41;', '&nbsp;', '&#1114112;', '&#xD800;', '&#0;', '&bogus;']), n)],
  ['ampersand runs', (_r, n) => repeatTo('&', n)],
  ['spaces', (_r, n) => repeatTo(' ', n)],
  ['newlines', (r, n) => repeatTo(pick(r, ['\n', '\r\n', '\n \n', '\u2028', '\t\f\v']), n)],
  ['combining marks', (_r, n) => `e${repeatTo('\u0301', n)}`],
  ['wide characters', (r, n) => repeatTo(pick(r, ['é', '😀', '中文', 'ß', '\u200b', '\u00ad', 'İ']), n)],
  ['letters without spaces', (_r, n) => repeatTo('abcdefghij', n)],
  ['quotes', (r, n) => repeatTo(pick(r, ['"', "'", '“‘(', '[']), n)],
  ['markup soup', (r, n) => Array.from({ length: Math.ceil(n / 2) }, () => pick(r, ['<', '>', '&', ';', '"', "'", '/', '=', '!', '[', ']', '-', '.', '?', ' ', 'a', '#', 'x'])).join('')],
  ['prose', (_r, n) => repeatTo('Officials said the hackers stole trade secrets. The talks resume in Geneva. ', n)],
];

function fragmentSize(r: Random): number {
  const x = r();
  if (x < 0.75) return int(r, 1, 2_000);
  if (x < 0.99) return int(r, 2_000, 10_000);
  return int(r, 50_000, 200_000); // where a quadratic path shows: seconds to minutes
}

export interface HostileText {
  text: string;
  /** The fragments it is made of, for failure messages. */
  label: string;
}

/** One to three hostile fragments, sometimes with prose around them. */
export function hostileText(r: Random, sizeOf: (r: Random) => number = fragmentSize): HostileText {
  const parts: string[] = [];
  const names: string[] = [];
  for (let i = int(r, 1, 3); i > 0; i--) {
    const [name, make] = pick(r, FRAGMENTS);
    const n = sizeOf(r);
    names.push(`${name} (${n})`);
    parts.push(make(r, n));
    if (r() < 0.3) parts.push(pick(r, [' The ministry said on Monday. ', '\n\n', ' and ', '. ']));
  }
  return { text: parts.join(''), label: names.join(' + ') };
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** A field value placed raw (may break the XML), escaped, or in CDATA. */
function place(r: Random, s: string): string {
  const how = r();
  if (how < 0.25) return s;
  if (how < 0.65) return xmlEscape(s);
  return cdata(s);
}

export interface HostileFeed {
  bytes: Buffer;
  label: string;
}

const FIELDS = ['title', 'description', 'content', 'link', 'guid', 'date', 'author', 'channel title'] as const;

/** A feed document carrying hostile text in one or two fields, in one of the formats, sometimes broken further. */
export function hostileFeed(r: Random): HostileFeed {
  const fields = new Map<string, string>();
  const labels: string[] = [];
  for (let i = int(r, 1, 2); i > 0; i--) {
    const field = pick(r, FIELDS);
    const h = hostileText(r);
    fields.set(field, h.text);
    labels.push(`${field}: ${h.label}`);
  }
  const items = r() < 0.05 ? int(r, 50, 1_200) : int(r, 1, 4);
  // The hostile text goes into one entry (and the channel title); the others are plain.
  const target = int(r, 0, items - 1);
  const get = (f: (typeof FIELDS)[number], fallback: string, i = target) => (i === target || f === 'channel title' ? (fields.get(f) ?? fallback) : fallback);
  const format = pick(r, ['rss', 'rss', 'atom', 'rdf', 'json'] as const);
  let doc: string;
  if (format === 'json') {
    const item = (i: number) => ({ id: `${get('guid', 'g', i)}${i}`, url: get('link', `https://h.example.com/${i}`, i), title: get('title', `Story ${i}`, i), content_html: get('content', '<p>Body.</p>', i), summary: get('description', 'Summary.', i), date_published: get('date', '2026-11-23T08:00:00Z', i), authors: [{ name: get('author', 'A', i) }] });
    doc = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: get('channel title', 'Hostile'), items: Array.from({ length: items }, (_, i) => item(i)) });
  } else {
    const placed = new Map([...fields].map(([f, s]) => [f, place(r, s)]));
    const entry = (i: number) => {
      const v = (f: (typeof FIELDS)[number], fallback: string) => (i === target && placed.has(f) ? placed.get(f)! : fallback);
      return format === 'atom'
        ? `<entry><title>${v('title', `Story ${i}`)}</title><link href="${v('link', `https://h.example.com/${i}`)}"/><id>${v('guid', `g${i}`)}</id><updated>${v('date', '2026-11-23T08:00:00Z')}</updated><author><name>${v('author', 'A')}</name></author><summary type="html">${v('description', 'Summary.')}</summary><content type="html">${v('content', 'Body.')}</content></entry>`
        : `<item${format === 'rdf' ? ` rdf:about="https://h.example.com/${i}"` : ''}><title>${v('title', `Story ${i}`)}</title><link>${v('link', `https://h.example.com/${i}`)}</link><guid>${v('guid', `g${i}`)}</guid><pubDate>${v('date', 'Mon, 23 Nov 2026 08:00:00 GMT')}</pubDate><dc:creator>${v('author', 'A')}</dc:creator><description>${v('description', 'Summary.')}</description><content:encoded>${v('content', 'Body.')}</content:encoded></item>`;
    };
    const body = Array.from({ length: items }, (_, i) => entry(i)).join('');
    const title = placed.get('channel title') ?? 'Hostile';
    doc =
      format === 'atom'
        ? `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title>${body}</feed>`
        : format === 'rdf'
          ? `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>${title}</title></channel>${body}</rdf:RDF>`
          : `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>${title}</title>${body}</channel></rss>`;
    const damage = r();
    if (damage < 0.05) {
      const depth = int(r, 200, 400); // around MAX_DEPTH (256)
      doc = doc.replace('<title>', `${'<x>'.repeat(depth)}<title>`);
      labels.push(`nested ${depth} deep`);
    } else if (damage < 0.1) {
      doc = doc.slice(0, int(r, 1, doc.length));
      labels.push('truncated');
    } else if (damage < 0.13) {
      doc = `junk before the root ${doc}`;
      labels.push('junk first');
    }
  }
  let bytes = Buffer.from(doc);
  if (r() < 0.03) {
    bytes = gzipSync(bytes);
    labels.push('gzip');
  }
  return { bytes, label: `${format}, ${items} item(s); ${labels.join('; ')}` };
}
