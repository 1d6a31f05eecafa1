// Sentences about a channel's delivery settings, shared by brief, mode, quiet, threads and status.
import { describeQuiet, describeSchedule, type BriefSchedule, type ChannelDelivery } from '../domain/brief-schedule.ts';
import { shownTimeWithUtc } from '../domain/shown-time.ts';

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
  return lines;
}
