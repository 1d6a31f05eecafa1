// /news subscribe [topic...]: the channel follows these topics; with none (or `all`), every topic, including
// topics added later (domain/following).
import { EVERY_TOPIC, followsEvery } from '../domain/following.ts';
import { namesEveryTopic, resolveTopics, topicNames } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const subscribe: CommandModule = {
  name: 'subscribe',
  usage: '/news subscribe [topic...]',
  summary: 'this channel follows the named topics (every topic, and any added later, when none are named)',
  permission: () => 'manage_channel',
  action: "change this channel's subscriptions",
  public: true,
  async run({ cmd, deps, now, channel }) {
    const wanted = resolveTopics(deps.topics, cmd.args);
    if (wanted.length === 0) return reply('There are no topics to follow: the topics file is empty.');
    const ch = await channel();
    const before = await deps.channels.subscriptions(ch.id);
    const every = namesEveryTopic(deps.topics, cmd.args);
    let text: string;
    if (followsEvery(before)) {
      text = every ? 'Nothing changed: this channel already follows every topic, and any added later.' : 'Nothing changed: this channel follows every topic, those included.';
    } else if (every) {
      // EVERY_TOPIC first, then the list it replaces: stopped in between, the channel still follows everything.
      await deps.channels.subscribe(ch.id, [EVERY_TOPIC], cmd.userId, now);
      await deps.channels.unsubscribe(ch.id, before);
      text = `This channel now follows every topic, and any added later: ${topicNames(deps.topics, wanted.map((t) => t.id))}.`;
    } else {
      const added = await deps.channels.subscribe(ch.id, wanted.map((t) => t.id), cmd.userId, now);
      const all = await deps.channels.subscriptions(ch.id);
      const head = added.length > 0 ? `This channel now follows ${topicNames(deps.topics, added)}.` : 'Nothing changed: this channel already follows those topics.';
      // When what was added is all it follows, the head has said it: the list is not given twice.
      const tail = added.length === all.length ? '' : ` Followed topics: ${topicNames(deps.topics, all)}.`;
      text = `${head}${tail}`;
    }
    if (ch.paused) await deps.channels.unpause(ch.id);
    return reply(text, { ephemeral: false });
  },
};
