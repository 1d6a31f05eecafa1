// /news status: what this channel follows, its keywords, whether alerts are paused, and feed health.
import { topicNames } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const status: CommandModule = {
  name: 'status',
  usage: '/news status',
  summary: "this channel's topics, keywords and alert state, and the feeds' health",
  permission: () => 'anyone',
  action: 'see the status',
  async run({ deps, findChannel }) {
    const ch = await findChannel();
    const subs = ch ? await deps.channels.subscriptions(ch.id) : [];
    const kws = ch ? await deps.channels.keywords(ch.id) : [];
    const all = await deps.feeds.list();
    const enabled = all.filter((f) => f.enabled);
    const failing = enabled.filter((f) => f.errorCount > 0).length;
    const lastOk = enabled.map((f) => f.lastSuccessAt?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0);
    const lines = [
      subs.length ? `This channel follows ${topicNames(deps.topics, subs)}.` : 'This channel follows no topics (use /news subscribe).',
      kws.length
        ? `Keywords: ${kws.map((k) => `${k.exclude ? '-' : ''}"${k.term}"`).join(', ')}.`
        : 'No channel keywords.',
      ch?.paused ? `Alerts are paused: ${ch.pausedReason ?? 'no reason recorded'}. Subscribing again resumes them.` : 'Alerts are on.',
      `Watching ${enabled.length} feed(s)${failing ? `, ${failing} failing` : ''}${all.length > enabled.length ? `, ${all.length - enabled.length} disabled` : ''}${lastOk ? `; last successful check ${new Date(lastOk).toISOString().replace(/\.\d+Z$/, 'Z')}` : ''}.`,
    ];
    return reply(lines.join('\n'));
  },
};
