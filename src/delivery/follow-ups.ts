// Follow-ups in threads (`/news threads on`): later coverage of a posted story goes as a reply in its
// thread (Slack thread_ts, a Discord thread on the message) instead of an edit, one reply per new item, in
// order. `followed_item_id` is the newest item the channel has seen; a reply is marked `following` before
// the platform call and `followed` after it, and after a crash the platform is asked (by the reply's ref)
// before the reply is sent again.
import type { ChatPlatform } from '../domain/chat.ts';
import { errorMessage } from '../lib/errors.ts';
import type { ChannelTarget, SendContext } from './send-context.ts';

/** A sent alert whose channel wants threads (a ClaimedAlert, domain/types.ts). */
export interface FollowAlert extends ChannelTarget {
  id: number;
  messageId: string;
  followedItemId: number;
  followingItemId: number | null;
}

export interface FollowUpStore {
  markFollowing(id: number, owner: string, itemId: number, at: Date): Promise<boolean>;
  markFollowed(id: number, owner: string, itemId: number, at: Date): Promise<void>;
}

export type FollowUpOutcome =
  /** Every new item was replied in the thread. */
  | { kind: 'done' }
  /** No new coverage: the story itself changed (edit it). */
  | { kind: 'none' }
  /** Stopping, or the lease was lost: leave the rest for later. */
  | { kind: 'stopped' }
  | { kind: 'failed'; error: unknown };

/** The ref of the reply about `itemId` to alert `alertId`'s story. */
export function followUpRef(alertId: number, itemId: number): string {
  return `cyberbrief-follow-${alertId}-${itemId}`;
}

export async function sendFollowUps(
  ctx: SendContext,
  store: FollowUpStore,
  platform: ChatPlatform,
  a: FollowAlert,
  story: { title: string; coverage: { itemId: number; source: string; title: string; url: string | null }[] },
): Promise<FollowUpOutcome> {
  const fresh = story.coverage.filter((c) => c.itemId > a.followedItemId).sort((x, y) => x.itemId - y.itemId);
  if (fresh.length === 0) return { kind: 'none' };
  for (const c of fresh) {
    const ref = followUpRef(a.id, c.itemId);
    if (a.followingItemId === c.itemId && platform.findStory) {
      try {
        const found = await platform.findStory(a.externalId, ref, a.messageId);
        if (found) {
          await ctx.keep(() => store.markFollowed(a.id, ctx.owner, c.itemId, ctx.clock.now()));
          ctx.log.info({ alert_id: a.id, item_id: c.itemId }, 'dispatcher: a thread reply had been posted before a restart; recorded it');
          continue;
        }
      } catch (err) {
        ctx.log.warn({ alert_id: a.id, err: errorMessage(err) }, 'dispatcher: could not ask the platform whether an interrupted thread reply arrived; sending it again');
      }
    }
    await ctx.pace(a);
    if (ctx.stopped()) return { kind: 'stopped' };
    if (!(await store.markFollowing(a.id, ctx.owner, c.itemId, ctx.clock.now()))) return { kind: 'stopped' };
    let messageId: string;
    try {
      messageId = (await platform.postFollowUp(a.externalId, a.messageId, { storyTitle: story.title, coverage: { source: c.source, title: c.title, url: c.url }, ref })).messageId;
    } catch (error) {
      ctx.sentNow(a);
      return { kind: 'failed', error };
    }
    ctx.sentNow(a);
    await ctx.keep(() => store.markFollowed(a.id, ctx.owner, c.itemId, ctx.clock.now()));
    ctx.log.info({ alert_id: a.id, channel_id: a.channelId, item_id: c.itemId, message_id: messageId }, 'dispatcher: later coverage replied in the story\'s thread');
  }
  return { kind: 'done' };
}
