// Discord text safety. Mentions (@everyone, @here, <@id>, <@&role>, <#channel>) are broken with a
// zero-width space, and markdown that could forge links or restyle text ([label](url), headings, quotes,
// code, spoilers) is backslash-escaped. allowed_mentions { parse: [] } on every message is the second
// lock; this is the first.
import { cleanFeedText, safeHttpUrl, stripInvisible, URL_IN_TEXT } from '../text.ts';

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

/** The URL without sentence punctuation after it ("see https://x/rss.") or closing brackets it did not open. */
function trimTrailing(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (c && '.,;:!?\'"*_~|`'.includes(c)) end--;
    else if (c === ')' && count(url.slice(0, end), '(') < count(url.slice(0, end), ')')) end--;
    else if (c === ']' && count(url.slice(0, end), '[') < count(url.slice(0, end), ']')) end--;
    else break;
  }
  return url.slice(0, end);
}

const count = (s: string, ch: string) => s.split(ch).length - 1;

/**
 * A URL shown as Discord's `<url>` autolink: literal (no markdown inside, no preview embed) and never a
 * masked link; the characters a masked link or a mention needs are percent-encoded besides.
 */
function autolink(url: string): string {
  return `<${url.replace(/[()[\]@\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}>`;
}

/**
 * A command reply's text (plain text that may quote feed titles, URLs and errors): invisible characters
 * removed, mentions broken, every markdown character escaped and URLs shown as `<url>` autolinks, so
 * feed text can never become a masked link `[text](url)`, a heading, a quote or a mention. At most
 * `max` characters, never cut inside an escape or an autolink.
 */
export function replyMarkdown(text: string, max = 2000): string {
  const clean = stripInvisible(text);
  let out = '';
  let at = 0;
  for (const m of clean.matchAll(URL_IN_TEXT)) {
    const url = trimTrailing(m[0]);
    out += escapeDiscordMarkdown(cleanMentions(clean.slice(at, m.index)));
    out += autolink(url);
    at = m.index + url.length; // the trailing punctuation stays text
  }
  out += escapeDiscordMarkdown(cleanMentions(clean.slice(at)));
  return cutMarkdown(out, max);
}

/** `max` characters at most, ending in an ellipsis when cut: never inside `<url>`, after a lone escaping backslash or between surrogates. */
function cutMarkdown(md: string, max: number): string {
  if (md.length <= max) return md;
  let cut = md.slice(0, max - 1);
  const open = cut.lastIndexOf('<http');
  if (open !== -1 && !cut.includes('>', open)) cut = cut.slice(0, open);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const slashes = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (slashes % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}
