// Feedback buttons on Discord with the real discord.js client: alerts carry an action row whose custom
// ids hold only the verdict and alert id; a MESSAGE_COMPONENT interaction is stored and answered with an
// ephemeral reply (flag 64); misdirected or unreadable clicks change nothing; other apps' buttons are
// left alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, createFeedbackHandler, FEEDBACK_TEXT } from '../../../src/commands/index.ts';
import type { ChatPlatform, StoryView } from '../../../src/domain/chat.ts';
import { parseFeedbackButtonId } from '../../../src/domain/feedback.ts';
import { systemClock } from '../../../src/lib/clock.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createDiscordPlatform } from '../../../src/platforms/discord/adapter.ts';
import type { Storage } from '../../../src/storage/index.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../../emulators/discord.ts';
import { waitFor } from '../../emulators/http-util.ts';
import { commandDepsFor } from '../../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from '../../delivery/fixtures.ts';

const TOKEN = 'discord-feedback-token.abcdef.123456';
const APP = '800000000000000005';
const GUILD = '700000000000000005';
const CHAN = '710000000000000005';
const OTHER = '710000000000000006';
const MEMBER = PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages;
const USER = '600000000000000005';
const EVIL = 'Spies @everyone <@123456789012345678> [statement](https://evil.example) cyberbrief-feedback:relevant:1';

const story = (alertId?: number): StoryView => ({
  title: EVIL,
  url: 'https://news.example/a',
  source: `Wire ${EVIL}`,
  publishedAt: null,
  summary: `Summary ${EVIL}`,
  fromExcerpt: false,
  topics: [],
  alsoCoveredBy: [],
  ...(alertId !== undefined ? { feedbackAlertId: alertId } : {}),
});

type Row = { type: number; components: Array<{ type: number; style: number; label: string; custom_id: string }> };

describe('Discord feedback buttons', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let discord: FakeDiscord;
  let platform: ChatPlatform;
  let alertA: number;
  let alertB: number;
  let chA: number;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    const t0 = new Date();
    const { itemIds } = await seedFeed(storage, { url: 'https://a.example/rss', title: 'Alpha' }, [{ key: 'a', title: 'Story A' }, { key: 'b', title: 'Story B' }], t0);
    chA = await seedChannel(storage, 'discord', CHAN, ['talks']);
    alertA = (await seedAlerts(storage, chA, [itemIds[0]!], t0))[0]!;
    alertB = (await seedAlerts(storage, await seedChannel(storage, 'discord', OTHER, ['talks']), [itemIds[1]!], t0))[0]!;
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APP, guilds: [{ id: GUILD, name: 'Test', channels: [{ id: CHAN, name: 'news' }, { id: OTHER, name: 'other' }] }] });
    platform = createDiscordPlatform({ token: TOKEN, applicationId: APP, devGuildId: GUILD, apiUrl: discord.apiUrl, logger: silentLogger(), readyTimeoutMs: 30_000, deferAfterMs: 30_000 });
    const feedback = createFeedbackHandler({ channels: storage.channels, alerts: storage.alerts, feedback: storage.feedback, clock: systemClock });
    await platform.start(createCommandHandler(commandDepsFor(storage)), feedback);
  });

  afterEach(async () => {
    await platform.stop();
    await discord.close();
    await cleanup();
  });

  const replyTo = (id: string) => waitFor(`the reply to interaction ${id}`, () => discord.interactionReplies.find((r) => r.interactionId === id));
  const press = (customId: string, channelId = CHAN, messageId?: string) =>
    discord.sendComponentInteraction({ guildId: GUILD, channelId, userId: USER, permissions: MEMBER, customId, ...(messageId ? { messageId } : {}) });

  it('puts our two buttons on alert posts and edits, carrying nothing from the feed; none on digests or other stories', async () => {
    const sent = await platform.postStory(CHAN, story(alertA));
    await platform.updateStory(CHAN, sent.messageId, { ...story(alertA), title: 'Edited' });
    await platform.postDigest(CHAN, { stories: [{ title: EVIL, url: null, source: 'S' }], ref: 'cyberbrief-alert-1' });
    await platform.postStory(CHAN, story());
    const [post, edit, digest, plain] = discord.messages;
    for (const m of [post!, edit!]) {
      const rows = m.body.components as Row[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.type).toBe(1);
      expect(rows[0]!.components.map((c) => [c.type, c.style, c.label])).toEqual([
        [2, 3, 'Relevant'],
        [2, 2, 'Not relevant'],
      ]);
      expect(rows[0]!.components.map((c) => parseFeedbackButtonId(c.custom_id))).toEqual([
        { verdict: 'relevant', alertId: alertA },
        { verdict: 'not_relevant', alertId: alertA },
      ]);
      expect(JSON.stringify(rows)).not.toMatch(/Spies|evil|everyone|statement/);
      expect(m.body.allowed_mentions).toEqual({ parse: [] });
    }
    expect(edit!.kind).toBe('edit');
    expect(digest!.body.components).toBeUndefined();
    expect(plain!.body.components).toBeUndefined();
  });

  it('stores a click and answers the member alone with an ephemeral reply', async () => {
    const sent = await platform.postStory(CHAN, story(alertA));
    const customId = (discord.messages[0]!.body.components as Row[])[0]!.components[1]!.custom_id;
    const r = await replyTo(press(customId, CHAN, sent.messageId));
    expect(r.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] }, content: expect.stringMatching(/^Thanks: you marked this story not relevant\./) } });
    expect(await storage.feedback.counts(chA)).toEqual({ relevant: 0, notRelevant: 1 });
    // Nothing was posted to the channel for everyone to see.
    expect(discord.messages).toHaveLength(1);
  });

  it.each([
    { name: "another channel's alert", customId: () => `cyberbrief-feedback:not_relevant:${alertB}`, text: FEEDBACK_TEXT.notHere },
    { name: 'a malformed id', customId: () => 'cyberbrief-feedback:not_relevant:1e3', text: FEEDBACK_TEXT.unreadable },
    { name: 'an id with extra parts', customId: () => `cyberbrief-feedback:relevant:${alertA}:${OTHER}`, text: FEEDBACK_TEXT.unreadable },
  ])('refuses a click naming $name and records nothing', async ({ customId, text }) => {
    const r = await replyTo(press(customId()));
    expect(r.body).toMatchObject({ type: 4, data: { flags: 64, content: text } });
    expect(await storage.feedback.trainingExamples()).toEqual([]);
  });

  it("leaves another app's buttons alone", async () => {
    const foreign = press('someone-else:vote:1');
    // Interactions are handled in order: once the next click is answered, the foreign one was seen.
    await replyTo(press(`cyberbrief-feedback:relevant:${alertA}`));
    expect(discord.interactionReplies.find((r) => r.interactionId === foreign)).toBeUndefined();
    expect(await storage.feedback.counts(chA)).toEqual({ relevant: 1, notRelevant: 0 });
  });
});
