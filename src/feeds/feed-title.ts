// A feed's title as stored and shown: one line of plain text (no escape sequences, controls or invisible
// format characters, which a terminal or a chat client would obey), at most MAX_FEED_TITLE_CHARS long.
// Applied where a title enters storage (configuration, `feeds add --title`, OPML import, a feed's own
// <title>) and again where one is printed or exported, so rows stored before this rule are safe too.
import { plainLine } from '../lib/terminal-text.ts';

/** A feed title, as in the configuration (`feeds[].title`). */
export const MAX_FEED_TITLE_CHARS = 200;

/** The title cleaned and capped, or null when nothing visible is left. */
export function cleanFeedTitle(raw: string | null | undefined): string | null {
  if (!raw) return null;
  return plainLine(raw, MAX_FEED_TITLE_CHARS) || null;
}
