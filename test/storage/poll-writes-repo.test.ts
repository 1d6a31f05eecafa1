import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedError } from '../../src/lib/bounded-text.ts';
import type { NewItem } from '../../src/domain/types.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

const item = (feedId: number, n: number, edit = ''): NewItem => ({
  feedId, key: `k${n}`, guid: `g${n}`, url: `https://news.example/${feedId}/${n}`, title: `Story ${n}${edit}`, summary: `About ${n}${edit}`, content: '', html: null,
  author: null, publishedAt: new Date(Date.UTC(2026, 0, 1, n)), contentHash: `h${n}${edit}`,
});

describe.each(testDatabases)('PollWritesRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  const t0 = new Date('2026-11-23T12:00:00Z');
  const at = (s: number) => new Date(t0.getTime() + s * 1000);

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  async function leasedFeeds(n: number) {
    for (let i = 0; i < n; i++) await storage.feeds.add({ url: `https://h${i}.example/rss`, source: 'cli', ...(i === 1 ? { title: 'Kept title' } : {}) }, t0);
    return storage.feeds.claimDue({ now: t0, limit: n, owner: 'me', leaseUntil: at(600) });
  }

  it('writes many outcomes in one commit: items per feed, then each feed state, leases released', async () => {
    const [a, b, c, d] = await leasedFeeds(4);
    await storage.feeds.recordFailure(d!.id, { at: t0, nextCheckAt: t0, error: 'fetch_http: earlier' });
    const results = await storage.pollWrites.commit([
      // a: a full fetch with items, a ttl, a title for a feed that has none
      { kind: 'success', feedId: a!.id, success: { at: at(1), nextCheckAt: at(900), etag: '"a1"', lastModified: 'Mon, 23 Nov 2026 12:00:00 GMT', siteUrl: 'https://h0.example/', primed: true, ttlMinutes: 60 }, titleIfMissing: 'Feed A', items: { list: [item(a!.id, 1), item(a!.id, 2)], options: { fetchedAt: at(1) } } },
      // b: a 304 (no items, ttl untouched); its title is kept
      { kind: 'success', feedId: b!.id, success: { at: at(2), nextCheckAt: at(1800), etag: '"b7"', lastModified: null }, titleIfMissing: 'Not this' },
      // c: a failure that disables
      { kind: 'failure', feedId: c!.id, failure: { at: at(3), nextCheckAt: at(60), error: 'fetch_http: HTTP 500', disableReason: 'disabled after 1 consecutive failures; last: HTTP 500' } },
      // d: a recovery resets its error count
      { kind: 'success', feedId: d!.id, success: { at: at(4), nextCheckAt: at(900), etag: null, lastModified: null } },
    ]);
    expect(results.map((r) => [r.inserted.length, r.updated.length, r.unchanged])).toEqual([[2, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    const byId = new Map((await storage.feeds.list()).map((f) => [f.id, f]));
    expect(byId.get(a!.id)).toMatchObject({ etag: '"a1"', lastModified: 'Mon, 23 Nov 2026 12:00:00 GMT', nextCheckAt: at(900), lastSuccessAt: at(1), siteUrl: 'https://h0.example/', primed: true, ttlMinutes: 60, title: 'Feed A', errorCount: 0 });
    expect(byId.get(b!.id)).toMatchObject({ etag: '"b7"', lastModified: null, nextCheckAt: at(1800), lastSuccessAt: at(2), primed: false, ttlMinutes: null, title: 'Kept title' });
    expect(byId.get(c!.id)).toMatchObject({ enabled: false, errorCount: 1, lastError: 'fetch_http: HTTP 500', lastErrorAt: at(3), nextCheckAt: at(60), disabledReason: 'disabled after 1 consecutive failures; last: HTTP 500', lastSuccessAt: null });
    expect(byId.get(d!.id)).toMatchObject({ errorCount: 0, lastError: null, enabled: true, lastSuccessAt: at(4) });
    // Every lease is free again: feeds due later are claimable by anyone then.
    const later = await storage.feeds.claimDue({ now: at(100_000), limit: 10, owner: 'other', leaseUntil: at(100_600) });
    expect(later.map((f) => f.id).sort()).toEqual([a!.id, b!.id, d!.id]);
    expect((await storage.items.listByFeed(a!.id)).map((i) => i.key)).toEqual(['k2', 'k1']);
  });

  it('a ttl written as null clears it; undefined keeps it', async () => {
    const [a] = await leasedFeeds(1);
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { at: t0, nextCheckAt: at(60), etag: null, lastModified: null, ttlMinutes: 30 } }]);
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { at: t0, nextCheckAt: at(60), etag: null, lastModified: null } }]);
    expect((await storage.feeds.get(a!.id))!.ttlMinutes).toBe(30);
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { at: t0, nextCheckAt: at(60), etag: null, lastModified: null, ttlMinutes: null } }]);
    expect((await storage.feeds.get(a!.id))!.ttlMinutes).toBeNull();
  });

  it('entry marks written with a full fetch are kept by a 304 and a failure, replaced or cleared by the next full fetch', async () => {
    const [a] = await leasedFeeds(1);
    const success = { at: t0, nextCheckAt: at(60), etag: null, lastModified: null };
    const marks = () => storage.feeds.get(a!.id).then((f) => f!.entryMarks);
    expect(await marks()).toBeNull();
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { ...success, entryMarks: '1 ctx m1,m2' } }]);
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success }]);
    await storage.pollWrites.commit([{ kind: 'failure', feedId: a!.id, failure: { at: t0, nextCheckAt: at(60), error: 'fetch_http: HTTP 500' } }]);
    expect(await marks()).toBe('1 ctx m1,m2');
    // The feeds the poller claims carry them.
    const [claimed] = await storage.feeds.claimDue({ now: at(100), limit: 1, owner: 'me', leaseUntil: at(700) });
    expect(claimed!.entryMarks).toBe('1 ctx m1,m2');
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { ...success, entryMarks: '1 ctx m3' } }]);
    expect(await marks()).toBe('1 ctx m3');
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { ...success, entryMarks: null } }]);
    expect(await marks()).toBeNull();
    // The one-poll-at-a-time writer (feeds.recordSuccess) treats them alike.
    await storage.feeds.recordSuccess(a!.id, { ...success, entryMarks: '1 ctx m4' });
    await storage.feeds.recordSuccess(a!.id, success);
    expect(await marks()).toBe('1 ctx m4');
  });

  it('items dedupe across commits: known ones unchanged, edited ones updated, new ones inserted', async () => {
    const [a] = await leasedFeeds(1);
    const success = { at: t0, nextCheckAt: at(60), etag: null, lastModified: null };
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success, items: { list: [item(a!.id, 1), item(a!.id, 2)], options: { fetchedAt: t0 } } }]);
    const [r] = await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success, items: { list: [item(a!.id, 3), item(a!.id, 2, ' (edited)'), item(a!.id, 1)], options: { fetchedAt: t0 } } }]);
    expect([r!.inserted.length, r!.updated.length, r!.unchanged]).toEqual([1, 1, 1]);
    expect(await storage.items.countByFeed(a!.id)).toBe(3);
  });

  it('many feeds’ items in one commit: each feed matched against its own items only, past one query’s chunk', async () => {
    const [a, b, c] = await leasedFeeds(3);
    const success = { at: t0, nextCheckAt: at(60), etag: null, lastModified: null };
    const write = (feedId: number, list: NewItem[]) => ({ kind: 'success' as const, feedId, success, items: { list, options: { fetchedAt: t0 } } });
    // a and b share keys, links aside: a's items must not be taken for b's. c has more items than one chunk (500).
    const many = (feedId: number, n: number) => Array.from({ length: n }, (_, i) => item(feedId, i + 1));
    const first = await storage.pollWrites.commit([write(a!.id, [item(a!.id, 1), item(a!.id, 2)]), write(b!.id, [item(b!.id, 1)]), write(c!.id, many(c!.id, 520))]);
    expect(first.map((r) => [r.inserted.length, r.updated.length, r.unchanged])).toEqual([[2, 0, 0], [1, 0, 0], [520, 0, 0]]);
    const again = await storage.pollWrites.commit([
      write(a!.id, [item(a!.id, 3), item(a!.id, 2, ' (edited)'), item(a!.id, 1)]),
      write(b!.id, [item(b!.id, 1), item(b!.id, 2)]),
      write(c!.id, [...many(c!.id, 519), item(c!.id, 520, ' (edited)'), item(c!.id, 521)]),
    ]);
    expect(again.map((r) => [r.inserted.length, r.updated.length, r.unchanged])).toEqual([[1, 1, 1], [1, 0, 1], [1, 1, 519]]);
    expect(await Promise.all([a, b, c].map((f) => storage.items.countByFeed(f!.id)))).toEqual([3, 2, 521]);
    // Ids are handed out in the order of the lists (the pipeline takes new items oldest id first).
    expect(first[2]!.inserted).toEqual([...first[2]!.inserted].sort((x, y) => x - y));
    expect(first[0]!.inserted[1]! < first[1]!.inserted[0]! && first[1]!.inserted[0]! < first[2]!.inserted[0]!).toBe(true);
    // A feed twice in one batch: the second list sees what the first stored.
    const twice = await storage.pollWrites.commit([write(a!.id, [item(a!.id, 4)]), write(a!.id, [item(a!.id, 4), item(a!.id, 5)])]);
    expect(twice.map((r) => [r.inserted.length, r.updated.length, r.unchanged])).toEqual([[1, 0, 0], [1, 0, 1]]);
    expect(await storage.items.countByFeed(a!.id)).toBe(5);
  });

  it('a batch that fails commits nothing: no items, no feed state', async () => {
    const [a, b] = await leasedFeeds(2);
    const bad = { ...item(b!.id, 9), contentHash: null as unknown as string }; // content_hash is NOT NULL
    await expect(
      storage.pollWrites.commit([
        { kind: 'success', feedId: a!.id, success: { at: at(1), nextCheckAt: at(900), etag: '"a1"', lastModified: null }, items: { list: [item(a!.id, 1)], options: { fetchedAt: t0 } } },
        { kind: 'success', feedId: b!.id, success: { at: at(1), nextCheckAt: at(900), etag: '"b1"', lastModified: null }, items: { list: [bad], options: { fetchedAt: t0 } } },
      ]),
    ).rejects.toThrow();
    expect(await storage.items.countByFeed(a!.id)).toBe(0);
    const f = (await storage.feeds.get(a!.id))!;
    expect([f.etag, f.lastSuccessAt, f.nextCheckAt]).toEqual([null, null, t0]);
  });

  // The states travel as one JSON parameter on SQLite and as bound VALUES on PostgreSQL: text that JSON or
  // SQL would treat specially, and large numbers, arrive as they were.
  it.each([
    ['quotes, backslashes and JSON-looking text', 'W/"a\\"b\'c"', '{"etag": null, "x": [1, 2]}'],
    // (no NUL: PostgreSQL text cannot hold one; the parsers remove it from feed text)
    ['control characters and a newline', '"a\u0001b"', 'line one\nline two\u0007end'],
    ['non-ASCII and astral characters', '"\u00e9t\u00e9-\u{1F512}"', 'Cyber talks \u2014 \u5317\u4EAC \u{1F6E1}\uFE0F'],
    ['SQL-looking text', "'); drop table feeds; --", "x' or '1'='1"],
  ])('writes %s unchanged', async (_name, etag, text) => {
    const [a] = await leasedFeeds(1);
    const far = new Date(Date.UTC(2200, 0, 1));
    await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success: { at: t0, nextCheckAt: far, etag, lastModified: text, siteUrl: `https://h.example/${text}` }, titleIfMissing: text }]);
    expect(await storage.feeds.get(a!.id)).toMatchObject({ etag, lastModified: text, siteUrl: `https://h.example/${text}`, title: text, nextCheckAt: far });
    await storage.pollWrites.commit([{ kind: 'failure', feedId: a!.id, failure: { at: t0, nextCheckAt: far, error: text, disableReason: text } }]);
    // Error texts are stored as one clean line (lib/bounded-text.ts): controls and line breaks go, the rest arrives.
    expect(await storage.feeds.get(a!.id)).toMatchObject({ lastError: storedError(text), disabledReason: storedError(text), enabled: false });
  });

  // Items travel as one JSON parameter (both databases): every column arrives as it was, nulls as nulls, text
  // that looks like a number, JSON or SQL as text, and the backlog flag per key.
  it.each([
    ['quotes, backslashes and JSON-looking text', '{"k": [1, "two"]}', 'say "no" \\ \'yes\''],
    ['number-looking keys and text', '12345', '0.50'],
    ['control characters, newlines, non-ASCII and astral characters', 'k\u0001\n\u{1F512}', 'Cyber talks \u2014 \u5317\u4EAC\r\n\u{1F6E1}\uFE0F'],
    ['SQL-looking text', "'); drop table items; --", "x' or '1'='1"],
  ])('stores items with %s unchanged', async (_name, key, text) => {
    const [a] = await leasedFeeds(1);
    const success = { at: t0, nextCheckAt: at(60), etag: null, lastModified: null };
    const full: NewItem = { feedId: a!.id, key, guid: text, url: `https://news.example/${text}`, title: text, summary: text, content: text, html: `<p>${text}</p>`, author: text, publishedAt: new Date(Date.UTC(2199, 11, 31, 23, 59, 59, 999)), contentHash: `h${text}` };
    const bare: NewItem = { feedId: a!.id, key: `${key}-bare`, guid: null, url: null, title: '', summary: '', content: '', html: null, author: null, publishedAt: null, contentHash: 'null' };
    const fetchedAt = new Date(Date.UTC(1999, 0, 1));
    const [r] = await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success, items: { list: [full, bare], options: { fetchedAt, alertKeys: new Set([key]) } } }]);
    expect(r!.inserted).toHaveLength(2);
    const stored = await Promise.all(r!.inserted.map((id) => storage.items.get(id)));
    expect(stored[0]).toMatchObject({ ...full, fetchedAt, digest: null, digestFromExcerpt: false });
    expect(stored[1]).toMatchObject({ ...bare, fetchedAt });
    // The key to alert is handed to the pipeline; the other is stored as processed (a backlog).
    expect((await storage.items.listUnprocessed(10)).map((i) => i.key)).toEqual([key]);
    // Found again by key: unchanged, nothing inserted twice.
    const [again] = await storage.pollWrites.commit([{ kind: 'success', feedId: a!.id, success, items: { list: [full, bare], options: { fetchedAt } } }]);
    expect([again!.inserted.length, again!.updated.length, again!.unchanged]).toEqual([0, 0, 2]);
  });

  it('hundreds of outcomes in one commit (more rows than one UPDATE takes)', async () => {
    const n = 620;
    for (let i = 0; i < n; i++) await storage.feeds.add({ url: `https://bulk${i}.example/rss`, source: 'cli' }, t0);
    const feeds = await storage.feeds.claimDue({ now: t0, limit: n, owner: 'me', leaseUntil: at(600) });
    await storage.pollWrites.commit(feeds.map((f, i) => (i % 2 ? { kind: 'success' as const, feedId: f.id, success: { at: at(5), nextCheckAt: at(900), etag: `"e${f.id}"`, lastModified: null } } : { kind: 'failure' as const, feedId: f.id, failure: { at: at(5), nextCheckAt: at(120), error: 'fetch_timeout: slow' } })));
    const all = await storage.feeds.list();
    expect(all.filter((f) => f.etag === `"e${f.id}"` && f.lastSuccessAt?.getTime() === at(5).getTime())).toHaveLength(n / 2);
    expect(all.filter((f) => f.errorCount === 1 && f.lastError === 'fetch_timeout: slow')).toHaveLength(n / 2);
  });
});
