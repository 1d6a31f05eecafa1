// /news mode live|brief|both: live alerts as stories come (today's behaviour), only the brief, or both.
import { DELIVERY_MODES, describeSchedule, nextOccurrence, type DeliveryMode } from '../domain/brief-schedule.ts';
import { UsageError } from '../lib/errors.ts';
import { deliveryLine } from './delivery-text.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { reply, type CommandModule } from './types.ts';
import { unknownAction } from './unknown-action.ts';

const USAGE = '/news mode live|brief|both';

export const mode: CommandModule = {
  name: 'mode',
  usage: USAGE,
  summary: 'live alerts as stories come, only the brief, or both',
  // Only a known mode changes anything: a mistyped one gets its usage, not a refusal.
  permission: (args) => (DELIVERY_MODES.includes(args[0]?.toLowerCase() as DeliveryMode) ? 'manage_channel' : 'anyone'),
  action: "change how this channel gets its stories",
  public: true,
  async run({ cmd, deps, now, channel, findChannel }) {
    if (cmd.args.length === 0) {
      const ch = await findChannel();
      if (ownedByAnother(ch, cmd)) return reply(sharedChannelSentence(cmd.platform, 'delivery settings are'));
      const d = ch ? await deps.channels.delivery(ch.id) : null;
      return reply(d ? deliveryLine(d) : 'Delivery: live alerts as stories come (mode live).');
    }
    const wanted = cmd.args[0]!.toLowerCase() as DeliveryMode;
    if (!DELIVERY_MODES.includes(wanted)) throw unknownAction('mode', wanted, DELIVERY_MODES, `${USAGE} (live: alerts as stories come; brief: only the brief; both)`);
    if (cmd.args.length > 1) throw new UsageError(`Usage: ${USAGE} (live: alerts as stories come; brief: only the brief; both).`);
    const ch = await channel();
    const d = await deps.channels.delivery(ch.id);
    if (wanted !== 'live' && !d.brief) throw new UsageError(`Set the brief's time first, for example /news brief daily 08:00 Europe/Berlin; then /news mode ${wanted}.`);
    if (wanted === d.mode) return reply(`Nothing changed: ${deliveryLine(d).replace(/^Delivery: /, 'this channel already gets ')}`, { ephemeral: true });
    const next = d.brief && wanted !== 'live' ? new Date(nextOccurrence(d.brief, now.getTime()).at) : null;
    await deps.channels.setDelivery(ch.id, { ...d, mode: wanted }, next);
    const what =
      wanted === 'live'
        ? `This channel now gets live alerts only; its brief (${describeSchedule(d.brief!)}) is kept but not sent: /news mode both brings it back.`
        : wanted === 'brief'
          ? `This channel now gets only its brief (${describeSchedule(d.brief!)}); new stories are held for it.`
          : `This channel now gets live alerts and its brief (${describeSchedule(d.brief!)}).`;
    const held = d.mode === 'brief' && deps.briefs ? await deps.briefs.heldCount(ch.id) : 0;
    const tail = held ? ` The ${held === 1 ? 'story' : `${held} stories`} held for the brief ${held === 1 ? 'goes' : 'go'} out as one message${d.quiet ? ' once quiet hours allow' : ' now'}.` : '';
    return reply(`${what}${tail}`, { ephemeral: false });
  },
};
