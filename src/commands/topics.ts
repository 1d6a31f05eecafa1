// /news topics: the topics a channel can follow, marking the ones it follows.
import { followedTopicIds, followsEvery } from '../domain/following.ts';
import { clipText } from '../lib/bounded-text.ts';
import { fitLines, REPLY_TEXT_MAX } from './reply-size.ts';
import { ownedByAnother } from './shared-channel.ts';
import { reply, type CommandModule } from './types.ts';
import { tenantNoun } from './permissions.ts';

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
    const stored = ch && !others ? await deps.channels.subscriptions(ch.id) : [];
    const followed = new Set(followedTopicIds(stored, deps.topics));
    const head = others
      ? `Topics (this channel is shared with another ${tenantNoun(cmd.platform)}, which chooses what it follows):`
      : followsEvery(stored)
        ? 'Topics (this channel follows every topic, and any added later):'
        : 'Topics (follow with /news subscribe <id>):';
    const render = (max: number) =>
      deps.topics.map((t) => {
        const desc = t.description ? `: ${clipText(t.description, max)}` : '';
        return `${followed.has(t.id) ? '[following] ' : ''}${t.id} (${t.name})${desc}`;
      });
    // Shorter descriptions before topics left out (with every topic followed, the marks alone add 12 characters a topic);
    // what still does not fit in one answer (REPLY_TEXT_MAX) ends with a count of the topics left out.
    let max = DESCRIPTION_MAX;
    let lines = render(max);
    const size = (l: readonly string[]) => head.length + l.reduce((n, x) => n + x.length + 1, 0);
    while (size(lines) > REPLY_TEXT_MAX && max > DESCRIPTION_MIN) {
      max -= 10;
      lines = render(max);
    }
    return reply(`${head}\n${fitLines(lines, ['topic', 'topics'], REPLY_TEXT_MAX - head.length - 1)}`);
  },
};
