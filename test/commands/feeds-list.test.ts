// /news feeds list in pages of 30 on both databases: how many there are, which page this is, and how to see
// the next; a page that is not there, or not a number, is one sentence and changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { CommandHandler } from '../../src/domain/chat.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor, MEMBER, slashCommand } from '../helpers/command-deps.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { newItem } from '../delivery/fixtures.ts';
import { fixedClock } from '../../src/lib/clock.ts';

notePostgresSkip();

const feedUrl = (n: number) => `https://feeds.example/${String(n).padStart(3, '0')}.xml`;
/** The feeds a reply lists, by the number in their URL. */
const listed = (text: string) => [...text.matchAll(/https:\/\/feeds\.example\/(\d{3})\.xml/g)].map((m) => Number(m[1]));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(testDatabases)('/news feeds list pages on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    handle = createCommandHandler(commandDepsFor(storage));
  });
  afterEach(async () => cleanup());

  const seed = async (n: number) => {
    for (let i = 1; i <= n; i++) await storage.feeds.add({ url: feedUrl(i), source: 'user' });
  };

  it.each([
    { name: 'page 1 by default', feeds: 75, text: 'feeds list', shown: range(1, 30), head: /^Watching 75 feeds for this workspace's channels; feeds 1-30 shown \(page 1 of 3\):\n/, tail: /\nFeeds 31-75: \/news feeds list page 2 \(of 3\)\.$/ },
    { name: 'page 2 as "page 2"', feeds: 75, text: 'feeds list page 2', shown: range(31, 60), head: /^Watching 75 feeds for this workspace's channels; feeds 31-60 shown \(page 2 of 3\):\n/, tail: /\nFeeds 61-75: \/news feeds list page 3 \(of 3\)\.$/ },
    { name: 'the last page as a bare number', feeds: 75, text: 'feeds list 3', shown: range(61, 75), head: /^Watching 75 feeds for this workspace's channels; feeds 61-75 shown \(page 3 of 3\):\n/, tail: /\n75\. https:\/\/feeds\.example\/075\.xml \(global\)$/ },
    { name: 'one page: no page talk', feeds: 30, text: 'feeds list', shown: range(1, 30), head: /^Watching 30 feeds for this workspace's channels:\n/, tail: /\(global\)$/ },
    { name: 'one feed', feeds: 1, text: 'feeds list', shown: [1], head: /^Watching 1 feed for this workspace's channels:\n/, tail: /\(global\)$/ },
  ])('$name', async ({ feeds, text, shown, head, tail }) => {
    await seed(feeds);
    const r = await handle(slashCommand(text, MEMBER));
    expect(listed(r.text)).toEqual(shown);
    expect(r.text).toMatch(head);
    expect(r.text).toMatch(tail);
  });

  // A feed that answers but brought nothing new for quiet_after_days (30 by default) says so.
  it.each([
    { name: 'its last new item 35 days ago', lastNewDays: 35, quietAfterDays: undefined, note: '(global; quiet: nothing new since Thu 26 Feb 2026 12:00 UTC)' },
    { name: 'no item at all, added 40 days ago', lastNewDays: null, quietAfterDays: undefined, note: '(global; quiet: nothing at all yet)' },
    { name: 'its last new item 5 days ago', lastNewDays: 5, quietAfterDays: undefined, note: '(global)' },
    { name: 'its last new item 35 days ago, quiet_after_days 0', lastNewDays: 35, quietAfterDays: 0, note: '(global)' },
  ])('states a feed with $name', async ({ lastNewDays, quietAfterDays, note }) => {
    const now = new Date('2026-04-02T12:00:00Z');
    const day = 86_400_000;
    const { feed } = await storage.feeds.add({ url: feedUrl(1), source: 'user' }, new Date(now.getTime() - 40 * day));
    if (lastNewDays !== null) await storage.items.storeForFeed(feed.id, [newItem(feed.id, { key: 'k1', title: 'A story' })], { fetchedAt: new Date(now.getTime() - lastNewDays * day) });
    await storage.feeds.recordSuccess(feed.id, { at: now, nextCheckAt: now, etag: null, lastModified: null });
    const h = createCommandHandler({ ...commandDepsFor(storage), clock: fixedClock(now), ...(quietAfterDays === undefined ? {} : { quietAfterDays }) });
    const r = await h(slashCommand('feeds list', MEMBER));
    expect(r.text.split('\n').at(-1)).toBe(`1. ${feedUrl(1)} ${note}`);
  });

  it.each([
    { name: 'a page past the last', text: 'feeds list page 4', want: 'There are 3 pages of feeds (75 feeds); ask for page 1 to 3, e.g. /news feeds list page 3.' },
    { name: 'page 0', text: 'feeds list 0', want: 'There are 3 pages of feeds (75 feeds); ask for page 1 to 3, e.g. /news feeds list page 3.' },
    { name: 'a word for a page', text: 'feeds list page two', want: '"two" is not a page number; ask for page 1 to 3, e.g. /news feeds list page 2.' },
    { name: '"page" without a number', text: 'feeds list page', want: 'Say which page, e.g. /news feeds list page 2 (there are 3).' },
    { name: 'words after the page', text: 'feeds list page 2 please', want: '"please" is one word too many after /news feeds list page 2; leave it out.' },
  ])('$name is one sentence and changes nothing', async ({ text, want }) => {
    await seed(75);
    const before = await storage.feeds.list();
    const r = await handle(slashCommand(text, MEMBER));
    expect(r.text).toBe(want);
    expect(await storage.feeds.list()).toEqual(before);
  });
});
