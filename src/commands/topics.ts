// /news topics: the topics a channel can follow, marking the ones it follows.
import { ownedByAnother } from './shared-channel.ts';
import { reply, type CommandModule } from './types.ts';
import { tenantNoun } from './permissions.ts';

/** The list stays within what every platform shows in one message (Discord: 2,000 characters). */
const TEXT_MAX = 1900;
/** Descriptions are cut to this many characters, or fewer when the whole list would not fit. */
const DESCRIPTION_MAX = 140;
const DESCRIPTION_MIN = 40;

export const topics: CommandModule = {
  name: 'topics',
  usage: '/news topics',
  summary: 'lists the topics a channel can follow',
  permission: () => 'anyone',
  action: 'list topics',
  async run({ cmd, deps, findChannel }) {
    if (deps.topics.length === 0) return reply('No topics are configured (see topics.file in the configuration).');
    const ch = await findChannel();
    // A channel of another workspace (shared): its topics are that workspace's choice, not marked here.
    const others = ownedByAnother(ch, cmd);
    const followed = new Set(ch && !others ? await deps.channels.subscriptions(ch.id) : []);
    const head = others ? `Topics (this channel is shared with another ${tenantNoun(cmd.platform)}, which chooses what it follows):` : 'Topics (follow with /news subscribe <id>):';
    const render = (max: number) =>
      `${head}\n${deps.topics
        .map((t) => {
          const desc = t.description ? `: ${t.description.length > max ? `${t.description.slice(0, max - 1)}…` : t.description}` : '';
          return `${followed.has(t.id) ? '[following] ' : ''}${t.id} (${t.name})${desc}`;
        })
        .join('\n')}`;
    // Shorter descriptions before a list cut off by the platform (with every topic followed, the marks alone add 12 characters a topic).
    let max = DESCRIPTION_MAX;
    let text = render(max);
    while (text.length > TEXT_MAX && max > DESCRIPTION_MIN) {
      max -= 10;
      text = render(max);
    }
    return reply(text);
  },
};
