// The feedback buttons' handler over real storage, on SQLite and PostgreSQL: a click is stored once per
// (channel, story, user) and answered in one sentence; a button that cannot be read, or that names an
// alert of another channel (or platform), records nothing. /news status shows the channel's counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, createFeedbackHandler, FEEDBACK_TEXT } from '../../src/commands/index.ts';
import type { Command, FeedbackClick, FeedbackHandler } from '../../src/domain/chat.ts';
import { feedbackButtonId } from '../../src/domain/feedback.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';

notePostgresSkip();

describe.each(testDatabases)('feedback clicks on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: FeedbackHandler;
  const clock = fixedClock('2026-03-10T12:00:00Z');
  let alertA: number;
  let alertB: number;
  let alertDiscord: number;
  let chA: number;

  const click = (over: Partial<FeedbackClick> & { buttonId: string }): Promise<{ text: string }> =>
    handle({ platform: 'slack', workspaceId: 'W1', channelId: 'CA', userId: 'U1', ...over });
  const stored = async () => {
    const [a, b] = await Promise.all([storage.feedback.trainingExamples(), storage.feedback.counts(chA)]);
    return { examples: a.length, countsA: b };
  };

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    clock.set('2026-03-10T12:00:00Z');
    const t0 = clock.now();
    const { itemIds } = await seedFeed(storage, { url: 'https://a.example/rss', title: 'Alpha' }, [1, 2, 3].map((n) => ({ key: `k${n}`, title: `Story ${n}` })), t0);
    chA = await seedChannel(storage, 'slack', 'CA', ['espionage']);
    const chB = await seedChannel(storage, 'slack', 'CB', ['espionage']);
    // A Discord channel whose id happens to equal the Slack channel's.
    const chD = await seedChannel(storage, 'discord', 'CA', ['espionage']);
    alertA = (await seedAlerts(storage, chA, [itemIds[0]!], t0))[0]!;
    alertB = (await seedAlerts(storage, chB, [itemIds[1]!], t0))[0]!;
    alertDiscord = (await seedAlerts(storage, chD, [itemIds[2]!], t0))[0]!;
    handle = createFeedbackHandler({ channels: storage.channels, alerts: storage.alerts, feedback: storage.feedback, clock });
  });
  afterEach(async () => cleanup());

  it.each([
    { name: 'a malformed id', over: () => ({ buttonId: 'cyberbrief-feedback:relevant:abc' }), text: FEEDBACK_TEXT.unreadable },
    { name: 'an id of another app', over: () => ({ buttonId: `other:relevant:${alertA}` }), text: FEEDBACK_TEXT.unreadable },
    { name: 'an oversized id', over: () => ({ buttonId: `cyberbrief-feedback:relevant:${alertA}${'0'.repeat(5000)}` }), text: FEEDBACK_TEXT.unreadable },
    { name: 'no user', over: () => ({ buttonId: feedbackButtonId('relevant', alertA), userId: '' }), text: FEEDBACK_TEXT.unreadable },
    { name: 'an oversized user id', over: () => ({ buttonId: feedbackButtonId('relevant', alertA), userId: 'U'.repeat(101) }), text: FEEDBACK_TEXT.unreadable },
    { name: "another channel's alert", over: () => ({ buttonId: feedbackButtonId('not_relevant', alertB) }), text: FEEDBACK_TEXT.notHere },
    { name: 'an alert of a channel with the same id on another platform', over: () => ({ buttonId: feedbackButtonId('not_relevant', alertDiscord) }), text: FEEDBACK_TEXT.notHere },
    { name: 'a channel the bot never saw', over: () => ({ buttonId: feedbackButtonId('relevant', alertA), channelId: 'CNEW' }), text: FEEDBACK_TEXT.notHere },
    { name: 'an alert that does not exist', over: () => ({ buttonId: feedbackButtonId('relevant', 999_999) }), text: FEEDBACK_TEXT.notHere },
  ])('refuses $name and records nothing', async ({ over, text }) => {
    expect(await click(over())).toEqual({ text });
    expect(await stored()).toEqual({ examples: 0, countsA: { relevant: 0, notRelevant: 0 } });
    // No alert was muted by the refused click.
    const rows = await storage.alerts.list();
    for (const r of rows) expect(await storage.alerts.requestUpdate(r.channelId, r.clusterId, clock.now())).toBe(true);
  });

  it('records a verdict, replaces it on a second click, and says so to the user', async () => {
    const first = await click({ buttonId: feedbackButtonId('relevant', alertA) });
    expect(first.text).toBe('Thanks: you marked this story relevant. Its message in this channel keeps getting updates.');
    const again = await click({ buttonId: feedbackButtonId('relevant', alertA) });
    expect(again.text).toBe('You had already marked this story relevant; nothing changed.');
    const changed = await click({ buttonId: feedbackButtonId('not_relevant', alertA) });
    expect(changed.text).toBe(
      'Thanks: you marked this story not relevant. Its message in this channel will no longer be updated; anyone here can mark it Relevant to resume updates. This replaces your earlier verdict.',
    );
    expect(await stored()).toEqual({ examples: 1, countsA: { relevant: 0, notRelevant: 1 } });
    const alert = (await storage.alerts.get(alertA))!;
    expect(await storage.feedback.verdictOf(chA, alert.clusterId, 'U1')).toBe('not_relevant');
    // Muted: the story's message in this channel takes no more edit requests.
    expect(await storage.alerts.requestUpdate(chA, alert.clusterId, clock.now())).toBe(false);
  });

  it.each([
    {
      name: 'a repeated Relevant after another user\'s Not relevant resumes updates and says so',
      clicks: [['U1', 'relevant'], ['U2', 'not_relevant'], ['U1', 'relevant']] as const,
      text: 'You had already marked this story relevant; someone here had since marked it not relevant, so its message in this channel gets updates again.',
      muted: false,
    },
    {
      name: 'a repeated Not relevant after another user\'s Relevant stops updates again and says so',
      clicks: [['U1', 'not_relevant'], ['U2', 'relevant'], ['U1', 'not_relevant']] as const,
      text: 'You had already marked this story not relevant; someone here had since marked it relevant, so its message in this channel will no longer be updated.',
      muted: true,
    },
    {
      name: 'a first Relevant on a story another user muted says updates resume',
      clicks: [['U2', 'not_relevant'], ['U1', 'relevant']] as const,
      text: 'Thanks: you marked this story relevant. Its message in this channel gets updates again (someone here had marked it not relevant).',
      muted: false,
    },
    {
      name: 'a repeated Relevant with nothing in between changes nothing',
      clicks: [['U2', 'relevant'], ['U1', 'relevant'], ['U1', 'relevant']] as const,
      text: 'You had already marked this story relevant; nothing changed.',
      muted: false,
    },
  ])('$name', async ({ clicks, text, muted }) => {
    let last = '';
    for (const [userId, verdict] of clicks) last = (await click({ buttonId: feedbackButtonId(verdict, alertA), userId })).text;
    expect(last).toBe(text);
    const alert = (await storage.alerts.get(alertA))!;
    expect(await storage.alerts.requestUpdate(chA, alert.clusterId, clock.now())).toBe(!muted);
  });

  it('shows the channel\'s feedback counts in /news status', async () => {
    const status: Command = { platform: 'slack', workspaceId: 'W1', channelId: 'CA', channelName: 'a', userId: 'U9', userIsAdmin: false, userCanManageChannel: false,
    userIsOperator: false, name: 'status', args: [], text: 'status' };
    const statusHandler = createCommandHandler({ ...commandDepsFor(storage), clock });
    expect((await statusHandler(status)).text).toContain('Feedback: none yet (use the Relevant / Not relevant buttons on alerts).');

    await click({ buttonId: feedbackButtonId('not_relevant', alertA), userId: 'U1' });
    clock.advance(40 * 86_400_000);
    await click({ buttonId: feedbackButtonId('relevant', alertA), userId: 'U2' });
    await click({ buttonId: feedbackButtonId('relevant', alertA), userId: 'U3' });
    expect((await statusHandler(status)).text).toContain('Feedback: 2 relevant, 0 not relevant in the last 30 days; 2 relevant, 1 not relevant in all.');
    // Another channel's status counts its own verdicts only.
    expect((await statusHandler({ ...status, channelId: 'CB' })).text).toContain('Feedback: none yet');
  });
});
