// A brief as Block Kit messages within Slack's limits: at most 50 blocks a message, 3,000 characters a
// section (we keep 2,900), a header's plain text 150, and the message's text (fallback plus blocks) under
// 40,000 characters (we keep 38,000). A story is one section; it is bounded (its "also covered by" links
// are dropped one by one, then its title's link, until it fits), so any story fits in a message. Feed
// text goes through feedMrkdwn/slackLink: escaped, no mentions, no injected links.
import type { types } from '@slack/bolt';
import type { BriefStoryView, BriefView } from '../../domain/chat.ts';
import { packBrief, type BriefEntry } from '../brief-layout.ts';
import { cleanFeedText } from '../text.ts';
import { escapeMrkdwn, feedMrkdwn, slackLink } from './escape.ts';

type KnownBlock = types.KnownBlock;

export const SLACK_LIMITS = { blocks: 50, sectionChars: 3000, headerChars: 150, messageChars: 40_000 } as const;
const SECTION_MAX = 2900;
const MESSAGE_MAX = 38_000;

export interface SlackBriefMessage {
  text: string;
  blocks: KnownBlock[];
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

/** One story as one section's mrkdwn, at most SECTION_MAX characters. */
export function briefStoryText(s: BriefStoryView): string {
  const meta = [feedMrkdwn(s.source, 100), s.relevance !== null ? `relevance ${s.relevance.toFixed(2)}` : null, s.outlets > 1 ? `${s.outlets} outlets` : null]
    .filter((x): x is string => !!x)
    .join(' · ');
  const summary = feedMrkdwn(s.summary, 300);
  const also = s.alsoCoveredBy.map((c) => slackLink(c.url, c.source, 80));
  let linked = true;
  const render = () =>
    [`*${linked ? slackLink(s.url, s.title, 250) : feedMrkdwn(s.title, 250) || 'Untitled story'}*`, meta, summary, also.length ? `_Also covered by: ${also.join(', ')}_` : null]
      .filter((x): x is string => !!x)
      .join('\n');
  let text = render();
  while (text.length > SECTION_MAX && also.length) {
    also.pop();
    text = render();
  }
  if (text.length > SECTION_MAX) {
    linked = false;
    text = render();
  }
  return text.slice(0, SECTION_MAX);
}

function entryBlocks(e: BriefEntry, view: BriefView): KnownBlock[] {
  switch (e.kind) {
    case 'group':
      return [{ type: 'section', text: mrkdwn(`*${escapeMrkdwn(cleanFeedText(e.group.label, 200))}*${e.continued ? ' (continued)' : ''}`) }];
    case 'story':
      return [{ type: 'section', text: mrkdwn(briefStoryText(e.story)) }];
    case 'more':
      return [{ type: 'context', elements: [mrkdwn(`+${e.group.more} more on ${escapeMrkdwn(cleanFeedText(e.group.label, 200))}`)] }];
    case 'footer':
      return [{ type: 'divider' }, { type: 'context', elements: [mrkdwn(escapeMrkdwn(cleanFeedText(view.footer, 1000)))] }];
  }
}

const partLabel = (part: number, parts: number) => (parts > 1 ? ` (${part + 1}/${parts})` : '');

function render(view: BriefView, entries: readonly BriefEntry[], label: string): SlackBriefMessage {
  const title = cleanFeedText(view.title, 100);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${title}${label}`.slice(0, SLACK_LIMITS.headerChars), emoji: false } },
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(cleanFeedText(view.subtitle, 500)))] },
  ];
  for (const e of entries) blocks.push(...entryBlocks(e, view));
  const count = view.total;
  return { text: escapeMrkdwn(`${title}${label}: ${count} ${count === 1 ? 'story' : 'stories'}`), blocks };
}

/** Characters of a message as Slack counts them against its limits (fallback text and every text object). */
export function slackMessageChars(m: SlackBriefMessage): number {
  let n = m.text.length;
  for (const b of m.blocks) {
    const t = b as { text?: { text?: string }; elements?: Array<{ text?: string }> };
    n += t.text?.text?.length ?? 0;
    for (const el of t.elements ?? []) n += el.text?.length ?? 0;
  }
  return n;
}

function fits(m: SlackBriefMessage): boolean {
  if (m.blocks.length > SLACK_LIMITS.blocks) return false;
  if (slackMessageChars(m) > MESSAGE_MAX) return false;
  return m.blocks.every((b) => {
    const t = b as { type: string; text?: { text?: string } };
    return t.type !== 'section' || (t.text?.text?.length ?? 0) <= SECTION_MAX;
  });
}

/** The brief as Slack messages, in order. */
export function briefMessages(view: BriefView): SlackBriefMessage[] {
  // Room for the widest part label is kept while packing.
  const parts = packBrief(view, (entries) => fits(render(view, entries, ' (99/99)')));
  return parts.map((entries, i) => render(view, entries, partLabel(i, parts.length)));
}
