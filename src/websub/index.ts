// WebSub from configuration: off (and saying why, once) without server.public_url or with websub.enabled
// false; otherwise the service, its hub client and its secret keeper. main.ts wires the result.
import type { Config } from '../config/schema.ts';
import type { FeedReader } from '../feeds/read-feed.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { configuredSecretBox } from '../lib/secret-box.ts';
import type { Storage } from '../storage/index.ts';
import { createHubClient } from './hub-client.ts';
import { secretKeeper } from './secrets.ts';
import { createWebSub, withoutTrailingSlash, type PushOutcome, type WebSub } from './service.ts';

export { createWebSub, type WebSub, type WebSubOptions, type WebSubDeps, type PushOutcome } from './service.ts';
export { discoverHub, type HubLinks } from './discover.ts';
export { checkSignature } from './signature.ts';

export interface WebSubSetup {
  /** null when push is off; `notice` says why. */
  websub: WebSub | null;
  notice: string;
  close(): Promise<void>;
}

export function webSubFrom(
  config: Config,
  deps: { storage: Pick<Storage, 'websub' | 'feeds' | 'items'>; readFeed: FeedReader; clock: Clock; logger: Logger; instanceId: string; onItemsStored: () => void; onPushed?: (o: PushOutcome) => void },
): WebSubSetup {
  if (!config.websub.enabled) return { websub: null, notice: 'Push (WebSub) off (websub.enabled is false); every feed is polled.', close: async () => {} };
  if (!config.server.public_url) {
    return { websub: null, notice: 'Push (WebSub) off: set server.public_url (or CYBERBRIEF_PUBLIC_URL) to the address hubs can reach; every feed is polled.', close: async () => {} };
  }
  const w = config.websub;
  const hub = createHubClient({ allowHosts: config.polling.allow_hosts, allowHostsForChatFeeds: config.polling.allow_hosts_for_chat_feeds, timeoutMs: w.request_timeout_ms, userAgent: config.polling.user_agent });
  const secrets = secretKeeper(configuredSecretBox(config.secrets));
  const websub = createWebSub(
    {
      repo: deps.storage.websub,
      feeds: deps.storage.feeds,
      items: deps.storage.items,
      hub,
      secrets,
      readFeed: deps.readFeed,
      clock: deps.clock,
      logger: deps.logger,
      onItemsStored: deps.onItemsStored,
      ...(deps.onPushed ? { onPushed: deps.onPushed } : {}),
    },
    {
      publicUrl: config.server.public_url,
      fallbackIntervalSeconds: w.fallback_interval_seconds,
      leaseSeconds: w.lease_seconds,
      renewBeforeSeconds: w.renew_before_seconds,
      verifyTimeoutSeconds: w.verify_timeout_seconds,
      retrySeconds: w.retry_seconds,
      checkSeconds: w.check_seconds,
      maxBodyBytes: config.polling.max_body_bytes,
      backfill: config.polling.backfill,
      instanceId: deps.instanceId,
    },
  );
  const base = withoutTrailingSlash(config.server.public_url);
  const notice = `Push (WebSub) on: feeds that name a hub are subscribed with callbacks under ${base}/websub/ and polled every ${w.fallback_interval_seconds} s while pushed${secrets.sealed ? '' : ' (subscription secrets stored unencrypted: set CYBERBRIEF_ENCRYPTION_KEY to encrypt them)'}.`;
  return { websub, notice, close: () => hub.close() };
}
