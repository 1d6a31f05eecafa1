// /news why over real storage and the real topic matcher (the explain port as main.ts wires it today), on
// SQLite and PostgreSQL: a story found by any spelling of its link (the feeds' canonical form) or by one
// of this channel's alert numbers, explained ephemerally; anything else gets one sentence.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createCommandHandler, relevanceExplainer } from '../../src/commands/index.ts';
import { loadTopicsFile } from '../../src/config/topics.ts';
import { loadRelevance } from '../../src/matching/load-relevance.ts';
import { explanationText, WHY_ARG_MAX } from '../../src/commands/why.ts';
import { REPLY_TEXT_MAX } from '../../src/commands/reply-size.ts';
import type { Topic } from '../../src/domain/types.ts';
import { replyMessages as discordReplyMessages } from '../../src/platforms/discord/reply-messages.ts';
import { replyMessages as slackReplyMessages } from '../../src/platforms/slack/blocks.ts';
import type { Command, CommandHandler } from '../../src/domain/chat.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';

notePostgresSkip();

const TAKES = "/news why takes a story's link \\(copy it from the alert\\), e\\.g\\. /news why https://example\\.com/story, or the number of one of this channel's alerts, e\\.g\\. /news why 42\\.";
const SPY_TITLE = 'Ministry says state hackers ran cyberespionage @everyone';

function why(arg: string, channelId = 'C1'): Command {
  return { platform: 'slack', workspaceId: 'W1', channelId, channelName: 'news', userId: 'U1', userIsAdmin: false, userCanManageChannel: false,
    userIsOperator: false, name: 'why', args: arg ? [arg] : [], text: `why ${arg}` };
}

describe.each(testDatabases)('/news why on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;
  let items: number[];

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    const t0 = new Date('2026-03-01T00:00:00Z');
    const seeded = await seedFeed(
      storage,
      { url: 'https://a.example/rss', title: 'Alpha' },
      [
        { key: 'spy', title: SPY_TITLE, summary: 'Officials said the spying lasted years.', url: 'https://news.example/spy?id=7' },
        { key: 'sport', title: 'Local team wins the cup', summary: 'A late goal.', url: 'https://news.example/sport' },
        { key: 'bare', title: 'Cyber talks resume', url: 'https://news.example/bare' },
      ],
      t0,
    );
    items = seeded.itemIds;
    handle = createCommandHandler(commandDepsFor(storage));
  });
  afterEach(async () => cleanup());

  it.each([
    { name: 'its canonical link', arg: 'https://news.example/spy?id=7' },
    { name: 'a link with tracking parameters and a fragment', arg: 'https://news.example/spy?utm_source=x&id=7#comments' },
    { name: "Slack's <link|label> form", arg: '<https://news.example/spy?id=7|the story>' },
    { name: "Discord's <link> form", arg: '<https://news.example/spy?id=7>' },
    { name: 'an upper-case host and default port', arg: 'https://NEWS.example:443/spy?id=7' },
    { name: 'a link in brackets, as copied from a sentence', arg: '(https://news.example/spy?id=7)' },
    { name: 'a link with the full stop of its sentence', arg: 'https://news.example/spy?id=7.' },
    { name: 'a link without its scheme', arg: 'news.example/spy?id=7' },
    { name: 'a link without its scheme, from a sentence', arg: 'news.example/spy?id=7.' },
  ])('explains a stored story found by $name, to the caller only', async ({ arg }) => {
    const r = await handle(why(arg));
    expect(r.ephemeral).toBe(true);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('Why this story is or is not in scope (scored now, with the current topics):');
    expect(lines[1]).toMatch(/^In scope: State cyberespionage \(score \d+(\.\d+)?\) matched\.$/);
    expect(lines).toContainEqual(expect.stringMatching(/^• State cyberespionage: matched, score \d+: "cyberespionage" in title \(\+\d/));
    expect(lines).toContain('1 other topic: none of its terms appear.');
    // Feed text travels in the story card (escaped by each adapter), never in the reply text.
    expect(r.text).not.toContain('@everyone');
    expect(r.stories).toHaveLength(1);
    // Not summarised yet: the feed's own summary, as /news latest shows it (latest.ts shownSummary).
    expect(r.stories![0]).toMatchObject({ title: SPY_TITLE, url: 'https://news.example/spy?id=7', source: 'Alpha', summary: 'Officials said the spying lasted years.', fromExcerpt: true, topics: [{ id: 'espionage', name: 'State cyberespionage' }] });
  });

  it('says when a story is out of scope, and when only its title is stored', async () => {
    const sport = await handle(why('https://news.example/sport'));
    expect(sport.text.split('\n')[1]).toBe('Out of scope: no topic reached its threshold.');
    expect(sport.text).toContain('2 other topics: none of their terms appear.');
    const bare = await handle(why('https://news.example/bare'));
    expect(bare.text).toContain('Only the title is stored for this story, so it was scored on the title alone.');
  });

  it.each([
    { name: 'an unknown link', arg: 'https://news.example/never-seen', want: /^No stored story has that link: \/news why knows the stories the bot has read from its feeds/ },
    { name: 'an unknown link without its scheme', arg: 'www.news.example/never-seen', want: /^No stored story has that link: / },
    // Anything else gets a sentence fitted to what was typed, and what why takes, with examples.
    { name: 'a pasted 16-digit id', arg: '1234567890123456', want: new RegExp(`^"1234567890123456" is too long to be an alert number, and it is not a link: ${TAKES}$`) },
    { name: 'a Discord message id', arg: '1187654321098765432', want: /^"1187654321098765432" is too long to be an alert number, and it is not a link: \/news why takes a story's link/ },
    { name: 'another scheme', arg: 'javascript:alert(1)', want: new RegExp(`^"javascript:alert\\(1\\)" is not a web link \\(it starts with javascript:, not https:\\): ${TAKES}$`) },
    { name: 'an ftp link', arg: 'ftp://news.example/spy', want: /^"ftp:\/\/news\.example\/spy" is not a web link \(it starts with ftp:, not https:\): / },
    { name: 'a word', arg: 'espionage', want: new RegExp(`^"espionage" is neither a link nor an alert number: ${TAKES}$`) },
    { name: 'a negative number', arg: '-5', want: /^"-5" is neither a link nor an alert number: / },
    { name: 'a decimal', arg: '12.5', want: /^"12\.5" is neither a link nor an alert number: / },
    { name: 'a number and letters', arg: '12abc', want: /^"12abc" is neither a link nor an alert number: / },
    { name: 'a Slack user mention', arg: '<@U123ABC>', want: /^"@U123ABC" is neither a link nor an alert number: / },
    // What was typed is quoted cut to 80 characters, an emoji at the cut whole (never half of it).
    { name: 'a long word with an emoji at the cut', arg: `${'x'.repeat(78)}😀${'y'.repeat(10)}`, want: new RegExp(`^"${'x'.repeat(78)}😀…" is neither a link nor an alert number: `) },
    { name: 'nothing', arg: '', want: /^Usage: \/news why <link or alert number>, e\.g\./ },
    { name: 'two links', arg: 'https://news.example/spy?id=7 https://news.example/sport', want: /^Give one link or alert number at a time; usage: \/news why <link or alert number>\.$/ },
    { name: 'a link and a word', arg: 'https://news.example/spy?id=7 please', want: /^Give one link or alert number at a time/ },
    { name: 'an overlong link', arg: `https://news.example/${'a'.repeat(WHY_ARG_MAX)}`, want: new RegExp(`^That link is longer than ${WHY_ARG_MAX} characters`) },
  ])('answers $name with one sentence', async ({ arg, want }) => {
    const r = await handle(why(arg));
    expect(r.ephemeral).toBe(true);
    expect(r.text).toMatch(want);
    expect(r.text.split('\n')).toHaveLength(1);
    expect(r.stories ?? []).toEqual([]);
  });

  it("explains one of this channel's alerts by number, and no other channel's", async () => {
    const mine = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const theirs = await seedChannel(storage, 'slack', 'C2', ['espionage']);
    const [a] = await seedAlerts(storage, mine, [items[0]!], new Date());
    const [b] = await seedAlerts(storage, theirs, [items[1]!], new Date());
    const r = await handle(why(String(a)));
    expect(r.text.split('\n')[1]).toMatch(/^In scope: State cyberespionage/);
    expect(r.stories![0]!.title).toBe(SPY_TITLE);
    expect((await handle(why(String(b)))).text).toBe(`There is no alert ${b} in this channel; give the story's link instead.`);
    expect((await handle(why('999999'))).text).toBe("There is no alert 999999 in this channel; give the story's link instead.");
    // As alerts are often written: #42.
    expect((await handle(why(`#${a}`))).text.split('\n')[1]).toMatch(/^In scope: State cyberespionage/);
  });

  it('is listed by help and says so when no scorer is wired in', async () => {
    expect((await handle({ ...why(''), name: 'help', text: 'help' })).text).toContain('/news why <link or alert number>: ');
    const bare = createCommandHandler({ ...commandDepsFor(storage), explain: undefined });
    expect((await bare(why('https://news.example/spy?id=7'))).text).toBe('/news why is not available in this deployment (no story lookup or scorer is wired in).');
  });

  it("does not show another workspace's own feed's story, and shows it to that workspace", async () => {
    const t0 = new Date('2026-03-02T00:00:00Z');
    const { feed } = await storage.feeds.addForTenant({ url: 'https://b.example/rss', source: 'user' }, { platform: 'slack', workspaceId: 'W2' }, 'U9', t0);
    await storage.items.storeForFeed(feed.id, [{ feedId: feed.id, key: 'b1', guid: null, url: 'https://b.example/private-story', title: 'State hackers hit ministry', summary: 'Cyberespionage.', content: '', html: null, author: null, publishedAt: t0, contentHash: 'h-b1' }], { fetchedAt: t0 });
    const other = await handle(why('https://b.example/private-story'));
    expect(other.text).toMatch(/^No stored story has that link/);
    const own = await handle({ ...why('https://b.example/private-story'), workspaceId: 'W2' });
    expect(own.text.split('\n')[0]).toBe('Why this story is or is not in scope (scored now, with the current topics):');
  });

  it('explains with the relevance scorer as main.ts wires it: the score against the threshold and the model reasons', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const topics = await loadTopicsFile(path.join(root, 'config', 'topics.yaml'));
    const { scorer } = await loadRelevance(topics, { scorer: 'model', model_file: path.join(root, 'config', 'relevance-model.json'), actors_file: path.join(root, 'config', 'threat-actors.jsonl') });
    const t0 = new Date('2026-03-03T00:00:00Z');
    await seedFeed(storage, { url: 'https://c.example/rss', title: 'Gamma' }, [{ key: 'fs', title: 'FamousSparrow hackers breach foreign ministry networks', summary: 'The espionage campaign stole diplomatic cables.', url: 'https://news.example/fs' }], t0);
    const withScorer = createCommandHandler({ ...commandDepsFor(storage), topics, explain: relevanceExplainer(scorer, topics) });
    const r = await withScorer(why('https://news.example/fs'));
    const lines = r.text.split('\n');
    expect(lines[1]).toMatch(/^In scope: relevance 0\.\d\d reaches the threshold 0\.\d\d; filed under .+\.$/);
    expect(lines[2]).toMatch(/^Relevance score: 0\.\d+\.$/);
    expect(lines[3]).toMatch(/^Reasons: .*FamousSparrow: China-linked group \(MISP galaxy\)/);
    const sport = await withScorer(why('https://news.example/sport'));
    expect(sport.text.split('\n')[1]).toMatch(/^Out of scope: relevance 0\.\d\d is below the threshold 0\.\d\d\.$/);
  });
});

// An explanation longer than one Discord message (many topics with reasons) is no longer cut at 1,900
// characters: it takes what the platforms' splitting allows, and what is still left out is counted.
describe('explanationText length', () => {
  const topicsOf = (n: number): Topic[] => Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, name: `Topic number ${i + 1}`, description: '', terms: [{ term: `x${i + 1}`, weight: 1 }], threshold: 1 }));
  const explanation = (n: number) => ({
    inScope: true, score: null, summary: 'In scope: matched.', reasons: [],
    topics: topicsOf(n).map((t, i) => ({ id: t.id, matched: i % 2 === 0, score: 3, reasons: [`"cyber term ${i + 1}" in the title (+3)`, `"another term ${i + 1}" in the text (+1)`] })),
  });
  it.each([
    { name: '30 topics (over 1,900 characters): whole', topics: 30, leftOut: 0 },
    { name: '300 topics: a count of the lines left out', topics: 300, leftOut: null },
  ])('$name', ({ topics, leftOut }) => {
    const text = explanationText(explanation(topics), topicsOf(topics), false);
    expect(text.length).toBeLessThanOrEqual(REPLY_TEXT_MAX);
    const topicLines = text.split('\n').filter((l) => l.startsWith('• '));
    if (leftOut === 0) {
      expect(text.length).toBeGreaterThan(1900);
      expect(topicLines).toHaveLength(topics);
      expect(text).not.toMatch(/not shown/);
    } else {
      expect(text.split('\n').at(-1)).toBe(`…${topics - topicLines.length} more lines not shown.`);
      // On both platforms the answer ends with that count, with the story card after it, and nothing is cut by the adapter.
      const reply = { text, ephemeral: true, stories: [{ title: 'T', url: 'https://news.example/t', source: 'S', publishedAt: null, summary: 's', fromExcerpt: false, topics: [], alsoCoveredBy: [] }] };
      const discord = discordReplyMessages(reply);
      expect(discord.length).toBeLessThanOrEqual(5);
      expect(discord.at(-1)!.content).toMatch(/…\d+ more lines not shown\.$/);
      expect(discord.at(-1)!.embeds).toHaveLength(1);
      expect(discord.map((m) => m.content).join('\n')).not.toMatch(/Discord takes at most/);
      const slack = slackReplyMessages(reply);
      const texts = slack.flatMap((m) => m.blocks.map((b) => (b as { text?: { text: string } }).text?.text ?? ''));
      expect(texts.find((t) => /more lines not shown/.test(t))).toMatch(/…\d+ more lines not shown\.$/);
      expect(texts.join('\n')).not.toMatch(/Slack takes at most/);
    }
  });
});

describe('explanationText: the relevance score', () => {
  // With two decimals always, as the decision line above it gives it ("relevance 1.00", then "1.00", not "1").
  it.each([
    [1, 'Relevance score: 1.00.'],
    [0, 'Relevance score: 0.00.'],
    [0.617, 'Relevance score: 0.62.'],
  ])('%s -> %s', (score, want) => {
    const text = explanationText({ inScope: score > 0.5, score, summary: 'In scope.', topics: [], reasons: [] }, [], false);
    expect(text.split('\n')[2]).toBe(want);
  });
});
