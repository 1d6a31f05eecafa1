// Clicks on an alert's "Relevant" / "Not relevant" buttons, platform-neutral: a FeedbackClick in, a
// sentence for the clicking user out. The button id is parsed strictly and never trusted to name a
// channel: the alert it names must belong to the channel the click came from. A verdict is stored once
// per (channel, story, user), replacing the user's earlier one; "not relevant" also stops edits of the
// story's message in that channel until someone there marks it relevant again.
import type { FeedbackClick, FeedbackHandler } from '../domain/chat.ts';
import { parseFeedbackButtonId, type Verdict } from '../domain/feedback.ts';
import { errorMessage } from '../lib/errors.ts';
import type { FeedbackDeps } from './types.ts';

/** Platform user and channel ids are short; anything longer is not one. */
const ID_MAX = 100;

export const FEEDBACK_TEXT = {
  unreadable: 'This button could not be read, so nothing was recorded.',
  notHere: 'This button does not belong to an alert in this channel, so nothing was recorded.',
  failed: 'Sorry, your feedback could not be saved; the error was logged for the operator. Please try again later.',
} as const;

function thanks(verdict: Verdict, previous: Verdict | null, wasMuted: boolean | undefined): string {
  // The user's verdict is the same, but another user's click in between changed whether the message takes updates.
  const resumed = verdict === 'relevant' && wasMuted === true;
  const stopped = verdict === 'not_relevant' && wasMuted === false;
  if (previous === verdict && resumed) return 'You had already marked this story relevant; someone here had since marked it not relevant, so its message in this channel gets updates again.';
  if (previous === verdict && stopped) return 'You had already marked this story not relevant; someone here had since marked it relevant, so its message in this channel will no longer be updated.';
  if (previous === verdict) {
    return verdict === 'relevant' ? 'You had already marked this story relevant; nothing changed.' : 'You had already marked this story not relevant; nothing changed.';
  }
  const changed = previous ? ' This replaces your earlier verdict.' : '';
  return verdict === 'relevant'
    ? `Thanks: you marked this story relevant. Its message in this channel ${resumed ? 'gets updates again (someone here had marked it not relevant)' : 'keeps getting updates'}.${changed}`
    : `Thanks: you marked this story not relevant. Its message in this channel will no longer be updated; anyone here can mark it Relevant to resume updates.${changed}`;
}

export function createFeedbackHandler(deps: FeedbackDeps): FeedbackHandler {
  const log = deps.logger;
  return async (click: FeedbackClick) => {
    const where = { platform: click.platform, channel: click.channelId.slice(0, 100), user: click.userId.slice(0, 100) };
    const button = parseFeedbackButtonId(click.buttonId);
    if (!button || click.userId.length === 0 || click.userId.length > ID_MAX || click.channelId.length === 0 || click.channelId.length > ID_MAX) {
      log?.warn(where, 'feedback: refused a click whose button id or user could not be read');
      return { text: FEEDBACK_TEXT.unreadable };
    }
    try {
      const channel = await deps.channels.find(click.platform, click.channelId);
      const alert = channel ? await deps.alerts.get(button.alertId) : null;
      if (!channel || !alert || alert.channelId !== channel.id) {
        log?.warn({ ...where, alert_id: button.alertId }, 'feedback: refused a click naming an alert of another channel (or none)');
        return { text: FEEDBACK_TEXT.notHere };
      }
      const { previous, wasMuted } = await deps.feedback.record({
        channelId: channel.id,
        clusterId: alert.clusterId,
        itemId: alert.itemId,
        alertId: alert.id,
        userId: click.userId,
        verdict: button.verdict,
        at: deps.clock.now(),
      });
      log?.info({ ...where, alert_id: alert.id, verdict: button.verdict, previous }, `feedback: ${button.verdict} recorded`);
      return { text: thanks(button.verdict, previous, wasMuted) };
    } catch (err) {
      log?.error({ ...where, alert_id: button.alertId, err: errorMessage(err) }, 'feedback: could not record a verdict');
      return { text: FEEDBACK_TEXT.failed };
    }
  };
}
