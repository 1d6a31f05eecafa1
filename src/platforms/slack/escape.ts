// Slack mrkdwn safety. Slack gives &, < and > control meaning (mentions like <!channel> and <@U123>,
// links like <https://x|label>); escaping them as entities makes feed text inert. Plain @channel words
// get a word joiner so no client or future parse mode turns them into a mention. Slack has no escape for
// its formatting characters (a backslash shows as itself), so outside URLs a *, _ or ~ that could open or
// close a style (not one inside a word, as in snake_case, which Slack leaves alone) and every ` become
// look-alike characters it never pairs, and a > opening a line (a quote) becomes a look-alike too: feed
// text can neither restyle an alert nor fake a quote or a code block in it. The colons of an emoji
// shortcode (`:rotating_light:`) become a look-alike (∶) as well, so feed text shows no emoji it did not
// contain; clock times (10:30:45), URLs and IPv6 addresses keep their colons.
import { cleanFeedText, safeHttpUrl, URL_IN_TEXT } from '../text.ts';

/** What Slack would pair into bold, italics, strike-through or code, with the look-alike shown instead. */
const LOOKALIKES: Record<string, string> = { '*': '\u2217', _: '\u02CD', '~': '\u223C', '`': '\u02CB' };

/** A style character not flanked by letters or digits on both sides, or any backtick. */
const STYLE_MARK = /(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])|`/gu;

/**
 * An emoji shortcode as Slack reads one (`:rotating_light:`, `:+1:`, `:skin-tone-2:`): a name of letters,
 * digits and `_ + - '` between two colons. Hex digits (and hyphens) after a hex digit or a colon are
 * clock times or an IPv6 address (10:30:45, 22:00-07:00, fe80::1:2, 2001:db8:0:1), not a shortcode, and are
 * left as they are.
 */
const SHORTCODE = /:([\p{L}\p{N}_+'-]+)(?=:)/gu;
const CLOCK_OR_IPV6 = /^[0-9a-f-]+$/i;
const COLON_LOOKALIKE = '\u2236';

function inertShortcodes(text: string): string {
  let out = '';
  let at = 0;
  SHORTCODE.lastIndex = 0;
  for (let m = SHORTCODE.exec(text); m; m = SHORTCODE.exec(text)) {
    const name = m[1]!;
    // Left alone, its closing colon may still open a shortcode (10:30:fire:).
    if (CLOCK_OR_IPV6.test(name) && /[0-9a-f:]/i.test(text[m.index - 1] ?? '')) continue;
    out += `${text.slice(at, m.index)}${COLON_LOOKALIKE}${name}${COLON_LOOKALIKE}`;
    at = m.index + m[0].length + 1;
    SHORTCODE.lastIndex = at;
  }
  return out + text.slice(at);
}

function inertStyle(text: string): string {
  return inertShortcodes(text).replace(STYLE_MARK, (c) => LOOKALIKES[c]!);
}

/** Style marks and shortcodes made inert outside URLs (Slack links URLs as they are, so their characters are left alone). */
function inertOutsideUrls(text: string): string {
  let styled = '';
  let at = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    styled += inertStyle(text.slice(at, m.index)) + m[0];
    at = m.index + m[0].length;
  }
  return styled + inertStyle(text.slice(at));
}

/** What every text needs: no quote opening a line, &, < and > as entities, no @channel word. */
function entities(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u2060$1');
}

const unquoteLines = (text: string) => text.replace(/^([ \t]*)>/gm, '$1\u02C3');

export function escapeMrkdwn(text: string): string {
  return entities(inertOutsideUrls(unquoteLines(text)));
}

/**
 * A command reply: our own text with its colons, backticks and style marks as written (a usage line's
 * HH:MM), and the parts quoted from feeds and users (`quoted`: every occurrence of each) made inert as
 * escapeMrkdwn makes feed text. Mentions, links and quotes are inert everywhere.
 */
export function escapeReplyMrkdwn(text: string, quoted: readonly string[] = []): string {
  const marks = new Array<boolean>(text.length).fill(false);
  for (const part of quoted) {
    if (part === '') continue;
    for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + 1)) marks.fill(true, i, i + part.length);
  }
  // One character for one: the marks still line up.
  const unquoted = unquoteLines(text);
  let out = '';
  for (let i = 0; i < unquoted.length; ) {
    let j = i;
    while (j < unquoted.length && marks[j] === marks[i]) j++;
    const run = unquoted.slice(i, j);
    out += marks[i] ? inertOutsideUrls(run) : run;
    i = j;
  }
  return entities(out);
}

/** Text Slack sent us (a slash command's text): Slack encodes &, < and > as entities; decode them once. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Feed text: cleaned, capped at `max` characters, then escaped. */
export function feedMrkdwn(text: string, max: number): string {
  return escapeMrkdwn(cleanFeedText(text, max));
}

/** A URL as it may appear inside <url|label>: percent-encoded |, <, >, and & as an entity. */
function linkTarget(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
}

/** `<url|label>` for http(s) URLs; the escaped label alone otherwise. */
export function slackLink(url: string | null | undefined, label: string, maxLabel = 300): string {
  const text = feedMrkdwn(label, maxLabel) || 'link';
  const safe = safeHttpUrl(url);
  return safe ? `<${linkTarget(safe)}|${text}>` : text;
}
