// The brief scheduler with an injectable clock, on real databases: one brief per calendar day in each zone
// across every daylight-saving change of the year (none skipped, none doubled), whatever the tick; briefs
// racing between instances written once; quiet hours released once, at their end; a bot that was down
// sends one brief covering the gap.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextOccurrence, type BriefSchedule, type ChannelDelivery, type QuietHours } from '../../src/domain/brief-schedule.ts';
import { instantOf } from '../../src/domain/zoned-time.ts';
import { createBriefScheduler } from '../../src/delivery/brief-scheduler.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedChannel, seedFeed } from './fixtures.ts';

notePostgresSkip();

const clock = (at: string | number) => fixedClock(new Date(at));
const daily = (zone: string, hour: number, minute = 0): BriefSchedule => ({ every: 'daily', weekday: null, time: { hour, minute, second: 0 }, zone });
const live: ChannelDelivery = { mode: 'live', brief: null, quiet: null, threads: false };

async function setBrief(storage: Storage, channelId: number, d: ChannelDelivery, now: number): Promise<void> {
  await storage.channels.setDelivery(channelId, d, d.brief && d.mode !== 'live' ? new Date(nextOccurrence(d.brief, now).at) : null);
}

/** Alerts for `n` new stories in the channel, held or not, created at `at`. */
async function alertsFor(storage: Storage, channelId: number, n: number, at: Date, held: boolean, tag = 's'): Promise<number[]> {
  const { itemIds } = await seedFeed(storage, { url: `https://${tag}${channelId}-${at.getTime()}.example/rss`, title: `Wire ${tag}` }, Array.from({ length: n }, (_, i) => ({ key: `${tag}${i}`, title: `${tag} story ${i}` })), at);
  const ids: number[] = [];
  for (const itemId of itemIds) {
    const c = await storage.clusters.create({ signature: '00', title: `c${itemId}`, firstItemId: itemId, at, createdAt: at });
    await storage.clusters.assignCluster(itemId, c.id);
    await storage.alerts.enqueue({ channelId, clusterId: c.id, itemId, at, held });
    ids.push((await storage.alerts.forCluster(c.id))[0]!.id);
  }
  return ids;
}

describe.each(testDatabases)('brief scheduler on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  const scheduler = (c: ReturnType<typeof clock>) => createBriefScheduler({ store: storage.briefs, clock: c, logger: silentLogger() }, { checkMs: 1000 });

  it('writes one brief per calendar day across the clock changes of 2026 in four zones, each at its local time', async () => {
    // Channels whose times fall in a skipped or repeated hour somewhere, and ordinary ones.
    const cases = [
      { zone: 'Europe/Berlin', h: 8, m: 0 },
      { zone: 'Europe/Berlin', h: 2, m: 30 },
      { zone: 'America/New_York', h: 1, m: 30 },
      { zone: 'America/New_York', h: 2, m: 30 },
      { zone: 'Australia/Sydney', h: 2, m: 30 },
      { zone: 'Australia/Sydney', h: 8, m: 0 },
      { zone: 'Asia/Kolkata', h: 8, m: 0 },
      { zone: 'Asia/Kolkata', h: 0, m: 0 },
    ];
    // Two stretches covering every change: 1 Mar to 8 Apr (NY 8 Mar, Berlin 29 Mar, Sydney 5 Apr) and
    // 1 Oct to 4 Nov (Sydney 4 Oct, Berlin 25 Oct, NY 1 Nov). On PostgreSQL, the first stretch only.
    const stretches = database.name === 'sqlite' ? [['2026-03-01', '2026-04-08'], ['2026-10-01', '2026-11-04']] : [['2026-03-01', '2026-04-08']];
    for (const [from, to] of stretches) {
      const start = Date.parse(`${from}T00:00:00Z`) - 86_400_000;
      const end = Date.parse(`${to}T00:00:00Z`);
      const ids: number[] = [];
      for (const [i, c] of cases.entries()) {
        const id = await seedChannel(storage, 'slack', `C${from}-${i}`, ['espionage']);
        await setBrief(storage, id, { ...live, mode: 'brief', brief: daily(c.zone, c.h, c.m) }, start);
        ids.push(id);
      }
      const c = clock(start);
      const s = scheduler(c);
      // Ticks 37 minutes apart, never in step with the hour.
      const step = 37 * 60_000;
      const lastTick = start + Math.floor((end - start) / step) * step;
      for (let t = start; t <= end; t += step) {
        c.set(new Date(t));
        await s.runOnce();
      }
      for (const [i, k] of cases.entries()) {
        const rows = (await storage.briefs.list(ids[i]!, 100)).reverse();
        const label = `${k.zone} ${k.h}:${k.m} from ${from}`;
        // Every calendar day whose occurrence passed by the last tick, exactly once.
        const expectDays: string[] = [];
        for (let day = Date.parse(`${from}T00:00:00Z`) - 86_400_000; day <= end + 86_400_000; day += 86_400_000) {
          const d = new Date(day);
          const at = instantOf(k.zone, { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: k.h, minute: k.m, second: 0 });
          if (at > start && at <= lastTick) expectDays.push(new Date(at).toISOString());
        }
        expect(rows.map((r) => r.periodEnd.toISOString()), label).toEqual(expectDays);
        expect(new Set(rows.map((r) => r.periodKey)).size, label).toBe(rows.length);
        // Periods follow one another without a gap.
        for (let j = 1; j < rows.length; j++) expect(rows[j]!.periodStart.getTime(), label).toBe(rows[j - 1]!.periodEnd.getTime());
      }
    }
  }, 120_000);

  it('writes a brief once when instances race for it, and gives its held stories to that one brief', async () => {
    const at = Date.parse('2026-03-02T06:59:00Z');
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await setBrief(storage, ch, { ...live, mode: 'brief', brief: daily('Europe/Berlin', 8) }, at);
    const held = await alertsFor(storage, ch, 4, new Date(at - 3600_000), true);
    const c = clock('2026-03-02T07:00:00Z');
    const results = await Promise.all(Array.from({ length: 4 }, () => scheduler(c).runOnce()));
    expect(results.reduce((n, r) => n + r.briefs, 0)).toBe(1);
    const rows = await storage.briefs.list(ch);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'brief', status: 'pending', periodKey: 'brief:daily:08:00:Europe/Berlin:2026-03-02' });
    for (const id of held) expect((await storage.alerts.list({ channelId: ch })).find((r) => r.id === id)?.status).toBe('held');
    expect(await storage.briefs.candidates({ channelId: ch, held: rows[0]!.id, since: null, until: rows[0]!.periodEnd })).toHaveLength(4);
    // The next one is tomorrow: ticking again today writes nothing.
    c.set('2026-03-02T20:00:00Z');
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 0 });
    expect((await storage.channels.delivery(ch)).briefNextAt?.toISOString()).toBe('2026-03-03T07:00:00.000Z');
  });

  it('after days down, sends one brief covering everything since the last one', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await setBrief(storage, ch, { ...live, mode: 'brief', brief: daily('UTC', 8) }, Date.parse('2026-03-01T09:00:00Z'));
    const c = clock('2026-03-02T08:00:00Z');
    await scheduler(c).runOnce();
    await alertsFor(storage, ch, 3, new Date('2026-03-02T12:00:00Z'), true);
    // Down from the 2nd, noon, to the 5th, 10:00: three occurrences missed.
    c.set('2026-03-05T10:00:00Z');
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 1, releases: 0 });
    const rows = await storage.briefs.list(ch);
    expect(rows.map((r) => [r.periodStart.toISOString(), r.periodEnd.toISOString()])).toEqual([
      ['2026-03-02T08:00:00.000Z', '2026-03-05T08:00:00.000Z'],
      ['2026-03-01T08:00:00.000Z', '2026-03-02T08:00:00.000Z'],
    ]);
    expect(await storage.briefs.candidates({ channelId: ch, held: rows[0]!.id, since: null, until: rows[0]!.periodEnd })).toHaveLength(3);
    expect((await storage.channels.delivery(ch)).briefNextAt?.toISOString()).toBe('2026-03-06T08:00:00.000Z');
  });

  it('holds nothing back past quiet hours: one release when they end, none while they last', async () => {
    const quiet: QuietHours = { start: { hour: 22, minute: 0, second: 0 }, end: { hour: 7, minute: 0, second: 0 }, zone: 'Europe/Berlin' };
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await setBrief(storage, ch, { ...live, quiet }, 0);
    await alertsFor(storage, ch, 3, new Date('2026-03-28T23:00:00Z'), true);
    const c = clock('2026-03-29T04:59:00Z'); // 06:59 CEST, the night the clocks go forward
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 0 });
    c.set('2026-03-29T05:00:00Z');
    const both = await Promise.all([scheduler(c).runOnce(), scheduler(c).runOnce()]);
    expect(both.reduce((n, r) => n + r.releases, 0)).toBe(1);
    const rows = await storage.briefs.list(ch);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'quiet', periodKey: 'quiet:22:00-07:00:Europe/Berlin:2026-03-29', periodStart: new Date('2026-03-28T21:00:00Z') });
    expect(await storage.briefs.candidates({ channelId: ch, held: rows[0]!.id, since: null, until: new Date('2026-03-29T05:00:00Z') })).toHaveLength(3);
    c.set('2026-03-29T05:01:00Z');
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 0 });
  });

  it('in mode both, a brief inside the quiet window carries what it held; nothing is released twice', async () => {
    const quiet: QuietHours = { start: { hour: 22, minute: 0, second: 0 }, end: { hour: 7, minute: 0, second: 0 }, zone: 'UTC' };
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await setBrief(storage, ch, { ...live, mode: 'both', brief: daily('UTC', 6), quiet }, Date.parse('2026-03-01T12:00:00Z'));
    const sentLive = await alertsFor(storage, ch, 2, new Date('2026-03-01T15:00:00Z'), false, 'live');
    await alertsFor(storage, ch, 2, new Date('2026-03-01T23:00:00Z'), true, 'night');
    const c = clock('2026-03-02T06:00:00Z');
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 1, releases: 0 });
    const [b] = await storage.briefs.list(ch);
    // The brief lists the live stories of its period and delivers the held ones.
    const stories = await storage.briefs.candidates({ channelId: ch, held: b!.id, since: b!.periodStart, until: b!.periodEnd });
    expect(stories.map((s) => [s.title, s.held]).sort()).toEqual([['live story 0', false], ['live story 1', false], ['night story 0', true], ['night story 1', true]]);
    expect(sentLive).toHaveLength(2);
    c.set('2026-03-02T07:00:00Z');
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 0 });
  });

  it('releases what was held for the brief once the channel leaves brief mode', async () => {
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const s = daily('UTC', 8);
    await setBrief(storage, ch, { ...live, mode: 'brief', brief: s }, Date.parse('2026-03-01T09:00:00Z'));
    await alertsFor(storage, ch, 2, new Date('2026-03-01T10:00:00Z'), true);
    const c = clock('2026-03-01T11:00:00Z');
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 0 });
    await setBrief(storage, ch, { ...live, brief: s }, c.now().getTime());
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 1 });
    expect((await storage.briefs.list(ch))[0]).toMatchObject({ kind: 'quiet', periodKey: 'release:2026-03-01T11:00' });
    expect(await scheduler(c).runOnce()).toEqual({ briefs: 0, releases: 0 });
  });
});
