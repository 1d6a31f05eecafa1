// Slack mrkdwn safety. Slack gives &, < and > control meaning (mentions like <!channel> and <@U123>,
// links like <https://x|label>); escaping them as entities makes feed text inert. Plain @channel words
// get a word joiner so no client or future parse mode turns them into a mention.
import { cleanFeedText, safeHttpUrl } from '../text.ts';

export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u2060$1');
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
