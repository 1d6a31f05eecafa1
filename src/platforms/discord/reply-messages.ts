// A command reply as Discord messages. Discord takes 2,000 characters of content a message, so a long
// reply (`/news feeds list`, `/news help`) is cut at line breaks (a line too long on its own at spaces)
// into several messages, never inside a link, a code span or a backslash escape, so what was escaped
// stays escaped. An interaction is answered with at most five: more ends with a line saying what was left out.
import type { Reply } from '../../domain/chat.ts';
import { LINES, notShown } from '../../lib/not-shown.ts';
import { splitAtLines } from '../split-lines.ts';
import { NO_ANSWER } from '../text.ts';
import { NO_MENTIONS, storyEmbed, type DiscordMessageBody } from './embeds.ts';
import { replyMarkdown } from './escape.ts';

/** Discord's limit on a message's content. */
export const CONTENT_MAX = 2000;
/** Messages one command is answered with: the answer and four follow-ups. */
export const MAX_REPLY_MESSAGES = 5;
/** Room kept in the last message for the line saying what was left out. */
const NOTE_ROOM = 120;

/**
 * Spans of escaped reply markdown that a cut must not fall inside: `\x` escapes, `<url>` autolinks, masked
 * links `[label](url)` and code spans (an unescaped backtick to the next), scanned left to right.
 */
export function markdownSpans(line: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      const next = line.codePointAt(i + 1);
      const end = i + 1 + (next === undefined ? 0 : next > 0xffff ? 2 : 1);
      spans.push([i, end]);
      i = end - 1;
    } else if (c === '<') {
      const close = line.indexOf('>', i);
      if (/^<https?:\/\//i.test(line.slice(i, i + 9)) && close > i) {
        spans.push([i, close + 1]);
        i = close;
      }
    } else if (c === '`') {
      const close = line.indexOf('`', i + 1);
      if (close > i) {
        spans.push([i, close + 1]);
        i = close;
      }
    } else if (c === '[') {
      const m = /^\[[^\]\n]*\]\([^)\s]*\)/.exec(line.slice(i));
      if (m) {
        spans.push([i, i + m[0].length]);
        i += m[0].length - 1;
      }
    }
  }
  return spans;
}

const linesIn = (pieces: readonly string[]) => pieces.reduce((n, p) => n + p.split('\n').length, 0);

/**
 * The reply as messages, in order: its text escaped (escape.ts replyMarkdown) and cut to Discord's 2,000
 * characters at line breaks, at most five messages; stories as embeds (ten at most) on the last one.
 */
export function replyMessages(reply: Reply): DiscordMessageBody[] {
  const stories = reply.stories ?? [];
  const escaped = replyMarkdown(reply.text, Number.MAX_SAFE_INTEGER);
  // Discord refuses a message with nothing in it: a blank reply without stories is a sentence instead.
  const md = escaped.trim() === '' && stories.length === 0 ? replyMarkdown(NO_ANSWER) : escaped;
  let pieces = splitAtLines(md, CONTENT_MAX, markdownSpans);
  if (pieces.length > MAX_REPLY_MESSAGES) {
    const all = splitAtLines(md, CONTENT_MAX - NOTE_ROOM, markdownSpans);
    pieces = all.slice(0, MAX_REPLY_MESSAGES);
    const left = linesIn(all.slice(MAX_REPLY_MESSAGES));
    pieces[pieces.length - 1] += `\n${notShown(left, LINES)}: Discord takes at most ${MAX_REPLY_MESSAGES} messages in answer to a command.`;
  }
  const messages = pieces.map((content): DiscordMessageBody => ({ content, embeds: [], allowed_mentions: NO_MENTIONS }));
  messages[messages.length - 1]!.embeds = stories.slice(0, 10).map(storyEmbed);
  return messages;
}
