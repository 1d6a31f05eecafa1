// The Discord adapter with the real discord.js Client against the fake REST API and gateway.
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../../src/commands/index.ts';
import { DeliveryError, type ChatPlatform, type Reply, type StoryView } from '../../../src/domain/chat.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createDiscordPlatform } from '../../../src/platforms/discord/adapter.ts';
import type { Topic } from '../../../src/domain/types.ts';
import type { Storage } from '../../../src/storage/index.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../../emulators/discord.ts';
import { waitFor } from '../../emulators/http-util.ts';
import { commandDepsFor } from '../../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../../helpers/databases.ts';

const TOKEN = 'discord-test-token.abcdef.123456';
const APP = '800000000000000001';
const GUILD = '700000000000000001';
const CHAN = '710000000000000001';
const MEMBER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;

const story: StoryView = {
  title: 'Spy agency accused @everyone <@123456789012345678>',
  url: 'https://news.example/spy',
  source: 'Example News @here',
  publishedAt: new Date('2026-03-09T14:05:00Z'),
  summary: 'Read [the official statement](https://evil.example) now @everyone.',
  fromExcerpt: true,
  topics: [{ id: 'espionage', name: 'State cyberespionage' }],
  alsoCoveredBy: [{ source: 'Other Wire', title: 'Spy row widens @everyone', url: 'https://other.example/1' }],
};

describe('Discord adapter', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let discord: FakeDiscord;
  let platform: ChatPlatform;
  let gate: Promise<void> = Promise.resolve();
  /** When set, the answer to every command instead of the real handler's (a reply the core should never give). */
  let answerWith: Reply | null = null;

  async function setUp(opts: { devGuildId?: string | null; deferAfterMs?: number; topics?: Topic[] } = {}) {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test Server', channels: [{ id: CHAN, name: 'news' }] }] });
    platform = createDiscordPlatform({
      token: TOKEN, applicationId: APP, devGuildId: opts.devGuildId === undefined ? GUILD : opts.devGuildId, apiUrl: discord.apiUrl, logger: silentLogger(),
      // Replied in place unless a case sets a short deferAfterMs: the product's 2 s is a race on a busy machine.
      readyTimeoutMs: 30_000, deferAfterMs: opts.deferAfterMs ?? 30_000,
    });
    const handle = createCommandHandler(commandDepsFor(storage, opts.topics));
    await platform.start(async (cmd) => {
      await gate;
      return answerWith ?? handle(cmd);
    });
  }

  afterEach(async () => {
    answerWith = null;
    await platform.stop();
    await discord.close();
    await cleanup();
  });

  const callbackFor = (id: string) => waitFor(`the reply to interaction ${id}`, () => discord.interactionReplies.find((r) => r.interactionId === id));

  it('registers /news in the dev guild and identifies on the gateway', async () => {
    await setUp();
    const reg = discord.requests.find((r) => r.method === 'PUT')!;
    expect(reg.path).toBe(`/applications/${APP}/guilds/${GUILD}/commands`);
    expect(reg.auth).toBe(`Bot ${TOKEN}`);
    const [cmd] = reg.body as Array<{ name: string; options: Array<{ name: string; type: number }> }>;
    expect(cmd!.name).toBe('news');
    expect(cmd!.options.map((o) => o.name)).toEqual(['subscribe', 'unsubscribe', 'latest', 'keywords', 'brief', 'mode', 'quiet', 'threads', 'topics', 'feeds', 'status', 'why', 'help']);
    expect(cmd!.options.every((o) => o.type === 1)).toBe(true);
    expect(discord.identifies).toHaveLength(1);
    expect(discord.identifies[0]).toMatchObject({ token: TOKEN, intents: 1 });
  });

  it('takes the gateway back after losing leadership (the database dropped its lock connection) and answers again', async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test Server', channels: [{ id: CHAN, name: 'news' }] }] });
    // Leadership as storage gives it: the first lease is lost (its connection dropped); later ones hold.
    let loseFirst: () => void = () => {};
    let leases = 0;
    const leadership = {
      tryAcquire: async () => {
        leases++;
        const lost = leases === 1 ? new Promise<void>((r) => (loseFirst = r)) : new Promise<void>(() => {});
        return { lost, release: async () => undefined };
      },
    };
    platform = createDiscordPlatform({ token: TOKEN, applicationId: APP, devGuildId: GUILD, apiUrl: discord.apiUrl, logger: silentLogger(), readyTimeoutMs: 15_000, leadership, leaderRetryMs: 100 });
    await platform.start(createCommandHandler(commandDepsFor(storage)));
    expect(discord.identifies).toHaveLength(1);
    loseFirst();
    await waitFor('a second gateway session', () => discord.identifies.length === 2 && discord.gatewayConnections === 1, 20_000);
    const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000001', permissions: MEMBER, subcommand: 'help', options: [] });
    const r = await callbackFor(id);
    expect((r.body.data as { content: string }).content).toContain('/news subscribe');
    expect(leases).toBe(2);
  });

  it('answers /news help with a command option for that command alone, as Slack does for /news help latest', async () => {
    await setUp();
    const [cmd] = discord.requests.find((r) => r.method === 'PUT')!.body as Array<{ options: Array<{ name: string; options?: Array<{ name: string; choices?: unknown[] }> }> }>;
    const help = cmd!.options.find((o) => o.name === 'help')!;
    expect(help.options?.map((o) => [o.name, o.choices?.length])).toEqual([['command', 13]]);
    const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000001', permissions: MEMBER, subcommand: 'help', options: [{ name: 'command', type: 3, value: 'latest' }] });
    const r = await callbackFor(id);
    expect((r.body.data as { content: string }).content).toMatch(/^\/news latest \\?\[topic\\?\] \\?\[count\\?\]: the newest matching stories/);
  });

  it('registers globally without a dev guild', async () => {
    await setUp({ devGuildId: null });
    expect(discord.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([`/applications/${APP}/commands`]);
  });

  it('lets a member with Manage Channels subscribe, replying publicly with no mentions', async () => {
    await setUp();
    const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000001', permissions: MEMBER | PERMISSIONS.ManageChannels, subcommand: 'subscribe', options: [{ name: 'topics', type: 3, value: 'espionage talks' }] });
    const r = await callbackFor(id);
    expect(r.body).toMatchObject({ type: 4, data: { content: expect.stringMatching(/^This channel now follows State cyberespionage, Cyber talks\./), allowed_mentions: { parse: [] } } });
    expect(((r.body.data as { flags?: number }).flags ?? 0) & 64).toBe(0);
    const ch = (await storage.channels.find('discord', CHAN))!;
    expect(ch).toMatchObject({ workspaceId: GUILD, name: 'news' });
    expect(await storage.channels.subscriptions(ch.id)).toEqual(['espionage', 'talks']);
  });

  // /news brief's options: a time (and a day) without a schedule set the brief, as the user asked, never
  // fall back to showing it.
  const opt = (o: Record<string, string | undefined>) => Object.entries(o).flatMap(([name, value]) => (value === undefined ? [] : [{ name, type: 3 as const, value }]));
  it.each([
    { name: 'a time and zone, no brief yet: daily at that time', before: null, options: { time: '08:00', zone: 'Europe/Berlin' }, want: /^This channel gets a brief daily at 08:00 Europe\/Berlin\. The next one is /, brief: { every: 'daily', weekday: null, time: { hour: 8, minute: 0, second: 0 }, zone: 'Europe/Berlin' } },
    { name: 'a time, a weekly brief: moved, still weekly', before: { schedule: 'weekly', day: 'mon', time: '07:00', zone: 'UTC' }, options: { time: '09:30' }, want: /^This channel gets a brief weekly on Monday at 09:30 UTC\. /, brief: { every: 'weekly', weekday: 1, time: { hour: 9, minute: 30, second: 0 }, zone: 'UTC' } },
    { name: 'a time, a daily brief: moved, zone kept', before: { schedule: 'daily', time: '07:00', zone: 'Asia/Tokyo' }, options: { time: '18:15' }, want: /^This channel gets a brief daily at 18:15 Asia\/Tokyo\. /, brief: { every: 'daily', weekday: null, time: { hour: 18, minute: 15, second: 0 }, zone: 'Asia/Tokyo' } },
    { name: 'a day and a time: weekly', before: null, options: { day: 'fri', time: '07:00', zone: 'UTC' }, want: /^This channel gets a brief weekly on Friday at 07:00 UTC\. /, brief: { every: 'weekly', weekday: 5, time: { hour: 7, minute: 0, second: 0 }, zone: 'UTC' } },
    { name: 'a time, no zone known: asks for one', before: null, options: { time: '08:00' }, want: /^Say which time zone the time is in, for example \/news brief 08:00 Europe\/Berlin\.$/, brief: null },
    { name: 'a time that is not one', before: null, options: { time: '8am', zone: 'UTC' }, want: /^"8am" is not a time of day; use HH:MM on a 24-hour clock/, brief: null },
    { name: 'a zone abbreviation (EST is UTC-5 all year, not New York)', before: null, options: { schedule: 'daily', time: '08:00', zone: 'EST' }, want: /^"EST" is a time-zone abbreviation, which names a fixed offset or several places rather than one place's clock with its daylight-saving changes; did you mean America\/New\\_York\?$/, brief: null },
    { name: 'daily with a day: says daily takes none and shows the weekly form', before: null, options: { schedule: 'daily', day: 'mon', time: '08:00', zone: 'UTC' }, want: /^A daily brief comes every day and takes no day; for one on Mondays only, use weekly: \/news brief schedule:weekly day:mon time:08:00 zone:UTC\.$/, brief: null },
    { name: 'nothing: shows the brief', before: null, options: {}, want: /^This channel has no brief; set one with \/news brief daily 08:00 Europe\/Berlin\./, brief: null },
  ])('/news brief with $name', async ({ before, options, want, brief }) => {
    await setUp();
    const manager = MEMBER | PERMISSIONS.ManageChannels;
    if (before) await callbackFor(discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000001', permissions: manager, subcommand: 'brief', options: opt(before) }));
    const r = await callbackFor(discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000001', permissions: manager, subcommand: 'brief', options: opt(options) }));
    expect((r.body.data as { content: string }).content).toMatch(want);
    const ch = await storage.channels.find('discord', CHAN);
    expect(ch ? (await storage.channels.delivery(ch.id)).brief : null).toEqual(brief);
  });

  it('refuses a time for the brief to a member who cannot manage the channel', async () => {
    await setUp();
    const r = await callbackFor(discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000002', permissions: MEMBER, subcommand: 'brief', options: opt({ time: '08:00', zone: 'UTC' }) }));
    expect((r.body.data as { content: string }).content).toMatch(/^Sorry, only members with the Manage Channels/);
    expect(await storage.channels.find('discord', CHAN)).toBeNull();
  });

  it('tells a member who types a malformed time what is wrong, and who may change the brief, changing nothing', async () => {
    await setUp();
    const r = await callbackFor(discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000002', permissions: MEMBER, subcommand: 'brief', options: opt({ time: '8am' }) }));
    expect(r.body.data).toMatchObject({
      content: '"8am" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30. Also, only members with the Manage Channels or Manage Server permission can change this channel\'s brief; ask one of them to run it.',
      flags: 64,
    });
    expect(await storage.channels.find('discord', CHAN)).toBeNull();
  });

  it.each([
    { who: 'a plain member', perms: MEMBER, refused: true },
    { who: 'a member with Manage Server', perms: MEMBER | PERMISSIONS.ManageGuild, refused: false },
    { who: 'an Administrator', perms: MEMBER | PERMISSIONS.Administrator, refused: false },
  ])('keyword change by $who', async ({ perms, refused }) => {
    await setUp();
    const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000002', permissions: perms, subcommand: 'keywords', options: [{ name: 'action', type: 3, value: 'add' }, { name: 'terms', type: 3, value: '"salt typhoon" -sports' }] });
    const r = await callbackFor(id);
    const data = r.body.data as { content: string; flags?: number; allowed_mentions: unknown };
    expect(data.allowed_mentions).toEqual({ parse: [] });
    if (refused) {
      expect(data.content).toMatch(/^Sorry, only members with the Manage Channels or Manage Server permission can change this channel's keywords/);
      expect((data.flags ?? 0) & 64).toBe(64);
      expect(await storage.channels.find('discord', CHAN)).toBeNull();
    } else {
      expect(data.content).toBe('Added "salt typhoon", -"sports".');
      const ch = (await storage.channels.find('discord', CHAN))!;
      expect((await storage.channels.keywords(ch.id)).map((k) => [k.term, k.exclude])).toEqual([['salt typhoon', false], ['sports', true]]);
    }
  });

  // The reply's phrase hint reads what was typed: Discord hands the option's text as typed, quotes included
  // (the parentheses arrive escaped, as all reply text does, and show plain).
  it.each([
    { terms: '"state sponsored" hackers spies', says: 'Added "state sponsored", "hackers", "spies".' },
    { terms: 'trade secrets', says: 'Added "trade", "secrets". Each is a keyword on its own; for the phrase, quote it: /news keywords add "trade secrets" \\(and /news keywords remove trade secrets\\).' },
  ])('keywords add $terms: a phrase hint only when nothing was quoted', async ({ terms, says }) => {
    await setUp();
    const r = await callbackFor(discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000002', permissions: MEMBER | PERMISSIONS.ManageGuild, subcommand: 'keywords', options: [{ name: 'action', type: 3, value: 'add' }, { name: 'terms', type: 3, value: terms }] }));
    expect((r.body.data as { content: string }).content).toBe(says);
  });

  // A reply longer than Discord's 2,000 characters (the emulator refuses more, as Discord does) arrives whole,
  // in several messages cut at line breaks: the answer, then follow-ups, each as private as the answer.
  it.each([
    { name: 'answered at once', deferred: false, first: ['callback'] },
    { name: 'deferred and edited in', deferred: true, first: ['callback', 'edit'] },
  ])('sends a long reply as several messages ($name)', async ({ deferred, first }) => {
    let release: () => void = () => {};
    if (deferred) gate = new Promise((resolve) => (release = resolve));
    try {
      await setUp(deferred ? { deferAfterMs: 20 } : {});
      for (let n = 1; n <= 30; n++) await storage.feeds.add({ url: `https://feeds.example/${String(n).padStart(2, '0')}/${'p'.repeat(90)}.xml`, source: 'user' });
      const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000003', permissions: MEMBER, subcommand: 'feeds', options: [{ name: 'action', type: 3, value: 'list' }] });
      const mine = () => discord.interactionReplies.filter((r) => r.token === `itoken-${id}`);
      if (deferred) {
        await callbackFor(id);
        release();
      }
      const bodyOf = (r: ReturnType<typeof mine>[number]) => (r.kind === 'callback' ? r.body.data : r.body) as { content?: string; flags?: number; allowed_mentions?: unknown };
      const all = () => mine().map((r) => bodyOf(r).content ?? '').join('\n');
      await waitFor('the last feed', () => all().includes('<https://feeds.example/30/'));
      const kinds = mine().map((r) => r.kind);
      expect(kinds.slice(0, first.length)).toEqual(first);
      expect(kinds.slice(first.length)).toEqual(['followup', 'followup']);
      const bodies = mine().map(bodyOf).filter((b) => b.content);
      for (let n = 1; n <= 30; n++) expect(all().split(`<https://feeds.example/${String(n).padStart(2, '0')}/`)).toHaveLength(2);
      // Cut between lines: every message starts a feed's line (or the heading) and holds whole autolinks.
      for (const { content } of bodies) {
        expect(content!.length).toBeLessThanOrEqual(2000);
        expect(content).toMatch(/^(Watching|\d+\\\. <)/);
        expect(content!.split('<').length).toBe(content!.split('>').length);
      }
      // Private: the answer (or the deferral an edit fills in) and every follow-up.
      for (const r of mine()) expect(r.kind === 'edit' ? r.body : bodyOf(r)).toMatchObject(r.kind === 'edit' ? { allowed_mentions: { parse: [] } } : { flags: 64 });
    } finally {
      release();
      gate = Promise.resolve();
    }
  });

  it('shows the page of /news feeds list named in the feed option', async () => {
    await setUp();
    for (let n = 1; n <= 31; n++) await storage.feeds.add({ url: `https://feeds.example/${String(n).padStart(2, '0')}.xml`, source: 'user' });
    const r = await callbackFor(discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000003', permissions: MEMBER, subcommand: 'feeds', options: [{ name: 'action', type: 3, value: 'list' }, { name: 'feed', type: 3, value: '2' }] }));
    expect((r.body.data as { content: string }).content).toBe("Watching 31 feeds for this server's channels; feed 31 shown \\(page 2 of 2\\):\n31\\. <https://feeds.example/31.xml> \\(global\\)");
  });

  it('defers a slow command and edits the answer in', async () => {
    let release: () => void = () => {};
    gate = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await setUp({ deferAfterMs: 20 });
      const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000003', permissions: MEMBER, subcommand: 'status' });
      const deferred = await callbackFor(id);
      expect(deferred.body).toEqual({ type: 5, data: { flags: 64 } });
      expect(discord.interactionReplies.filter((r) => r.kind === 'edit')).toEqual([]);
      release();
      const edit = await waitFor('the edited reply', () => discord.interactionReplies.find((r) => r.kind === 'edit' && r.token === `itoken-${id}`));
      expect(edit.body).toMatchObject({ content: expect.stringMatching(/^This channel follows no topics/), allowed_mentions: { parse: [] } });
    } finally {
      release();
      gate = Promise.resolve();
    }
  });

  it.each([
    { name: 'a refusal', perms: MEMBER, options: [{ name: 'topics', type: 3 as const, value: 'espionage' }], want: /^Sorry, only members with the Manage Channels/ },
    { name: 'a usage error', perms: MEMBER | PERMISSIONS.ManageChannels, options: [{ name: 'topics', type: 3 as const, value: 'cats' }], want: /^Unknown topic "cats"/ },
  ])('answers a slow public command with $name to the caller alone, as Slack does', async ({ perms, options, want }) => {
    let release: () => void = () => {};
    gate = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await setUp({ deferAfterMs: 20 });
      const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000003', permissions: perms, subcommand: 'subscribe', options });
      const deferred = await callbackFor(id);
      // subscribe answers the channel when it succeeds, so it is deferred in the channel.
      expect(((deferred.body.data as { flags?: number }).flags ?? 0) & 64).toBe(0);
      release();
      const follow = await waitFor('the ephemeral follow-up', () => discord.interactionReplies.find((r) => r.kind === 'followup' && r.token === `itoken-${id}`));
      expect(follow.body).toMatchObject({ content: expect.stringMatching(want), flags: 64, allowed_mentions: { parse: [] } });
      expect(discord.interactionReplies.filter((r) => r.token === `itoken-${id}`).map((r) => r.kind)).toEqual(['callback', 'delete', 'followup']);
    } finally {
      release();
      gate = Promise.resolve();
    }
  });

  // Discord refuses a message with nothing in it (50006), so an empty answer would leave the member with
  // "The application did not respond": a sentence goes instead, answered at once or edited in after a defer.
  it.each([
    { name: 'empty text', text: '', deferAfterMs: undefined },
    { name: 'only white space', text: ' \n \n', deferAfterMs: undefined },
    { name: 'only invisible characters', text: '\u200b\u2060', deferAfterMs: undefined },
    { name: 'empty text, after a defer', text: '', deferAfterMs: 20 },
  ])('answers a reply with $name and no stories with a sentence', async ({ text, deferAfterMs }) => {
    let release: () => void = () => {};
    gate = deferAfterMs === undefined ? Promise.resolve() : new Promise((resolve) => {
      release = resolve;
    });
    try {
      await setUp(deferAfterMs === undefined ? {} : { deferAfterMs });
      answerWith = { text, ephemeral: true };
      const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000003', permissions: MEMBER, subcommand: 'status' });
      const first = await callbackFor(id);
      release();
      const answered = deferAfterMs === undefined ? first.body.data : (await waitFor('the edited reply', () => discord.interactionReplies.find((r) => r.kind === 'edit' && r.token === `itoken-${id}`))).body;
      expect(answered).toMatchObject({ content: 'This command gave no answer to show; try /news help, or tell the operator if one was expected.' });
      expect(discord.interactionReplies.filter((r) => r.token === `itoken-${id}`)).toHaveLength(deferAfterMs === undefined ? 1 : 2);
    } finally {
      release();
      gate = Promise.resolve();
    }
  });

  // More topics than one answer holds: five messages at most, the last ending with how many were left out.
  it('answers /news topics with more topics than one answer holds in at most five messages, ending with a count of those left out', async () => {
    const topics: Topic[] = Array.from({ length: 400 }, (_, i) => ({ id: `topic-${i + 1}`, name: `Topic ${i + 1}`, description: `${'What this topic covers, at some length. '.repeat(4)}${i + 1}.`, terms: [{ term: `term${i + 1}`, weight: 3 }], threshold: 2 }));
    await setUp({ topics });
    const id = discord.sendInteraction({ guildId: GUILD, channelId: CHAN, userId: '600000000000000003', permissions: MEMBER, subcommand: 'topics' });
    await callbackFor(id);
    const answers = await waitFor('the follow-ups', () => {
      const all = discord.interactionReplies.filter((r) => r.token === `itoken-${id}`);
      return all.length > 1 && /not shown/.test(JSON.stringify(all.at(-1)!.body)) ? all : undefined;
    });
    const contents = answers.map((r) => ((r.kind === 'callback' ? r.body.data : r.body) as { content: string }).content);
    expect(contents.length).toBeGreaterThan(1);
    expect(contents.length).toBeLessThanOrEqual(5);
    expect(contents.at(-1)).toMatch(/\n…\d+ more topics not shown\.$/);
    const listed = contents.join('\n').replace(/\\(.)/g, '$1').split('\n').filter((l) => /^topic-\d+ \(Topic \d+\)/.test(l)).length;
    expect(contents.at(-1)).toContain(`…${400 - listed} more topics not shown.`);
  });

  it('posts stories as embeds with mentions removed, edits them, and posts digests and notices', async () => {
    await setUp();
    const sent = await platform.postStory(CHAN, story);
    const msg = discord.messages[0]!;
    expect(msg).toMatchObject({ kind: 'create', channelId: CHAN, id: sent.messageId });
    expect(msg.body.allowed_mentions).toEqual({ parse: [] });
    const text = JSON.stringify(msg.body);
    expect(text).not.toMatch(/(?<!\\u200b)@(everyone|here)/);
    expect(text).not.toMatch(/<@!?\d+>/);
    expect(text).not.toContain('[the official statement](https://evil.example)');
    const embed = (msg.body.embeds as Array<Record<string, unknown>>)[0]!;
    expect(embed).toMatchObject({ url: 'https://news.example/spy', timestamp: '2026-03-09T14:05:00.000Z', footer: { text: 'Summary from the feed excerpt' } });
    // The other outlet's own headline, linked, its mention broken.
    expect(embed.fields).toContainEqual({ name: 'Also covered by', value: '**Other Wire**: [Spy row widens @\u200beveryone](https://other.example/1)', inline: false });

    await platform.updateStory(CHAN, sent.messageId, { ...story, title: 'Updated' });
    expect(discord.messages[1]).toMatchObject({ kind: 'edit', id: sent.messageId, body: { embeds: [expect.objectContaining({ title: 'Updated' })], allowed_mentions: { parse: [] } } });
    await platform.postDigest(CHAN, { stories: [{ title: 'A', url: 'https://a.example/', source: 'S' }] });
    await platform.postNotice(CHAN, 'Paused @everyone');
    expect(discord.messages[2]!.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(discord.messages[3]!.body).toMatchObject({ content: 'Paused @\u200beveryone', allowed_mentions: { parse: [] } });
  });

  it.each([
    { name: 'Unknown Channel', channel: '719999999999999999', failure: null, kind: 'permanent', scope: 'channel' },
    { name: 'Missing Access', channel: CHAN, failure: { status: 403, code: 50001, message: 'Missing Access' }, kind: 'permanent', scope: 'channel' },
    { name: 'Missing Permissions', channel: CHAN, failure: { status: 403, code: 50013, message: 'Missing Permissions' }, kind: 'permanent', scope: 'channel' },
    { name: 'a non-text channel', channel: CHAN, failure: { status: 400, code: 50008, message: 'Cannot send messages in a non-text channel' }, kind: 'permanent', scope: 'channel' },
    { name: 'a locked thread', channel: CHAN, failure: { status: 403, code: 160005, message: 'Thread is locked' }, kind: 'permanent', scope: 'channel' },
    { name: 'an unrecognised 403', channel: CHAN, failure: { status: 403, code: 99999, message: 'Something new' }, kind: 'permanent', scope: 'channel' },
    { name: 'Invalid Form Body', channel: CHAN, failure: { status: 400, code: 50035, message: 'Invalid Form Body' }, kind: 'permanent', scope: 'message' },
    { name: 'an empty message', channel: CHAN, failure: { status: 400, code: 50006, message: 'Cannot send an empty message' }, kind: 'permanent', scope: 'message' },
    { name: 'Request entity too large', channel: CHAN, failure: { status: 413, code: 40005, message: 'Request entity too large' }, kind: 'permanent', scope: 'message' },
    { name: 'AutoMod blocking the message', channel: CHAN, failure: { status: 400, code: 200000, message: 'Message was blocked by automatic moderation' }, kind: 'permanent', scope: 'message' },
    { name: 'an unrecognised 400', channel: CHAN, failure: { status: 400, code: 99998, message: 'Something new' }, kind: 'permanent', scope: 'message' },
    { name: 'a 502', channel: CHAN, failure: { status: 502, code: 0, message: 'Bad Gateway' }, kind: 'transient', scope: 'channel' },
  ] as const)('classifies a post failing with $name as $kind ($scope)', async ({ channel, failure, kind, scope }) => {
    await setUp();
    if (failure) discord.failNext('POST /channels/:id/messages', failure);
    const err = await platform.postStory(channel, story).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe(kind);
    if (kind === 'permanent') expect((err as DeliveryError).scope).toBe(scope);
    expect((err as DeliveryError).message).toMatch(new RegExp(`^discord: message \\(story\\) to ${channel} failed`));
  });

  it.each([
    { name: 'Unknown Message (the message was deleted)', failure: { status: 404, code: 10008, message: 'Unknown Message' }, scope: 'message' },
    { name: 'a message authored by another user', failure: { status: 403, code: 50005, message: 'Cannot edit a message authored by another user' }, scope: 'message' },
    { name: 'Missing Access', failure: { status: 403, code: 50001, message: 'Missing Access' }, scope: 'channel' },
  ] as const)('classifies an edit failing with $name as permanent ($scope)', async ({ failure, scope }) => {
    await setUp();
    const sent = await platform.postStory(CHAN, story);
    discord.failNext('PATCH /channels/:id/messages/:id', failure);
    const err = await platform.updateStory(CHAN, sent.messageId, story).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ kind: 'permanent', scope });
    // And an edit of a message deleted in the channel meets the real 10008 answer.
    discord.deleteMessage(CHAN, sent.messageId);
    const gone = await platform.updateStory(CHAN, sent.messageId, story).catch((e: unknown) => e);
    expect(gone).toMatchObject({ kind: 'permanent', scope: 'message', message: expect.stringContaining('Unknown Message') });
  });
});
