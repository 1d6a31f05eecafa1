// /news latest [topic] [count]: the newest stories that matched a topic (or this channel's topics).
import type { StoryView } from '../domain/chat.ts';
import { followedTopicIds } from '../domain/following.ts';
import type { Topic } from '../domain/types.ts';
import { clipText } from '../lib/bounded-text.ts';
import { UsageError } from '../lib/errors.ts';
import type { LatestStory } from '../storage/latest-repo.ts';
import { findTopic, joinTopicNames, unknownTopics } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const LATEST_MAX = 10;
const LATEST_DEFAULT = 5;
const FALLBACK_SUMMARY_CHARS = 400;

/**
 * A stored story's summary as a card shows it (/news latest, /news why): its digest, else the feed's own
 * summary cut to FALLBACK_SUMMARY_CHARS characters, marked as an excerpt.
 */
export function shownSummary(digest: string | null, digestFromExcerpt: boolean, feedSummary: string): Pick<StoryView, 'summary' | 'fromExcerpt'> {
  return digest === null ? { summary: clipText(feedSummary, FALLBACK_SUMMARY_CHARS), fromExcerpt: true } : { summary: digest, fromExcerpt: digestFromExcerpt };
}

export function storyViewOf(s: LatestStory, topics: readonly Topic[]): StoryView {
  return {
    title: s.title,
    url: s.url,
    source: s.source,
    publishedAt: s.publishedAt,
    ...shownSummary(s.digest, s.digestFromExcerpt, s.feedSummary),
    topics: s.topicIds.flatMap((id) => {
      const t = topics.find((x) => x.id === id);
      return t ? [{ id: t.id, name: t.name }] : [];
    }),
    alsoCoveredBy: s.alsoCoveredBy,
  };
}

/** Counts written as words: "five" is 5; "eleven" and beyond are refused like 11. */
const COUNT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'fifteen', 'twenty'];
const COUNT_WORD_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20];

function parseArgs(args: readonly string[], topics: readonly Topic[], usage: string): { topic: Topic | null; count: number } {
  let topic: Topic | null = null;
  let count: number | null = null;
  const setCount = (n: number) => {
    if (count !== null || !Number.isInteger(n) || n < 1 || n > LATEST_MAX) throw new UsageError(`Usage: ${usage}, where count is 1 to ${LATEST_MAX}.`);
    count = n;
  };
  for (const raw of joinTopicNames(topics, args)) {
    // Full-width digits (０３) are digits.
    const a = raw.normalize('NFKC').replace(/^count[=:]?/i, '');
    // A number is a count, whatever its sign or form (-3, 2.5): never an unknown topic.
    if (/^[-+]?\d+(?:\.\d*)?$/.test(a)) {
      setCount(Number(a));
      continue;
    }
    if (raw.toLowerCase() === 'count') continue;
    const t = findTopic(topics, raw);
    const word = COUNT_WORDS.indexOf(a.toLowerCase());
    if (!t && word >= 0) {
      setCount(COUNT_WORD_VALUES[word]!);
      continue;
    }
    // `espionage,talks` names two known topics: say one at most, not "unknown topic".
    const parts = raw.split(',').filter((x) => x !== '');
    const several = !t && parts.length > 1 && parts.every((x) => findTopic(topics, x));
    if (topic !== null || several) {
      throw new UsageError(`Usage: ${usage}, with one topic at most.`);
    }
    if (!t) throw unknownTopics(topics, [raw]);
    topic = t;
  }
  return { topic, count: count ?? LATEST_DEFAULT };
}

export const latest: CommandModule = {
  name: 'latest',
  usage: `/news latest [topic] [count]`,
  summary: `the newest matching stories, summarised (count 1 to ${LATEST_MAX}, default ${LATEST_DEFAULT})`,
  permission: () => 'anyone',
  action: 'see the latest stories',
  async run({ cmd, deps, findChannel, usage, tenant }) {
    const { topic, count } = parseArgs(cmd.args, deps.topics, usage);
    let topicIds: string[];
    let scope: string;
    if (topic) {
      topicIds = [topic.id];
      scope = topic.name;
    } else {
      const ch = await findChannel();
      // A shared channel's topics are its owning workspace's: from another, every topic.
      const followed = ch && ch.workspaceId === cmd.workspaceId ? followedTopicIds(await deps.channels.subscriptions(ch.id), deps.topics) : [];
      topicIds = followed.length > 0 ? followed : deps.topics.map((t) => t.id);
      scope = followed.length > 0 ? "this channel's topics" : 'any topic';
    }
    // Stories from the global feeds and this workspace's or server's own, never another's.
    const found = await deps.latest.find({ topicIds, limit: count, visibleTo: tenant });
    if (found.length === 0) return reply(`No stories have matched ${scope} yet.`);
    const stories = found.map((s) => storyViewOf(s, deps.topics));
    return reply(`The ${stories.length === 1 ? 'latest story' : `${stories.length} latest stories`} on ${scope}:`, { stories });
  },
};
