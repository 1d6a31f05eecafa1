import { describe, expect, it } from 'vitest';
import {
  briefPeriodKey, describeSchedule, inQuietHours, lastQuietEnd, latestOccurrence, nextOccurrence, quietEndAfter,
  type BriefSchedule, type QuietHours,
} from '../../src/domain/brief-schedule.ts';

const daily = (zone: string, hour: number, minute = 0): BriefSchedule => ({ every: 'daily', weekday: null, time: { hour, minute, second: 0 }, zone });
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

/** Each daylight-saving change of 2026 in the four zones, with the days either side. */
const CHANGES = [
  { zone: 'Europe/Berlin', from: '2026-03-26', days: 7, change: 'forward 29 Mar' },
  { zone: 'Europe/Berlin', from: '2026-10-22', days: 7, change: 'back 25 Oct' },
  { zone: 'America/New_York', from: '2026-03-05', days: 7, change: 'forward 8 Mar' },
  { zone: 'America/New_York', from: '2026-10-29', days: 7, change: 'back 1 Nov' },
  { zone: 'Australia/Sydney', from: '2026-04-02', days: 7, change: 'back 5 Apr' },
  { zone: 'Australia/Sydney', from: '2026-10-01', days: 7, change: 'forward 4 Oct' },
  { zone: 'Asia/Kolkata', from: '2026-03-26', days: 7, change: 'none (control)' },
];
/** Times of day that fall in a skipped or repeated hour somewhere above, and ordinary ones. */
const TIMES = [[0, 0], [1, 30], [2, 0], [2, 30], [3, 0], [8, 0], [23, 59]] as const;

describe('daily briefs across daylight-saving changes: one occurrence per calendar day, none skipped, none doubled', () => {
  for (const c of CHANGES) {
    for (const [h, m] of TIMES) {
      it(`${c.zone} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')} over ${c.change}`, () => {
        const s = daily(c.zone, h, m);
        // Start an hour before the first local day (in UTC terms well before it), walk occurrence to occurrence.
        let t = Date.parse(`${c.from}T00:00:00Z`) - 36 * 3600_000;
        const seen: { at: number; date: string }[] = [];
        while (seen.length < c.days + 3) {
          const o = nextOccurrence(s, t);
          seen.push(o);
          t = o.at;
        }
        const dates = seen.map((o) => o.date);
        expect(new Set(dates).size).toBe(dates.length);
        // Consecutive calendar days, no gap.
        for (let i = 1; i < dates.length; i++) expect(Date.parse(dates[i]!) - Date.parse(dates[i - 1]!)).toBe(86_400_000);
        // Roughly a day apart (23 to 25 hours around a change), strictly increasing.
        for (let i = 1; i < seen.length; i++) {
          const gap = seen[i]!.at - seen[i - 1]!.at;
          expect(gap).toBeGreaterThanOrEqual(23 * 3600_000);
          expect(gap).toBeLessThanOrEqual(25 * 3600_000);
        }
        // latestOccurrence agrees with nextOccurrence at and just after every occurrence.
        for (const o of seen) {
          expect(latestOccurrence(s, o.at)).toEqual(o);
          expect(latestOccurrence(s, o.at + 1000)).toEqual(o);
          expect(nextOccurrence(s, o.at - 1)).toEqual(o);
        }
        // Keys are one per day.
        expect(new Set(seen.map((o) => briefPeriodKey(s, o))).size).toBe(seen.length);
      });
    }
  }

  it.each([
    { zone: 'Europe/Berlin', after: '2026-03-28T23:00:00Z', h: 2, m: 30, at: '2026-03-29T01:30:00Z', date: '2026-03-29' },
    { zone: 'Europe/Berlin', after: '2026-10-24T23:00:00Z', h: 2, m: 30, at: '2026-10-25T00:30:00Z', date: '2026-10-25' },
    { zone: 'Europe/Berlin', after: '2026-10-25T00:30:00Z', h: 2, m: 30, at: '2026-10-26T01:30:00Z', date: '2026-10-26' },
    { zone: 'America/New_York', after: '2026-11-01T05:30:00Z', h: 1, m: 30, at: '2026-11-02T06:30:00Z', date: '2026-11-02' },
    { zone: 'Australia/Sydney', after: '2026-10-03T12:00:00Z', h: 2, m: 30, at: '2026-10-03T16:30:00Z', date: '2026-10-04' },
    { zone: 'Asia/Kolkata', after: '2026-03-29T02:30:00Z', h: 8, m: 0, at: '2026-03-30T02:30:00Z', date: '2026-03-30' },
  ])('the next $h:$m in $zone after $after is $at ($date)', ({ zone, after, h, m, at, date }) => {
    expect(nextOccurrence(daily(zone, h, m), Date.parse(after))).toEqual({ at: Date.parse(at), date });
  });
});

describe('weekly briefs', () => {
  const weekly: BriefSchedule = { every: 'weekly', weekday: 1, time: { hour: 8, minute: 0, second: 0 }, zone: 'Europe/Berlin' };
  it('fall on the weekday, every seven days, through a change of clocks', () => {
    let t = Date.parse('2026-03-20T00:00:00Z');
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const o = nextOccurrence(weekly, t);
      got.push(`${o.date} ${iso(o.at)}`);
      t = o.at;
    }
    expect(got).toEqual(['2026-03-23 2026-03-23T07:00:00Z', '2026-03-30 2026-03-30T06:00:00Z', '2026-04-06 2026-04-06T06:00:00Z']);
    expect(describeSchedule(weekly)).toBe('weekly on Monday at 08:00 Europe/Berlin');
  });
});

describe('quiet hours', () => {
  const night: QuietHours = { start: { hour: 22, minute: 0, second: 0 }, end: { hour: 7, minute: 0, second: 0 }, zone: 'Europe/Berlin' };
  const day: QuietHours = { start: { hour: 12, minute: 0, second: 0 }, end: { hour: 13, minute: 30, second: 0 }, zone: 'Asia/Kolkata' };
  it.each([
    { q: night, at: '2026-03-28T20:59:00Z', quiet: false, note: '21:59 CET' },
    { q: night, at: '2026-03-28T21:00:00Z', quiet: true, note: '22:00 CET: start is inside' },
    { q: night, at: '2026-03-29T01:30:00Z', quiet: true, note: '03:30 CEST, the night the clocks go forward' },
    { q: night, at: '2026-03-29T04:59:00Z', quiet: true, note: '06:59 CEST' },
    { q: night, at: '2026-03-29T05:00:00Z', quiet: false, note: '07:00 CEST: end is outside' },
    { q: day, at: '2026-03-29T06:29:00Z', quiet: false, note: '11:59 IST' },
    { q: day, at: '2026-03-29T06:30:00Z', quiet: true, note: '12:00 IST' },
    { q: day, at: '2026-03-29T08:00:00Z', quiet: false, note: '13:30 IST' },
  ])('$note -> quiet $quiet', ({ q, at, quiet }) => {
    expect(inQuietHours(q, Date.parse(at))).toBe(quiet);
  });

  it('ends at 07:00 on the zone clock, whatever the offset that night', () => {
    expect(iso(quietEndAfter(night, Date.parse('2026-03-28T22:00:00Z')).at)).toBe('2026-03-29T05:00:00Z');
    expect(iso(quietEndAfter(night, Date.parse('2026-10-24T22:00:00Z')).at)).toBe('2026-10-25T06:00:00Z');
    expect(lastQuietEnd(night, Date.parse('2026-03-29T05:00:00Z'))).toEqual({ at: Date.parse('2026-03-29T05:00:00Z'), date: '2026-03-29' });
    expect(lastQuietEnd(night, Date.parse('2026-03-29T04:59:59Z')).date).toBe('2026-03-28');
  });
});
