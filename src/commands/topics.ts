// /news topics: the topics a channel can follow, marking the ones it follows.
import { reply, type CommandModule } from './types.ts';

export const topics: CommandModule = {
  name: 'topics',
  usage: '/news topics',
  summary: 'lists the topics a channel can follow',
  permission: () => 'anyone',
  action: 'list topics',
  async run({ deps, findChannel }) {
    if (deps.topics.length === 0) return reply('No topics are configured (see topics.file in the configuration).');
    const ch = await findChannel();
    const followed = new Set(ch ? await deps.channels.subscriptions(ch.id) : []);
    const lines = deps.topics.map((t) => {
      const desc = t.description ? `: ${t.description.length > 140 ? `${t.description.slice(0, 139)}…` : t.description}` : '';
      return `${followed.has(t.id) ? '[following] ' : ''}${t.id} (${t.name})${desc}`;
    });
    return reply(`Topics (follow with /news subscribe <id>):\n${lines.join('\n')}`);
  },
};
