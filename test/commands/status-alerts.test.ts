// /news status shows the channel's queued alerts and its dead letters when the outbox is wired in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { Command } from '../../src/domain/chat.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';
import { newItem, seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';
import { fixedClock } from '../../src/lib/clock.ts';

const status: Command = { platform: 'slack', workspaceId: 'W1', channelId: 'C1', channelName: 'news', userId: 'U1', userIsAdmin: false, userIsOperator: false, userCanManageChannel: false, name: 'status', args: [], text: 'status' };

describe('/news status with the outbox', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
  });
  afterEach(async () => cleanup());

  it('says how many alerts wait and which failed for good', async () => {
    const t0 = new Date('2026-03-02T10:00:00Z');
    const { itemIds } = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [1, 2, 3].map((n) => ({ key: `k${n}`, title: `Story ${n}` })), t0);
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const handle = createCommandHandler({ ...commandDepsFor(storage), alerts: storage.alerts });
    expect((await handle(status)).text).not.toMatch(/waiting|failed/);

    const [a] = await seedAlerts(storage, ch, itemIds, t0);
    await storage.alerts.claimDue({ now: t0, limit: 1, owner: 'x', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    await storage.alerts.recordFailure(a!, 'x', { error: 'transient: HTTP 500', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 1 });
    const text = (await handle(status)).text;
    expect(text).toContain('2 alerts are waiting to be sent.');
    expect(text).toContain('1 alert failed after repeated attempts. Latest: "Story 1" (transient: HTTP 500). An operator can resend them with `cyberbrief alerts retry --all`.');
  });

  // It said "last successful check 2026-03-02T10:00:07Z": written as every other time we show, to the minute.
  // A feed that answers but brought nothing new for polling.quiet_after_days (30 by default) is counted as quiet.
  const t0 = new Date('2026-03-02T09:00:00Z');
  const day = 86_400_000;
  it.each([
    { name: 'no check yet', success: null, items: 0, days: 1, line: 'Watching 1 feed.' },
    { name: 'a successful check', success: new Date('2026-03-02T10:00:07.250Z'), items: 0, days: 1, line: 'Watching 1 feed; last successful check Mon 2 Mar 2026 10:00 UTC.' },
    { name: 'checked 40 days on, never an item', success: new Date(t0.getTime() + 40 * day), items: 0, days: 40, line: 'Watching 1 feed, 1 quiet (nothing new for 30 days); last successful check Sat 11 Apr 2026 09:00 UTC.' },
    { name: 'checked 40 days on, an item stored on day 20', success: new Date(t0.getTime() + 40 * day), items: 20, days: 40, line: 'Watching 1 feed; last successful check Sat 11 Apr 2026 09:00 UTC.' },
    { name: 'checked 40 days on, never an item, quiet_after_days 0', success: new Date(t0.getTime() + 40 * day), items: 0, days: 40, quietAfterDays: 0, line: 'Watching 1 feed; last successful check Sat 11 Apr 2026 09:00 UTC.' },
  ])('says when the feeds were last checked: $name', async ({ success, items, days, quietAfterDays, line }) => {
    const { feedId } = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [], t0);
    if (items) await storage.items.storeForFeed(feedId, [newItem(feedId, { key: 'late', title: 'A late story' })], { fetchedAt: new Date(t0.getTime() + items * day) });
    if (success) await storage.feeds.recordSuccess(feedId, { at: success, nextCheckAt: success, etag: null, lastModified: null, title: 'Alpha' });
    const handle = createCommandHandler({ ...commandDepsFor(storage), clock: fixedClock(new Date(t0.getTime() + days * day)), ...(quietAfterDays === undefined ? {} : { quietAfterDays }) });
    expect((await handle(status)).text.split('\n').at(-1)).toBe(line);
  });
});
