// /news status: what this channel follows, its keywords, whether alerts are paused, and feed health.
import { followedTopicIds, followsEvery } from '../domain/following.ts';
import { shownTime } from '../domain/shown-time.ts';
import { feedHealth, quietRule } from '../domain/types.ts';
import { deliveryLines } from './delivery-text.ts';
import { tenantNoun } from './permissions.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { topicNames } from './topic-args.ts';
import { reply, type AlertsPort, type CommandModule, type FeedbackPort } from './types.ts';

/** The window of the recent feedback count in `status`. */
export const FEEDBACK_RECENT_DAYS = 30;

/** Alerts waiting for this channel, and the ones that failed for good (dead letters); the story's title and error go into `quoted`. */
async function outboxLines(alerts: AlertsPort, channelId: number, quoted: string[]): Promise<string[]> {
  const c = await alerts.counts(channelId);
  const lines: string[] = [];
  const waiting = c.pending + c.sending;
  if (waiting) lines.push(`${waiting} alert${waiting === 1 ? ' is' : 's are'} waiting to be sent.`);
  if (c.held) lines.push(`${c.held} ${c.held === 1 ? 'story is' : 'stories are'} held for the brief or until quiet hours end.`);
  if (c.dead) {
    const [last] = await alerts.list({ status: 'dead', channelId, limit: 1 });
    if (last) quoted.push(last.title, last.lastError ?? '');
    const detail = last ? ` Latest: "${last.title}"${last.lastError ? ` (${last.lastError})` : ''}.` : '';
    lines.push(`${c.dead} alert${c.dead === 1 ? '' : 's'} failed after repeated attempts.${detail} An operator can resend them with \`cyberbrief alerts retry --all\`.`);
  }
  return lines;
}

/** The channel's verdicts from the alerts' feedback buttons: the last 30 days and all time. */
async function feedbackLine(feedback: FeedbackPort, channelId: number, now: Date): Promise<string> {
  const [recent, all] = await Promise.all([
    feedback.counts(channelId, new Date(now.getTime() - FEEDBACK_RECENT_DAYS * 86_400_000)),
    feedback.counts(channelId),
  ]);
  if (all.relevant + all.notRelevant === 0) return 'Feedback: none yet (use the Relevant / Not relevant buttons on alerts).';
  return `Feedback: ${recent.relevant} relevant, ${recent.notRelevant} not relevant in the last ${FEEDBACK_RECENT_DAYS} days; ${all.relevant} relevant, ${all.notRelevant} not relevant in all.`;
}

export const status: CommandModule = {
  name: 'status',
  usage: '/news status',
  summary: "this channel's topics, keywords and alert state, and the feeds' health",
  permission: () => 'anyone',
  action: 'see the status',
  async run({ cmd, deps, findChannel, tenant, now }) {
    const ch = await findChannel();
    // The feeds this workspace or server sees (global and its own), never a count of anyone else's.
    const all = await deps.feeds.visibleTo(tenant);
    const enabled = all.filter((f) => f.enabled);
    const failing = enabled.filter((f) => f.errorCount > 0).length;
    const rule = quietRule(now, deps.quietAfterDays);
    const quiet = enabled.filter((f) => feedHealth(f, rule) === 'quiet').length;
    const lastOk = enabled.map((f) => f.lastSuccessAt?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0);
    const feedsLine = `Watching ${enabled.length} ${enabled.length === 1 ? 'feed' : 'feeds'}${failing ? `, ${failing} failing` : ''}${quiet ? `, ${quiet} quiet (nothing new for ${rule.afterDays} days)` : ''}${all.length > enabled.length ? `, ${all.length - enabled.length} disabled` : ''}${lastOk ? `; last successful check ${shownTime(lastOk)}` : ''}.`;
    // A channel shared with another workspace (Slack Connect) belongs to the one it was first used from
    // (README, Tenancy): its topics, keywords, alert state (dead letters name stories of that workspace's own
    // feeds) and feedback are that workspace's, so the other one sees only what it owns.
    if (ownedByAnother(ch, cmd)) {
      const noun = tenantNoun(cmd.platform);
      return reply(`${sharedChannelSentence(cmd.platform, 'topics, keywords, alert state and feedback are')} This ${noun} can set up its own channels with /news subscribe.\n${feedsLine}`);
    }
    const subs = ch ? await deps.channels.subscriptions(ch.id) : [];
    const kws = ch ? await deps.channels.keywords(ch.id) : [];
    // Feed text, keywords and stored reasons, quoted so an adapter makes them inert (not our own text).
    const quoted: string[] = [...kws.map((k) => k.term), ch?.pausedReason ?? ''];
    const lines = [
      followsEvery(subs)
        ? `This channel follows every topic, and any added later: ${topicNames(deps.topics, followedTopicIds(subs, deps.topics))}.`
        : subs.length
          ? `This channel follows ${topicNames(deps.topics, subs)}.`
          : 'This channel follows no topics (use /news subscribe).',
      kws.length
        ? `Keywords: ${kws.map((k) => `${k.exclude ? '-' : ''}"${k.term}"`).join(', ')}.`
        : 'No channel keywords.',
      ch?.paused ? `Alerts are paused: ${ch.pausedReason ?? 'no reason recorded'}. Subscribing again resumes them.` : 'Alerts are on.',
      ...(ch ? deliveryLines(await deps.channels.delivery(ch.id)) : []),
      ...(ch && deps.alerts ? await outboxLines(deps.alerts, ch.id, quoted) : []),
      ...(ch && deps.feedback ? [await feedbackLine(deps.feedback, ch.id, now)] : []),
      feedsLine,
    ];
    return reply(lines.join('\n'), { quoted });
  },
};
