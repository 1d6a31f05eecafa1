// /news unsubscribe [topic...]: the channel stops following these topics (all when none are named). From
// every topic (domain/following), naming some leaves the others, as a list: topics added later are not followed.
import { EVERY_TOPIC, followedTopicIds, followsEvery } from '../domain/following.ts';
import { namesEveryTopic, resolveTopics, topicNames } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const unsubscribe: CommandModule = {
  name: 'unsubscribe',
  usage: '/news unsubscribe [topic...]',
  summary: 'this channel stops following the named topics (all when none are named)',
  permission: () => 'manage_channel',
  action: "change this channel's subscriptions",
  public: true,
  async run({ cmd, deps, now, findOwnChannel }) {
    const ch = await findOwnChannel();
    const current = ch ? await deps.channels.subscriptions(ch.id) : [];
    const everyNamed = namesEveryTopic(deps.topics, cmd.args);
    const named = everyNamed ? [] : resolveTopics(deps.topics, cmd.args).map((t) => t.id);
    if (!ch || current.length === 0) return reply('Nothing changed: this channel follows no topics.', { ephemeral: false });
    if (everyNamed) {
      await deps.channels.unsubscribe(ch.id, current);
      const was = followsEvery(current) ? 'every topic' : topicNames(deps.topics, current);
      return reply(`This channel no longer follows ${was}. It follows no topics now.`, { ephemeral: false });
    }
    if (followsEvery(current)) {
      const rest = followedTopicIds(current, deps.topics).filter((t) => !named.includes(t));
      // The list first, then EVERY_TOPIC out: stopped in between, the channel still follows everything.
      await deps.channels.subscribe(ch.id, rest, cmd.userId, now);
      await deps.channels.unsubscribe(ch.id, [EVERY_TOPIC, ...named]);
      const tail = rest.length > 0 ? ` Still followed: ${topicNames(deps.topics, rest)}; topics added later will not be (/news subscribe follows every topic again).` : ' It follows no topics now.';
      return reply(`This channel no longer follows ${topicNames(deps.topics, named)}.${tail}`, { ephemeral: false });
    }
    const removed = await deps.channels.unsubscribe(ch.id, named);
    const left = await deps.channels.subscriptions(ch.id);
    const head = removed.length > 0 ? `This channel no longer follows ${topicNames(deps.topics, removed)}.` : 'Nothing changed: this channel did not follow those topics.';
    const tail = left.length > 0 ? ` Still followed: ${topicNames(deps.topics, left)}.` : ' It follows no topics now.';
    return reply(head + tail, { ephemeral: false });
  },
};
