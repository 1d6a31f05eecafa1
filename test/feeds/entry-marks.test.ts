// Entry marks (src/feeds/entry-marks.ts): the entries a feed already had are cut out before its document is
// read, and what gets stored must be exactly what reading the whole document would have stored. Checked on
// hand-made documents (which shapes are split, which are refused) and, as a property, on every file of the
// shared feed corpus that can carry marks, with entries added, edited and removed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NewItem } from '../../src/domain/types.ts';
import { decodeMarks, entrySpans } from '../../src/feeds/entry-marks.ts';
import { decodeFeed } from '../../src/feeds/parser.ts';
import { readFeed, type FeedRead } from '../../src/feeds/read-feed.ts';

const URL_ = 'https://news.example.org/feed.xml';
const UTF8 = 'application/xml; charset=utf-8';

const item = (id: string, title = `Story ${id}`) => `<item><title>${title}</title><link>https://news.example.org/${id}</link><guid isPermaLink="false">${id}</guid><description><![CDATA[<p>About ${id}</p>]]></description></item>`;
const rss = (...items: string[]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://news.example.org/</link>${items.join('\n')}</channel></rss>`;
const entry = (id: string) => `<entry><title>Entry ${id}</title><id>urn:${id}</id><link href="https://news.example.org/${id}"/><updated>2026-11-30T10:00:00Z</updated></entry>`;
const atom = (...entries: string[]) => `<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title>${entries.join('')}</feed>`;

const read = (xml: string, entryMarks?: string | null, url = URL_): Promise<FeedRead> =>
  readFeed({ bytes: Buffer.from(xml), contentType: UTF8, url, feedId: 7, ...(entryMarks !== undefined ? { entryMarks } : {}) });

describe('entrySpans: which documents are split into entries', () => {
  it.each([
    { name: 'RSS 2.0 with guids', xml: rss(item('a'), item('b')), ids: ['a', 'b'] },
    { name: 'Atom with ids', xml: atom(entry('a'), entry('b')), ids: ['urn:a', 'urn:b'] },
    {
      name: 'RSS 1.0 (RDF) items with guids beside the channel',
      xml: `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><channel><title>T</title></channel>${item('a')}</rdf:RDF>`,
      ids: ['a'],
    },
    { name: 'a feed with no entries', xml: rss(), ids: [] },
    { name: 'comments, CDATA and attributes holding markup-like text', xml: rss(`<!-- <item> --><item><title a="x>y">T</title><guid>a</guid><description><![CDATA[</item><item>]]></description></item>`), ids: ['a'] },
    { name: 'an item nested in another element is not an entry', xml: rss(`<extra><item><guid>x</guid></item></extra>`, item('a')), ids: ['a'] },
    { name: 'guid text is trimmed', xml: rss(`<item><guid>  a  </guid></item>`), ids: ['a'] },
  ])('splits $name', ({ xml, ids }) => {
    expect(entrySpans(xml)?.map((s) => s.id)).toEqual(ids);
  });

  it.each([
    { name: 'an entry without a guid', xml: rss(item('a'), '<item><title>No guid</title></item>') },
    { name: 'two entries with one guid', xml: rss(item('a'), item('a', 'Other')) },
    { name: 'an empty guid', xml: rss('<item><guid> </guid></item>') },
    { name: 'a guid in CDATA', xml: rss('<item><guid><![CDATA[a]]></guid></item>') },
    { name: 'a guid with a character reference', xml: rss('<item><guid>a&amp;b</guid></item>') },
    { name: 'two guids in one entry', xml: rss('<item><guid>a</guid><guid>b</guid></item>') },
    { name: 'a DOCTYPE (entities may be declared)', xml: `<!DOCTYPE rss [<!ENTITY x "y">]>${rss(item('a'))}` },
    { name: 'xml:base anywhere', xml: rss(item('a')).replace('<channel>', '<channel xml:base="https://other.example/">') },
    { name: 'a prefixed entry element', xml: atom(entry('a')).replace('<entry>', '<atom:entry>').replace('</entry>', '</atom:entry>') },
    { name: 'a self-closing entry', xml: rss('<item/>') },
    { name: 'mismatched tags', xml: rss(item('a')).replace('</title>', '</titel>') },
    { name: 'an unclosed comment', xml: rss(item('a')).replace('<channel>', '<channel><!-- ') },
    { name: 'an unclosed CDATA section', xml: rss('<item><guid>a</guid><description><![CDATA[x</description></item>') },
    { name: 'a root that is not a feed', xml: `<html><item><guid>a</guid></item></html>` },
    { name: 'two roots', xml: rss(item('a')) + rss(item('b')) },
    { name: 'an unterminated start tag', xml: rss(item('a')).replace('<link>', '<link attr="x') },
    { name: 'a document cut short', xml: rss(item('a')).slice(0, -20) },
  ])('refuses $name', ({ xml }) => {
    expect(entrySpans(xml)).toBeNull();
  });

  it('scans hostile text in one pass: 2 MB of unclosed tags and quotes end in a refusal, not a hang', () => {
    expect(entrySpans(`<rss><channel>${'<a b="'.repeat(350_000)}`)).toBeNull();
    expect(entrySpans(`<rss><channel>${'<!--'.repeat(500_000)}`)).toBeNull();
    expect(entrySpans(`<rss><channel>${'<item><guid>x</guid>'.repeat(100_000)}`)).toBeNull();
  });
});

describe('readFeed with entry marks', () => {
  it('a second read of the same document reads no entry, a new one reads only the new and edited entries', async () => {
    const first = await read(rss(item('a'), item('b'), item('c')), null);
    expect(first.items.map((i) => i.key)).toEqual(['g:a', 'g:b', 'g:c']);
    expect(decodeMarks(first.entryMarks)?.marks.size).toBe(3);

    const same = await read(rss(item('a'), item('b'), item('c')), first.entryMarks);
    expect(same).toMatchObject({ items: [], kept: 3, skipped: 3, title: 'Desk', siteUrl: 'https://news.example.org/', entryMarks: first.entryMarks });

    const next = await read(rss(item('d'), item('a', 'Story a, updated'), item('b')), first.entryMarks);
    expect(next.items.map((i) => [i.key, i.title])).toEqual([
      ['g:d', 'Story d'],
      ['g:a', 'Story a, updated'],
    ]);
    expect(next).toMatchObject({ kept: 3, skipped: 1 });
    expect(decodeMarks(next.entryMarks)?.marks.size).toBe(3);
  });

  it.each([
    { name: 'the feed is read at another URL (relative links would resolve elsewhere)', xml: rss(item('a')), url: 'https://mirror.example.net/feed.xml' },
    { name: 'the site link changed', xml: rss(item('a')).replace('https://news.example.org/</link>', 'https://news.example.net/</link>'), url: URL_ },
  ])('reads every entry again when $name', async ({ xml, url }) => {
    const first = await read(rss(item('a')), null);
    const again = await read(xml, first.entryMarks, url);
    expect(again.items.map((i) => i.key)).toEqual(['g:a']);
    expect(again.skipped).toBe(0);
    expect(again.entryMarks).not.toBe(first.entryMarks);
  });

  it.each([
    { name: 'entries keyed by link (no guids)', xml: rss('<item><title>A</title><link>https://news.example.org/a</link></item>') },
    { name: 'a guid shared by two entries', xml: rss(item('a'), item('a', 'Twin')) },
    { name: 'a document only the lenient reading understands', xml: rss(item('a')).replace('<title>Story a</title>', '<title>Story & a</title>') },
    { name: 'a JSON Feed', xml: JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: [{ id: 'a', url: 'https://news.example.org/a', title: 'A' }] }) },
  ])('stores no marks for $name, and reads it whole every time', async ({ xml }) => {
    const first = await read(xml, null);
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.entryMarks).toBeNull();
  });

  it.each([
    { name: 'garbage', marks: 'not marks' },
    { name: 'another version', marks: '9 abc def' },
    { name: 'no list', marks: '1 abc' },
  ])('treats stored marks that are $name as none', async ({ marks }) => {
    const r = await read(rss(item('a'), item('b')), marks);
    expect(r.items.map((i) => i.key)).toEqual(['g:a', 'g:b']);
    expect(decodeMarks(r.entryMarks)?.marks.size).toBe(2);
  });

  it('a read without marks (a pushed body) reads everything and leaves the stored marks alone', async () => {
    const r = await read(rss(item('a')));
    expect(r.items).toHaveLength(1);
    expect('entryMarks' in r).toBe(false);
  });
});

// ---- the property, on the shared corpus --------------------------------------------------------------------

const ROOT = path.resolve(process.cwd(), '..', 'shared', 'data', 'feeds');
const present = existsSync(path.join(ROOT, 'MANIFEST.tsv'));
if (!present) console.log(`Entry-mark corpus tests skipped: ${ROOT}/MANIFEST.tsv not found.`);

/** Variants of a document as a publisher makes them: an entry added on top, one edited, the last one gone. */
function variants(text: string): Array<{ name: string; text: string }> {
  const spans = entrySpans(text);
  if (!spans || spans.length === 0) return [];
  const slice = (i: number) => text.slice(spans[i]!.start, spans[i]!.end);
  const fresh = slice(0).replace(/(<(guid|id)\b[^<>]*>)([^<]*)(<\/\2>)/, (_w, open: string, _n: string, id: string, close: string) => `${open}${id.trim()}-fresh${close}`);
  const edited = (i: number) => slice(i).replace(/(<title\b[^<>]*>)/, '$1Updated: ');
  const at = (i: number) => spans[i]!.start;
  const last = spans.length - 1;
  const out = [
    { name: 'unchanged', text },
    { name: 'an entry added on top', text: text.slice(0, at(0)) + fresh + text.slice(at(0)) },
    { name: 'the first entry edited', text: text.slice(0, at(0)) + edited(0) + text.slice(spans[0]!.end) },
  ];
  if (spans.length > 1) {
    out.push({ name: 'the last entry removed', text: text.slice(0, spans[last - 1]!.end) + text.slice(spans[last]!.end) });
    out.push({ name: 'added, edited and removed at once', text: text.slice(0, at(0)) + fresh + edited(0) + text.slice(spans[0]!.end, spans[last - 1]!.end) + text.slice(spans[last]!.end) });
  }
  return out;
}

/**
 * What storage sees is the same with and without marks: every item read with marks is the one the whole
 * document gives, and every item of the whole document not read with marks was read identically last time
 * (so storage finds it unchanged).
 */
function sameOutcome(before: FeedRead, withMarks: FeedRead, whole: FeedRead): string[] {
  const problems: string[] = [];
  const by = (items: NewItem[]) => new Map(items.map((i) => [i.key, i]));
  const wholeByKey = by(whole.items);
  const beforeByKey = by(before.items);
  const read = new Set(withMarks.items.map((i) => i.key));
  for (const it of withMarks.items) if (JSON.stringify(it) !== JSON.stringify(wholeByKey.get(it.key))) problems.push(`read with marks differs: ${it.key}`);
  for (const it of whole.items) if (!read.has(it.key) && JSON.stringify(it) !== JSON.stringify(beforeByKey.get(it.key))) problems.push(`skipped but not unchanged: ${it.key}`);
  const head = (r: FeedRead) => JSON.stringify([r.title, r.siteUrl, r.ttlMinutes, r.kept, r.dropped]);
  if (head(withMarks) !== head(whole)) problems.push(`feed fields differ: ${head(withMarks)} vs ${head(whole)}`);
  return problems;
}

describe.skipIf(!present)('entry marks on the shared feed corpus', () => {
  it('reading with marks stores what reading the whole document stores, for every markable file and variant', async () => {
    const files = readFileSync(path.join(ROOT, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!);
    const problems: string[] = [];
    let marked = 0;
    let checked = 0;
    let skippedEntries = 0;
    for (const file of files) {
      let text: string;
      try {
        const decoded = decodeFeed(readFileSync(path.join(ROOT, file)));
        if (decoded.json) continue;
        text = decoded.text;
      } catch {
        continue; // empty or corrupt: a classified error, covered by the robustness test
      }
      let before: FeedRead;
      try {
        before = await read(text, null);
      } catch {
        continue;
      }
      if (!before.entryMarks) continue;
      marked++;
      for (const v of variants(text)) {
        const withMarks = await read(v.text, before.entryMarks);
        const whole = await read(v.text);
        skippedEntries += withMarks.skipped;
        checked++;
        for (const p of sameOutcome(before, withMarks, whole)) problems.push(`${file} (${v.name}): ${p}`);
      }
    }
    console.log(`entry marks: ${marked} of ${files.length} corpus files carry marks; ${checked} variants checked, ${skippedEntries} entries recognised and not read again.`);
    expect(problems).toEqual([]);
    expect(marked).toBeGreaterThan(100);
    expect(skippedEntries).toBeGreaterThan(1000);
  });
});
