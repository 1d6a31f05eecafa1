// /news quiet HH:MM-HH:MM [Zone] | off: a daily window (it may cross midnight) in which live alerts are held;
// when it ends they go out as one message, or in the brief when the brief comes first.
import { describeQuiet, inQuietHours, quietEndAfter, type QuietHours } from '../domain/brief-schedule.ts';
import { shownTime } from '../domain/shown-time.ts';
import { UsageError } from '../lib/errors.ts';
import { extraWords, parseTime, parseZone, zoneOrDefault } from './time-args.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { reply, type CommandModule } from './types.ts';
import { unknownAction } from './unknown-action.ts';

const USAGE = '/news quiet HH:MM-HH:MM [Zone] | off';

const EXAMPLE = '/news quiet 22:00-07:00 Europe/Berlin';

/**
 * `22:00-07:00`, `22:00 - 07:00`, `22:00 to 07:00` or `22:00 07:00`, then an optional zone, then `extra`:
 * words that are not part of quiet hours, named as such once the window and zone are checked.
 */
function parseWindow(args: readonly string[]): { start: string; end: string; zone: string | undefined; extra: string[] } {
  const m = /^([^\s\-–]+)\s*(?:[-–]|\s+to\s+|\s)\s*([^\s\-–]+)(?:\s+(.*))?$/i.exec(args.join(' '));
  if (!m) throw new UsageError(`Usage: ${USAGE}, for example ${EXAMPLE}.`);
  const [zone, ...extra] = (m[3] ?? '').split(/\s+/).filter(Boolean);
  return { start: m[1]!, end: m[2]!, zone, extra };
}

export const quiet: CommandModule = {
  name: 'quiet',
  usage: USAGE,
  summary: 'hold live alerts during these hours and send them as one message when they end (or in the brief)',
  // `off` and a window (it has digits) change something: a mistyped word gets its usage, not a refusal.
  permission: (args) => (args[0]?.toLowerCase() === 'off' || /\d/.test(args[0] ?? '') ? 'manage_channel' : 'anyone'),
  action: "change this channel's quiet hours",
  public: true,
  async run({ cmd, deps, now, channel, findChannel }) {
    const first = cmd.args[0]?.toLowerCase();
    if (first === undefined || first === 'show') {
      if (cmd.args.length > 1) throw extraWords('/news quiet show', cmd.args.slice(1), USAGE, EXAMPLE);
      const ch = await findChannel();
      if (ownedByAnother(ch, cmd)) return reply(sharedChannelSentence(cmd.platform, 'quiet hours are'));
      const d = ch ? await deps.channels.delivery(ch.id) : null;
      return reply(d?.quiet ? `Quiet hours: ${describeQuiet(d.quiet)}; live alerts in that window are held, then sent as one message.` : 'This channel has no quiet hours; set them with /news quiet 22:00-07:00 Europe/Berlin.');
    }
    if (first === 'off') {
      if (cmd.args.length > 1) throw extraWords('/news quiet off', cmd.args.slice(1), USAGE, EXAMPLE);
      const ch = await channel();
      const d = await deps.channels.delivery(ch.id);
      if (!d.quiet) return reply('Nothing changed: this channel has no quiet hours.', { ephemeral: true });
      await deps.channels.setDelivery(ch.id, { ...d, quiet: null }, d.briefNextAt);
      return reply(`Quiet hours are off; live alerts go out as stories come${d.mode === 'brief' ? ' (this channel gets only its brief, so nothing else changes)' : ', and anything they held goes out now as one message'}.`, { ephemeral: false });
    }
    if (!/\d/.test(first)) throw unknownAction('quiet', first, ['off', 'show'], USAGE);
    const w = parseWindow(cmd.args);
    const start = parseTime(w.start);
    const end = parseTime(w.end);
    if (w.extra.length > 0) throw extraWords(`/news quiet ${w.start}-${w.end} ${parseZone(w.zone!)}`, w.extra, USAGE, EXAMPLE);
    if (start.hour === end.hour && start.minute === end.minute && start.second === end.second) throw new UsageError('Quiet hours need an end that differs from their start, for example 22:00-07:00.');
    // A zone typed is checked before anything is stored.
    const typedZone = w.zone === undefined ? undefined : parseZone(w.zone);
    const ch = await channel();
    const d = await deps.channels.delivery(ch.id);
    const zone = zoneOrDefault(typedZone, d, `/news quiet ${w.start}-${w.end} Europe/Berlin`);
    const q: QuietHours = { start, end, zone };
    await deps.channels.setDelivery(ch.id, { ...d, quiet: q }, d.briefNextAt);
    const lines = [`Quiet hours: ${describeQuiet(q)}. Live alerts in that window are held and go out as one message when it ends${d.brief && d.mode === 'both' ? ', or in the brief if it comes first' : ''}.`];
    if (d.mode === 'brief') lines.push('This channel gets only its brief, so quiet hours matter once the mode is live or both.');
    else if (inQuietHours(q, now.getTime())) lines.push(`It is quiet now, until ${shownTime(quietEndAfter(q, now.getTime()).at, zone)}.`);
    return reply(lines.join(' '), { ephemeral: false });
  },
};
