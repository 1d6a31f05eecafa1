// /news subscribe [topic...]: the channel follows these topics (all when none are named).
import { resolveTopics, topicNames } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const subscribe: CommandModule = {
  name: 'subscribe',
  usage: '/news subscribe [topic...]',
  summary: 'this channel follows the named topics (all topics when none are named)',
  permission: () => 'manage_channel',
  action: "change this channel's subscriptions",
  public: true,
  async run({ cmd, deps, now, channel }) {
    const wanted = resolveTopics(deps.topics, cmd.args);
    if (wanted.length === 0) return reply('There are no topics to follow: the topics file is empty.');
    const ch = await channel();
    const added = await deps.channels.subscribe(ch.id, wanted.map((t) => t.id), cmd.userId, now);
    if (ch.paused) await deps.channels.unpause(ch.id);
    const all = await deps.channels.subscriptions(ch.id);
    const head = added.length > 0 ? `This channel now follows ${topicNames(deps.topics, added)}.` : 'Nothing changed: this channel already follows those topics.';
    // When what was added is all it follows, the head has said it: the list is not given twice.
    const tail = added.length === all.length ? '' : ` Followed topics: ${topicNames(deps.topics, all)}.`;
    return reply(`${head}${tail}`, { ephemeral: false });
  },
};
