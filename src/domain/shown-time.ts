// A time as every face of the product shows it (chat replies, briefs, alerts, the dashboard, the CLI's
// text): `Mon 2 Mar 2026 08:00 Europe/Berlin`, on the named zone's clock, to the minute, the zone always
// said (UTC when none is given), so the same instant reads the same everywhere.
import { addDays, wallTimeAt } from './zoned-time.ts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => String(n).padStart(2, '0');

/** `Mon 2 Mar 2026 08:00 Europe/Berlin`; `Mon 2 Mar 2026 07:00 UTC` without a zone. */
export function shownTime(at: Date | number, zone = 'UTC'): string {
  const w = wallTimeAt(zone, at);
  return `${WEEKDAYS[addDays(w, 0).weekday]!} ${w.day} ${MONTHS[w.month - 1]!} ${w.year} ${pad(w.hour)}:${pad(w.minute)} ${zone}`;
}

/** `Mon 2 Mar 2026 08:00 Europe/Berlin (07:00 UTC)`: the zone's clock, and UTC's beside it when they differ. */
export function shownTimeWithUtc(at: Date | number, zone: string): string {
  if (zone === 'UTC') return shownTime(at);
  const u = wallTimeAt('UTC', at);
  return `${shownTime(at, zone)} (${pad(u.hour)}:${pad(u.minute)} UTC)`;
}
