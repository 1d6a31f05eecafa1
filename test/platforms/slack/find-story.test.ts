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
    platform = createSlackPlatform({ botToken: TOKEN, signingSecret: 'secret-0123456789', appToken: null, socketMode: false, apiUrl: slack.apiUrl, adminUserIds: [], logger: silentLogger(), ackDeadlineMs: 30_000 });
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

  it('reads a busy channel back to when the delivery was queued, page by page, within its bound', async () => {
    const queued = new Date(Date.now() - 1000);
    const a = await platform.postStory('C1', story('Posted before the crash', 'cyberbrief-alert-41'));
    // 450 messages land after it (other bots, people): the latest 100 no longer hold it.
    for (let i = 0; i < 450; i++) await platform.postStory('C1', story(`Busy ${i}`));
    expect(await platform.findStory!('C1', 'cyberbrief-alert-41')).toBeNull();
    const before = slack.calls.length;
    expect(await platform.findStory!('C1', 'cyberbrief-alert-41', undefined, queued)).toEqual(a);
    const reads = slack.calls.slice(before).filter((c) => c.method === 'conversations.history');
    expect(reads.map((c) => [Number(c.args.limit), c.args.cursor ?? null])).toEqual([[200, null], [200, 'page:200'], [200, 'page:400']]);
    // Every read starts at the queueing time less five minutes (clocks disagree), never at the channel's start.
    expect(reads.every((c) => Math.abs(Number(c.args.oldest) - (queued.getTime() - 300_000) / 1000) < 0.001)).toBe(true);
    // Messages older than that time are not read: the search is bounded by time, not by the channel's length.
    expect(await platform.findStory!('C1', 'cyberbrief-alert-41', undefined, new Date(Date.now() + 3_600_000))).toBeNull();
  });
});
