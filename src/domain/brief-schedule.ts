// A channel's delivery settings and the calendar rules behind them (pure, no I/O):
// - the mode: live alerts (today's behaviour), only the brief, or both;
// - the brief's schedule: daily or weekly at a local time in an IANA zone. Each calendar day (each chosen
//   weekday) has exactly one occurrence, so a daylight-saving change neither skips nor doubles a brief
//   (zoned-time.ts: a time skipped by the change is taken just after the gap, a repeated one the first
//   time); a brief's period key names that day, and the outbox keeps one brief per (channel, key);
// - quiet hours: a daily window of the zone's clock (it may cross midnight) in which live alerts are held.
import { addDays, instantOf, localDate, wallTimeAt, type LocalDate } from './zoned-time.ts';

export type DeliveryMode = 'live' | 'brief' | 'both';
export const DELIVERY_MODES: readonly DeliveryMode[] = ['live', 'brief', 'both'];

/** A time of day on the zone's clock. */
export interface ClockTime {
  hour: number;
  minute: number;
  /** Usually 0; `08:00:30` is accepted (tests set a brief a few seconds ahead). */
  second: number;
}

export interface BriefSchedule {
  every: 'daily' | 'weekly';
  /** 0 = Sunday ... 6 = Saturday, for weekly briefs; null for daily. */
  weekday: number | null;
  time: ClockTime;
  /** IANA zone name (zoned-time.ts canonicalZone). */
  zone: string;
}

export interface QuietHours {
  start: ClockTime;
  end: ClockTime;
  zone: string;
}

/** What a channel asked for besides its topics and keywords. */
export interface ChannelDelivery {
  mode: DeliveryMode;
  /** Kept while the mode is live, so `/news mode both` brings it back. */
  brief: BriefSchedule | null;
  quiet: QuietHours | null;
  /** Later coverage of a posted story goes as a reply in its thread instead of an edit. */
  threads: boolean;
}

export const DEFAULT_DELIVERY: ChannelDelivery = { mode: 'live', brief: null, quiet: null, threads: false };

/** One occurrence of a schedule: when, and the calendar day (on the zone's clock) it belongs to. */
export interface Occurrence {
  at: number;
  date: LocalDate;
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** `08:00`, or `08:00:30` when seconds are set. */
export function formatClock(t: ClockTime): string {
  return `${pad(t.hour)}:${pad(t.minute)}${t.second ? `:${pad(t.second)}` : ''}`;
}

const secondsOfDay = (t: ClockTime) => t.hour * 3600 + t.minute * 60 + t.second;

/** The occurrence of `s` on the calendar day `days` after the zone's date at `ref` (null when not its weekday). */
function occurrenceOn(s: BriefSchedule, ref: number, days: number): Occurrence | null {
  const d = addDays(wallTimeAt(s.zone, ref), days);
  if (s.every === 'weekly' && d.weekday !== s.weekday) return null;
  return { at: instantOf(s.zone, { ...d, hour: s.time.hour, minute: s.time.minute, second: s.time.second }), date: localDate(d) };
}

/** The first occurrence strictly after `after` (ms since the epoch). */
export function nextOccurrence(s: BriefSchedule, after: number): Occurrence {
  for (let days = -1; days <= 9; days++) {
    const o = occurrenceOn(s, after, days);
    if (o && o.at > after) return o;
  }
  throw new Error(`brief schedule: no occurrence found after ${new Date(after).toISOString()} in ${s.zone}`);
}

/** The last occurrence at or before `at`. */
export function latestOccurrence(s: BriefSchedule, at: number): Occurrence {
  for (let days = 1; days >= -9; days--) {
    const o = occurrenceOn(s, at, days);
    if (o && o.at <= at) return o;
  }
  throw new Error(`brief schedule: no occurrence found before ${new Date(at).toISOString()} in ${s.zone}`);
}

/** The occurrence before `o` (the nominal start of o's period). */
export function previousOccurrence(s: BriefSchedule, o: Occurrence): Occurrence {
  return latestOccurrence(s, o.at - 1);
}

/** How long a period nominally is. */
export function nominalPeriodMs(s: BriefSchedule): number {
  return (s.every === 'daily' ? 1 : 7) * DAY_MS;
}

/**
 * The outbox key of the brief for occurrence `o`: one per schedule and calendar day
 * (`daily 08:00 Europe/Berlin 2026-03-29`). A schedule changed to another time or zone gets new keys.
 */
export function briefPeriodKey(s: BriefSchedule, o: Occurrence): string {
  return `brief:${s.every}:${formatClock(s.time)}:${s.zone}:${o.date}`;
}

/** Whether the zone's clock at `at` is inside the quiet window (start inclusive, end exclusive). */
export function inQuietHours(q: QuietHours, at: number): boolean {
  const w = wallTimeAt(q.zone, at);
  const now = w.hour * 3600 + w.minute * 60 + w.second;
  const start = secondsOfDay(q.start);
  const end = secondsOfDay(q.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

const quietEndOn = (q: QuietHours, ref: number, days: number): Occurrence => {
  const d = addDays(wallTimeAt(q.zone, ref), days);
  return { at: instantOf(q.zone, { ...d, hour: q.end.hour, minute: q.end.minute, second: q.end.second }), date: localDate(d) };
};

/** When the quiet window around `at` ends (the first end of the window after `at`). */
export function quietEndAfter(q: QuietHours, at: number): Occurrence {
  for (let days = -1; days <= 2; days++) {
    const o = quietEndOn(q, at, days);
    if (o.at > at) return o;
  }
  throw new Error(`quiet hours: no end found after ${new Date(at).toISOString()} in ${q.zone}`);
}

/** The last end of the quiet window at or before `at`. */
export function lastQuietEnd(q: QuietHours, at: number): Occurrence {
  for (let days = 1; days >= -2; days--) {
    const o = quietEndOn(q, at, days);
    if (o.at <= at) return o;
  }
  throw new Error(`quiet hours: no end found before ${new Date(at).toISOString()} in ${q.zone}`);
}

/** The outbox key of the message that releases what a quiet window held (one per window). */
export function quietPeriodKey(q: QuietHours, end: Occurrence): string {
  return `quiet:${formatClock(q.start)}-${formatClock(q.end)}:${q.zone}:${end.date}`;
}

/** `22:00-07:00 Europe/Berlin` */
export function describeQuiet(q: QuietHours): string {
  return `${formatClock(q.start)}-${formatClock(q.end)} ${q.zone}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `daily at 08:00 Europe/Berlin`, `weekly on Monday at 08:00 Europe/Berlin` */
export function describeSchedule(s: BriefSchedule): string {
  const day = s.every === 'weekly' && s.weekday !== null ? ` on ${cap(WEEKDAYS[s.weekday]!)}` : '';
  return `${s.every}${day} at ${formatClock(s.time)} ${s.zone}`;
}

/** `8:00`, `08:00` or `08:00:30` as a time of day; null when it is not one. */
export function parseClock(text: string): ClockTime | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const t = { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0) };
  return t.hour <= 23 && t.minute <= 59 && t.second <= 59 ? t : null;
}

/**
 * Whether a new alert for this channel is held instead of sent live: always in brief mode (the brief
 * delivers it), and during quiet hours in the other modes (released when they end, or by a brief).
 */
export function holdsAlerts(d: ChannelDelivery, at: number): boolean {
  if (d.mode === 'brief' && d.brief) return true;
  return d.quiet !== null && inQuietHours(d.quiet, at);
}
