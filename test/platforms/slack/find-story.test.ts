// The Slack adapter recognises a story it posted earlier by the delivery ref in the message metadata, so
// the dispatcher does not post it twice after a crash. Real WebClient against the fake Slack Web API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoryView } from '../../../src/domain/chat.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { createSlackPlatform, type SlackPlatform } from '../../../src/platforms/slack/adapter.ts';
import { startFakeSlack, type FakeSlack } from '../../emulators/slack.ts';

const TOKEN = 'xoxb-test-token-find-story';

const story = (title: string, ref?: string): StoryView => ({
  title, url: null, source: 'Example News', publishedAt: null, summary: 'S.', fromExcerpt: true, topics: [], alsoCoveredBy: [], ...(ref ? { ref } : {}),
});

describe('Slack adapter findStory', () => {
  let slack: FakeSlack;
  let platform: SlackPlatform;

  beforeEach(async () => {
    slack = await startFakeSlack({ token: TOKEN });
    platform = createSlackPlatform({ botToken: TOKEN, signingSecret: 'secret-0123456789', appToken: null, socketMode: false, apiUrl: slack.apiUrl, adminUserIds: [], logger: silentLogger() });
    await platform.start(async () => ({ text: '', ephemeral: true }));
  });
  afterEach(async () => {
    await platform.stop();
    await slack.close();
  });

  it('sends the ref as message metadata and finds the message by it', async () => {
    const a = await platform.postStory('C1', story('First', 'cyberbrief-alert-1'));
    await platform.postStory('C1', story('Second', 'cyberbrief-alert-2'));
    await platform.postStory('C2', story('Elsewhere', 'cyberbrief-alert-3'));
    await platform.postStory('C1', story('No ref'));
    expect(slack.messages[0]!.args.metadata).toEqual({ event_type: 'cyberbrief_alert', event_payload: { ref: 'cyberbrief-alert-1' } });
    expect(await platform.findStory!('C1', 'cyberbrief-alert-1')).toEqual(a);
    expect(await platform.findStory!('C1', 'cyberbrief-alert-3')).toBeNull();
    expect(await platform.findStory!('C1', 'cyberbrief-alert-9')).toBeNull();
    const digest = await platform.postDigest('C1', { stories: [{ title: 'X', url: null, source: 'S' }], ref: 'cyberbrief-alert-7' });
    expect(await platform.findStory!('C1', 'cyberbrief-alert-7')).toEqual(digest);
  });
});
