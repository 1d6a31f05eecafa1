// Socket Mode: the real Bolt SocketModeReceiver opens its websocket through apps.connections.open on the
// fake Slack (SLACK_API_URL is honoured there too) and answers slash-command envelopes with its ack.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, createFeedbackHandler } from '../../../src/commands/index.ts';
import { systemClock } from '../../../src/lib/clock.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createSlackPlatform, type SlackPlatform } from '../../../src/platforms/slack/adapter.ts';
import type { Storage } from '../../../src/storage/index.ts';
import { waitFor } from '../../emulators/http-util.ts';
import { startFakeSlack, type FakeSlack } from '../../emulators/slack.ts';
import { commandDepsFor } from '../../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from '../../delivery/fixtures.ts';

const TOKEN = 'xoxb-socket-token-123456';
const APP_TOKEN = 'xapp-1-socket-token-123456';

describe('Slack adapter in Socket Mode', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let slack: FakeSlack;
  let platform: SlackPlatform;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    slack = await startFakeSlack({ token: TOKEN, appToken: APP_TOKEN, users: [{ id: 'UOWNER', is_owner: true }, { id: 'UMEMBER' }] });
    platform = createSlackPlatform({ botToken: TOKEN, signingSecret: null, appToken: APP_TOKEN, socketMode: true, apiUrl: slack.apiUrl, adminUserIds: [], logger: silentLogger(), ackDeadlineMs: 30_000 });
    const feedback = createFeedbackHandler({ channels: storage.channels, alerts: storage.alerts, feedback: storage.feedback, clock: systemClock });
    await platform.start(createCommandHandler(commandDepsFor(storage)), feedback);
    await waitFor('the Socket Mode connection', () => slack.socketConnections > 0);
  });

  afterEach(async () => {
    await platform.stop();
    await slack.close();
    await cleanup();
  });

  it('mounts no HTTP route and connects with the app token', () => {
    expect(platform.httpRoutes).toEqual([]);
    expect(slack.calls.find((c) => c.method === 'apps.connections.open')!.token).toBe(APP_TOKEN);
  });

  it.each([
    { who: 'an owner', user: 'UOWNER', reply: /^This channel now follows Cyber talks\./, stored: ['talks'] },
    { who: 'a member', user: 'UMEMBER', reply: /^Sorry, only workspace admins and owners/, stored: null },
  ])('answers $who with the acknowledgement', async ({ user, reply, stored }) => {
    const ack = await slack.sendSocketSlashCommand({ text: 'subscribe talks', userId: user, channelId: 'C300' });
    expect(ack).toMatchObject({ text: expect.stringMatching(reply) });
    const ch = await storage.channels.find('slack', 'C300');
    expect(ch ? await storage.channels.subscriptions(ch.id) : null).toEqual(stored);
  });

  it('takes a feedback click over the socket and answers the user alone', async () => {
    const t0 = new Date();
    const { itemIds } = await seedFeed(storage, { url: 'https://a.example/rss', title: 'Alpha' }, [{ key: 'a', title: 'Story A' }], t0);
    const channelId = await seedChannel(storage, 'slack', 'C300', ['talks']);
    const [alertId] = await seedAlerts(storage, channelId, itemIds, t0);
    await slack.sendSocketBlockAction({ userId: 'UMEMBER', channelId: 'C300', actionId: 'cyberbrief-feedback-not_relevant', value: `cyberbrief-feedback:not_relevant:${alertId}`, responseUrl: slack.responseUrl('s1') });
    const resp = await waitFor('the ephemeral acknowledgement', () => slack.responses[0]);
    expect(resp.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(/^Thanks: you marked this story not relevant\./) });
    expect(await storage.feedback.counts(channelId)).toEqual({ relevant: 0, notRelevant: 1 });
  });
});
