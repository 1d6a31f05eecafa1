// Bounds on what one feed can make us store and process: entries per document, text per field.
import { describe, expect, it } from 'vitest';
import { MAX_HTML_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, normaliseFeed, parseFeedDate } from '../../src/feeds/normalise.ts';
import { MAX_ENTRIES, parseFeed } from '../../src/feeds/parser.ts';

const n = MAX_ENTRIES + 500;
const rssItems = Array.from({ length: n }, (_, i) => `<item><title>Story ${i}</title><link>https://news.example/${i}</link></item>`).join('');
const atomEntries = Array.from({ length: n }, (_, i) => `<entry><title>Story ${i}</title><id>urn:x:${i}</id><link href="https://news.example/${i}"/></entry>`).join('');
const jsonItems = Array.from({ length: n }, (_, i) => ({ id: `i${i}`, title: `Story ${i}`, url: `https://news.example/${i}` }));

describe('entries per feed', () => {
  const cases: Array<{ name: string; body: string; via: string }> = [
    { name: 'RSS', body: `<rss version="2.0"><channel><title>t</title>${rssItems}</channel></rss>`, via: 'strict' },
    { name: 'Atom', body: `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>${atomEntries}</feed>`, via: 'strict' },
    { name: 'broken RSS (lenient walk)', body: `<rss version="2.0"><channel><title>t</title>${rssItems}<item><title>x</title></channel>`, via: 'lenient' },
    { name: 'JSON Feed', body: JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', items: jsonItems }), via: 'json' },
  ];
  for (const c of cases) {
    it(`${c.name}: keeps the first ${MAX_ENTRIES} in document order and says how many were left out`, async () => {
      const f = await parseFeed(Buffer.from(c.body));
      expect(f.via).toBe(c.via);
      expect(f.entries).toHaveLength(MAX_ENTRIES);
      expect(f.entries[0]?.title).toBe('Story 0');
      expect(f.entries[MAX_ENTRIES - 1]?.title).toBe(`Story ${MAX_ENTRIES - 1}`);
      expect(f.dropped).toBeGreaterThanOrEqual(500);
    });
  }

  it('keeps the newest end of a feed that lists its oldest entries first', async () => {
    const day = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toUTCString();
    const dated = (order: number[]) =>
      `<rss version="2.0"><channel><title>t</title>${order.map((i) => `<item><title>Story ${i}</title><link>https://news.example/${i}</link><pubDate>${day(i)}</pubDate></item>`).join('')}</channel></rss>`;
    const ids = Array.from({ length: 10 }, (_, i) => i);
    const oldestFirst = await parseFeed(Buffer.from(dated(ids)), { maxEntries: 4 });
    expect(oldestFirst.entries.map((e) => e.title)).toEqual(['Story 6', 'Story 7', 'Story 8', 'Story 9']);
    expect(oldestFirst.dropped).toBe(6);
    const newestFirst = await parseFeed(Buffer.from(dated([...ids].reverse())), { maxEntries: 4 });
    expect(newestFirst.entries.map((e) => e.title)).toEqual(['Story 9', 'Story 8', 'Story 7', 'Story 6']);
  });

  it('a smaller cap can be given, and a feed under the cap reports nothing dropped', async () => {
    const small = await parseFeed(Buffer.from(`<rss version="2.0"><channel><title>t</title>${rssItems}</channel></rss>`), { maxEntries: 3 });
    expect(small.entries.map((e) => e.title)).toEqual(['Story 0', 'Story 1', 'Story 2']);
    expect(small.dropped).toBe(n - 3);
    const whole = await parseFeed(Buffer.from('<rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>'));
    expect(whole.dropped).toBeUndefined();
  });
});

describe('text per item', () => {
  it('caps title, text, content and the kept HTML', async () => {
    const big = 'word '.repeat(60_000); // 300,000 characters
    const body = `<rss version="2.0"><channel><title>t</title><item><title>${'T'.repeat(5000)}</title><link>https://news.example/a</link><description>${big}</description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>${'other '.repeat(60_000)}</p><p>more</p>]]></content:encoded></item></channel></rss>`;
    const [item] = normaliseFeed(await parseFeed(Buffer.from(body)), { feedId: 1, feedUrl: 'https://news.example/feed' });
    expect(item?.title).toHaveLength(MAX_TITLE_CHARS);
    expect(item?.summary.length).toBe(MAX_TEXT_CHARS);
    expect(item?.content.length).toBe(MAX_TEXT_CHARS);
    expect(item?.html?.length).toBe(MAX_HTML_CHARS);
  });

  it('does not split a surrogate pair at the cap', async () => {
    const body = `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"${'😀'.repeat(600)}","content_text":"x"}]}`;
    const [item] = normaliseFeed(await parseFeed(Buffer.from(body)), { feedId: 1, feedUrl: 'https://news.example/feed' });
    expect(item?.title).toHaveLength(MAX_TITLE_CHARS);
    expect(item?.title.endsWith('😀')).toBe(true);
  });

  it('reads no date from an absurdly long date string', () => {
    expect(parseFeedDate(`${' '.repeat(500)}Mon, 02 Mar 2026 10:00:00 GMT`)).toBeNull();
    expect(parseFeedDate('Mon, 02 Mar 2026 10:00:00 GMT')?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });
});
