import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item, NewItem } from '../../src/domain/types.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

function item(over: Partial<NewItem> & { key: string }): NewItem {
  return {
    feedId: 0,
    guid: over.key.startsWith('g:') ? over.key.slice(2) : null,
    url: null,
    title: 'Title',
    summary: 'Summary',
    content: '',
    html: '<p>Summary</p>',
    author: null,
    publishedAt: new Date('2026-11-20T10:00:00Z'),
    contentHash: `hash-${over.key}`,
    ...over,
  };
}

describe.each(testDatabases)('ItemsRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let feedId: number;
  const at = new Date('2026-11-23T12:00:00Z');

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    feedId = (await storage.feeds.add({ url: 'https://feed.example/rss', source: 'cli' }, at)).feed.id;
  });
  afterEach(async () => cleanup());

  it('stores new items once per (feed, key) and hands them to the pipeline', async () => {
    const items = [item({ key: 'g:1', url: 'https://a.example/1' }), item({ key: 'g:2', url: 'https://a.example/2' })];
    const first = await storage.items.storeForFeed(feedId, items, { fetchedAt: at });
    expect(first.inserted).toHaveLength(2);
    const again = await storage.items.storeForFeed(feedId, items, { fetchedAt: at });
    expect(again).toEqual({ inserted: [], updated: [], unchanged: 2 });
    const pending = await storage.items.listUnprocessed(10);
    expect(pending.map((i) => i.key)).toEqual(['g:1', 'g:2']);
    const got = await storage.items.get(first.inserted[0]!);
    expect(got).toMatchObject({ feedId, key: 'g:1', url: 'https://a.example/1', title: 'Title', summary: 'Summary', html: '<p>Summary</p>', digest: null, clusterId: null });
    expect(got!.publishedAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(got!.fetchedAt.toISOString()).toBe(at.toISOString());
    await storage.items.markProcessed([first.inserted[0]!]);
    expect((await storage.items.listUnprocessed(10)).map((i) => i.key)).toEqual(['g:2']);
  });

  it('stores the new entries of a feed oldest first, so the pipeline gets them in the order they happened', async () => {
    const on = (day: number) => new Date(Date.UTC(2026, 4, day, 10));
    // As most feeds list them: the newest first.
    const r = await storage.items.storeForFeed(feedId, [item({ key: 'g:21', publishedAt: on(21) }), item({ key: 'g:19', publishedAt: on(19) }), item({ key: 'g:20', publishedAt: on(20) })], { fetchedAt: at });
    expect(r.inserted).toEqual([...r.inserted].sort((a, b) => a - b));
    const keysOf = async (ids: number[]) => Promise.all(ids.map(async (id) => (await storage.items.get(id))!.key));
    expect(await keysOf(r.inserted)).toEqual(['g:19', 'g:20', 'g:21']);
    expect((await storage.items.listUnprocessed(10)).map((i) => i.key)).toEqual(['g:19', 'g:20', 'g:21']);
    // An entry without a date: the feed's order is kept as it is.
    await storage.items.markProcessed(r.inserted);
    const undated = await storage.items.storeForFeed(feedId, [item({ key: 'g:23', publishedAt: on(23) }), item({ key: 'g:none', publishedAt: null }), item({ key: 'g:22', publishedAt: on(22) })], { fetchedAt: at });
    expect(await keysOf(undated.inserted)).toEqual(['g:23', 'g:none', 'g:22']);
  });

  it('every column an entry says is stored as given, on insert and again on a material change', async () => {
    // A different value in each column, so that two columns swapped would show.
    const entry = (v: string, day: number): NewItem => ({
      feedId, key: 'g:cols', guid: `guid ${v}`, url: `https://a.example/${v}`, title: `title ${v}`, summary: `summary ${v}`, content: `content ${v}`,
      html: `<p>html ${v}</p>`, author: `author ${v}`, publishedAt: new Date(Date.UTC(2026, 10, day, 10)), contentHash: `hash ${v}`,
    });
    const said = ({ guid, url, title, summary, content, html, author, publishedAt, contentHash }: NewItem | Item) => ({ guid, url, title, summary, content, html, author, publishedAt, contentHash });
    const [id] = (await storage.items.storeForFeed(feedId, [entry('one', 20)], { fetchedAt: at })).inserted;
    expect(said((await storage.items.get(id!))!)).toEqual(said(entry('one', 20)));
    // The same key with new content: the row is updated, every column again.
    expect(await storage.items.storeForFeed(feedId, [entry('two', 21)], { fetchedAt: at })).toEqual({ inserted: [], updated: [id], unchanged: 0 });
    expect(said((await storage.items.get(id!))!)).toEqual(said(entry('two', 21)));
  });

  it('a backlog is stored as processed except the keys to alert', async () => {
    const items = [item({ key: 'g:1' }), item({ key: 'g:2' }), item({ key: 'g:3' })];
    const r = await storage.items.storeForFeed(feedId, items, { fetchedAt: at, alertKeys: new Set(['g:1']) });
    expect(r.inserted).toHaveLength(3);
    expect((await storage.items.listUnprocessed(10)).map((i) => i.key)).toEqual(['g:1']);
    expect(await storage.items.countByFeed(feedId)).toBe(3);
  });

  it('a changed guid or date alone changes nothing (matched by canonical URL)', async () => {
    const original = item({ key: 'g:old', url: 'https://a.example/story', contentHash: 'same' });
    const [id] = (await storage.items.storeForFeed(feedId, [original], { fetchedAt: at })).inserted;
    await storage.items.markProcessed([id!]);
    const redated = { ...original, key: 'g:new', guid: 'new', publishedAt: new Date('2026-11-22T00:00:00Z') };
    const r = await storage.items.storeForFeed(feedId, [redated], { fetchedAt: at });
    expect(r).toEqual({ inserted: [], updated: [], unchanged: 1 });
    expect(await storage.items.listUnprocessed(10)).toEqual([]);
    expect(await storage.items.countByFeed(feedId)).toBe(1);
    // The row now answers to the new key, so the next poll matches it directly.
    expect((await storage.items.get(id!))!.key).toBe('g:new');
  });

  it('an item with no key or URL match is found by its content hash', async () => {
    const [id] = (await storage.items.storeForFeed(feedId, [item({ key: 'h:aaa', contentHash: 'c1' })], { fetchedAt: at })).inserted;
    await storage.items.markProcessed([id!]);
    const r = await storage.items.storeForFeed(feedId, [item({ key: 'h:bbb', contentHash: 'c1' })], { fetchedAt: at });
    expect(r.unchanged).toBe(1);
    expect(await storage.items.countByFeed(feedId)).toBe(1);
  });

  it('a material change updates the row and hands it to the pipeline again', async () => {
    const original = item({ key: 'g:1', url: 'https://a.example/story', contentHash: 'v1' });
    const [id] = (await storage.items.storeForFeed(feedId, [original], { fetchedAt: at })).inserted;
    await storage.items.markProcessed([id!]);
    const edited = { ...original, title: 'Title (updated)', contentHash: 'v2' };
    const r = await storage.items.storeForFeed(feedId, [edited], { fetchedAt: at });
    expect(r).toEqual({ inserted: [], updated: [id], unchanged: 0 });
    const pending = await storage.items.listUnprocessed(10);
    expect(pending.map((i) => [i.id, i.title, i.contentHash])).toEqual([[id, 'Title (updated)', 'v2']]);
  });

  it('items of different feeds never match each other', async () => {
    const other = (await storage.feeds.add({ url: 'https://other.example/rss', source: 'cli' }, at)).feed.id;
    const shared = item({ key: 'g:1', url: 'https://a.example/1', contentHash: 'x' });
    await storage.items.storeForFeed(feedId, [shared], { fetchedAt: at });
    const r = await storage.items.storeForFeed(other, [shared], { fetchedAt: at });
    expect(r.inserted).toHaveLength(1);
  });

  it('lists a feed’s items newest first, undated last', async () => {
    await storage.items.storeForFeed(
      feedId,
      [item({ key: 'g:old', publishedAt: new Date('2026-01-01T00:00:00Z') }), item({ key: 'g:none', publishedAt: null }), item({ key: 'g:new', publishedAt: new Date('2026-11-01T00:00:00Z') })],
      { fetchedAt: at },
    );
    expect((await storage.items.listByFeed(feedId)).map((i) => i.key)).toEqual(['g:new', 'g:old', 'g:none']);
  });

  // When a feed last brought something new (its quiet state, README Feeds): the fetch of its newest item, or
  // on the first poll (the backlog, alert keys set) the newest publication date, no later than the fetch.
  const day = 86_400_000;
  it.each<{ name: string; polls: { items: NewItem[]; at: Date; backlog?: boolean }[]; want: Date | null }>([
    { name: 'no poll stored anything', polls: [], want: null },
    { name: 'a poll with new items: its fetch time', polls: [{ items: [item({ key: 'g:1' })], at }], want: at },
    { name: 'the first poll: the backlog newest date', polls: [{ items: [item({ key: 'g:1', publishedAt: new Date('2025-01-05T00:00:00Z') }), item({ key: 'g:2', publishedAt: new Date('2025-03-01T00:00:00Z') })], at, backlog: true }], want: new Date('2025-03-01T00:00:00Z') },
    { name: 'the first poll, a date after the fetch: the fetch', polls: [{ items: [item({ key: 'g:1', publishedAt: new Date(at.getTime() + 5 * day) })], at, backlog: true }], want: at },
    { name: 'the first poll, undated items: the fetch', polls: [{ items: [item({ key: 'g:1', publishedAt: null })], at, backlog: true }], want: at },
    { name: 'a later poll of known items only: unchanged', polls: [{ items: [item({ key: 'g:1' })], at }, { items: [item({ key: 'g:1' })], at: new Date(at.getTime() + 9 * day) }], want: at },
    { name: 'a later poll with a new item: moves on', polls: [{ items: [item({ key: 'g:1' })], at }, { items: [item({ key: 'g:1' }), item({ key: 'g:2' })], at: new Date(at.getTime() + 9 * day) }], want: new Date(at.getTime() + 9 * day) },
    { name: 'a write with an older time never moves it back', polls: [{ items: [item({ key: 'g:1' })], at }, { items: [item({ key: 'g:2' })], at: new Date(at.getTime() - 9 * day) }], want: at },
  ])('records when the feed last brought a new item: $name', async ({ polls, want }) => {
    for (const p of polls) {
      const options = { fetchedAt: p.at, ...(p.backlog ? { alertKeys: new Set<string>() } : {}) };
      await storage.items.storeForFeed(feedId, p.items.map((i) => ({ ...i, feedId })), options);
    }
    expect((await storage.feeds.get(feedId))!.lastNewItemAt).toEqual(want);
  });

  it('records it for each feed of a batch of polls (the poll writer)', async () => {
    const other = (await storage.feeds.add({ url: 'https://other.example/rss', source: 'cli' }, at)).feed.id;
    const quiet = (await storage.feeds.add({ url: 'https://quiet.example/rss', source: 'cli' }, at)).feed.id;
    const later = new Date(at.getTime() + day);
    const success = (id: number, items: NewItem[]) => ({ kind: 'success' as const, feedId: id, success: { at: later, nextCheckAt: later, etag: null, lastModified: null }, items: { list: items.map((i) => ({ ...i, feedId: id })), options: { fetchedAt: later } } });
    await storage.pollWrites.commit([success(feedId, [item({ key: 'g:1' })]), success(other, [item({ key: 'g:1' }), item({ key: 'g:2' })]), success(quiet, [])]);
    const got = await Promise.all([feedId, other, quiet].map(async (id) => (await storage.feeds.get(id))!.lastNewItemAt));
    expect(got).toEqual([later, later, null]);
  });
});
