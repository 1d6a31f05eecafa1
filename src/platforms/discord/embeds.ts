// Embeds for stories and digests, and reply payloads. Feed text is cleaned of mentions and markdown,
// capped at Discord's limits (title 256, description 4096, field 1024), and every payload carries
// allowed_mentions with an empty parse list.
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIAllowedMentions, type APIButtonComponentWithCustomId, type APIEmbed } from 'discord.js';
import type { DigestView, FollowUpView, StoryView } from '../../domain/chat.ts';
import { feedbackButtonId, VERDICT_LABELS, VERDICTS, type Verdict } from '../../domain/feedback.ts';
import { ALSO_MAX, ALSO_TITLE_MAX, linesThatFit, linesWithin, safeHttpUrl } from '../text.ts';
import { cleanMentions, discordLink, feedMarkdown, feedPlain } from './escape.ts';

export const NO_MENTIONS: APIAllowedMentions = { parse: [] };

const COLOR = 0x2b6cb0;

export interface DiscordMessageBody {
  content?: string;
  embeds: APIEmbed[];
  allowed_mentions: APIAllowedMentions;
  flags?: number;
  components?: APIActionRowComponent<APIButtonComponentWithCustomId>[];
}

const STYLE: Record<Verdict, ButtonStyle.Success | ButtonStyle.Secondary> = { relevant: ButtonStyle.Success, not_relevant: ButtonStyle.Secondary };

/** The "Relevant" / "Not relevant" buttons of an alert: our labels, custom ids holding only the verdict and alert id. */
export function feedbackRow(alertId: number): APIActionRowComponent<APIButtonComponentWithCustomId> {
  return {
    type: ComponentType.ActionRow,
    components: VERDICTS.map((v) => ({ type: ComponentType.Button, style: STYLE[v], label: VERDICT_LABELS[v], custom_id: feedbackButtonId(v, alertId) })),
  };
}

export function storyEmbed(story: StoryView): APIEmbed {
  const url = safeHttpUrl(story.url);
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (story.topics.length > 0) fields.push({ name: 'Topics', value: feedMarkdown(story.topics.map((t) => t.name).join(', '), 1000), inline: true });
  if (story.alsoCoveredBy.length > 0) {
    // Each outlet's own headline, a line each, within a field's 1,024 characters.
    const lines = story.alsoCoveredBy.slice(0, ALSO_MAX).map((c) => `**${feedMarkdown(c.source, 80) || 'Unknown source'}**: ${discordLink(c.url, c.title || c.source, ALSO_TITLE_MAX)}`);
    const value = linesWithin(lines, 1024);
    if (value) fields.push({ name: 'Also covered by', value, inline: false });
  }
  const embed: APIEmbed = {
    title: feedPlain(story.title, 250) || 'Untitled story',
    description: feedMarkdown(story.summary, 1800) || undefined,
    color: COLOR,
    author: { name: feedPlain(story.source, 200) || 'Unknown source' },
    fields,
    footer: { text: story.fromExcerpt ? 'Summary from the feed excerpt' : 'Summary of the article' },
  };
  if (url) embed.url = url;
  if (story.publishedAt) embed.timestamp = story.publishedAt.toISOString();
  return embed;
}

export function storyMessage(story: StoryView): DiscordMessageBody {
  return {
    embeds: [storyEmbed(story)],
    allowed_mentions: NO_MENTIONS,
    ...(story.feedbackAlertId !== undefined ? { components: [feedbackRow(story.feedbackAlertId)] } : {}),
  };
}

export function digestMessage(digest: DigestView): DiscordMessageBody {
  const n = digest.stories.length;
  const all = digest.stories.map((s) => `• ${discordLink(s.url, s.title, 150)} (${feedMarkdown(s.source, 60)})`);
  const lines = all.slice(0, linesThatFit(all, 3900));
  if (lines.length < n) lines.push(`…and ${n - lines.length} more.`);
  return {
    embeds: [{ title: `${n} more ${n === 1 ? 'story' : 'stories'} matched this channel's topics`, description: lines.join('\n'), color: COLOR }],
    allowed_mentions: NO_MENTIONS,
  };
}

/** Later coverage, as a message in the story's thread: "Also covered by <source>: <title>". */
export function followUpMessage(f: FollowUpView): DiscordMessageBody {
  return {
    embeds: [{ description: `Also covered by **${feedMarkdown(f.coverage.source, 100)}**: ${discordLink(f.coverage.url, f.coverage.title, 250)}`, color: COLOR }],
    allowed_mentions: NO_MENTIONS,
  };
}

/** A thread's name (1 to 100 characters, plain): the story's title. */
export function threadName(storyTitle: string): string {
  return feedPlain(storyTitle, 100) || 'Story';
}

export function noticeMessage(text: string): DiscordMessageBody {
  return { content: cleanMentions(text).slice(0, 2000), embeds: [], allowed_mentions: NO_MENTIONS };
}
