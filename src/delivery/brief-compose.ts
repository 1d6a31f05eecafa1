// What a brief says, from the stories it holds: ranked by relevance score (to two decimals), then by how
// many outlets covered the story; grouped by the channel's topic each story matched best (stories that came
// through the channel's keywords alone form a last group); each with one line of summary, its link and
// "also covered by" links; at most `perTopic` per group and `maxStories` in all, the rest counted. Pure.
import { describeQuiet, type BriefSchedule, type QuietHours } from '../domain/brief-schedule.ts';
import { followsEvery } from '../domain/following.ts';
import { shownTime } from '../domain/shown-time.ts';
import type { BriefGroupView, BriefStoryView, BriefView } from '../domain/chat.ts';
import { codePoints, firstChars } from '../lib/bounded-text.ts';
import { splitSentences } from '../summarize/sentences.ts';

/** A story a brief may show (storage's BriefCandidate). */
export interface BriefStoryInput {
  alertId: number;
  title: string;
  url: string | null;
  source: string;
  summary: string;
  relevance: number | null;
  outlets: number;
  topics: { topicId: string; score: number }[];
  coverage: { source: string; title: string; url: string | null }[];
  createdAt: Date;
}

export interface BriefLimits {
  /** Stories shown in one brief; the rest are counted. */
  maxStories: number;
  /** Stories shown per topic group. */
  perTopic: number;
}

export interface ComposeInput {
  kind: 'brief' | 'quiet';
  /** The brief's schedule (kind brief), for its title and clock. */
  schedule: BriefSchedule | null;
  /** The quiet hours whose held alerts a release carries (kind quiet). */
  quiet: QuietHours | null;
  periodStart: Date;
  periodEnd: Date;
  stories: readonly BriefStoryInput[];
  /** The channel's topics (for grouping; EVERY_TOPIC: any topic). */
  subscriptions: readonly string[];
  topics: readonly { id: string; name: string }[];
  limits: BriefLimits;
}

/** Also-covered links shown per story. */
const ALSO_MAX = 5;
const ONE_LINE_MAX = 220;
export const KEYWORDS_GROUP = 'Your keywords';

/**
 * The summary's first sentence, at most `max` characters (cut at a word, with an ellipsis). Characters as
 * people count them, code points (an emoji is one), as clipText counts; never half an emoji.
 */
export function oneLine(text: string, max = ONE_LINE_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const first = splitSentences(flat)[0] ?? flat;
  if (codePoints(first) <= max) return first;
  const cut = firstChars(first, max - 1);
  const space = cut.lastIndexOf(' ');
  const atWord = space >= 0 && codePoints(cut.slice(0, space)) > max / 2;
  return `${(atWord ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

const rounded = (r: number | null) => (r === null ? -1 : Math.round(r * 100) / 100);
const bestScore = (s: BriefStoryInput) => s.topics.reduce((m, t) => Math.max(m, t.score), 0);

/** Best first: relevance (two decimals), then outlets, then the best topic score, then newest, then alert id. */
export function rankStories<T extends BriefStoryInput>(stories: readonly T[]): T[] {
  return [...stories].sort(
    (a, b) =>
      rounded(b.relevance) - rounded(a.relevance) ||
      b.outlets - a.outlets ||
      bestScore(b) - bestScore(a) ||
      b.createdAt.getTime() - a.createdAt.getTime() ||
      a.alertId - b.alertId,
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function storyView(s: BriefStoryInput): BriefStoryView {
  return {
    title: s.title,
    url: s.url,
    source: s.source,
    summary: oneLine(s.summary),
    alsoCoveredBy: s.coverage.slice(0, ALSO_MAX),
    relevance: s.relevance === null ? null : Math.round(s.relevance * 100) / 100,
    outlets: s.outlets,
  };
}

export function composeBrief(input: ComposeInput): BriefView {
  const subscribed = new Set(input.subscriptions);
  const every = followsEvery(input.subscriptions);
  const names = new Map(input.topics.map((t) => [t.id, t.name]));
  const ranked = rankStories(input.stories);
  const groups = new Map<string, BriefGroupView>();
  let shown = 0;
  let more = 0;
  for (const s of ranked) {
    const topicId = [...s.topics].sort((a, b) => b.score - a.score).find((t) => every || subscribed.has(t.topicId))?.topicId ?? null;
    const key = topicId ?? '';
    let g = groups.get(key);
    if (!g) {
      g = { topic: topicId ? { id: topicId, name: names.get(topicId) ?? topicId } : null, label: topicId ? (names.get(topicId) ?? topicId) : KEYWORDS_GROUP, stories: [], more: 0 };
      groups.set(key, g);
    }
    if (shown < input.limits.maxStories && g.stories.length < input.limits.perTopic) {
      g.stories.push(storyView(s));
      shown++;
    } else {
      g.more++;
      more++;
    }
  }
  // Groups in the order of their best story; a group with nothing shown is only counted.
  const shownGroups = [...groups.values()].filter((g) => g.stories.length > 0);
  const zone = input.kind === 'brief' ? (input.schedule?.zone ?? 'UTC') : (input.quiet?.zone ?? input.schedule?.zone ?? 'UTC');
  const end = shownTime(input.periodEnd, zone);
  const start = shownTime(input.periodStart, zone);
  const total = ranked.length;
  const title =
    input.kind === 'quiet' ? (input.quiet ? 'While this channel was quiet' : 'Stories held for the brief') : input.schedule?.every === 'weekly' ? 'Weekly brief' : 'Daily brief';
  const subtitle =
    input.kind === 'quiet'
      ? `${plural(total, 'story', 'stories')} held${input.quiet ? ` during quiet hours (${describeQuiet(input.quiet)})` : ''}, up to ${end}`
      : `${end} · ${plural(total, 'story', 'stories')} since ${start} · ranked by relevance, then by outlets`;
  const footer =
    total === 0
      ? `No new stories matched this channel's topics or keywords since ${start}.`
      : more > 0
        ? `${plural(more, 'more story', 'more stories')} matched in this period; /news latest shows the newest.`
        : 'That is everything that matched in this period.';
  return { kind: input.kind, title, subtitle, groups: shownGroups, more, total, footer };
}
