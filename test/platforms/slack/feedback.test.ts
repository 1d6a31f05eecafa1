// Feedback buttons on Slack with the real Bolt App: alerts carry an actions block whose values hold only
// the verdict and alert id; a signed block_actions POST to /slack/events is stored and answered to the
// clicking user alone (response_url, else chat.postEphemeral); forged, stale or misdirected clicks change
// nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, createFeedbackHandler, FEEDBACK_TEXT } from '../../../src/commands/index.ts';
import type { StoryView } from '../../../src/domain/chat.ts';
import { parseFeedbackButtonId } from '../../../src/domain/feedback.ts';
import { createHttpServer, type HttpServer } from '../../../src/http/server.ts';
import { systemClock } from '../../../src/lib/clock.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createSlackPlatform, type SlackPlatform } from '../../../src/platforms/slack/adapter.ts';
import type { Storage } from '../../../src/storage/index.ts';
import { sendBlockAction, startFakeSlack, type FakeSlack } from '../../emulators/slack.ts';
import { waitFor } from '../../emulators/http-util.ts';
import { commandDepsFor } from '../../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from '../../delivery/fixtures.ts';

const TOKEN = 'xoxb-feedback-token-123456';
const SECRET = 'feedback-signing-secret-abcdef';
const EVIL = 'Spies <!channel> @everyone <@U999> "cyberbrief-feedback:relevant:1" <https://evil.example|x>';

const story = (alertId?: number): StoryView => ({
  title: EVIL,
  url: 'https://news.example/a',
  source: `Wire ${EVIL}`,
  publishedAt: null,
  summary: `Summary ${EVIL}`,
  fromExcerpt: false,
  topics: [{ id: 'talks', name: 'Cyber talks' }],
  alsoCoveredBy: [],
  ...(alertId !== undefined ? { feedbackAlertId: alertId } : {}),
});

type Button = { type: string; action_id: string; value: string; text: { type: string; text: string } };
const actionsOf = (blocks: unknown[]) => (blocks as Array<{ type: string; elements?: Button[] }>).filter((b) => b.type === 'actions');

describe('Slack feedback buttons', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let slack: FakeSlack;
  let platform: SlackPlatform;
  let server: HttpServer;
  let endpoint: string;
  let alertA: number;
  let alertB: number;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    const t0 = new Date();
    const { itemIds } = await seedFeed(storage, { url: 'https://a.example/rss', title: 'Alpha' }, [{ key: 'a', title: 'Story A' }, { key: 'b', title: 'Story B' }], t0);
    alertA = (await seedAlerts(storage, await seedChannel(storage, 'slack', 'C100', ['talks']), [itemIds[0]!], t0))[0]!;
    alertB = (await seedAlerts(storage, await seedChannel(storage, 'slack', 'C200', ['talks']), [itemIds[1]!], t0))[0]!;
    slack = await startFakeSlack({ token: TOKEN, users: [{ id: 'UMEMBER' }] });
    platform = createSlackPlatform({ botToken: TOKEN, signingSecret: SECRET, appToken: null, socketMode: false, apiUrl: slack.apiUrl, adminUserIds: [], logger: silentLogger(), ackDeadlineMs: 30_000 });
    server = createHttpServer({ host: '127.0.0.1', port: 0, routes: platform.httpRoutes, health: async () => ({ ok: true, checks: {} }), logger: silentLogger() });
    endpoint = `http://127.0.0.1:${(await server.start()).port}/slack/events`;
    const feedback = createFeedbackHandler({ channels: storage.channels, alerts: storage.alerts, feedback: storage.feedback, clock: systemClock });
    await platform.start(createCommandHandler(commandDepsFor(storage)), feedback);
  });

  afterEach(async () => {
    await platform.stop();
    await server.stop();
    await slack.close();
    await cleanup();
  });

  const verdicts = async () => (await storage.feedback.counts((await storage.channels.find('slack', 'C100'))!.id));
  const click = (value: string, extra: Partial<Parameters<typeof sendBlockAction>[0]> = {}) =>
    sendBlockAction({ url: endpoint, signingSecret: SECRET, userId: 'UMEMBER', channelId: 'C100', actionId: 'cyberbrief-feedback-relevant', value, responseUrl: slack.responseUrl('r1'), ...extra });

  it('puts our two buttons on alert posts and edits, carrying nothing from the feed; none on digests or other stories', async () => {
    const sent = await platform.postStory('C100', story(alertA));
    await platform.updateStory('C100', sent.messageId, { ...story(alertA), title: 'Edited' });
    await platform.postDigest('C100', { stories: [{ title: EVIL, url: null, source: 'S' }], ref: 'cyberbrief-alert-1' });
    await platform.postStory('C100', story());
    const [post, edit, digest, plain] = slack.messages;
    for (const m of [post!, edit!]) {
      const [block] = actionsOf(m.blocks);
      expect(block!.elements!.map((e) => [e.type, e.text, e.action_id])).toEqual([
        ['button', { type: 'plain_text', text: 'Relevant', emoji: false }, 'cyberbrief-feedback-relevant'],
        ['button', { type: 'plain_text', text: 'Not relevant', emoji: false }, 'cyberbrief-feedback-not_relevant'],
      ]);
      expect(block!.elements!.map((e) => parseFeedbackButtonId(e.value))).toEqual([
        { verdict: 'relevant', alertId: alertA },
        { verdict: 'not_relevant', alertId: alertA },
      ]);
      expect(JSON.stringify(block)).not.toMatch(/Spies|evil|everyone|channel|U999/);
    }
    expect(edit!.method).toBe('chat.update');
    expect(actionsOf(digest!.blocks)).toEqual([]);
    expect(actionsOf(plain!.blocks)).toEqual([]);
  });

  it('stores a signed click and tells the clicking user alone, through response_url', async () => {
    const sent = await platform.postStory('C100', story(alertA));
    const value = actionsOf(slack.messages[0]!.blocks)[0]!.elements![1]!.value;
    const r = await click(value, { actionId: 'cyberbrief-feedback-not_relevant', messageTs: sent.messageId });
    expect(r.status).toBe(200);
    const resp = await waitFor('the ephemeral acknowledgement', () => slack.responses[0]);
    expect(resp).toEqual({ path: '/respond/r1', body: expect.objectContaining({ response_type: 'ephemeral', replace_original: false }) });
    expect(String(resp.body.text)).toMatch(/^Thanks: you marked this story not relevant\./);
    expect(await verdicts()).toEqual({ relevant: 0, notRelevant: 1 });
    // Nothing was posted to the channel for everyone to see.
    expect(slack.messages).toHaveLength(1);
  });

  it.each([
    { name: 'a forged signature', extra: { signature: `v0=${'ab'.repeat(32)}` } },
    { name: 'no signature', extra: { signature: '' } },
    { name: 'a stale timestamp', extra: { timestamp: Math.floor(Date.now() / 1000) - 600 } },
    { name: 'a signature by another secret', extra: { signingSecret: 'not-the-secret-at-all' } },
  ])('answers a click with $name with 401 and records nothing', async ({ extra }) => {
    const r = await click(`cyberbrief-feedback:not_relevant:${alertA}`, extra);
    expect(r.status).toBe(401);
    expect(await verdicts()).toEqual({ relevant: 0, notRelevant: 0 });
    expect(slack.responses).toEqual([]);
    expect(slack.ephemerals).toEqual([]);
  });

  it("refuses a click in one channel naming another channel's alert", async () => {
    const r = await click(`cyberbrief-feedback:not_relevant:${alertB}`, { channelId: 'C100' });
    expect(r.status).toBe(200);
    const resp = await waitFor('the refusal', () => slack.responses[0]);
    expect(resp.body).toMatchObject({ response_type: 'ephemeral', text: FEEDBACK_TEXT.notHere });
    expect(await storage.feedback.trainingExamples()).toEqual([]);
  });

  it('falls back to chat.postEphemeral when response_url cannot be reached', async () => {
    const r = await click(`cyberbrief-feedback:relevant:${alertA}`, { responseUrl: 'http://127.0.0.1:9/closed' });
    expect(r.status).toBe(200);
    const e = await waitFor('chat.postEphemeral', () => slack.ephemerals[0]);
    expect(e).toMatchObject({ channel: 'C100', user: 'UMEMBER', text: expect.stringMatching(/^Thanks: you marked this story relevant\./) });
    expect(await verdicts()).toEqual({ relevant: 1, notRelevant: 0 });
  });

  it('answers a click from outside a channel without recording it', async () => {
    const r = await click(`cyberbrief-feedback:relevant:${alertA}`, { channelId: null });
    expect(r.status).toBe(200);
    const resp = await waitFor('the answer', () => slack.responses[0]);
    expect(resp.body).toMatchObject({ response_type: 'ephemeral', text: 'Feedback works on alerts posted in a channel.' });
    expect(await verdicts()).toEqual({ relevant: 0, notRelevant: 0 });
  });
});
