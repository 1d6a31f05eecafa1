// Sentences about a channel's delivery settings, shared by brief, mode, quiet, threads and status.
import { describeQuiet, describeSchedule, formatClock, type BriefSchedule, type ChannelDelivery } from '../domain/brief-schedule.ts';
import { shownTimeWithUtc } from '../domain/shown-time.ts';
import { orList, zonesMeantBy } from './zone-abbreviations.ts';

/** "The next one is Mon 2 Mar 2026 08:00 Europe/Berlin (07:00 UTC)." */
export function nextBriefLine(s: BriefSchedule, at: number): string {
  return `The next one is ${shownTimeWithUtc(at, s.zone)}.`;
}

/** "Delivery: live alerts and the brief." */
export function deliveryLine(d: ChannelDelivery): string {
  switch (d.mode) {
    case 'live':
      return 'Delivery: live alerts as stories come (mode live).';
    case 'brief':
      return `Delivery: only the brief${d.brief ? `, ${describeSchedule(d.brief)}` : ''} (mode brief).`;
    case 'both':
      return `Delivery: live alerts and the brief${d.brief ? `, ${describeSchedule(d.brief)}` : ''} (mode both).`;
  }
}

/** The settings in a few lines, for /news status. */
export function deliveryLines(d: ChannelDelivery & { briefNextAt: Date | null }): string[] {
  const lines = [deliveryLine(d)];
  if (d.brief && d.mode !== 'live' && d.briefNextAt) lines.push(`Next brief: ${shownTimeWithUtc(d.briefNextAt, d.brief.zone)}.`);
  if (d.brief && d.mode === 'live') lines.push(`A brief ${describeSchedule(d.brief)} is kept but not sent while the mode is live.`);
  // Quiet hours and threads only when set (the defaults would be two more lines in every status).
  if (d.quiet) lines.push(`Quiet hours: ${describeQuiet(d.quiet)} (live alerts are held, then sent as one message).`);
  if (d.threads) lines.push('Threads: on (later coverage is replied in the story\'s thread).');
  // A zone stored before abbreviations were refused (EST, CET): it keeps a clock the channel likely did not mean.
  if (d.brief) lines.push(...abbreviatedZone('brief', d.brief.zone, (z) => `/news brief ${formatClock(d.brief!.time)} ${z}`));
  if (d.quiet) lines.push(...abbreviatedZone('quiet hours', d.quiet.zone, (z) => `/news quiet ${describeQuiet({ ...d.quiet!, zone: z })}`));
  return lines;
}

/** One line when `zone` is an abbreviation: what it is read as, and the command that sets the zone meant. */
function abbreviatedZone(what: string, zone: string, command: (meant: string) => string): string[] {
  const meant = zonesMeantBy(zone);
  if (!meant) return [];
  return [`The ${what} follow${what === 'brief' ? 's' : ''} ${zone}, an abbreviation read as a fixed offset or another place's clock, not ${orList(meant)} time: set the zone again, e.g. ${command(meant[0]!)}.`];
}
