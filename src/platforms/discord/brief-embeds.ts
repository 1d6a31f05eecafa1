// A brief as Discord messages within Discord's limits: at most 10 embeds a message, 6,000 characters in all
// its embeds (we keep 5,900), 4,096 in a description (we keep 4,000), 256 in a title, 2,048 in a footer.
// The first embed names the brief; each topic is an embed whose description lists its stories (a topic
// too long for one embed goes on in another, "continued"). A story is bounded (its "also covered by"
// links are dropped one by one, then its title's link) so any story fits. Feed text is escaped
// (feedMarkdown/discordLink: no mentions, no forged links) and allowed_mentions is empty.
import type { APIEmbed } from 'discord.js';
import type { BriefStoryView, BriefView } from '../../domain/chat.ts';
import { packBrief, type BriefEntry } from '../brief-layout.ts';
import { discordLink, feedMarkdown, feedPlain } from './escape.ts';
import { NO_MENTIONS, type DiscordMessageBody } from './embeds.ts';

export const DISCORD_LIMITS = { embeds: 10, totalChars: 6000, description: 4096, title: 256, footer: 2048 } as const;
const TOTAL_MAX = 5900;
const DESCRIPTION_MAX = 4000;
const STORY_MAX = 1500;
const COLOR = 0x2b6cb0;

/** One story as markdown lines, at most STORY_MAX characters. */
export function briefStoryMarkdown(s: BriefStoryView): string {
  const meta = [feedMarkdown(s.source, 100), s.relevance !== null ? `relevance ${s.relevance.toFixed(2)}` : null, s.outlets > 1 ? `${s.outlets} outlets` : null]
    .filter((x): x is string => !!x)
    .join(' · ');
  const summary = feedMarkdown(s.summary, 300);
  const also = s.alsoCoveredBy.map((c) => discordLink(c.url, c.source, 80));
  let linked = true;
  const render = () =>
    [`**${linked ? discordLink(s.url, s.title, 250) : feedMarkdown(s.title, 250) || 'Untitled story'}**`, meta, summary, also.length ? `*Also covered by: ${also.join(', ')}*` : null]
      .filter((x): x is string => !!x)
      .join('\n');
  let text = render();
  while (text.length > STORY_MAX && also.length) {
    also.pop();
    text = render();
  }
  if (text.length > STORY_MAX) {
    linked = false;
    text = render();
  }
  return text;
}

/** Characters Discord counts against the 6,000 of a message: titles, descriptions, footers, authors, fields. */
export function embedChars(embeds: readonly APIEmbed[]): number {
  return embeds.reduce(
    (n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0) + (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}

const partLabel = (part: number, parts: number) => (parts > 1 ? ` (${part + 1}/${parts})` : '');

function render(view: BriefView, entries: readonly BriefEntry[], label: string): APIEmbed[] {
  const embeds: APIEmbed[] = [{ title: `${feedPlain(view.title, 100)}${label}`.slice(0, DISCORD_LIMITS.title), description: feedMarkdown(view.subtitle, 500), color: COLOR }];
  let current: APIEmbed | null = null;
  const append = (text: string, heading: string) => {
    if (current && (current.description ?? '').length + text.length + 2 <= DESCRIPTION_MAX) {
      current.description = current.description ? `${current.description}\n\n${text}` : text;
      return;
    }
    // A new embed for the topic, or for its continuation when the last one is full.
    current = { title: heading.slice(0, DISCORD_LIMITS.title), description: text, color: COLOR };
    embeds.push(current);
  };
  let heading = '';
  for (const e of entries) {
    switch (e.kind) {
      case 'group':
        heading = `${feedPlain(e.group.label, 200)}${e.continued ? ' (continued)' : ''}`;
        current = null;
        break;
      case 'story':
        append(briefStoryMarkdown(e.story), current ? `${heading.replace(/ \(continued\)$/, '')} (continued)` : heading);
        break;
      case 'more':
        append(`*+${e.group.more} more on ${feedMarkdown(e.group.label, 200)}*`, current ? `${heading.replace(/ \(continued\)$/, '')} (continued)` : heading);
        break;
      case 'footer': {
        const last = embeds[embeds.length - 1]!;
        last.footer = { text: feedPlain(view.footer, 1000) };
        break;
      }
    }
  }
  return embeds;
}

function fits(embeds: readonly APIEmbed[]): boolean {
  return embeds.length <= DISCORD_LIMITS.embeds && embedChars(embeds) <= TOTAL_MAX && embeds.every((e) => (e.description?.length ?? 0) <= DESCRIPTION_MAX);
}

/** The brief as Discord message bodies, in order. */
export function briefMessages(view: BriefView): DiscordMessageBody[] {
  const parts = packBrief(view, (entries) => fits(render(view, entries, ' (99/99)')));
  return parts.map((entries, i) => ({ embeds: render(view, entries, partLabel(i, parts.length)), allowed_mentions: NO_MENTIONS }));
}
