import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { backoffMs, createDispatcher, type DispatcherDeps, type DispatcherOptions, type DispatchStore } from '../../src/delivery/dispatcher.ts';
import { DeliveryError, type ChatPlatform } from '../../src/domain/chat.ts';
import type { PlatformName } from '../../src/domain/types.ts';
import { fixedClock, systemClock } from '../../src/lib/clock.ts';
import { StorageError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { seedAlerts, seedChannel, seedFeed } from './fixtures.ts';
import { MemoryPlatform } from './memory-platform.ts';

const t0 = new Date('2026-03-02T10:00:00Z');

describe('backoffMs', () => {
  it.each([
    { attempt: 1, random: 0.5, want: 1000 },
    { attempt: 2, random: 0.5, want: 2000 },
    { attempt: 4, random: 0, want: 4000 },
    { attempt: 4, random: 0.999, want: 11992 },
    { attempt: 30, random: 0.5, want: 60_000 },
  ])('attempt $attempt, jitter $random -> $want ms', ({ attempt, random, want }) => {
    expect(backoffMs(attempt, 1000, 60_000, () => random)).toBe(want);
  });
});

describe.each(testDatabases)('dispatcher on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let clock: ReturnType<typeof fixedClock>;
  let slack: MemoryPlatform;
  let discord: MemoryPlatform;
  let waits: number[];

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    clock = fixedClock(new Date(t0.getTime() + 1000));
    slack = new MemoryPlatform('slack', () => clock.now().getTime());
    discord = new MemoryPlatform('discord', () => clock.now().getTime());
    waits = [];
  });
  afterEach(async () => cleanup());

  const options = (o: Partial<DispatcherOptions> = {}): DispatcherOptions => ({
    owner: 'test-1',
    maxAttempts: 3,
    burstPerChannel: 10,
    channelIntervalMs: 1000,
    leaseMs: 600_000,
    claimLimit: 100,
    idleMs: 1000,
    backoffBaseMs: 1000,
    backoffMaxMs: 60_000,
    ...o,
  });
  const deps = (platforms: ChatPlatform[] = [slack, discord], o: Partial<DispatcherDeps> = {}): DispatcherDeps => ({
    store: storage.alerts,
    platforms: new Map(platforms.map((p) => [p.name, p] as [PlatformName, ChatPlatform])),
    pauseChannel: (id, reason) => storage.channels.pause(id, reason),
    topicName: (id) => ({ espionage: 'State cyberespionage' })[id] ?? id,
    clock,
    logger: silentLogger(),
    // Waiting moves the test clock instead of the wall clock.
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    ...o,
  });

  async function outstanding(): Promise<number> {
    const rows = await storage.alerts.list({ limit: 1000 });
    return rows.filter((r) => r.status === 'pending' || r.status === 'sending' || (r.status === 'sent' && r.needsUpdate)).length;
  }
  /** Runs rounds until the outbox is empty, moving the clock over retry waits. */
  async function drain(d: ReturnType<typeof createDispatcher>, maxRounds = 60): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const n = await d.runOnce();
      if (n === 0) {
        if ((await outstanding()) === 0) return;
        clock.advance(1000);
      }
    }
  }

  async function stories(n: number, feedTitle = 'Alpha News') {
    return seedFeed(storage, { url: `https://${feedTitle.replace(/\W/g, '').toLowerCase()}.example/rss`, title: feedTitle }, Array.from({ length: n }, (_, i) => ({ key: `s${i + 1}`, title: `Story ${i + 1}`, summary: `Summary of story ${i + 1}.` })), t0);
  }

  it('posts each channel\'s stories in order, paced, with the story view filled in, and records message ids', async () => {
    const { itemIds } = await stories(4);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const c2 = await seedChannel(storage, 'discord', '222', ['espionage']);
    const a1 = await seedAlerts(storage, c1, itemIds.slice(0, 3), t0);
    await seedAlerts(storage, c2, [itemIds[3]!], t0);
    await storage.clusters.setItemTopics(itemIds[0]!, [{ topicId: 'espionage', score: 9, reasons: [] }]);
    await storage.clusters.saveDigest(itemIds[0]!, { digest: 'The digest of story one.', fromExcerpt: false });

    await drain(createDispatcher(deps(), options()));
    expect(slack.titles('C1')).toEqual(['Story 1', 'Story 2', 'Story 3']);
    expect(discord.titles('222')).toEqual(['Story 4']);
    const first = slack.messages[0]!.story!;
    expect(first).toMatchObject({ title: 'Story 1', source: 'Alpha News', summary: 'The digest of story one.', fromExcerpt: false, url: 'https://news.example/s1', ref: `cyberbrief-alert-${a1[0]}` });
    expect(first.topics).toEqual([{ id: 'espionage', name: 'State cyberespionage' }]);
    // Without a digest the feed summary is shown, marked as an excerpt.
    expect(slack.messages[1]!.story).toMatchObject({ summary: 'Summary of story 2.', fromExcerpt: true });
    const times = slack.messages.map((m) => m.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    const sent = await storage.alerts.list({ channelId: c1 });
    expect(sent.map((r) => [r.status, r.messageId]).reverse()).toEqual([['sent', 'slack-1'], ['sent', 'slack-2'], ['sent', 'slack-3']]);
  });

  it('posts the first burst one by one and the overflow as one digest', async () => {
    const { itemIds } = await stories(7);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await seedAlerts(storage, c1, itemIds, t0);
    await drain(createDispatcher(deps(), options({ burstPerChannel: 3 })));
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story', 'story', 'digest']);
    expect(slack.messages[3]!.digest!.stories.map((s) => s.title)).toEqual(['Story 4', 'Story 5', 'Story 6', 'Story 7']);
    const rows = (await storage.alerts.list({ channelId: c1 })).reverse();
    expect(rows.map((r) => [r.status, r.inDigest, r.messageId])).toEqual([
      ['sent', false, 'slack-1'], ['sent', false, 'slack-2'], ['sent', false, 'slack-3'],
      ['sent', true, 'slack-4'], ['sent', true, 'slack-4'], ['sent', true, 'slack-4'], ['sent', true, 'slack-4'],
    ]);
  });

  it('counts the burst over a window, so a poll split over two rounds still gets one cap', async () => {
    const { itemIds } = await stories(6);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const d = createDispatcher(deps(), options({ burstPerChannel: 3, burstWindowMs: 60_000 }));
    await seedAlerts(storage, c1, itemIds.slice(0, 2), t0);
    await drain(d);
    await seedAlerts(storage, c1, itemIds.slice(2), t0);
    await drain(d);
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story', 'story', 'digest']);
    expect(slack.messages[3]!.digest!.stories.map((s) => s.title)).toEqual(['Story 4', 'Story 5', 'Story 6']);
  });

  it('counts the burst from storage, so another instance or a restarted one keeps the same cap', async () => {
    const { itemIds } = await stories(5);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await seedAlerts(storage, c1, itemIds.slice(0, 3), t0);
    await drain(createDispatcher(deps(), options({ owner: 'instance-a', burstPerChannel: 3, burstWindowMs: 60_000 })));
    // A second instance (or this one after a restart) knows nothing of those three posts in its memory.
    await seedAlerts(storage, c1, itemIds.slice(3), t0);
    await drain(createDispatcher(deps(), options({ owner: 'instance-b', burstPerChannel: 3, burstWindowMs: 60_000 })));
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story', 'story', 'digest']);
    // Once the window has passed, stories go one by one again.
    const { itemIds: later } = await stories(1, 'Beta Wire');
    clock.advance(61_000);
    await seedAlerts(storage, c1, later, clock.now());
    await drain(createDispatcher(deps(), options({ owner: 'instance-c', burstPerChannel: 3, burstWindowMs: 60_000 })));
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story', 'story', 'digest', 'story']);
  });

  it("waits for a catch-up's overflow to stop growing, then posts it as one digest", async () => {
    const { itemIds } = await stories(6);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const d = createDispatcher(deps(), options({ burstPerChannel: 2, burstWindowMs: 60_000, overflowQuietMs: 5_000, overflowMaxWaitMs: 30_000 }));
    // The pipeline's first batch: two stories go one by one, the third waits.
    await seedAlerts(storage, c1, itemIds.slice(0, 3), clock.now());
    await d.runOnce();
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story']);
    // Its next batches, a second apart: the overflow keeps waiting while it grows.
    for (const id of itemIds.slice(3)) {
      clock.advance(1_000);
      await seedAlerts(storage, c1, [id], clock.now());
      await d.runOnce();
    }
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story']);
    // Five quiet seconds later, one digest holds all four, in order.
    clock.advance(5_000);
    await d.runOnce();
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'story', 'digest']);
    expect(slack.messages[2]!.digest!.stories.map((s) => s.title)).toEqual(['Story 3', 'Story 4', 'Story 5', 'Story 6']);
    expect(await outstanding()).toBe(0);
  });

  it('never holds an overflow past its longest wait, even while stories keep coming', async () => {
    const { itemIds } = await stories(8);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const d = createDispatcher(deps(), options({ burstPerChannel: 1, burstWindowMs: 600_000, overflowQuietMs: 5_000, overflowMaxWaitMs: 10_000 }));
    await seedAlerts(storage, c1, itemIds.slice(0, 2), clock.now());
    await d.runOnce();
    const started = clock.now().getTime();
    // A story every four seconds: never five quiet ones.
    let k = 2;
    while (slack.messages.length < 2 && k < itemIds.length) {
      clock.advance(4_000);
      await seedAlerts(storage, c1, [itemIds[k++]!], clock.now());
      await d.runOnce();
    }
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'digest']);
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(8_000);
    expect(clock.now().getTime() - started).toBeLessThan(16_000);
    expect(slack.messages[1]!.digest!.stories[0]!.title).toBe('Story 2');
  });

  it('honours Retry-After on 429 without counting an attempt, and keeps the channel in order', async () => {
    const { itemIds } = await stories(3);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const ids = await seedAlerts(storage, c1, itemIds, t0);
    slack.script = (call, n) => (n === 2 ? new DeliveryError('rate_limited', 'ratelimited', 7000) : null);
    const d = createDispatcher(deps(), options({ maxAttempts: 1 }));
    await d.runOnce();
    expect(slack.titles('C1')).toEqual(['Story 1']);
    const waiting = (await storage.alerts.get(ids[1]!))!;
    expect([waiting.status, waiting.attempts, waiting.nextAttemptAt.getTime() - clock.now().getTime()]).toEqual(['pending', 0, 7000]);
    // Nothing moves before Retry-After, not even the story behind it.
    clock.advance(6000);
    expect(await d.runOnce()).toBe(0);
    clock.advance(1000);
    await drain(d);
    expect(slack.titles('C1')).toEqual(['Story 1', 'Story 2', 'Story 3']);
  });

  it('backs off exponentially on 5xx and network errors, then delivers', async () => {
    const { itemIds } = await stories(1);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const [id] = await seedAlerts(storage, c1, itemIds, t0);
    let failures = 2;
    slack.script = (call) => (call.op === 'postStory' && failures-- > 0 ? new DeliveryError('transient', 'HTTP 503') : null);
    const d = createDispatcher(deps(), options({ maxAttempts: 5 }));
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      await d.runOnce();
      const row = (await storage.alerts.get(id!))!;
      delays.push(row.nextAttemptAt.getTime() - clock.now().getTime());
      clock.set(row.nextAttemptAt);
    }
    expect(delays).toEqual([1000, 2000]);
    await drain(d);
    expect(slack.titles('C1')).toEqual(['Story 1']);
    expect((await storage.alerts.get(id!))!).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('dead-letters after max attempts, moves on, and sends again after retry', async () => {
    const { itemIds } = await stories(2);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const [a, b] = await seedAlerts(storage, c1, itemIds, t0);
    slack.script = (call) => (call.title === 'Story 1' ? new DeliveryError('transient', 'HTTP 500') : null);
    const d = createDispatcher(deps(), options({ maxAttempts: 3 }));
    await drain(d);
    expect(slack.titles('C1')).toEqual(['Story 2']);
    const dead = await storage.alerts.list({ status: 'dead' });
    expect(dead.map((r) => [r.id, r.attempts, r.lastError])).toEqual([[a, 3, 'transient: HTTP 500']]);
    expect((await storage.alerts.get(b!))!.status).toBe('sent');
    slack.script = () => null;
    expect(await storage.alerts.retryDead({ ids: [a!], now: clock.now() })).toEqual([a]);
    await drain(d);
    expect(slack.titles('C1')).toEqual(['Story 2', 'Story 1']);
  });

  it('pauses the channel on a permanent error, says so, and holds its alerts until resumed', async () => {
    const { itemIds } = await stories(3);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const c2 = await seedChannel(storage, 'slack', 'C2', ['espionage']);
    const [a] = await seedAlerts(storage, c1, itemIds.slice(0, 2), t0);
    await seedAlerts(storage, c2, [itemIds[2]!], t0);
    slack.script = (call) => (call.channelId === 'C1' && call.op === 'postStory' ? new DeliveryError('permanent', 'not_in_channel') : null);
    const d = createDispatcher(deps(), options());
    await drain(d, 10);
    expect(slack.titles('C2')).toEqual(['Story 3']);
    expect(slack.titles('C1')).toEqual([]);
    const ch = (await storage.channels.get(c1))!;
    expect([ch.paused, ch.pausedReason]).toEqual([true, 'slack refused delivery: not_in_channel']);
    expect(slack.messages.filter((m) => m.kind === 'notice').map((m) => [m.channelId, m.text])).toEqual([['C1', expect.stringMatching(/paused alerts for this channel: not_in_channel/)]]);
    expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'pending', attempts: 0, lastError: 'channel paused: not_in_channel' });
    // The bot is invited back and an admin resumes the channel.
    slack.script = () => null;
    await storage.channels.unpause(c1);
    await drain(d);
    expect(slack.titles('C1')).toEqual(['Story 1', 'Story 2']);
  });

  // A platform's error text (Discord's message, a proxy's page) is the remote party's: bounded once by the
  // dispatcher before it is stored, becomes the pause reason, and is posted to the channel.
  const HOSTILE = `forbidden\u001b[2J\u202e ${'\u200b'.repeat(20)}${'z'.repeat(16 * 1024)}`;
  it.each([
    { name: 'pausing the channel', error: new DeliveryError('permanent', HOSTILE), status: 'pending', prefix: 'channel paused: forbidden z' },
    { name: 'dead-lettering the message', error: new DeliveryError('permanent', HOSTILE, null, 'message'), status: 'dead', prefix: 'permanent: forbidden z' },
    { name: 'retrying later', error: new DeliveryError('transient', HOSTILE), status: 'pending', prefix: 'transient: forbidden z' },
  ])('a 16 KB platform error when $name: stored, shown and posted as one bounded clean line', async ({ error, status, prefix }) => {
    const { itemIds } = await stories(1);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const [a] = await seedAlerts(storage, c1, itemIds, t0);
    let calls = 0;
    slack.script = (call) => (call.op === 'postStory' && calls++ === 0 ? error : null);
    await drain(createDispatcher(deps(), options()), 1);
    const row = (await storage.alerts.get(a!))!;
    expect(row.status).toBe(status);
    const texts = [row.lastError!, (await storage.channels.get(c1))!.pausedReason ?? '', ...slack.messages.filter((m) => m.kind === 'notice').map((m) => m.text ?? '')];
    expect(row.lastError!.startsWith(prefix)).toBe(true);
    for (const t of texts) {
      expect(Array.from(t).length).toBeLessThanOrEqual(600);
      expect(t).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202a-\u202e]/);
    }
    expect(row.lastError).toMatch(/…\[cut: \d+ characters in all\]$/);
  });

  it('dead-letters a message the platform refuses for good without pausing the channel', async () => {
    const { itemIds } = await stories(2);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const [a] = await seedAlerts(storage, c1, itemIds, t0);
    slack.script = (call) => (call.title === 'Story 1' ? new DeliveryError('permanent', 'msg_too_long', null, 'message') : null);
    await drain(createDispatcher(deps(), options()));
    expect(slack.titles('C1')).toEqual(['Story 2']);
    expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'dead', lastError: 'permanent: msg_too_long' });
    expect((await storage.channels.get(c1))!.paused).toBe(false);
  });

  it('edits a posted story when an edit is requested (new coverage), and leaves digests alone', async () => {
    const { itemIds } = await stories(3);
    const beta = await stories(1, 'Beta Wire');
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const [a] = await seedAlerts(storage, c1, itemIds, t0);
    const d = createDispatcher(deps(), options({ burstPerChannel: 1 }));
    await drain(d);
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'digest']);
    const alert = (await storage.alerts.get(a!))!;
    await storage.clusters.assignCluster(beta.itemIds[0]!, alert.clusterId);
    expect(await storage.alerts.requestUpdate(c1, alert.clusterId, clock.now())).toBe(true);
    const digestMember = (await storage.alerts.list({ channelId: c1 })).find((r) => r.inDigest)!;
    expect(await storage.alerts.requestUpdate(c1, digestMember.clusterId, clock.now())).toBe(false);
    await drain(d);
    expect(slack.messages.map((m) => m.kind)).toEqual(['story', 'digest']);
    const edits = slack.messages[0]!.edits;
    expect(edits.length).toBe(1);
    expect(edits[0]!.alsoCoveredBy).toEqual([{ source: 'Beta Wire', title: 'Story 1', url: 'https://news.example/s1' }]);
    expect((await storage.alerts.get(a!))!.needsUpdate).toBe(false);
  });

  it('after a crash mid-send, asks the platform before posting again (and resends when it cannot ask)', async () => {
    for (const withFind of [true, false]) {
      await cleanup();
      ({ storage, cleanup } = await freshStorage(database));
      const platform = new MemoryPlatform('slack', () => clock.now().getTime(), withFind);
      const { itemIds } = await stories(1);
      const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
      const [a] = await seedAlerts(storage, c1, itemIds, t0);
      // The dead process claimed the row, marked it sending, and the post reached the platform.
      await storage.alerts.claimDue({ now: clock.now(), limit: 1, owner: 'dead-process', leaseUntil: new Date(clock.now().getTime() + 5000), platforms: ['slack'] });
      await storage.alerts.markSending(a!, 'dead-process', clock.now());
      await platform.postStory('C1', { title: 'Story 1', url: null, source: 'Alpha News', publishedAt: null, summary: '', fromExcerpt: true, topics: [], alsoCoveredBy: [], ref: `cyberbrief-alert-${a}` });
      clock.advance(6000);
      await drain(createDispatcher(deps([platform]), options()));
      expect(platform.titles('C1')).toEqual(withFind ? ['Story 1'] : ['Story 1', 'Story 1']);
      expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'sent', messageId: withFind ? 'slack-1' : 'slack-2' });
      // It asks about this alert's ref, and how far back to look: from when the alert was queued.
      if (withFind) expect(platform.finds).toEqual([{ channelId: 'C1', ref: `cyberbrief-alert-${a}`, since: (await storage.alerts.get(a!))!.createdAt }]);
    }
  });

  it('a send that failed after the platform took it (a timeout) is found on retry, not posted twice', async () => {
    const { itemIds } = await stories(2);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const [a] = await seedAlerts(storage, c1, itemIds, t0);
    const post = slack.postStory.bind(slack);
    let timeouts = 1;
    slack.postStory = async (channelId, story) => {
      const sent = await post(channelId, story);
      if (timeouts-- > 0) throw new DeliveryError('transient', 'timed out waiting for the response');
      return sent;
    };
    await drain(createDispatcher(deps(), options()));
    expect(slack.titles('C1')).toEqual(['Story 1', 'Story 2']);
    expect((await storage.alerts.get(a!))!).toMatchObject({ status: 'sent', messageId: 'slack-1', attempts: 1 });
  });

  it('a send the platform took is recorded once the database answers again: never sent twice, no attempt counted', async () => {
    // A platform that cannot be asked whether a message arrived: only the outbox can prevent a resend.
    const platform = new MemoryPlatform('slack', () => clock.now().getTime(), false);
    const { itemIds } = await stories(3);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const ids = await seedAlerts(storage, c1, itemIds, t0);
    const outage = () => new StorageError('unavailable', 'storage: PostgreSQL db:5432/x is not answering (Connection terminated unexpectedly); retrying with backoff until it is back: check that the server is up and that DATABASE_URL reaches it.');
    // The database goes away just after each of the first two posts, for two attempts to record each.
    let failing = 0;
    const store: DispatchStore = {
      claimDue: (o) => storage.alerts.claimDue(o),
      extendLease: (...a) => storage.alerts.extendLease(...a),
      release: (...a) => storage.alerts.release(...a),
      markSending: (...a) => storage.alerts.markSending(...a),
      markUpdated: (...a) => storage.alerts.markUpdated(...a),
      recordFailure: (...a) => storage.alerts.recordFailure(...a),
      noteError: (...a) => storage.alerts.noteError(...a),
      markFollowing: (...a) => storage.alerts.markFollowing(...a),
      markFollowed: (...a) => storage.alerts.markFollowed(...a),
      story: (a) => storage.alerts.story(a),
      markSent: async (...a) => {
        if (platform.messages.length <= 2 && failing < platform.messages.length * 2) {
          failing++;
          throw outage();
        }
        return storage.alerts.markSent(...a);
      },
    };
    let waited = 0;
    const d = createDispatcher(deps([platform], { store, storageReady: async () => void waited++ }), options());
    await drain(d);
    expect(platform.titles('C1')).toEqual(['Story 1', 'Story 2', 'Story 3']);
    expect(failing).toBe(4);
    expect(waited).toBe(4);
    for (const id of ids) expect((await storage.alerts.get(id))!).toMatchObject({ status: 'sent', attempts: 0, leaseOwner: null });
  });

  it('a storage error mid-round holds nothing against the alert: its lease goes back and the next round sends it once', async () => {
    const platform = new MemoryPlatform('slack', () => clock.now().getTime(), false);
    const { itemIds } = await stories(2);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const ids = await seedAlerts(storage, c1, itemIds, t0);
    let reads = 0;
    const store: DispatchStore = {
      claimDue: (o) => storage.alerts.claimDue(o),
      extendLease: (...a) => storage.alerts.extendLease(...a),
      release: (...a) => storage.alerts.release(...a),
      markSending: (...a) => storage.alerts.markSending(...a),
      markSent: (...a) => storage.alerts.markSent(...a),
      markUpdated: (...a) => storage.alerts.markUpdated(...a),
      recordFailure: (...a) => storage.alerts.recordFailure(...a),
      noteError: (...a) => storage.alerts.noteError(...a),
      markFollowing: (...a) => storage.alerts.markFollowing(...a),
      markFollowed: (...a) => storage.alerts.markFollowed(...a),
      // The story of the second alert cannot be read the first time (the connection drops).
      story: async (a) => {
        if (a.itemId === itemIds[1] && reads++ === 0) throw new StorageError('unavailable', 'storage: PostgreSQL db:5432/x is not answering (57P01)');
        return storage.alerts.story(a);
      },
    };
    const d = createDispatcher(deps([platform], { store, storageReady: async () => undefined }), options());
    expect(await d.runOnce()).toBe(2);
    expect(platform.titles('C1')).toEqual(['Story 1']);
    // Released at once (not left to its lease), with no attempt counted.
    expect((await storage.alerts.get(ids[1]!))!).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: null, lastError: null });
    await drain(d);
    expect(platform.titles('C1')).toEqual(['Story 1', 'Story 2']);
  });

  it('stop() ends a paced round early and releases the rows it did not send', async () => {
    const { itemIds } = await stories(3);
    const c1 = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await seedAlerts(storage, c1, itemIds, t0);
    const real = new MemoryPlatform('slack', () => Date.now());
    // Real clock and real waits here: the pacing gap is far longer than the test.
    const d = createDispatcher(deps([real], { clock: systemClock, sleep: undefined }), options({ channelIntervalMs: 600_000 }));
    await d.start();
    await waitFor('the first post', () => real.messages.length > 0);
    await d.stop();
    expect(real.titles('C1')).toEqual(['Story 1']);
    const rows = (await storage.alerts.list({ channelId: c1 })).reverse();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'pending', 'pending']);
    const fresh = await storage.alerts.claimDue({ now: new Date(), limit: 10, owner: 'next', leaseUntil: new Date(Date.now() + 1000), platforms: ['slack'] });
    expect(fresh.map((r) => r.itemId)).toEqual(itemIds.slice(1));
  });
});
