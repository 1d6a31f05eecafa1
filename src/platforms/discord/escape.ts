// Discord text safety. Mentions (@everyone, @here, <@id>, <@&role>, <#channel>) are broken with a
// zero-width space, and markdown that could forge links or restyle text ([label](url), headings, quotes,
// code, spoilers) is backslash-escaped. allowed_mentions { parse: [] } on every message is the second
// lock; this is the first.
import { cleanFeedText, safeHttpUrl } from '../text.ts';

const ZWSP = '\u200b';

export function cleanMentions(text: string): string {
  return text
    .replace(/@(everyone|here)/gi, `@${ZWSP}$1`)
    .replace(/<@!?(\d+)>/g, `@${ZWSP}$1`)
    .replace(/<@&(\d+)>/g, `@${ZWSP}role`)
    .replace(/<#(\d+)>/g, `#${ZWSP}$1`);
}

export function escapeDiscordMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]()<>]/g, '\\$&')
    .replace(/^(\s*)([#\-+])(?=\s)/gm, '$1\\$2')
    .replace(/^(\s*\d+)\.(?=\s)/gm, '$1\\.');
}

/** Feed text: cleaned, capped at `max` characters (before escaping), mentions broken, markdown escaped. */
export function feedMarkdown(text: string, max: number): string {
  return escapeDiscordMarkdown(cleanMentions(cleanFeedText(text, max)));
}

/** Plain text for fields that render no markdown links (embed titles, author names): mentions broken. */
export function feedPlain(text: string, max: number): string {
  return cleanMentions(cleanFeedText(text, max));
}

/** `[label](<url>)` for http(s) URLs; the escaped label otherwise. */
export function discordLink(url: string | null | undefined, label: string, maxLabel = 200): string {
  const text = feedMarkdown(label, maxLabel) || 'link';
  const safe = safeHttpUrl(url);
  return safe ? `[${text}](${safe.replace(/\)/g, '%29').replace(/\(/g, '%28').replace(/ /g, '%20')})` : text;
}
