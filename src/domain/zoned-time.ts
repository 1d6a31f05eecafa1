// Wall-clock time in IANA time zones, with Intl alone (no I/O, no library): what a zone's clock reads at
// an instant, and which instant a zone's clock reading names. A reading that does not exist (the hour
// skipped when clocks go forward) names the instant after the gap, as late as the gap is long (02:30 on
// a spring-forward night in Berlin is 03:30 CEST); a reading that exists twice (the hour repeated when
// clocks go back) names the earlier one. These are Temporal's "compatible" rules, so each calendar day
// has exactly one instant for a given time of day: a daily brief is neither skipped nor doubled.

/** A date and time as a zone's clock shows it. month 1-12; weekday 0 = Sunday. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A calendar date, `2026-03-29`. */
export type LocalDate = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** What `zone`'s clock reads at `at`. Throws RangeError for an unknown zone. */
export function wallTimeAt(zone: string, at: number | Date): WallTime {
  const parts = formatter(zone).formatToParts(typeof at === 'number' ? at : at.getTime());
  const get = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)?.value ?? NaN);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  return { year, month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** The wall time read as if it were UTC, in milliseconds (for arithmetic on readings). */
function asUtc(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** The zone's offset from UTC at `at`, in milliseconds (+3_600_000 for CET). */
export function offsetAt(zone: string, at: number): number {
  const wall = asUtc(wallTimeAt(zone, at));
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/** The instant `zone`'s clock reads `w` (see the file comment for readings that do not exist or repeat). */
export function instantOf(zone: string, w: WallTime): number {
  const wall = asUtc(w);
  // The offsets in force a day either side cover any transition near this reading.
  const before = offsetAt(zone, wall - 86_400_000);
  const after = offsetAt(zone, wall + 86_400_000);
  const candidates = [...new Set([before, after, offsetAt(zone, wall)])]
    .map((o) => wall - o)
    .filter((t) => asUtc(wallTimeAt(zone, t)) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // Skipped by a forward jump: the same distance past the gap, i.e. read with the offset before it.
  return wall - before;
}

/** `2026-03-29` for a wall time. */
export function localDate(w: Pick<WallTime, 'year' | 'month' | 'day'>): LocalDate {
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The calendar date `days` after `date` (negative: before), with its weekday (0 = Sunday). */
export function addDays(date: Pick<WallTime, 'year' | 'month' | 'day'>, days: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day + days);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** Every name Intl knows, by lower case (built once). */
let known: Map<string, string> | null = null;

/**
 * The zone's name as it should be stored and shown, or null when it is not an IANA time zone name this
 * runtime knows ("Europe/Berlin", "UTC"; not "+05:30", "CEST" or "Berlin"). Case is forgiven.
 */
export function canonicalZone(input: string): string | null {
  const name = input.trim();
  if (name.length === 0 || name.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return null;
  known ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  const listed = known.get(name.toLowerCase());
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (listed) return listed;
  if (resolved.toLowerCase() === name.toLowerCase()) return resolved;
  // An alias Intl accepts but does not list (Asia/Kolkata on some runtimes): keep it as typed, with its
  // area's usual capitals when typed all in lower case.
  return name === name.toLowerCase() ? name.replace(/(^|[/_-])([a-z])/g, (_, sep: string, c: string) => `${sep}${c.toUpperCase()}`) : name;
}
