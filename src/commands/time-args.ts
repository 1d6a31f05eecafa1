// Times, days and time zones as typed in /news brief and /news quiet, each refused with one sentence that
// names the value and shows the format.
import { formatClock, parseClock, WEEKDAYS, type ChannelDelivery, type ClockTime } from '../domain/brief-schedule.ts';
import type { Command } from '../domain/chat.ts';
import { canonicalZone } from '../domain/zoned-time.ts';
import { closest } from '../lib/closest.ts';
import { UsageError } from '../lib/errors.ts';
import { typedQuoted as shown, typedUsage } from './typed-text.ts';
import { orList, zonesMeantBy } from './zone-abbreviations.ts';

export function parseTime(raw: string): ClockTime {
  const t = parseClock(raw);
  if (!t) throw typedUsage(`${shown(raw)} is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.`, shown(raw));
  return t;
}

/** `did you mean X? Otherwise u` when one is meant (lib/closest.ts), else `u`, for a sentence's second half. */
const meantOr = (meant: string | null | undefined, use: string) => (meant ? `did you mean ${meant}? Otherwise ${use}` : use);

let zoneNames: readonly string[] | null = null;

/** The listed zone a mistyped one was meant as (Europe/Berln; America/New, from America/New York typed with a space), or null. */
function zoneMeant(raw: string): string | null {
  zoneNames ??= Intl.supportedValuesOf('timeZone');
  const meant = closest(raw, zoneNames.map((z) => z.toLowerCase()));
  return meant === null ? null : (zoneNames.find((z) => z.toLowerCase() === meant) ?? null);
}

export function parseZone(raw: string): string {
  // EST, CET, BST...: refused even where Intl takes one, as a fixed offset or another place (zone-abbreviations.ts).
  const meant = zonesMeantBy(raw);
  if (meant) {
    throw typedUsage(`${shown(raw)} is a time-zone abbreviation, which names a fixed offset or several places rather than one place's clock with its daylight-saving changes; did you mean ${orList(meant)}?`, shown(raw));
  }
  const zone = canonicalZone(raw);
  if (!zone) {
    throw typedUsage(`${shown(raw)} is not a time zone I know; ${meantOr(zoneMeant(raw), 'use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.')}`, shown(raw));
  }
  return zone;
}

export function parseWeekday(raw: string): number {
  const a = raw.toLowerCase();
  const i = a.length >= 3 ? WEEKDAYS.findIndex((d) => d.startsWith(a)) : -1;
  if (i < 0) throw typedUsage(`${shown(raw)} is not a day of the week; ${meantOr(closest(a, WEEKDAYS)?.slice(0, 3), 'use mon, tue, wed, thu, fri, sat or sun.')}`, shown(raw));
  return i;
}

/** The weekday `raw` names (mon, Monday...), or null: parseWeekday without the sentence. */
export function weekdayOf(raw: string): number | null {
  try {
    return parseWeekday(raw);
  } catch {
    return null;
  }
}

/**
 * `/news brief daily mon 08:00 UTC` (Discord: schedule daily with a day): a daily brief takes no day, a
 * weekly one does. The sentence shows the weekly form with what was typed (a time or zone that is not
 * one gives way to an example), in the platform's own syntax.
 */
export function dailyTakesNoDay(platform: Command['platform'], weekday: number, after: readonly string[]): UsageError {
  const day = WEEKDAYS[weekday]!;
  const time = parseClock(after[0] ?? '');
  const zone = after[1] === undefined || zonesMeantBy(after[1]) ? null : canonicalZone(after[1]);
  const [hhmm, tz] = [time ? formatClock(time) : '08:00', zone ?? 'Europe/Berlin'];
  const form = platform === 'discord' ? `/news brief schedule:weekly day:${day.slice(0, 3)} time:${hhmm} zone:${tz}` : `/news brief weekly ${day.slice(0, 3)} ${hhmm} ${tz}`;
  return new UsageError(`A daily brief comes every day and takes no day; for one on ${day[0]!.toUpperCase()}${day.slice(1)}s only, use weekly: ${form}.`);
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
  return typedUsage(`${word}${more} is one word too many after ${typedBefore}; leave it out. Usage: ${usage}, for example ${example}.`, word);
}
