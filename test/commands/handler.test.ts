import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, type CommandDeps } from '../../src/commands/index.ts';
import type { Command, CommandHandler } from '../../src/domain/chat.ts';
import { EVERY_TOPIC } from '../../src/domain/following.ts';
import type { Topic } from '../../src/domain/types.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { StorageError, UsageError } from '../../src/lib/errors.ts';
import { parseKeyword } from '../../src/matching/keywords.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { storySeeder } from '../helpers/stories.ts';

const TOPICS: Topic[] = [
  { id: 'espionage', name: 'State cyberespionage', description: 'Spying and accusations', terms: [{ term: 'spy', weight: 1 }], threshold: 1 },
  { id: 'talks', name: 'Cyber talks', description: 'Working groups and dialogues', terms: [{ term: 'talks', weight: 1 }], threshold: 1 },
];

const manager = { userIsAdmin: false, userCanManageChannel: true };
const member = { userIsAdmin: false, userCanManageChannel: false };
const admin = { userIsAdmin: true, userCanManageChannel: true };

function command(text: string, who: Pick<Command, 'userIsAdmin' | 'userCanManageChannel'> & { userIsOperator?: boolean }, platform: Command['platform'] = 'slack'): Command {
  const [name = '', ...args] = text.split(/\s+/).filter(Boolean);
  return { platform, workspaceId: 'T1', channelId: 'C1', channelName: 'news', userId: 'U1', userIsOperator: false, ...who, name, args, text };
}

describe('createCommandHandler (SQLite)', () => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;
  let deps: CommandDeps;
  const logged: string[] = [];

  beforeEach(async () => {
    ({ storage, cleanup, url } = await freshStorage(testDatabases[0]!));
    logged.length = 0;
    deps = {
      channels: storage.channels,
      latest: storage.latest,
      feeds: storage.feeds,
      topics: TOPICS,
      parseKeyword,
      checkFeedUrl: (u) => {
        if (!/^https?:\/\//.test(u) || u.length > 2000) throw new UsageError(`"${u}" is not an http(s) URL.`);
        return u;
      },
      clock: fixedClock('2026-03-10T12:00:00Z'),
      logger: { info: () => {}, error: (_o: unknown, msg: string) => logged.push(msg) } as unknown as CommandDeps['logger'],
      maxKeywordsPerChannel: 3,
    };
    handle = createCommandHandler(deps);
  });
  afterEach(async () => cleanup());

  const subs = async () => {
    const ch = await storage.channels.find('slack', 'C1');
    return ch ? storage.channels.subscriptions(ch.id) : [];
  };

  it.each([
    { name: 'names topics', text: 'subscribe espionage', want: ['espionage'] },
    // No topic, or "all": every topic, and any added later (stored as one EVERY_TOPIC row, not the list of the day).
    { name: 'no topic means every topic', text: 'subscribe', want: [EVERY_TOPIC] },
    { name: 'case and commas', text: 'subscribe TALKS,espionage', want: ['espionage', 'talks'] },
    { name: '"all"', text: 'subscribe all', want: [EVERY_TOPIC] },
  ])('subscribe $name', async ({ text, want }) => {
    const r = await handle(command(text, manager));
    expect(r.ephemeral).toBe(false);
    expect(r.text).toMatch(/now follows/);
    expect(await subs()).toEqual(want);
    const ch = await storage.channels.find('slack', 'C1');
    expect(ch).toMatchObject({ workspaceId: 'T1', name: 'news' });
  });

  it('refuses channel changes to a member, says why, and stores nothing', async () => {
    for (const [text, platform, why] of [
      ['subscribe espionage', 'slack', /workspace admins and owners, or users on the bot's allowlist/],
      ['unsubscribe', 'discord', /Manage Channels or Manage Server/],
      ['keywords add volt', 'discord', /change this channel's keywords/],
      ['keywords remove volt', 'slack', /change this channel's keywords/],
      ['feeds add https://x.example/rss', 'slack', /workspace admins and owners can add or remove feeds/],
    ] as const) {
      const r = await handle(command(text, member, platform));
      expect(r.ephemeral, text).toBe(true);
      expect(r.text, text).toMatch(/^Sorry, only /);
      expect(r.text, text).toMatch(why);
    }
    expect(await storage.channels.list()).toEqual([]);
    expect(await storage.feeds.list()).toEqual([]);
  });

  it('lets a channel manager change keywords but not feeds', async () => {
    expect((await handle(command('feeds add https://x.example/rss', manager))).text).toMatch(/^Sorry, only workspace admins/);
    // A feed that is not there is said to be missing, and who could remove one besides.
    expect((await handle(command('feeds remove 1', manager))).text).toBe('No feed matches "1"; see /news feeds list for ids and URLs. Also, only workspace admins and owners can add or remove feeds; ask one of them to run it.');
    expect(await storage.feeds.list()).toEqual([]);
    expect((await handle(command('keywords add volt', manager))).text).toBe('Added "volt".');
  });

  it.each([
    { text: 'latest 11', want: /^Usage: \/news latest \[topic\] \[count\], where count is 1 to 10\.$/ },
    { text: 'latest 0', want: /where count is 1 to 10/ },
    { text: 'latest -3', want: /^Usage: \/news latest \[topic\] \[count\], where count is 1 to 10\.$/ },
    { text: 'latest 2.5', want: /^Usage: \/news latest \[topic\] \[count\], where count is 1 to 10\.$/ },
    { text: 'latest espionage talks', want: /with one topic at most/ },
    { text: 'latest cats', want: /^Unknown topic "cats"; known topics are espionage, talks \(see \/news topics\)\.$/ },
    { text: 'subscribe cats dogs', want: /^Unknown topic "cats", "dogs"; known topics are espionage, talks/ },
    { text: 'keywords frob x', want: /^Usage: \/news keywords add\|remove\|list/ },
    { text: 'keywords add', want: /^Usage: \/news keywords/ },
    { text: 'feeds add', want: /^Usage: \/news feeds list \[page N\]\|add <url>\|remove <url or id> \(operators: add\|remove global \.\.\.\)\.$/ },
    { text: 'feeds add ftp://x', want: /is not an http\(s\) URL/ },
    { text: 'feeds remove 99', want: /^No feed matches "99"/ },
    { text: 'frobnicate', want: /^There is no \/news frobnicate command; try \/news help\.$/ },
    { text: 'subscrbe espionage', want: /^There is no \/news subscrbe command; did you mean \/news subscribe\? See \/news help\.$/ },
    { text: 'keyword add volt', want: /^There is no \/news keyword command; did you mean \/news keywords\? See \/news help\.$/ },
  ])('answers "$text" with one sentence', async ({ text, want }) => {
    const r = await handle(command(text, admin));
    expect(r.text).toMatch(want);
    expect(r.text.split('\n')).toHaveLength(1);
    expect(r.ephemeral).toBe(true);
  });

  it('refuses a keyword with an invisible character in one sentence and stores nothing (the real keyword parser)', async () => {
    const real = createCommandHandler({ ...deps, parseKeyword });
    const reply = await real(command('keywords add espi\u200bonage -ransom\u202eware', manager));
    expect(reply.text).toBe('Keyword "espionage" is not valid: it contains an invisible formatting character (U+200B, e.g. a zero-width space or a direction mark); type the word again without it.');
    const ch = await storage.channels.find('slack', 'C1');
    expect(ch ? await storage.channels.keywords(ch.id) : []).toEqual([]);
  });

  it.each([
    ['a term included and excluded at once', ['keywords add volt -volt'], '"volt" is given both to include and to exclude; give it once, as volt or -volt.', []],
    ['an include term made an exclude term', ['keywords add volt', 'keywords add -volt'], 'Added -"volt" (it was included before).', [['volt', true]]],
    ['an exclude term made an include term', ['keywords add -volt', 'keywords add volt'], 'Added "volt" (it was excluded before).', [['volt', false]]],
    ['an include term named as an exclude term to remove', ['keywords add volt', 'keywords remove -volt'], 'Nothing changed. "volt" is an include keyword, not an exclude one; /news keywords remove volt removes it.', [['volt', false]]],
    ['an exclude term removed by its plain word', ['keywords add -volt', 'keywords remove volt'], 'Removed "volt".', []],
    ['an exclude term removed as such', ['keywords add -volt', 'keywords remove -volt'], 'Removed "volt".', []],
  ])('keywords: %s is said as such', async (_name, texts, want, stored) => {
    let last = '';
    for (const t of texts) last = (await handle(command(t, manager))).text;
    expect(last).toBe(want);
    const ch = await storage.channels.find('slack', 'C1');
    expect((ch ? await storage.channels.keywords(ch.id) : []).map((k) => [k.term, k.exclude])).toEqual(stored);
  });

  it('keeps keywords: add with exclude, cap, list, remove', async () => {
    expect((await handle(command('keywords add volt -sports', manager))).text).toBe('Added "volt", -"sports".');
    expect((await handle(command('keywords add volt', manager))).text).toMatch(/^Nothing changed/);
    expect((await handle(command('keywords add a b', manager))).text).toBe('A channel can hold 3 keywords and this one has 2; remove some first.');
    expect((await handle(command('keywords list', member))).text).toBe('Keywords: include "volt"; exclude "sports".');
    expect((await handle(command(`keywords add ${'x'.repeat(70)}`, manager))).text).toMatch(/is not valid: it is 70 characters; keep it to 60 or fewer\.$/);
    expect((await handle(command('keywords remove -sports', manager))).text).toBe('Removed "sports".');
    const ch = (await storage.channels.find('slack', 'C1'))!;
    expect(await storage.channels.keywords(ch.id)).toEqual([{ channelId: ch.id, term: 'volt', exclude: false }]);
  });

  it('unsubscribes named topics or all', async () => {
    await handle(command('subscribe', manager));
    // From every topic, naming one leaves the others as a list, and says that later topics are not followed.
    expect((await handle(command('unsubscribe talks', manager))).text).toBe(
      'This channel no longer follows Cyber talks. Still followed: State cyberespionage; topics added later will not be (/news subscribe follows every topic again).',
    );
    expect(await subs()).toEqual(['espionage']);
    expect((await handle(command('unsubscribe', manager))).text).toBe('This channel no longer follows State cyberespionage. It follows no topics now.');
    expect(await subs()).toEqual([]);
    await handle(command('subscribe', manager));
    expect((await handle(command('unsubscribe all', manager))).text).toBe('This channel no longer follows every topic. It follows no topics now.');
    expect(await subs()).toEqual([]);
  });

  it('returns the latest summaries for the channel topics, a topic, and a count', async () => {
    const seeder = storySeeder(url);
    try {
      await seeder.add({ feedUrl: 'https://a.example/rss', feedTitle: 'Alpha', title: 'Talks resume', url: 'https://a.example/1', publishedAt: new Date('2026-03-09T00:00:00Z'), topics: [{ id: 'talks', score: 4 }], digest: 'Delegations met in Geneva.' });
      await seeder.add({ feedUrl: 'https://a.example/rss', feedTitle: 'Alpha', title: 'Spies charged', url: 'https://a.example/2', publishedAt: new Date('2026-03-08T00:00:00Z'), topics: [{ id: 'espionage', score: 7 }], summary: 'Feed excerpt only.' });
    } finally {
      await seeder.close();
    }
    expect((await handle(command('latest', member))).stories?.map((s) => s.title)).toEqual(['Talks resume', 'Spies charged']);
    await handle(command('subscribe espionage', manager));
    const mine = await handle(command('latest', member));
    expect(mine.text).toBe("The latest story on this channel's topics:");
    expect(mine.stories).toEqual([
      {
        title: 'Spies charged', url: 'https://a.example/2', source: 'Alpha', publishedAt: new Date('2026-03-08T00:00:00Z'),
        summary: 'Feed excerpt only.', fromExcerpt: true, topics: [{ id: 'espionage', name: 'State cyberespionage' }], alsoCoveredBy: [],
      },
    ]);
    const talks = await handle(command('latest talks 1', member));
    expect(talks.stories?.map((s) => [s.title, s.summary, s.fromExcerpt])).toEqual([['Talks resume', 'Delegations met in Geneva.', false]]);
    expect((await handle(command('latest count 2', member))).stories).toHaveLength(1);
  });

  it('says so when nothing matched yet', async () => {
    expect(await handle(command('latest talks', member))).toEqual({ text: 'No stories have matched Cyber talks yet.', ephemeral: true });
  });

  it("adds, lists and removes a workspace's own feeds for an admin", async () => {
    expect((await handle(command('feeds add https://x.example/rss', admin))).text).toBe("Added feed 1: https://x.example/rss, for this workspace's channels only; it will be checked within a few minutes.");
    expect((await handle(command('feeds add https://x.example/rss', admin))).text).toBe('Feed 1 (https://x.example/rss) was already watched for this workspace.');
    expect((await handle(command('feeds list', member))).text).toBe("Watching 1 feed for this workspace's channels:\n1. https://x.example/rss (this workspace's)");
    expect(await storage.feeds.audiences()).toEqual(new Map([[1, { global: false, tenants: ['slack:T1'] }]]));
    expect((await handle(command('feeds remove https://x.example/rss', admin))).text).toBe('Removed feed 1 (https://x.example/rss) from this workspace.');
    expect(await storage.feeds.list()).toEqual([]);
  });

  it('lists topics, marking followed ones, and reports status', async () => {
    await handle(command('subscribe talks', manager));
    await handle(command('keywords add -sports', manager));
    const t = await handle(command('topics', member));
    expect(t.text.split('\n')).toEqual([
      'Topics (follow with /news subscribe <id>):',
      'espionage (State cyberespionage): Spying and accusations',
      '[following] talks (Cyber talks): Working groups and dialogues',
    ]);
    const s = await handle(command('status', member));
    expect(s.text.split('\n')).toEqual(['This channel follows Cyber talks.', 'Keywords: -"sports".', 'Alerts are on.', 'Delivery: live alerts as stories come (mode live).', 'Watching 0 feeds.']);
    const ch = (await storage.channels.find('slack', 'C1'))!;
    await storage.channels.pause(ch.id, 'not_in_channel');
    expect((await handle(command('status', member))).text).toMatch(/Alerts are paused: not_in_channel\./);
    await handle(command('subscribe talks', manager));
    expect((await storage.channels.get(ch.id))!.paused).toBe(false);
  });

  it('gives help for all commands, one command, and an empty /news', async () => {
    const all = await handle(command('help', member));
    for (const n of ['subscribe', 'unsubscribe', 'latest', 'keywords', 'topics', 'feeds', 'status', 'help']) expect(all.text).toContain(`/news ${n}`);
    expect((await handle(command('', member))).text).toBe(all.text);
    expect((await handle(command('help latest', member))).text).toMatch(/^\/news latest \[topic\] \[count\]: the newest matching stories/);
  });

  it('turns an unexpected failure into an apology and logs it', async () => {
    const broken = createCommandHandler({ ...deps, feeds: Object.assign(Object.create(storage.feeds) as typeof storage.feeds, { visibleTo: async () => { throw new Error('disk on fire'); } }) });
    const r = await broken(command('status', member));
    expect(r.text).toBe('Sorry, /news status failed on our side; the error was logged for the operator.');
    expect(logged).toEqual(['commands: /news status failed: disk on fire']);
  });

  it('says so in one sentence when the database is not usable, instead of blaming the command', async () => {
    const away = createCommandHandler({ ...deps, feeds: Object.assign(Object.create(storage.feeds) as typeof storage.feeds, { visibleTo: async () => Promise.reject(new StorageError('unavailable', 'storage: PostgreSQL db:5432/x is not answering (57P01)')) }) });
    const r = await away(command('status', member));
    expect(r.text).toBe('Sorry, /news status could not be done: cyberbrief cannot use its database right now (the operator is told); try again in a minute.');
  });
});
