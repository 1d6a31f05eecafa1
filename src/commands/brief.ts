// /news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | HH:MM [Zone] | off | show: the channel's morning
// brief, a digest of the period's stories at a local time (a time alone moves the brief, daily or weekly as it is;
// a day alone, `/news brief mon 08:00`, means weekly, as on Discord). Setting one while the channel gets live alerts only
// keeps them too (mode both); /news mode brief makes the brief the only delivery.
import { describeSchedule, nextOccurrence, type BriefSchedule, type ChannelDelivery } from '../domain/brief-schedule.ts';
import { shownTime } from '../domain/shown-time.ts';
import { UsageError } from '../lib/errors.ts';
import { deliveryLine, nextBriefLine } from './delivery-text.ts';
import { dailyTakesNoDay, extraWords, parseTime, parseWeekday, parseZone, weekdayOf, zoneOrDefault } from './time-args.ts';
import type { Reply } from '../domain/chat.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { reply, type CommandDeps, type CommandModule } from './types.ts';
import { unknownAction } from './unknown-action.ts';

const USAGE = '/news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | DAY HH:MM [Zone] | HH:MM [Zone] | off | show';
const CHANGES = ['daily', 'weekly', 'off'];
const EXAMPLE = '/news brief daily 08:00 Europe/Berlin';

export const brief: CommandModule = {
  name: 'brief',
  usage: USAGE,
  summary:
    "this channel's digest of the period's stories at a local time, daily or weekly (e.g. daily 08:00 Europe/Berlin); a day first means weekly (mon 08:00); a time alone moves the brief, daily or weekly as it is (daily when there is none); the zone may be left out once the channel has one",
  // Only daily, weekly, off and a time (the brief's new time) change anything: a mistyped action gets its usage, not a refusal.
  permission: (args) => (CHANGES.includes(args[0]?.toLowerCase() ?? '') || /\d/.test(args[0] ?? '') || weekdayOf(args[0] ?? '') !== null ? 'manage_channel' : 'anyone'),
  action: "change this channel's brief",
  public: true,
  async run({ cmd, deps, now, channel, findChannel }) {
    // A day first (`/news brief mon 08:00 UTC`): weekly, as Discord reads a day without a schedule.
    const dayAlone = weekdayOf(cmd.args[0] ?? '') !== null;
    const typed = dayAlone ? ['weekly', ...cmd.args] : cmd.args;
    const [actionRaw, ...rest] = typed;
    const action = (actionRaw ?? 'show').toLowerCase();
    if (action === 'show') {
      if (rest.length) throw extraWords('/news brief show', rest, USAGE, EXAMPLE);
      const ch = await findChannel();
      if (ownedByAnother(ch, cmd)) return reply(sharedChannelSentence(cmd.platform, 'brief is'));
      if (!ch) return reply('This channel has no brief; set one with /news brief daily 08:00 Europe/Berlin.');
      const d = await deps.channels.delivery(ch.id);
      if (!d.brief) return reply(`This channel has no brief; set one with /news brief daily 08:00 Europe/Berlin. ${deliveryLine(d)}`);
      const held = deps.briefs ? await deps.briefs.heldCount(ch.id) : 0;
      const lines = [`Brief: ${describeSchedule(d.brief)}.`, deliveryLine(d)];
      if (d.mode !== 'live' && d.briefNextAt) lines.push(nextBriefLine(d.brief, d.briefNextAt.getTime()));
      if (held) lines.push(`${held} ${held === 1 ? 'story is' : 'stories are'} held for it.`);
      const last = deps.briefs ? (await deps.briefs.list(ch.id, 5)).find((b) => b.kind === 'brief') : undefined;
      if (last?.status === 'sent' && last.sentAt) lines.push(`The last one went out ${shownTime(last.sentAt, d.brief.zone)} with ${last.content?.total ?? 0} ${last.content?.total === 1 ? 'story' : 'stories'}.`);
      if (last?.status === 'dead') lines.push(`The last one could not be sent (${last.lastError ?? 'no reason recorded'}); its stories go into the next.`);
      return reply(lines.join('\n'), { quoted: last?.lastError ? [last.lastError] : [] });
    }
    if (action === 'off') {
      if (rest.length) throw extraWords('/news brief off', rest, USAGE, EXAMPLE);
      const ch = await channel();
      const d = await deps.channels.delivery(ch.id);
      if (!d.brief) return reply('Nothing changed: this channel has no brief.', { ephemeral: true });
      await deps.channels.setDelivery(ch.id, { ...d, brief: null, mode: 'live' }, null);
      const held = deps.briefs ? await deps.briefs.heldCount(ch.id) : 0;
      const tail = held ? ` The ${held === 1 ? 'story' : `${held} stories`} held for it ${held === 1 ? 'goes' : 'go'} out as one message${d.quiet ? ' once quiet hours allow' : ' now'}.` : '';
      return reply(`This channel's brief is off; it gets live alerts as stories come.${tail}`, { ephemeral: false });
    }
    // A time first (`/news brief 09:00 [Zone]`; Discord: a time without a schedule): the time of this
    // channel's brief, daily or weekly (on its day) as it is, or daily when it has none yet.
    if (/\d/.test(action)) {
      const time = parseTime(actionRaw!);
      const typedZone = rest[0] === undefined ? undefined : parseZone(rest[0]);
      if (rest.length > 1) throw extraWords(`/news brief ${actionRaw} ${typedZone}`, rest.slice(1), USAGE, EXAMPLE);
      const ch = await channel();
      const d = await deps.channels.delivery(ch.id);
      const every = d.brief?.every ?? 'daily';
      const weekday = every === 'weekly' ? (d.brief?.weekday ?? null) : null;
      return setSchedule(deps, now, ch.id, d, { every, weekday, time, zone: zoneOrDefault(typedZone, d, `/news brief ${actionRaw} Europe/Berlin`) });
    }
    if (action !== 'daily' && action !== 'weekly') throw unknownAction('brief', action, [...CHANGES, 'show'], USAGE);
    const args = [...rest];
    const dayForDaily = action === 'daily' && args[0] !== undefined && !/\d/.test(args[0]) ? weekdayOf(args[0]) : null;
    if (dayForDaily !== null) throw dailyTakesNoDay(cmd.platform, dayForDaily, args.slice(1));
    const weekday = action === 'weekly' ? parseWeekday(args.shift() ?? '') : null;
    if (args.length === 0) throw new UsageError(`Say when, for example /news brief ${action === 'weekly' ? 'weekly mon 08:00' : 'daily 08:00'} Europe/Berlin.`);
    const timeRaw = args.shift()!;
    const time = parseTime(timeRaw);
    const typedZone = args[0] === undefined ? undefined : parseZone(args[0]);
    if (args.length > 1) throw extraWords(`/news brief ${action}${weekday === null ? '' : ` ${rest[0]}`} ${timeRaw} ${typedZone}`, args.slice(1), USAGE, EXAMPLE);
    const ch = await channel();
    const d = await deps.channels.delivery(ch.id);
    const zone = zoneOrDefault(typedZone, d, `/news brief ${typed.join(' ').toLowerCase()} Europe/Berlin`);
    return setSchedule(deps, now, ch.id, d, { every: action, weekday, time, zone }, dayAlone ? 'A day alone means a weekly brief: this' : 'This');
  },
};

/** Stores the brief's schedule (a live channel gets mode both) and says when the next one comes. */
async function setSchedule(deps: CommandDeps, now: Date, channelId: number, d: ChannelDelivery, schedule: BriefSchedule, lead = 'This'): Promise<Reply> {
  const mode = d.mode === 'live' ? 'both' : d.mode;
  const next = nextOccurrence(schedule, now.getTime());
  await deps.channels.setDelivery(channelId, { ...d, brief: schedule, mode }, new Date(next.at));
  const modeLine =
    mode === 'both'
      ? 'Live alerts go on as well; /news mode brief makes the brief the only delivery.'
      : 'Only the brief: new stories are held for it (/news mode both adds live alerts).';
  return reply(`${lead} channel gets a brief ${describeSchedule(schedule)}. ${nextBriefLine(schedule, next.at)} ${modeLine}`, { ephemeral: false });
}
