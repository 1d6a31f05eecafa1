// Validates a feed URL typed by a user (/news feeds add) before it is stored: http(s), bounded length, no
// credentials, and no IP literal in a refused range. Host names are checked again at fetch time, on the
// address actually connected to.
import net from 'node:net';
import { boundedText } from '../lib/bounded-text.ts';
import { UsageError } from '../lib/errors.ts';
import type { AddressGuard } from './address-guard.ts';

export const MAX_FEED_URL_LENGTH = 2048;
/** What was typed, echoed in a refusal: one clean line of at most this many characters (lib/bounded-text.ts). */
const ECHO_MAX = 80;

/** What a refused private address is told by default: the operator's remedy. */
const OPERATOR_HINT = 'the operator must allow it (polling.allow_hosts or CYBERBRIEF_ALLOW_HOSTS)';
/** What a workspace's or server's admin is told: their feeds never reach private addresses (scoped-fetcher.ts). */
export const CHAT_FEED_HINT = "a feed added from chat may not use one; the bot's operator can add it for everyone (cyberbrief feeds add, or /news feeds add global)";

export function checkFeedUrl(raw: string, guard: Pick<AddressGuard, 'permits'>, refusedHint = OPERATOR_HINT): string {
  const unwrapped = raw.trim().replace(/^<(.*)>$/, '$1');
  const bar = unwrapped.indexOf('|'); // Slack's <url|label>
  const text = bar < 0 ? unwrapped : unwrapped.slice(0, bar);
  if (text.length === 0) throw new UsageError('A feed URL is required, for example https://example.com/feed.xml.');
  if (text.length > MAX_FEED_URL_LENGTH) throw new UsageError(`That feed URL is ${text.length} characters long; the limit is ${MAX_FEED_URL_LENGTH}.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${boundedText(text, ECHO_MAX)}" is not a URL; give a full http(s) address such as https://example.com/feed.xml.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`Feed URLs must use http or https, not ${url.protocol.replace(/:$/, '')}.`);
  if (url.username || url.password) throw new UsageError('Feed URLs with a user name or password are not accepted; they would be stored and shown in clear.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && !guard.permits(host, host)) {
    throw new UsageError(`${host} is a private, loopback or reserved address; ${refusedHint}.`);
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (!guard.permits(host, '127.0.0.1')) throw new UsageError(`${host} is this machine; ${refusedHint}.`);
  }
  return withoutFragment(url);
}

/**
 * The form a feed URL is stored in (as checkFeedUrl returns it): parsed, so scheme and host are lower-cased and
 * a default port dropped, and without its #fragment, which is never sent to the server. Null when `text` is not
 * a URL. For finding a stored feed from a URL as someone typed it.
 */
export function storedFeedUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  return withoutFragment(url);
}

function withoutFragment(url: URL): string {
  url.hash = '';
  return url.toString();
}
