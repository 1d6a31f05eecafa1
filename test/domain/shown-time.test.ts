// One format for a time shown to a user, wherever it is shown: the zone's clock, to the minute, the zone named.
import { describe, expect, it } from 'vitest';
import { shownTime, shownTimeWithUtc } from '../../src/domain/shown-time.ts';

describe('shownTime', () => {
  it.each([
    ['UTC when no zone is given, seconds dropped', '2026-03-02T10:00:07.250Z', undefined, 'Mon 2 Mar 2026 10:00 UTC'],
    ['a zone ahead of UTC, winter', '2026-03-02T07:00:00Z', 'Europe/Berlin', 'Mon 2 Mar 2026 08:00 Europe/Berlin'],
    ['a zone ahead of UTC, summer', '2026-03-30T06:00:00Z', 'Europe/Berlin', 'Mon 30 Mar 2026 08:00 Europe/Berlin'],
    ['a zone behind UTC, the day before', '2026-03-10T02:30:00Z', 'America/New_York', 'Mon 9 Mar 2026 22:30 America/New_York'],
    ['a half-hour zone', '2026-03-11T11:30:00Z', 'Asia/Kolkata', 'Wed 11 Mar 2026 17:00 Asia/Kolkata'],
    ['midnight', '2026-12-31T23:00:00Z', 'Europe/Berlin', 'Fri 1 Jan 2027 00:00 Europe/Berlin'],
  ])('%s', (_name, at, zone, want) => {
    expect(shownTime(new Date(at), zone)).toBe(want);
    expect(shownTime(Date.parse(at), zone)).toBe(want);
  });

  it.each([
    ['another zone: UTC beside it', 'Europe/Berlin', 'Mon 2 Mar 2026 08:00 Europe/Berlin (07:00 UTC)'],
    ['UTC: said once', 'UTC', 'Mon 2 Mar 2026 07:00 UTC'],
  ])('with UTC, %s', (_name, zone, want) => {
    expect(shownTimeWithUtc(Date.parse('2026-03-02T07:00:00Z'), zone)).toBe(want);
  });
});
