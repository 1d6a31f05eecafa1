// /news why <link or alert number>: a stored story's score and reasons, scored now with the current
// topics (and the relevance model, once one is plugged into the explain port). Anyone may ask; only
// the caller sees the answer. The link is looked up in its canonical form, as the feeds store it; an
// alert number must be one of this channel's alerts.
import type { StoryView } from '../domain/chat.ts';
import type { Topic } from '../domain/types.ts';
import { canonicalUrl } from '../feeds/normalise.ts';
import { clipText } from '../lib/bounded-text.ts';
import { UsageError } from '../lib/errors.ts';
import { shownSummary } from './latest.ts';
import { fitLines } from './reply-size.ts';
import { ownedByAnother, sharedChannelSentence } from './shared-channel.ts';
import { typedQuoted, typedUsage } from './typed-text.ts';
import { reply, type CommandModule, type Explanation, type StoredStoryView } from './types.ts';

/** Longest argument accepted (a link longer than this is not one a feed gave us). */
export const WHY_ARG_MAX = 2048;
const REASONS_PER_TOPIC = 4;
const REASON_MAX = 160;

/** What /news why takes, for the sentence answering anything else. */
const TAKES = "/news why takes a story's link (copy it from the alert), e.g. /news why https://example.com/story, or the number of one of this channel's alerts, e.g. /news why 42";

/** A host name and maybe a path, typed without http(s)://: `news.example/story`, `www.news.example`. */
const HOST_FIRST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$/i;

/** The sentence for an argument that is neither a link nor an alert number, fitted to what it is. */
function notALink(raw: string): UsageError {
  const shown = typedQuoted(raw, 80);
  if (/^#?\d+$/.test(raw)) return typedUsage(`${shown} is too long to be an alert number, and it is not a link: ${TAKES}.`, shown);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  if (scheme && !/^https?$/i.test(scheme)) return typedUsage(`${shown} is not a web link (it starts with ${scheme.toLowerCase()}:, not https:): ${TAKES}.`, shown);
  return typedUsage(`${shown} is neither a link nor an alert number: ${TAKES}.`, shown);
}

/** `<https://x|label>` (Slack's link form) or `<https://x>` (Discord's no-preview form) to the bare link. */
function unwrapLink(raw: string): string {
  const m = /^<([^<>|]+)(?:\|[^<>]*)?>$/.exec(raw);
  return (m ? m[1]! : raw).trim();
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function storyView(s: StoredStoryView, e: Explanation, topics: readonly Topic[]): StoryView {
  return {
    title: s.title,
    url: s.url,
    source: s.source,
    publishedAt: s.publishedAt,
    ...shownSummary(s.digest, s.digestFromExcerpt, s.summary),
    topics: e.topics.filter((t) => t.matched).map((t) => ({ id: t.id, name: topics.find((x) => x.id === t.id)?.name ?? t.id })),
    alsoCoveredBy: [],
  };
}

/** The explanation as lines of our own text (feed text stays in the story card, where it is escaped). */
export function explanationText(e: Explanation, topics: readonly Topic[], titleOnly: boolean): string {
  const name = (id: string) => topics.find((t) => t.id === id)?.name ?? id;
  const lines = ['Why this story is or is not in scope (scored now, with the current topics):', e.summary];
  if (e.score !== null) lines.push(`Relevance score: ${e.score.toFixed(2)}.`); // two decimals, as the summary line above gives it
  if (e.reasons.length) lines.push(`Reasons: ${e.reasons.slice(0, 6).map((r) => clipText(r, REASON_MAX)).join('; ')}.`);
  const shown = [...e.topics].filter((t) => t.matched || t.reasons.length > 0).sort((a, b) => Number(b.matched) - Number(a.matched) || b.score - a.score);
  for (const t of shown) {
    const reasons = t.reasons.slice(0, REASONS_PER_TOPIC).map((r) => clipText(r, REASON_MAX));
    const more = t.reasons.length > REASONS_PER_TOPIC ? `; ${t.reasons.length - REASONS_PER_TOPIC} more` : '';
    lines.push(`• ${name(t.id)}: ${t.matched ? 'matched' : 'not matched'}, score ${num(t.score)}${reasons.length ? `: ${reasons.join('; ')}${more}` : ''}`);
  }
  const silent = e.topics.length - shown.length;
  if (silent > 0) lines.push(`${silent} other topic${silent === 1 ? '' : 's'}: none of ${silent === 1 ? 'its' : 'their'} terms appear.`);
  if (titleOnly) lines.push('Only the title is stored for this story, so it was scored on the title alone.');
  // Within what every platform shows in answer to one command; what is left out is counted.
  return fitLines(lines, ['line', 'lines']);
}

export const why: CommandModule = {
  name: 'why',
  usage: '/news why <link or alert number>',
  summary: "a stored story's score and reasons: whether it is in scope and which topics matched",
  permission: () => 'anyone',
  action: 'ask why a story was scored',
  async run({ cmd, deps, findChannel, usage, tenant }) {
    if (!deps.stories || !deps.explain) return reply('/news why is not available in this deployment (no story lookup or scorer is wired in).');
    const raw = unwrapLink(cmd.args.join(' ').trim());
    if (raw === '') throw new UsageError(`Usage: ${usage}, e.g. /news why https://example.com/story.`);
    if (raw.length > WHY_ARG_MAX) throw new UsageError(`That link is longer than ${WHY_ARG_MAX} characters; give the story's link as an alert shows it.`);
    if (/\s/.test(raw)) throw new UsageError(`Give one link or alert number at a time; usage: ${usage}.`);

    let story: StoredStoryView | null;
    const alert = /^#?(\d{1,15})$/.exec(raw);
    if (alert) {
      const alertId = Number(alert[1]);
      const [found, channel] = await Promise.all([deps.stories.byAlert(alertId), findChannel()]);
      // A shared channel's alerts are its owning workspace's (they may carry stories of its own feeds).
      if (ownedByAnother(channel, cmd)) return reply(sharedChannelSentence(cmd.platform, 'alerts are', "; give the story's link instead."));
      if (!found || !channel || found.channelId !== channel.id) return reply(`There is no alert ${alertId} in this channel; give the story's link instead.`);
      story = found;
    } else {
      // A link copied from a sentence may bring its brackets or full stop: (https://x/a) or https://x/a.
      const bare = raw.replace(/^[([](.*)[)\]]$/, '$1');
      // A link without its scheme (news.example/story, www.news.example/story): the https one, then the http one.
      const spellings = HOST_FIRST.test(bare) ? [`https://${bare}`, `http://${bare}`] : [bare];
      if (!canonicalUrl(spellings[0])) throw notALink(raw);
      story = null;
      for (const spelling of spellings) {
        const url = canonicalUrl(spelling)!;
        const trimmed = /[.,;:!?]+$/.test(spelling) ? canonicalUrl(spelling.replace(/[.,;:!?]+$/, '')) : null;
        story = (await deps.stories.byUrl(url, tenant)) ?? (trimmed ? await deps.stories.byUrl(trimmed, tenant) : null);
        if (story) break;
      }
      if (!story) return reply('No stored story has that link: /news why knows the stories the bot has read from its feeds (copy the link from an alert or /news latest).');
    }
    const explanation = deps.explain({ title: story.title, description: story.summary, content: story.content });
    const titleOnly = story.summary.trim() === '' && story.content.trim() === '';
    // Reasons may quote the story's words (a feature's evidence): quoted, as they appear in the text.
    const quoted = [...explanation.reasons.slice(0, 6), ...explanation.topics.flatMap((t) => t.reasons.slice(0, REASONS_PER_TOPIC))].map((r) => clipText(r, REASON_MAX));
    return reply(explanationText(explanation, deps.topics, titleOnly), { stories: [storyView(story, explanation, deps.topics)], quoted });
  },
};
