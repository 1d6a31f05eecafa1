// /news latest [topic] [count]: the newest stories that matched a topic (or this channel's topics).
import type { StoryView } from '../domain/chat.ts';
import type { Topic } from '../domain/types.ts';
import { UsageError } from '../lib/errors.ts';
import type { LatestStory } from '../storage/latest-repo.ts';
import { findTopic, knownTopicsSentence } from './topic-args.ts';
import { reply, type CommandModule } from './types.ts';

export const LATEST_MAX = 10;
const LATEST_DEFAULT = 5;
const FALLBACK_SUMMARY_CHARS = 400;

export function storyViewOf(s: LatestStory, topics: readonly Topic[]): StoryView {
  const fallback = s.feedSummary.length > FALLBACK_SUMMARY_CHARS ? `${s.feedSummary.slice(0, FALLBACK_SUMMARY_CHARS - 1).trimEnd()}…` : s.feedSummary;
  return {
    title: s.title,
    url: s.url,
    source: s.source,
    publishedAt: s.publishedAt,
    summary: s.digest ?? fallback,
    fromExcerpt: s.digest === null ? true : s.digestFromExcerpt,
    topics: s.topicIds.flatMap((id) => {
      const t = topics.find((x) => x.id === id);
      return t ? [{ id: t.id, name: t.name }] : [];
    }),
    alsoCoveredBy: s.alsoCoveredBy,
  };
}

function parseArgs(args: readonly string[], topics: readonly Topic[], usage: string): { topic: Topic | null; count: number } {
  let topic: Topic | null = null;
  let count: number | null = null;
  for (const raw of args) {
    const a = raw.replace(/^count[=:]?/i, '');
    // A number is a count, whatever its sign or form (-3, 2.5): never an unknown topic.
    if (/^[-+]?\d+(?:\.\d*)?$/.test(a)) {
      const n = Number(a);
      if (count !== null || !Number.isInteger(n) || n < 1 || n > LATEST_MAX) throw new UsageError(`Usage: ${usage}, where count is 1 to ${LATEST_MAX}.`);
      count = n;
      continue;
    }
    if (raw.toLowerCase() === 'count') continue;
    if (topic !== null) throw new UsageError(`Usage: ${usage}, with one topic at most.`);
    const t = findTopic(topics, raw);
    if (!t) throw new UsageError(`Unknown topic "${raw.slice(0, 40)}"; ${knownTopicsSentence(topics)}.`);
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
      const followed = ch ? await deps.channels.subscriptions(ch.id) : [];
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
