// /news unsubscribe [topic...]: the channel stops following these topics (all when none are named).
import { resolveTopics, topicNames } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const unsubscribe: CommandModule = {
  name: 'unsubscribe',
  usage: '/news unsubscribe [topic...]',
  summary: 'this channel stops following the named topics (all when none are named)',
  permission: () => 'manage_channel',
  action: "change this channel's subscriptions",
  public: true,
  async run({ cmd, deps, findOwnChannel }) {
    const ch = await findOwnChannel();
    const current = ch ? await deps.channels.subscriptions(ch.id) : [];
    const named = cmd.args.length === 0 ? current : resolveTopics(deps.topics, cmd.args).map((t) => t.id);
    if (!ch || current.length === 0) return reply('Nothing changed: this channel follows no topics.', { ephemeral: false });
    const removed = await deps.channels.unsubscribe(ch.id, named);
    const left = await deps.channels.subscriptions(ch.id);
    const head = removed.length > 0 ? `This channel no longer follows ${topicNames(deps.topics, removed)}.` : 'Nothing changed: this channel did not follow those topics.';
    const tail = left.length > 0 ? ` Still followed: ${topicNames(deps.topics, left)}.` : ' It follows no topics now.';
    return reply(head + tail, { ephemeral: false });
  },
};
