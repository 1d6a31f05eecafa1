// Times, days and time zones as typed in /news brief and /news quiet, each refused with one sentence that
// names the value and shows the format.
import { parseClock, WEEKDAYS, type ChannelDelivery, type ClockTime } from '../domain/brief-schedule.ts';
import { canonicalZone } from '../domain/zoned-time.ts';
import { UsageError } from '../lib/errors.ts';

const shown = (raw: string) => `"${raw.replace(/\p{Cf}/gu, '').slice(0, 40)}"`;

export function parseTime(raw: string): ClockTime {
  const t = parseClock(raw);
  if (!t) throw new UsageError(`${shown(raw)} is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.`);
  return t;
}

export function parseZone(raw: string): string {
  const zone = canonicalZone(raw);
  if (!zone) {
    throw new UsageError(`${shown(raw)} is not a time zone I know; use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.`);
  }
  return zone;
}

export function parseWeekday(raw: string): number {
  const a = raw.toLowerCase();
  const i = a.length >= 3 ? WEEKDAYS.findIndex((d) => d.startsWith(a)) : -1;
  if (i < 0) throw new UsageError(`${shown(raw)} is not a day of the week; use mon, tue, wed, thu, fri, sat or sun.`);
  return i;
}

/** The zone typed, else the one the channel already uses (its brief's, then its quiet hours'); else one sentence asking for it. */
export function zoneOrDefault(raw: string | undefined, d: ChannelDelivery, example: string): string {
  if (raw !== undefined) return parseZone(raw);
  const known = d.brief?.zone ?? d.quiet?.zone;
  if (known) return known;
  throw new UsageError(`Say which time zone the time is in, for example ${example}.`);
}

/**
 * The sentence for words typed after a complete command (`/news quiet 22:00-07:00 UTC please`): it names the
 * first extra word, what it came after, and the usage, so the user is never told a valid value is wrong.
 */
export function extraWords(typedBefore: string, extra: readonly string[], usage: string, example: string): UsageError {
  const word = shown(extra[0] ?? '');
  const more = extra.length > 1 ? ` (and ${extra.length - 1} more)` : '';
  return new UsageError(`${word}${more} is one word too many after ${typedBefore}; leave it out. Usage: ${usage}, for example ${example}.`);
}
