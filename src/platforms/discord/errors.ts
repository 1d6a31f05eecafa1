// Discord REST errors, classified for the dispatcher. discord.js's REST queue already waits out 429s;
// a RateLimitError only reaches us when rejectOnRateLimit is set. A permanent error is about the channel
// (gone, no access: the dispatcher pauses the channel) or about this one message (invalid form body,
// empty, too large, the message to edit is gone: that alert alone fails).
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../domain/chat.ts';
import { errorMessage } from '../../lib/errors.ts';

/**
 * Unknown Channel/Guild, Missing Access/Permissions, Cannot send messages to this user / in a non-text
 * channel, Cannot execute action on this channel type, archived thread, Thread is locked.
 */
const CHANNEL_CODES = new Set([10003, 10004, 50001, 50013, 50007, 50008, 50024, 50083, 160005]);
/**
 * Unknown Message (edit of a deleted message), Cannot edit a message authored by another user, Cannot
 * send an empty message, Cannot execute action on a system message, Invalid Form Body, invalid JSON,
 * Request entity too large, File too large, blocked by AutoMod or the harmful-links filter.
 */
const MESSAGE_CODES = new Set([10008, 50005, 50006, 50021, 50035, 50109, 40005, 50045, 200000, 200001, 240000]);

export function classifyDiscordError(err: unknown, what: string): DeliveryError {
  const prefix = `discord: ${what} failed`;
  if (err instanceof RateLimitError) return new DeliveryError('rate_limited', `${prefix}: rate limited`, Math.max(1, err.retryAfter));
  if (err instanceof DiscordAPIError) {
    const detail = `${err.status} ${err.message} (code ${err.code})`;
    if (err.status === 429) return new DeliveryError('rate_limited', `${prefix}: ${detail}`, 1000);
    if (err.status >= 500) return new DeliveryError('transient', `${prefix}: ${detail}`);
    const code = typeof err.code === 'number' ? err.code : -1;
    if (MESSAGE_CODES.has(code)) return new DeliveryError('permanent', `${prefix}: ${detail}`, null, 'message');
    if (CHANNEL_CODES.has(code)) return new DeliveryError('permanent', `${prefix}: ${detail}`);
    if (err.status === 401 || err.status === 403 || err.status === 404) return new DeliveryError('permanent', `${prefix}: ${detail}`);
    // Any other 4xx (400 Bad Request, 413 Payload Too Large) refuses this request, not the channel.
    if (err.status === 400 || err.status === 413) return new DeliveryError('permanent', `${prefix}: ${detail} (not retried)`, null, 'message');
    return new DeliveryError('permanent', `${prefix}: ${detail} (not retried)`);
  }
  if (err instanceof HTTPError) {
    if (err.status >= 500 || err.status === 408) return new DeliveryError('transient', `${prefix}: HTTP ${err.status}`);
    if (err.status === 400 || err.status === 413) return new DeliveryError('permanent', `${prefix}: HTTP ${err.status}`, null, 'message');
    return new DeliveryError('permanent', `${prefix}: HTTP ${err.status}`);
  }
  return new DeliveryError('transient', `${prefix}: ${errorMessage(err)}`);
}
