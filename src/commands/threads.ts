// /news threads on|off: later coverage of a posted story goes as a reply in its thread (Slack thread,
// Discord thread on the message) instead of an edit of the message.
import { UsageError } from '../lib/errors.ts';
import { reply, type CommandModule } from './types.ts';

const USAGE = '/news threads on|off';

export const threads: CommandModule = {
  name: 'threads',
  usage: USAGE,
  summary: "later coverage of a story goes as a reply in its thread instead of editing the story's message",
  permission: (args) => (args.length === 0 ? 'anyone' : 'manage_channel'),
  action: "change how this channel gets later coverage",
  public: true,
  async run({ cmd, deps, channel, findChannel }) {
    if (cmd.args.length === 0) {
      const ch = await findChannel();
      const on = ch ? (await deps.channels.delivery(ch.id)).threads : false;
      return reply(on ? "Threads are on: later coverage of a story is replied in its thread." : "Threads are off: later coverage edits the story's message (/news threads on to reply in threads).");
    }
    const a = cmd.args[0]!.toLowerCase();
    if (cmd.args.length > 1 || (a !== 'on' && a !== 'off')) throw new UsageError(`Usage: ${USAGE}.`);
    const on = a === 'on';
    const ch = await channel();
    const d = await deps.channels.delivery(ch.id);
    if (d.threads === on) return reply(`Nothing changed: threads are already ${a}.`, { ephemeral: true });
    await deps.channels.setDelivery(ch.id, { ...d, threads: on }, d.briefNextAt);
    return reply(
      on
        ? 'Threads are on: later coverage of a story posted here goes as a reply in its thread instead of editing the message.'
        : "Threads are off: later coverage edits the story's message again.",
      { ephemeral: false },
    );
  },
};
