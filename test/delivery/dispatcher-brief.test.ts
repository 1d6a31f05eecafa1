// The dispatcher sending briefs and thread replies through an in-memory platform, on real databases: parts
// in order, once each, also when an instance dies between a post and recording it; failures retried,
// dead-lettered (their stories given back) or pausing the channel; later coverage replied in the story's
// thread instead of an edit, once, and an edit when the thread refuses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeBrief } from '../../src/delivery/brief-compose.ts';
import type { BriefDelivery, DispatchBrief } from '../../src/delivery/brief-delivery.ts';
import { createDispatcher, type DispatcherDeps, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { DeliveryError, type ChatPlatform } from '../../src/domain/chat.ts';
import type { PlatformName } from '../../src/domain/types.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { newItem, seedChannel, seedFeed } from './fixtures.ts';
import { MemoryPlatform } from './memory-platform.ts';

notePostgresSkip();

const t0 = new Date('2026-03-02T07:00:00Z');

describe.each(testDatabases)('dispatcher: briefs and threads on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let clock: ReturnType<typeof fixedClock>;
  let slack: MemoryPlatform;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
    clock = fixedClock(t0);
    slack = new MemoryPlatform('slack', () => clock.now().getTime());
  });
  afterEach(async () => cleanup());

  const options = (o: Partial<DispatcherOptions> = {}): DispatcherOptions => ({
    owner: 'test-1', maxAttempts: 3, burstPerChannel: 10, channelIntervalMs: 1000, leaseMs: 60_000, claimLimit: 100, idleMs: 1000, backoffBaseMs: 1000, backoffMaxMs: 60_000, ...o,
  });
  const briefs = (over: Partial<BriefDelivery['store']> = {}): BriefDelivery => ({
    store: { ...bind(storage.briefs), ...over },
    compose: async (b: DispatchBrief) => {
      const stories = await storage.briefs.candidates({ channelId: b.channelId, held: b.id, since: b.periodStart, until: b.periodEnd });
      return composeBrief({ kind: b.kind, schedule: { every: 'daily', weekday: null, time: { hour: 8, minute: 0, second: 0 }, zone: 'Europe/Berlin' }, quiet: null, periodStart: b.periodStart, periodEnd: b.periodEnd, stories, subscriptions: ['espionage'], topics: [{ id: 'espionage', name: 'Espionage' }], limits: { maxStories: 20, perTopic: 20 } });
    },
  });
  const deps = (platforms: ChatPlatform[], o: Partial<DispatcherDeps> = {}): DispatcherDeps => ({
    store: storage.alerts,
    platforms: new Map(platforms.map((p) => [p.name, p] as [PlatformName, ChatPlatform])),
    pauseChannel: (id, reason) => storage.channels.pause(id, reason),
    clock,
    logger: silentLogger(),
    sleep: async (ms) => clock.advance(ms),
    random: () => 0.5,
    briefs: briefs(),
    ...o,
  });

  /** A brief holding `n` stories of the channel (ranked by the relevance given: story 1 first). */
  async function briefWith(channelId: number, n: number): Promise<number> {
    const { itemIds } = await seedFeed(storage, { url: `https://wire${channelId}.example/rss`, title: 'Wire' }, Array.from({ length: n }, (_, i) => ({ key: `s${i + 1}`, title: `Story ${i + 1}`, summary: `Summary ${i + 1}.` })), t0);
    for (const [i, itemId] of itemIds.entries()) {
      const c = await storage.clusters.create({ signature: '00', title: 't', firstItemId: itemId, at: t0, createdAt: t0 });
      await storage.clusters.assignCluster(itemId, c.id);
      await storage.clusters.setItemTopics(itemId, [{ topicId: 'espionage', score: 5, reasons: [] }], 0.9 - i / 100);
      await storage.alerts.enqueue({ channelId, clusterId: c.id, itemId, at: new Date(t0.getTime() - 3600_000), held: true });
    }
    const r = await storage.briefs.enqueue({ channelId, kind: 'brief', periodKey: `k-${channelId}`, start: new Date(t0.getTime() - 86_400_000), end: t0, at: t0 });
    return r!.id;
  }
  const briefParts = (channelId: string) => slack.messages.filter((m) => m.channelId === channelId && m.kind === 'brief').map((m) => m.brief!.titles);

  it('posts every part once, in order, and marks the brief and its stories sent', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const id = await briefWith(ch, 7);
    await createDispatcher(deps([slack]), options()).runOnce();
    expect(briefParts('C1')).toEqual([['Story 1', 'Story 2', 'Story 3'], ['Story 4', 'Story 5', 'Story 6'], ['Story 7']]);
    expect(slack.messages.map((m) => m.brief!.ref)).toEqual([1, 2, 3].map((p) => `cyberbrief-brief-${id}-${p}`));
    // Paced like any message to the channel.
    const times = slack.messages.map((m) => m.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sent', partsSent: 3, messageIds: slack.messages.map((m) => m.messageId) });
    expect((await storage.alerts.counts()).sent).toBe(7);
  });

  it('an instance dying between posting a part and recording it: the next asks the platform and posts each part once', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const id = await briefWith(ch, 7);
    // The first instance's database write after part 2 never returns (the process dies there).
    let dead = false;
    const dying = briefs({
      markPart: async (bid, owner, part, messageId, at) => {
        if (part === 1) {
          dead = true;
          return new Promise<void>(() => {});
        }
        return storage.briefs.markPart(bid, owner, part, messageId, at);
      },
    });
    void createDispatcher(deps([slack], { briefs: dying }), options({ owner: 'dies' })).runOnce();
    await waitUntil(() => dead);
    expect(briefParts('C1')).toHaveLength(2);
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sending', partsSent: 1 });
    // Its lease runs out; another instance takes the brief over.
    clock.advance(61_000);
    await createDispatcher(deps([slack]), options({ owner: 'survivor' })).runOnce();
    expect(briefParts('C1')).toEqual([['Story 1', 'Story 2', 'Story 3'], ['Story 4', 'Story 5', 'Story 6'], ['Story 7']]);
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sent', partsSent: 3 });
    // It asked whether part 2 had arrived, looking back to when the brief was queued.
    const queued = (await storage.briefs.get(id))!.createdAt;
    expect(slack.finds.map((f) => [f.ref, f.since?.getTime()])).toContainEqual([`cyberbrief-brief-${id}-2`, queued.getTime()]);
    expect(slack.finds.every((f) => f.since?.getTime() === queued.getTime())).toBe(true);
  });

  it('retries a part after a 5xx, waits out a 429 without counting it, and dead-letters a refused brief, giving its stories back', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const id = await briefWith(ch, 4);
    let calls = 0;
    slack.script = (c) => {
      if (c.op !== 'postBriefPart') return null;
      calls += 1;
      if (calls === 2) return new DeliveryError('rate_limited', 'slow down', 5000);
      if (calls === 3) return new DeliveryError('transient', 'HTTP 500');
      return null;
    };
    const d = createDispatcher(deps([slack]), options());
    for (let i = 0; i < 10 && (await storage.briefs.get(id))!.status !== 'sent'; i++) {
      await d.runOnce();
      clock.advance(5000);
    }
    expect(briefParts('C1')).toEqual([['Story 1', 'Story 2', 'Story 3'], ['Story 4']]);
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sent', attempts: 1 });

    // A brief the platform refuses for good: dead, and its held stories wait for the next brief.
    const ch2 = await seedChannel(storage, 'slack', 'C2', ['espionage']);
    const id2 = await briefWith(ch2, 2);
    slack.script = (c) => (c.op === 'postBriefPart' && c.channelId === 'C2' ? new DeliveryError('permanent', 'invalid_blocks', null, 'message') : null);
    await d.runOnce();
    expect(await storage.briefs.get(id2)).toMatchObject({ status: 'dead', lastError: 'permanent: invalid_blocks' });
    const again = await storage.briefs.enqueue({ channelId: ch2, kind: 'brief', periodKey: 'next', start: t0, end: clock.now(), at: clock.now() });
    expect(again!.held).toBe(2);
    expect((await storage.channels.get(ch2))!.paused).toBe(false);
  });

  it('pauses the channel when the platform refuses the channel; the brief waits for it', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const id = await briefWith(ch, 2);
    slack.script = (c) => (c.op === 'postBriefPart' ? new DeliveryError('permanent', 'channel_not_found') : null);
    await createDispatcher(deps([slack]), options()).runOnce();
    expect((await storage.channels.get(ch))!).toMatchObject({ paused: true });
    expect(await storage.briefs.get(id)).toMatchObject({ status: 'sending', attempts: 0, lastError: 'channel paused: channel_not_found' });
  });

  describe('threads', () => {
    /** A story posted to the channel, then `more` items of other outlets joining its cluster. */
    async function postedStory(channelId: number, threads: boolean) {
      await storage.channels.setDelivery(channelId, { mode: 'live', brief: null, quiet: null, threads }, null);
      const a = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [{ key: 'a1', title: 'Spies charged' }], t0);
      const c = await storage.clusters.create({ signature: '00', title: 't', firstItemId: a.itemIds[0]!, at: t0, createdAt: t0 });
      await storage.clusters.assignCluster(a.itemIds[0]!, c.id);
      await storage.alerts.enqueue({ channelId, clusterId: c.id, itemId: a.itemIds[0]!, at: t0 });
      const d = createDispatcher(deps([slack]), options());
      await d.runOnce();
      const cover = async (feed: string, key: string) => {
        const f = await storage.feeds.add({ url: `https://${feed}.example/rss`, title: feed, source: 'cli' }, t0);
        const r = await storage.items.storeForFeed(f.feed.id, [newItem(f.feed.id, { key, title: `Spies charged, says ${feed}` })], { fetchedAt: t0 });
        await storage.clusters.assignCluster(r.inserted[0]!, c.id);
        await storage.alerts.requestUpdate(channelId, c.id, clock.now());
      };
      return { d, cover, alert: (await storage.alerts.forCluster(c.id))[0]! };
    }

    it('replies later coverage in the story\'s thread, once per outlet, instead of editing', async () => {
      const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
      const { d, cover, alert } = await postedStory(ch, true);
      const parent = slack.messages[0]!.messageId;
      await cover('beta', 'b1');
      await d.runOnce();
      await cover('gamma', 'g1');
      await cover('delta', 'd1');
      await d.runOnce();
      await d.runOnce();
      const replies = slack.messages.filter((m) => m.kind === 'follow');
      expect(replies.map((m) => [m.follow!.parent, m.follow!.view.coverage.source])).toEqual([[parent, 'beta'], [parent, 'gamma'], [parent, 'delta']]);
      expect(slack.messages[0]!.edits).toEqual([]);
      expect(await storage.alerts.get(alert.id)).toMatchObject({ needsUpdate: false });
    });

    it('after dying between a reply and recording it, the next instance finds the reply in the thread and does not repeat it', async () => {
      const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
      const { cover } = await postedStory(ch, true);
      await cover('beta', 'b1');
      let dead = false;
      const dying = {
        ...bind(storage.alerts),
        markFollowed: () => {
          dead = true;
          return new Promise<void>(() => {});
        },
      };
      void createDispatcher(deps([slack], { store: dying }), options({ owner: 'dies' })).runOnce();
      await waitUntil(() => dead);
      clock.advance(61_000);
      await createDispatcher(deps([slack]), options({ owner: 'survivor' })).runOnce();
      expect(slack.messages.filter((m) => m.kind === 'follow')).toHaveLength(1);
      expect(slack.calls.filter((c) => c.op === 'postFollowUp')).toHaveLength(1);
    });

    it('edits the story instead when threads are off, or when the thread refuses the reply', async () => {
      const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
      const { d, cover } = await postedStory(ch, false);
      await cover('beta', 'b1');
      await d.runOnce();
      expect(slack.messages.filter((m) => m.kind === 'follow')).toEqual([]);
      expect(slack.messages[0]!.edits.map((e) => e.alsoCoveredBy.map((c) => c.source))).toEqual([['beta']]);

      await storage.channels.setDelivery(ch, { mode: 'live', brief: null, quiet: null, threads: true }, null);
      slack.script = (c) => (c.op === 'postFollowUp' ? new DeliveryError('permanent', 'missing permission to reply in threads') : null);
      await cover('gamma', 'g1');
      await createDispatcher(deps([slack]), options()).runOnce();
      expect(slack.messages[0]!.edits.map((e) => e.alsoCoveredBy.map((c) => c.source))).toEqual([['beta'], ['beta', 'gamma']]);
      expect((await storage.channels.get(ch))!.paused).toBe(false);
    });
  });
});

/** Every method of `repo`, bound, as a plain object (to override some in a test). */
function bind<T extends object>(repo: T): { [K in keyof T]: T[K] } {
  const out: Record<string, unknown> = {};
  let proto: object | null = repo;
  while (proto && proto !== Object.prototype) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      const v = (repo as Record<string, unknown>)[k];
      if (k !== 'constructor' && typeof v === 'function' && !(k in out)) out[k] = (v as (...a: unknown[]) => unknown).bind(repo);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return out as { [K in keyof T]: T[K] };
}

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
