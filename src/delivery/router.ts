// Routing: which channels a matched item goes to. A channel accepts an item when one of its subscribed
// topics matched or one of its include keywords occurs, and none of its exclude keywords occurs. Pure.

export interface RoutableDoc {
  title: string;
  description: string;
  content: string;
}

export interface ChannelKeywordRule {
  term: string;
  /** `-term`: an item containing it never goes to the channel. */
  exclude: boolean;
}

/** One channel's subscriptions, as the router needs them. */
export interface ChannelRule {
  channelId: number;
  topicIds: readonly string[];
  keywords: readonly ChannelKeywordRule[];
}

/** Tells whether any of `terms` occurs in the document (the matching module's keyword semantics). */
export type KeywordTester = (terms: readonly string[]) => (doc: RoutableDoc) => boolean;

export interface RouteResult {
  channelIds: number[];
  /** Channels whose include keywords hit (the item is relevant to them even without a topic match). */
  keywordChannelIds: number[];
}

/** A router over the current channel rules; compile once per batch, route many items. */
export function createRouter(rules: readonly ChannelRule[], compileKeywords: KeywordTester): (matchedTopicIds: readonly string[], doc: RoutableDoc) => RouteResult {
  const compiled = rules.map((r) => {
    const include = r.keywords.filter((k) => !k.exclude).map((k) => k.term);
    const exclude = r.keywords.filter((k) => k.exclude).map((k) => k.term);
    return {
      channelId: r.channelId,
      topics: new Set(r.topicIds),
      include: include.length ? compileKeywords(include) : null,
      exclude: exclude.length ? compileKeywords(exclude) : null,
    };
  });
  return (matchedTopicIds, doc) => {
    const channelIds: number[] = [];
    const keywordChannelIds: number[] = [];
    for (const c of compiled) {
      const byTopic = matchedTopicIds.some((t) => c.topics.has(t));
      const byKeyword = c.include ? c.include(doc) : false;
      if (!byTopic && !byKeyword) continue;
      if (c.exclude && c.exclude(doc)) continue;
      channelIds.push(c.channelId);
      if (byKeyword) keywordChannelIds.push(c.channelId);
    }
    return { channelIds: channelIds.sort((a, b) => a - b), keywordChannelIds: keywordChannelIds.sort((a, b) => a - b) };
  };
}

/**
 * A plain keyword tester: case-insensitive whole-word (or whole-phrase) match with accents folded. The
 * composition root passes the matching module's tester instead when it has one.
 */
export const simpleKeywordTester: KeywordTester = (terms) => {
  const patterns = terms
    .map((t) => fold(t).trim())
    .filter((t) => t.length > 0)
    .map((t) => new RegExp(`(?<![\\p{L}\\p{N}])${t.split(/\s+/).map(escape).join('[\\s\\p{P}]+')}(?![\\p{L}\\p{N}])`, 'iu'));
  return (doc) => {
    const text = fold(`${doc.title}\n${doc.description}\n${doc.content}`);
    return patterns.some((p) => p.test(text));
  };
};

function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
