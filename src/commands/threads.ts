// /news threads on|off: later coverage of a posted story goes as a reply in its thread (Slack thread,
// Discord thread on the message) instead of an edit of the message.
import { UsageError } from '../lib/errors.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { reply, type CommandModule } from './types.ts';
import { unknownAction } from './unknown-action.ts';

const USAGE = '/news threads on|off';

export const threads: CommandModule = {
  name: 'threads',
  usage: USAGE,
  summary: "later coverage of a story goes as a reply in its thread instead of editing the story's message",
  // Only on and off change anything: a mistyped value gets its usage, not a refusal.
  permission: (args) => (['on', 'off'].includes(args[0]?.toLowerCase() ?? '') ? 'manage_channel' : 'anyone'),
  action: "change how this channel gets later coverage",
  public: true,
  async run({ cmd, deps, channel, findChannel }) {
    if (cmd.args.length === 0) {
      const ch = await findChannel();
      if (ownedByAnother(ch, cmd)) return reply(sharedChannelSentence(cmd.platform, 'threads setting is'));
      const on = ch ? (await deps.channels.delivery(ch.id)).threads : false;
      return reply(on ? "Threads are on: later coverage of a story is replied in its thread." : "Threads are off: later coverage edits the story's message (/news threads on to reply in threads).");
    }
    const a = cmd.args[0]!.toLowerCase();
    if (a !== 'on' && a !== 'off') throw unknownAction('threads', a, ['on', 'off'], USAGE);
    if (cmd.args.length > 1) throw new UsageError(`Usage: ${USAGE}.`);
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
