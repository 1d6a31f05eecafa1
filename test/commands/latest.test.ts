// /news latest: counts as words or full-width digits, and several topics in one comma-joined argument.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, storyViewOf } from '../../src/commands/index.ts';
import type { CommandHandler } from '../../src/domain/chat.ts';
import { parseCommandText } from '../../src/commands/parse-text.ts';
import type { LatestStory } from '../../src/storage/latest-repo.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { storySeeder } from '../helpers/stories.ts';

describe('/news latest arguments (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;

  beforeEach(async () => {
    let url: string;
    ({ storage, cleanup, url } = await freshStorage(testDatabases[0]!));
    handle = createCommandHandler(commandDepsFor(storage));
    const seeder = storySeeder(url);
    for (let i = 0; i < 12; i++) await seeder.add({ feedUrl: 'https://feeds.example/a.xml', title: `Story ${i}`, url: `https://news.example/${i}`, topics: [{ id: 'espionage', score: 5 }], digest: 'd' });
    await seeder.close();
  });
  afterEach(async () => cleanup());

  const run = (text: string) => {
    const { name, args } = parseCommandText(text);
    return handle({ platform: 'discord', workspaceId: 'G1', channelId: 'C1', channelName: 'news', userId: 'U1', userIsAdmin: false, userCanManageChannel: false, userIsOperator: false, name, args, text });
  };

  it.each([
    ['latest five', 5],
    ['latest Three espionage', 3],
    ['latest ten', 10],
    ['latest ３', 3],
    ['latest espionage ０７', 7],
    ['latest State cyberespionage 3', 3],
    ['latest state CYBERESPIONAGE', 5],
  ])('"%s" shows %i stories', async (text, n) => {
    const r = await run(text);
    expect(r.stories).toHaveLength(n);
  });

  it.each([
    ['latest eleven', /^Usage: \/news latest \[topic\] \[count\], where count is 1 to 10\.$/],
    ['latest zero', /where count is 1 to 10/],
    ['latest five 3', /where count is 1 to 10/],
    ['latest espionage,talks', /^Usage: \/news latest \[topic\] \[count\], with one topic at most\.$/],
    ['latest espionage,cats', /^Unknown topic "espionage,cats"/],
  ])('"%s" is refused in one sentence', async (text, want) => {
    const r = await run(text);
    expect(r.text).toMatch(want);
    expect(r.stories).toBeUndefined();
  });
});

// A story not summarised yet shows the feed's own summary, cut to 400 characters on a character boundary: an
// emoji at the cut is kept or left out whole, never halved into a lone surrogate.
describe('storyViewOf, without a digest', () => {
  const story = (feedSummary: string): LatestStory => ({ itemId: 1, clusterId: null, title: 'T', url: null, source: 'Wire', publishedAt: null, fetchedAt: new Date(0), digest: null, digestFromExcerpt: false, feedSummary, topicIds: [], alsoCoveredBy: [] });
  it.each([
    { name: 'short: whole', feedSummary: 'Officials said 🔐 talks resume.', want: 'Officials said 🔐 talks resume.' },
    { name: 'an emoji last before the cut: kept whole', feedSummary: `${'x'.repeat(398)}🔐${'y'.repeat(20)}`, want: `${'x'.repeat(398)}🔐…` },
    { name: 'an emoji across the code-unit cut: left out whole', feedSummary: `${'x'.repeat(399)}🔐${'y'.repeat(20)}`, want: `${'x'.repeat(399)}…` },
    { name: 'emoji only: 399 of them', feedSummary: '🔐'.repeat(500), want: `${'🔐'.repeat(399)}…` },
  ])('$name', ({ feedSummary, want }) => {
    const { summary } = storyViewOf(story(feedSummary), []);
    expect(summary).toBe(want);
    expect(summary).not.toMatch(/\p{Cs}/u);
  });
});
