// Which private hosts a fetch may reach depends on who added what it fetches. `polling.allow_hosts` is the
// operator's list: it opens private addresses to the feeds the operator adds (configuration, the CLI,
// `/news feeds add global`) and to their articles' pages. Feeds a workspace's or server's admins add from
// chat, and their pages, are fetched with the plain guard, so a tenant cannot reach the operator's intranet
// (or this machine) through the bot, unless `polling.allow_hosts_for_chat_feeds` says the operator trusts
// chat-added feeds as well. Two fetchers, so no kept-alive connection opened for one scope serves the other.
import { createFetcher, type Fetcher, type FetcherOptions } from './fetcher.ts';

export function createScopedFetcher(opts: FetcherOptions, allowHostsForChatFeeds: boolean): Fetcher {
  const operator = createFetcher(opts);
  if (opts.allowHosts.length === 0 || allowHostsForChatFeeds) return operator;
  const chat = createFetcher({ ...opts, allowHosts: [] });
  return {
    fetchFeed: (url, validators, scope) => (scope === 'chat' ? chat : operator).fetchFeed(url, validators),
    fetchPage: (url, scope) => (scope === 'chat' ? chat : operator).fetchPage(url),
    close: async () => {
      await Promise.all([operator.close(), chat.close()]);
    },
  };
}
