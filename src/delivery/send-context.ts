// What the dispatcher lends the pieces that send for it (briefs, thread replies): its clock, pacing per
// channel, backoff, lease and shutdown state, and the way it pauses a channel that refuses delivery.
import type { PlatformName } from '../domain/types.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

/** A channel as a send addresses it. */
export interface ChannelTarget {
  channelId: number;
  platform: PlatformName;
  externalId: string;
}

export interface SendContext {
  clock: Clock;
  log: Logger;
  /** This instance's lease owner. */
  owner: string;
  maxAttempts: number;
  /** Waits until the channel may take the next message. */
  pace(t: ChannelTarget): Promise<void>;
  /** A message just went to the channel (or was refused): the next waits the channel interval. */
  sentNow(t: ChannelTarget): void;
  /** Nothing goes to the channel before `untilMs` (Retry-After). */
  holdChannel(t: ChannelTarget, untilMs: number): void;
  /** The wait before attempt `attempt` (exponential, with jitter). */
  backoff(attempt: number): number;
  /** The dispatcher is stopping: send nothing new. */
  stopped(): boolean;
  /** Repeats a write that records a send until the database takes it. */
  keep<T>(write: () => Promise<T>): Promise<T>;
  /** A fresh lease's end, from now. */
  leaseEnd(): Date;
  /** Pauses the channel after a permanent refusal and tells it why. */
  pauseChannel(t: ChannelTarget, message: string): Promise<void>;
}
