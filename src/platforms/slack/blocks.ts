// Block Kit rendering of stories, digests, notices and command replies. Every piece of feed text passes
// through feedMrkdwn/slackLink (escaped, capped); block text stays under Slack's 3,000-character limit.
import type { types } from '@slack/bolt';
import type { DigestView, FollowUpView, Reply, StoryView } from '../../domain/chat.ts';
import { feedbackButtonId, VERDICT_LABELS, VERDICTS } from '../../domain/feedback.ts';
import { shownTime } from '../../domain/shown-time.ts';
import { clipText } from '../../lib/bounded-text.ts';
import { LINES, notShown, STORIES } from '../../lib/not-shown.ts';
import { splitAtLines } from '../split-lines.ts';
import { ALSO_MAX, ALSO_TITLE_MAX, linesThatFit, linesWithin, NO_ANSWER, stripInvisible } from '../text.ts';
import { escapeMrkdwn, escapeReplyMrkdwn, feedMrkdwn, slackLink } from './escape.ts';

type KnownBlock = types.KnownBlock;

export interface SlackMessage {
  /** Notification and screen-reader text. */
  text: string;
  blocks: KnownBlock[];
}

const SUMMARY_MAX = 1200;
const TITLE_MAX = 250;
const BLOCK_MAX = 2900;

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

/** Slack renders <!date^...> in the reader's time zone; the fallback is UTC. */
function slackDate(d: Date): string {
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${shownTime(d)}>`;
}

/** Action ids of the feedback buttons (one per verdict; the button's value names the alert). */
export const FEEDBACK_ACTION_PREFIX = 'cyberbrief-feedback-';
export const FEEDBACK_BLOCK_ID = 'cyberbrief-feedback';

/** The "Relevant" / "Not relevant" buttons of an alert: our labels, values holding only the verdict and alert id. */
export function feedbackBlock(alertId: number): KnownBlock {
  return {
    type: 'actions',
    block_id: FEEDBACK_BLOCK_ID,
    elements: VERDICTS.map((v) => ({
      type: 'button' as const,
      action_id: `${FEEDBACK_ACTION_PREFIX}${v}`,
      text: { type: 'plain_text' as const, text: VERDICT_LABELS[v], emoji: false },
      value: feedbackButtonId(v, alertId),
    })),
  };
}

export function storyMessage(story: StoryView): SlackMessage {
  const title = slackLink(story.url, story.title, TITLE_MAX);
  const source = feedMrkdwn(story.source, 100);
  const meta = [source, story.publishedAt ? slackDate(story.publishedAt) : null, story.fromExcerpt ? '_summary from the feed excerpt_' : null]
    .filter((x): x is string => !!x)
    .join(' · ');
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(`*${title}*`.slice(0, BLOCK_MAX)) },
    { type: 'context', elements: [mrkdwn(meta)] },
  ];
  const summary = feedMrkdwn(story.summary, SUMMARY_MAX);
  if (summary) blocks.push({ type: 'section', text: mrkdwn(summary.slice(0, BLOCK_MAX)) });
  const context: string[] = [];
  if (story.topics.length > 0) context.push(`Topics: ${story.topics.map((t) => escapeMrkdwn(t.name)).join(', ')}`);
  if (story.alsoCoveredBy.length > 0) {
    // Each outlet's own headline, so a reader sees the other angles, and a story joined by mistake shows. Whole
    // lines only, within the block's limit (a cut would leave a link's markup open).
    const lines = story.alsoCoveredBy.slice(0, ALSO_MAX).map((c) => `*${feedMrkdwn(c.source, 80) || 'Unknown source'}*: ${slackLink(c.url, c.title || c.source, ALSO_TITLE_MAX)}`);
    const text = linesWithin(['Also covered by:', ...lines], BLOCK_MAX);
    if (text.includes('\n')) context.push(text);
  }
  if (context.length > 0) blocks.push({ type: 'context', elements: context.map((c) => mrkdwn(c.slice(0, BLOCK_MAX))) });
  if (story.feedbackAlertId !== undefined) blocks.push(feedbackBlock(story.feedbackAlertId));
  return { text: `${feedMrkdwn(story.title, TITLE_MAX)} (${source})`, blocks };
}

/** Stories a digest lists at most; the rest are counted. */
const DIGEST_LINES_MAX = 20;
/** Room kept in a digest's block for its "…and N more." line. */
const DIGEST_MORE_ROOM = 40;

export function digestMessage(digest: DigestView): SlackMessage {
  const n = digest.stories.length;
  const head = `${n} more ${n === 1 ? 'story' : 'stories'} matched this channel's topics:`;
  // Whole lines only, within the block's limit: cutting the text could leave a link's markup open.
  const all = digest.stories.slice(0, DIGEST_LINES_MAX).map((s) => `• ${slackLink(s.url, s.title, 150)} (${feedMrkdwn(s.source, 60)})`);
  const shown = linesThatFit(all, BLOCK_MAX - head.length - 3 - DIGEST_MORE_ROOM);
  const kept = all.slice(0, shown).join('\n');
  const more = n > shown ? `${kept === '' ? '' : '\n'}…and ${n - shown} more.` : '';
  return { text: head, blocks: [{ type: 'section', text: mrkdwn(`*${head}*\n${kept}${more}`) }] };
}

/** Later coverage, as a reply in the story's thread: "Also covered by <source>: <title>". */
export function followUpMessage(f: FollowUpView): SlackMessage {
  const source = feedMrkdwn(f.coverage.source, 100);
  const line = `Also covered by *${source}*: ${slackLink(f.coverage.url, f.coverage.title, TITLE_MAX)}`;
  return { text: `Also covered by ${source}: ${feedMrkdwn(f.coverage.title, TITLE_MAX)}`, blocks: [{ type: 'section', text: mrkdwn(line.slice(0, BLOCK_MAX)) }] };
}

export function noticeMessage(text: string): SlackMessage {
  const safe = escapeMrkdwn(text);
  return { text: safe, blocks: [{ type: 'section', text: mrkdwn(`:information_source: ${safe}`.slice(0, BLOCK_MAX)) }] };
}

/** Slack's limit on blocks in one message. */
const MAX_BLOCKS = 50;
/** Characters of a message (fallback text and every text object) we keep to, under Slack's 40,000. */
const MESSAGE_MAX = 38_000;
/** Of those, what a reply's text sections may take: the rest is room for the fallback text and a note. */
const SECTIONS_MAX = 36_000;
/** Messages one command may answer with: response_url takes five posts (the acknowledgement is the first). */
const MAX_REPLY_MESSAGES = 5;
/** A long reply's notification text: its first line, up to this many characters. */
const FALLBACK_MAX = 200;

export type SlackReplyMessage = SlackMessage & { response_type: 'ephemeral' | 'in_channel' };

/** Characters Slack counts against a message's limit: the fallback text and every text object. */
function messageChars(text: string, blocks: readonly KnownBlock[]): number {
  let n = text.length;
  for (const b of blocks) {
    const t = b as { text?: { text?: string }; elements?: Array<{ text?: string }> };
    n += t.text?.text?.length ?? 0;
    for (const el of t.elements ?? []) n += el.text?.length ?? 0;
  }
  return n;
}

/**
 * The first line of escaped `text`, cut at a space to at most FALLBACK_MAX characters; a line without one (a
 * long link) on a character boundary and never inside an entity the escaping made (`&amp;` cut to `&am`).
 */
function fallbackText(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  if (line.length <= FALLBACK_MAX) return line;
  const space = line.lastIndexOf(' ', FALLBACK_MAX - 1);
  if (space > 0) return `${line.slice(0, space)}…`;
  return clipText(line, FALLBACK_MAX).replace(/&[a-z]{0,3}…$/, '…');
}

/**
 * A command reply as Slack messages, in order. Its text is escaped (escapeReplyMrkdwn) and cut at line breaks (a line too long
 * on its own at spaces: never inside a word or link) into sections of at most 2,900 characters, packed into
 * messages within Slack's limits (50 blocks, 40,000 characters), so a long reply (`/news feeds list`,
 * `/news help`, `/news why`) arrives whole. Stories follow the text, each as its own blocks, in the last
 * message while it has room. More than five messages' worth ends with a note of how much was left out.
 */
export function replyMessages(reply: Reply): SlackReplyMessage[] {
  const response_type = reply.ephemeral ? 'ephemeral' : 'in_channel';
  const stories = reply.stories ?? [];
  // Our own text as written; what the reply quotes from feeds and users made inert.
  const escaped = escapeReplyMrkdwn(reply.text, reply.quoted);
  // Slack refuses a block with empty text: a blank reply is a sentence, or its stories alone.
  const blank = stripInvisible(escaped).trim() === '';
  const head = blank ? (stories.length ? `${stories.length} ${stories.length === 1 ? 'story' : 'stories'}` : escapeReplyMrkdwn(NO_ANSWER)) : escaped;
  const sections = blank && stories.length ? [] : splitAtLines(head, BLOCK_MAX);
  const groups: string[][] = [[]];
  let chars = 0;
  for (const section of sections) {
    const group = groups.at(-1)!;
    // One block of each message is kept for a note.
    if (group.length > 0 && (group.length + 1 > MAX_BLOCKS - 1 || chars + section.length > SECTIONS_MAX)) {
      groups.push([section]);
      chars = section.length;
    } else {
      group.push(section);
      chars += section.length;
    }
  }
  const left = groups.splice(MAX_REPLY_MESSAGES).flat();
  const messages = groups.map((group): SlackReplyMessage => ({
    response_type,
    text: sections.length <= 1 ? head : fallbackText(group[0] ?? ''),
    blocks: group.map((t): KnownBlock => ({ type: 'section', text: mrkdwn(t) })),
  }));
  const last = messages.at(-1)!;
  if (left.length > 0) {
    const lines = left.reduce((n, t) => n + t.split('\n').length, 0);
    last.blocks.push({ type: 'context', elements: [mrkdwn(`${notShown(lines, LINES)}: Slack takes at most ${MAX_REPLY_MESSAGES} messages in answer to a command.`)] });
  }
  let shown = 0;
  for (const story of stories) {
    const more = [{ type: 'divider' } as KnownBlock, ...storyMessage(story).blocks];
    // Keep room for the "not shown" note.
    if (last.blocks.length + more.length > MAX_BLOCKS - (shown + 1 < stories.length ? 1 : 0)) break;
    if (messageChars(last.text, [...last.blocks, ...more]) > MESSAGE_MAX - 200) break;
    last.blocks.push(...more);
    shown += 1;
  }
  if (shown < stories.length) {
    last.blocks.push({ type: 'context', elements: [mrkdwn(`${notShown(stories.length - shown, STORIES)}; ask for fewer with a count.`)] });
  }
  return messages;
}
