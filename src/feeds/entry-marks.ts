// Entries a feed already had, recognised by their bytes instead of parsed again. A changed feed usually
// differs from its last version by an entry or two: the rest are byte for byte what was read, stored and
// compared last time, and reading them again (XML parse, HTML to text, canonical links, hashes, then the
// database's known-item lookup) is most of a poll's CPU. So a poll keeps, per feed, a short hash of each
// entry's text ("marks"); the next full fetch cuts the entries whose hash it knows out of the document and
// reads what is left, the feed's head and its new or edited entries.
//
// This must store exactly what reading the whole document would have stored, so it is used only where the
// answer cannot differ:
// - a plain RSS 2.0/0.9x, RSS 1.0 (RDF) or Atom document that this linear scan splits cleanly: every entry
//   a direct child of the channel (RSS), of the root (RDF, Atom), no DOCTYPE (entities), no xml:base, no
//   prefixed entry elements, balanced tags, at most MAX_ENTRIES entries;
// - every entry carries one plain-text guid (RSS) or id (Atom), all different, and every item read was keyed
//   by it: an item's key then depends on its own text alone (a key by link or hash, or a guid shared by
//   two entries, depends on the other entries of the document);
// - the strict XML reading succeeded, and the context the entries were read in (the feed URL, the feed's
//   base, its site link, format and encoding) is the one the marks were made in.
// Anything else reads the whole document, as before, and stores no marks.
import { hash } from 'node:crypto';
import { MAX_DEPTH, MAX_ENTRIES, type ParsedFeed } from './parser.ts';

/** One entry's place in the document text, and its guid (RSS) or id (Atom) as written, trimmed. */
export interface EntrySpan {
  start: number;
  end: number;
  id: string;
}

/** Per root: the entry element, its parent and the parent's depth (the root is 0), and the entry's id element. */
const ROOTS: Record<string, { entry: string; parent: string; depth: number; id: string }> = {
  rss: { entry: 'item', parent: 'channel', depth: 1, id: 'guid' },
  'rdf:RDF': { entry: 'item', parent: 'rdf:RDF', depth: 0, id: 'guid' },
  feed: { entry: 'entry', parent: 'feed', depth: 0, id: 'id' },
};

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * The entries of an XML feed document, in order, when it has the plain shape described above; null when it
 * does not (the caller then reads the whole document). Linear in the text: each character is looked at a
 * bounded number of times.
 */
export function entrySpans(xml: string): EntrySpan[] | null {
  if (xml.includes('xml:base')) return null;
  const stack: string[] = [];
  const spans: EntrySpan[] = [];
  const ids = new Set<string>();
  let shape: (typeof ROOTS)[string] | undefined;
  let entryStart = -1;
  let entryId: string | null = null;
  let pos = 0;
  for (;;) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return null;
      pos = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) return null;
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) return null;
      pos = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) return null;
      pos = end + 2;
      continue;
    }
    // A DOCTYPE may declare entities: what an entry reads as would then depend on the head.
    if (xml.startsWith('<!', lt)) return null;
    if (xml.charCodeAt(lt + 1) === 0x2f /* / */) {
      const gt = xml.indexOf('>', lt + 2);
      if (gt < 0) return null;
      const name = xml.slice(lt + 2, gt).trimEnd();
      if (stack.pop() !== name) return null;
      if (shape && entryStart >= 0 && stack.length === shape.depth + 1 && name === shape.entry) {
        if (entryId === null || ids.has(entryId)) return null;
        ids.add(entryId);
        spans.push({ start: entryStart, end: gt + 1, id: entryId });
        entryStart = -1;
        entryId = null;
      }
      pos = gt + 1;
      continue;
    }
    // A start tag: its name, then its end, skipping quoted attribute values (which may hold `>`).
    let i = lt + 1;
    while (i < xml.length) {
      const c = xml.charCodeAt(i);
      if (isSpace(c) || c === 0x3e /* > */ || c === 0x2f /* / */) break;
      i++;
    }
    const name = xml.slice(lt + 1, i);
    if (name === '' || name.includes('<')) return null;
    let quote = 0;
    for (; i < xml.length; i++) {
      const c = xml.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e) break;
      else if (c === 0x3c) return null;
    }
    if (i >= xml.length) return null;
    const selfClosing = xml.charCodeAt(i - 1) === 0x2f;
    const gt = i;
    if (stack.length === 0) {
      if (shape || selfClosing) return null; // a second root, or an empty one
      shape = ROOTS[name];
      if (!shape) return null;
    } else if (shape) {
      const local = name.slice(name.indexOf(':') + 1);
      if (local !== name && (local === 'item' || local === 'entry')) return null;
      // The element's depth is stack.length; an entry's parent is the element on top of the stack.
      const entryDepth = shape.depth + 1;
      if (name === shape.entry && stack.length === entryDepth && stack[shape.depth] === shape.parent) {
        if (selfClosing || entryStart >= 0) return null;
        if (spans.length >= MAX_ENTRIES) return null;
        entryStart = lt;
        entryId = null;
      } else if (entryStart >= 0 && stack.length === entryDepth + 1 && name === shape.id) {
        // The id's text must be plain: no markup, CDATA or references, so the text is what the reader reads.
        if (selfClosing || entryId !== null) return null;
        const close = xml.indexOf('<', gt + 1);
        if (close < 0 || !xml.startsWith(`</${name}>`, close)) return null;
        const text = xml.slice(gt + 1, close);
        if (text.includes('&') || text.includes('\r')) return null;
        entryId = text.trim();
        if (entryId === '') return null;
      }
    }
    if (!selfClosing) {
      stack.push(name);
      if (stack.length > MAX_DEPTH) return null;
    }
    pos = gt + 1;
  }
  if (stack.length !== 0 || !shape || entryStart >= 0) return null;
  return spans;
}

/** The short hash of one entry's text (96 bits: a collision within one feed is not a practical worry). */
export function entryMark(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, 16);
}

/** What the marks were made in: an entry reads the same only in the same context. */
export function readingContext(feed: Pick<ParsedFeed, 'format' | 'encoding' | 'base' | 'siteUrl'>, feedUrl: string): string {
  return entryMark(JSON.stringify([feed.format, feed.encoding, feed.base, feed.siteUrl, feedUrl]));
}

const VERSION = '1';

/** Marks as stored on the feed: `1 <context> <mark>,<mark>,...`. */
export function encodeMarks(context: string, marks: readonly string[]): string {
  return `${VERSION} ${context} ${marks.join(',')}`;
}

export function decodeMarks(stored: string | null | undefined): { context: string; marks: Set<string> } | null {
  if (!stored) return null;
  const [version, context, list] = stored.split(' ');
  if (version !== VERSION || !context || list === undefined) return null;
  return { context, marks: new Set(list ? list.split(',') : []) };
}

/** The text with the given spans cut out (spans in document order, not overlapping). */
export function withoutSpans(text: string, spans: readonly EntrySpan[]): string {
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const s of spans) {
    parts.push(text.slice(at, s.start));
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
