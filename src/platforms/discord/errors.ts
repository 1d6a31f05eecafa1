// Discord REST errors, classified for the dispatcher. discord.js's REST queue already waits out 429s;
// a RateLimitError only reaches us when rejectOnRateLimit is set.
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../domain/chat.ts';
import { errorMessage } from '../../lib/errors.ts';

/** Missing Access, Missing Permissions, Unknown Channel/Message/Guild, Cannot send in this channel... */
const PERMANENT_CODES = new Set([10003, 10004, 10008, 50001, 50013, 50007, 50008, 50035, 40005, 50006, 160005]);

export function classifyDiscordError(err: unknown, what: string): DeliveryError {
  const prefix = `discord: ${what} failed`;
  if (err instanceof RateLimitError) return new DeliveryError('rate_limited', `${prefix}: rate limited`, Math.max(1, err.retryAfter));
  if (err instanceof DiscordAPIError) {
    const detail = `${err.status} ${err.message} (code ${err.code})`;
    if (err.status === 429) return new DeliveryError('rate_limited', `${prefix}: ${detail}`, 1000);
    if (err.status >= 500) return new DeliveryError('transient', `${prefix}: ${detail}`);
    if (typeof err.code === 'number' && PERMANENT_CODES.has(err.code)) return new DeliveryError('permanent', `${prefix}: ${detail}`);
    if (err.status === 401 || err.status === 403 || err.status === 404) return new DeliveryError('permanent', `${prefix}: ${detail}`);
    return new DeliveryError('permanent', `${prefix}: ${detail} (not retried)`);
  }
  if (err instanceof HTTPError) {
    if (err.status >= 500 || err.status === 408) return new DeliveryError('transient', `${prefix}: HTTP ${err.status}`);
    return new DeliveryError('permanent', `${prefix}: HTTP ${err.status}`);
  }
  return new DeliveryError('transient', `${prefix}: ${errorMessage(err)}`);
}
