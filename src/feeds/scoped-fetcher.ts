// Which private hosts a fetch may reach depends on who added what it fetches. `polling.allow_hosts` is the
// operator's list: it opens private addresses to the feeds the operator adds (configuration, the CLI,
// `/news feeds add global`) and to their articles' pages. Feeds a workspace's or server's admins add from
// chat, and their pages, are fetched with the plain guard, so a tenant cannot reach the operator's intranet
// (or this machine) through the bot, unless `polling.allow_hosts_for_chat_feeds` says the operator trusts
// chat-added feeds as well. Two fetchers, so no kept-alive connection opened for one scope serves the other.
//
// That decision is made here and nowhere else (allowHostsFor); every part that reaches a stranger's host on a
// feed's behalf builds its per-scope parts with perScope: the fetcher below, the WebSub hub client
// (websub/hub-client.ts) and the check of a typed feed URL (checkFeedUrlFor, wired in main.ts).
import type { Config } from '../config/schema.ts';
import { createAddressGuard } from './address-guard.ts';
import { CHAT_FEED_HINT, checkFeedUrl } from './feed-url.ts';
import { createFetcher, type FetchScope, type Fetcher, type FetcherOptions } from './fetcher.ts';

/** The operator's allow-list and whether feeds added from chat may use it too. */
export interface HostPolicy {
  /** polling.allow_hosts */
  allowHosts: readonly string[];
  /** polling.allow_hosts_for_chat_feeds */
  allowHostsForChatFeeds: boolean;
}

export function hostPolicyFrom(polling: Pick<Config['polling'], 'allow_hosts' | 'allow_hosts_for_chat_feeds'>): HostPolicy {
  return { allowHosts: polling.allow_hosts, allowHostsForChatFeeds: polling.allow_hosts_for_chat_feeds };
}

/** The private hosts a fetch for `scope` may reach: the operator's list, or none for a chat-added feed unless the operator allowed it. */
export function allowHostsFor(policy: HostPolicy, scope: FetchScope = 'operator'): readonly string[] {
  return scope === 'chat' && !policy.allowHostsForChatFeeds ? [] : policy.allowHosts;
}

export interface PerScope<T> {
  operator: T;
  chat: T;
  /** True when chat-added feeds may not use hosts the operator's may: `chat` is then a part of its own. */
  chatRestricted: boolean;
  /** The part for `scope` (the operator's when none is given). */
  of(scope?: FetchScope): T;
}

/**
 * A part (a fetcher, a guard, an HTTP agent) for each scope, built from that scope's allow-list. When both
 * scopes have the same list, one part serves both.
 */
export function perScope<T>(policy: HostPolicy, build: (allowHosts: readonly string[]) => T): PerScope<T> {
  const forOperator = allowHostsFor(policy, 'operator');
  const forChat = allowHostsFor(policy, 'chat');
  const operator = build(forOperator);
  // allowHostsFor gives chat the operator's list or none, so equal lengths mean the same list.
  const chatRestricted = forChat.length !== forOperator.length;
  const chat = chatRestricted ? build(forChat) : operator;
  return { operator, chat, chatRestricted, of: (scope) => (scope === 'chat' ? chat : operator) };
}

/** The fetcher for feeds and their pages: `scope` picks the fetcher whose guard that scope's allow-list opens. */
export function createScopedFetcher(opts: FetcherOptions, allowHostsForChatFeeds: boolean): Fetcher {
  const fetchers = perScope({ allowHosts: opts.allowHosts, allowHostsForChatFeeds }, (allowHosts) => createFetcher({ ...opts, allowHosts }));
  if (!fetchers.chatRestricted) return fetchers.operator;
  const { operator, chat } = fetchers;
  return {
    fetchFeed: (url, validators, scope) => fetchers.of(scope).fetchFeed(url, validators),
    fetchPage: (url, scope) => fetchers.of(scope).fetchPage(url),
    close: async () => {
      await Promise.all([operator.close(), chat.close()]);
    },
  };
}

/**
 * The check of a feed URL typed by someone (/news feeds add, the dashboard): an IP literal or localhost is
 * refused unless the scope's allow-list opens it; a chat admin is told what they can do about it.
 */
export function checkFeedUrlFor(policy: HostPolicy): (url: string, scope?: FetchScope) => string {
  const guards = perScope(policy, (allowHosts) => createAddressGuard(allowHosts));
  return (url, scope = 'operator') => (scope === 'chat' ? checkFeedUrl(url, guards.chat, CHAT_FEED_HINT) : checkFeedUrl(url, guards.operator));
}
