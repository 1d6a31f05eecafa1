// Sending one brief (a row of the brief outbox) through a channel's platform, for the dispatcher. The
// content is composed once and stored before anything is sent, so every attempt, on any instance, splits
// it into the same parts. Each part carries its own ref (Slack message metadata, Discord nonce): before
// re-sending a part whose earlier attempt may have reached the platform, the platform is asked. Each part
// is recorded as soon as it is out; a restart goes on from the next one.
import type { BriefView, ChatPlatform } from '../domain/chat.ts';
import { DeliveryError } from '../domain/chat.ts';
import type { PlatformName } from '../domain/types.ts';
import { remoteErrorText } from '../lib/bounded-text.ts';
import { errorMessage } from '../lib/errors.ts';
import type { SendContext } from './send-context.ts';

/** A claimed brief (storage's ClaimedBrief). */
export interface DispatchBrief {
  id: number;
  channelId: number;
  kind: 'brief' | 'quiet';
  periodStart: Date;
  periodEnd: Date;
  status: 'pending' | 'sending' | 'sent' | 'dead';
  attempts: number;
  content: BriefView | null;
  partsSent: number;
  platform: PlatformName;
  externalId: string;
  /** When the brief was queued: none of its parts can have been posted before. */
  createdAt: Date;
}

/** The brief outbox as the dispatcher uses it (BriefsRepo satisfies it). */
export interface BriefDispatchStore {
  claimDue(opts: { now: Date; limit: number; owner: string; leaseUntil: Date; platforms: readonly PlatformName[] }): Promise<DispatchBrief[]>;
  extendLease(ids: readonly number[], owner: string, leaseUntil: Date): Promise<void>;
  release(ids: readonly number[], owner: string): Promise<void>;
  saveContent(id: number, owner: string, view: BriefView, at: Date): Promise<BriefView | null>;
  markSending(id: number, owner: string, at: Date, leaseUntil?: Date): Promise<boolean>;
  markPart(id: number, owner: string, part: number, messageId: string, at: Date): Promise<void>;
  markSent(id: number, owner: string, at: Date): Promise<void>;
  recordFailure(id: number, owner: string, f: { error: string; at: Date; retryAt: Date; countAttempt: boolean; maxAttempts: number }): Promise<'retry' | 'dead'>;
  noteError(id: number, owner: string, error: string, at: Date): Promise<void>;
}

export interface BriefDelivery {
  store: BriefDispatchStore;
  /** Composes a brief's content from the stories it holds (briefs are composed at their first claim). */
  compose(brief: DispatchBrief): Promise<BriefView>;
}

/** The ref of one part of a brief: `cyberbrief-brief-42-1`. */
export function briefRef(briefId: number, part: number): string {
  return `cyberbrief-brief-${briefId}-${part + 1}`;
}

/** Sends `b` (or what is left of it). Returns false when the channel must stop for this round. */
export async function sendBrief(ctx: SendContext, d: BriefDelivery, platform: ChatPlatform, b: DispatchBrief): Promise<boolean> {
  const { clock, log, owner } = ctx;
  const where = { brief_id: b.id, channel_id: b.channelId };
  let view = b.content;
  if (!view) {
    view = await d.store.saveContent(b.id, owner, await d.compose(b), clock.now());
    if (!view) return false; // the lease was lost meanwhile
  }
  // A release whose stories were all marked not relevant meanwhile has nothing to say.
  if (b.kind === 'quiet' && view.total === 0) {
    await ctx.keep(() => d.store.markSent(b.id, owner, clock.now()));
    return true;
  }
  const parts = platform.briefParts(view);
  let uncertain = b.status === 'sending' || b.attempts > 0;
  for (let part = b.partsSent; part < parts; part++) {
    const ref = briefRef(b.id, part);
    if (uncertain && platform.findStory) {
      try {
        const found = await platform.findStory(b.externalId, ref, undefined, b.createdAt);
        if (found) {
          await ctx.keep(() => d.store.markPart(b.id, owner, part, found.messageId, clock.now()));
          log.info({ ...where, part: part + 1 }, 'dispatcher: a brief part had been posted before a restart or a failed attempt; recorded it');
          continue;
        }
      } catch (err) {
        log.warn({ ...where, err: errorMessage(err) }, 'dispatcher: could not ask the platform whether an interrupted brief part arrived; sending it again');
      }
    }
    uncertain = false;
    await ctx.pace(b);
    if (ctx.stopped()) return false;
    if (!(await d.store.markSending(b.id, owner, clock.now(), ctx.leaseEnd()))) return false;
    let messageId: string;
    try {
      messageId = (await platform.postBriefPart(b.externalId, view, part, ref)).messageId;
    } catch (err) {
      ctx.sentNow(b);
      return !(await failed(ctx, d, b, err));
    }
    ctx.sentNow(b);
    await ctx.keep(() => d.store.markPart(b.id, owner, part, messageId, clock.now()));
    log.info({ ...where, part: part + 1, parts, message_id: messageId }, 'dispatcher: brief part posted');
  }
  await ctx.keep(() => d.store.markSent(b.id, owner, clock.now()));
  log.info({ ...where, parts, stories: view.total }, b.kind === 'brief' ? 'dispatcher: brief sent' : 'dispatcher: quiet-hours release sent');
  return true;
}

/** A part failed: wait, retry, pause the channel or give up, as for alerts. True when the channel must stop for this round. */
async function failed(ctx: SendContext, d: BriefDelivery, b: DispatchBrief, err: unknown): Promise<boolean> {
  const now = ctx.clock.now();
  const kind = err instanceof DeliveryError ? err.kind : 'transient';
  const scope = err instanceof DeliveryError ? err.scope : 'channel';
  // The platform's words, bounded once (stored, shown, posted when the channel is paused).
  const message = remoteErrorText(err);
  const where = { brief_id: b.id, channel: `${b.platform}:${b.externalId}`, channel_id: b.channelId };
  if (kind === 'permanent' && scope === 'message') {
    await d.store.recordFailure(b.id, ctx.owner, { error: `permanent: ${message}`, at: now, retryAt: now, countAttempt: true, maxAttempts: 0 });
    ctx.log.error({ ...where, err: message }, 'dispatcher: brief dead-lettered: the platform refused it; its held stories go into the next brief');
    return false;
  }
  if (kind === 'permanent') {
    await ctx.pauseChannel(b, message);
    await d.store.noteError(b.id, ctx.owner, `channel paused: ${message}`, now);
    return true;
  }
  let countAttempt = true;
  let delay: number;
  if (kind === 'rate_limited') {
    countAttempt = false;
    delay = err instanceof DeliveryError && err.retryAfterMs !== null ? err.retryAfterMs : ctx.backoff(1);
    ctx.holdChannel(b, now.getTime() + delay);
  } else {
    delay = ctx.backoff(b.attempts + 1);
  }
  const outcome = await d.store.recordFailure(b.id, ctx.owner, { error: `${kind}: ${message}`, at: now, retryAt: new Date(now.getTime() + delay), countAttempt, maxAttempts: ctx.maxAttempts });
  if (outcome === 'dead') ctx.log.error({ ...where, err: message }, 'dispatcher: brief dead-lettered after max attempts; its held stories go into the next brief');
  else ctx.log.info({ ...where, kind, retry_in_ms: delay, err: message }, 'dispatcher: brief part failed; will retry');
  return outcome !== 'dead';
}
