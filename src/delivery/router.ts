// Routing: which channels a matched item goes to. A channel may receive an item only when the item's feed
// reaches the channel's tenant (the feed is global, or that workspace or server added it: domain/tenancy);
// then it accepts the item when one of its subscribed topics matched or one of its include keywords
// occurs, and none of its exclude keywords occurs (the rule and the keyword semantics are the matching
// module's: acceptsForChannel). Pure.
import { reaches, type FeedAudience, type TenantKey } from '../domain/tenancy.ts';
import { acceptsForChannel, compileKeywords, type KeywordFilter } from '../matching/keywords.ts';

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
  /** The channel's workspace or server (tenantKey); only feeds that reach it are routed here. */
  tenant: TenantKey;
  topicIds: readonly string[];
  keywords: readonly ChannelKeywordRule[];
}

export interface RouteResult {
  /** Channels that accept the item, ascending. */
  channelIds: number[];
  /** Why each accepting channel took it, for logs. */
  reasons: Map<number, string>;
}

/** `audience`: who the item's feed reaches (FeedsRepo.audiences); a channel outside it never gets the item. */
export type Router = (matchedTopicIds: readonly string[], doc: RoutableDoc, audience: FeedAudience) => RouteResult;

/** A router over the current channel rules; compile once per batch, route many items. */
export function createRouter(rules: readonly ChannelRule[]): Router {
  const compiled: { channelId: number; tenant: TenantKey; topicIds: readonly string[]; filter: KeywordFilter }[] = rules.map((r) => ({
    channelId: r.channelId,
    tenant: r.tenant,
    topicIds: r.topicIds,
    filter: compileKeywords(r.keywords),
  }));
  return (matchedTopicIds, doc, audience) => {
    const results = matchedTopicIds.map((topicId) => ({ topicId, score: 1, reasons: [], matched: true }));
    const channelIds: number[] = [];
    const reasons = new Map<number, string>();
    for (const c of compiled) {
      if (!reaches(audience, c.tenant)) continue;
      const d = acceptsForChannel(results, c.topicIds, c.filter, doc);
      if (!d.accepted) continue;
      channelIds.push(c.channelId);
      reasons.set(c.channelId, d.reason);
    }
    channelIds.sort((a, b) => a - b);
    return { channelIds, reasons };
  };
}
