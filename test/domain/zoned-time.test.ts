import { describe, expect, it } from 'vitest';
import { canonicalZone, instantOf, offsetAt, wallTimeAt } from '../../src/domain/zoned-time.ts';

const wall = (s: string) => {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)$/.exec(s)!;
  return { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: 0 };
};

describe('instantOf: a zone clock reading as an instant, across daylight-saving changes', () => {
  it.each([
    // Europe/Berlin: forward 29 Mar 2026 02:00 -> 03:00, back 25 Oct 2026 03:00 -> 02:00.
    { zone: 'Europe/Berlin', local: '2026-03-28 08:00', utc: '2026-03-28T07:00:00Z', note: 'winter time' },
    { zone: 'Europe/Berlin', local: '2026-03-29 02:30', utc: '2026-03-29T01:30:00Z', note: 'skipped: 03:30 CEST' },
    { zone: 'Europe/Berlin', local: '2026-03-29 08:00', utc: '2026-03-29T06:00:00Z', note: 'summer time' },
    { zone: 'Europe/Berlin', local: '2026-10-25 02:30', utc: '2026-10-25T00:30:00Z', note: 'repeated: the first' },
    { zone: 'Europe/Berlin', local: '2026-10-25 08:00', utc: '2026-10-25T07:00:00Z', note: 'winter time again' },
    // America/New_York: forward 8 Mar 2026 02:00 -> 03:00, back 1 Nov 2026 02:00 -> 01:00.
    { zone: 'America/New_York', local: '2026-03-08 02:30', utc: '2026-03-08T07:30:00Z', note: 'skipped: 03:30 EDT' },
    { zone: 'America/New_York', local: '2026-03-08 08:00', utc: '2026-03-08T12:00:00Z', note: 'EDT' },
    { zone: 'America/New_York', local: '2026-11-01 01:30', utc: '2026-11-01T05:30:00Z', note: 'repeated: the first (EDT)' },
    { zone: 'America/New_York', local: '2026-11-01 08:00', utc: '2026-11-01T13:00:00Z', note: 'EST' },
    // Australia/Sydney: back 5 Apr 2026 03:00 -> 02:00, forward 4 Oct 2026 02:00 -> 03:00.
    { zone: 'Australia/Sydney', local: '2026-04-05 02:30', utc: '2026-04-04T15:30:00Z', note: 'repeated: the first (AEDT)' },
    { zone: 'Australia/Sydney', local: '2026-04-05 08:00', utc: '2026-04-04T22:00:00Z', note: 'AEST' },
    { zone: 'Australia/Sydney', local: '2026-10-04 02:30', utc: '2026-10-03T16:30:00Z', note: 'skipped: 03:30 AEDT' },
    { zone: 'Australia/Sydney', local: '2026-10-04 08:00', utc: '2026-10-03T21:00:00Z', note: 'AEDT' },
    // Asia/Kolkata: no daylight saving, half-hour offset.
    { zone: 'Asia/Kolkata', local: '2026-03-29 08:00', utc: '2026-03-29T02:30:00Z', note: '+05:30' },
    { zone: 'Asia/Kolkata', local: '2026-10-25 00:00', utc: '2026-10-24T18:30:00Z', note: 'midnight, previous UTC day' },
    { zone: 'UTC', local: '2026-03-29 02:30', utc: '2026-03-29T02:30:00Z', note: 'no offset' },
  ])('$zone $local -> $utc ($note)', ({ zone, local, utc }) => {
    expect(new Date(instantOf(zone, wall(local))).toISOString()).toBe(new Date(utc).toISOString());
  });

  it('reads the clock back: wallTimeAt is the inverse where the reading exists once', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata']) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 7 * 3600_000 + 13 * 60_000) {
        const w = wallTimeAt(zone, t);
        const back = instantOf(zone, w);
        // Only the repeated hour of a fall-back night may map to the other (earlier) instant.
        if (back !== t) expect(t - back).toBe(3600_000);
      }
    }
  });

  it('knows the offsets either side of a change', () => {
    expect(offsetAt('Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59))).toBe(3600_000);
    expect(offsetAt('Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0))).toBe(7200_000);
    expect(offsetAt('Asia/Kolkata', Date.UTC(2026, 6, 1))).toBe(5.5 * 3600_000);
  });
});

describe('canonicalZone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['America/New_York', 'America/New_York'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Australia/Sydney', 'Australia/Sydney'],
  ])('%s -> %s', (input, want) => {
    expect(canonicalZone(input)).toBe(want);
  });

  it.each(['Europe/Berln', 'Berlin', '+05:30', 'CEST', '', 'Europe/Berlin; drop table', `${'A/'.repeat(40)}x`])('refuses %j', (input) => {
    expect(canonicalZone(input)).toBeNull();
  });
});
