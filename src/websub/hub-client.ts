// Requests to hubs (WebSub §5.1): a form-encoded POST with hub.mode, hub.topic, hub.callback, hub.secret and
// hub.lease_seconds. A hub is a stranger's URL like a feed's: its connections go through the same address
// guard (polling.allow_hosts lets tests and intranets use private addresses), redirects are not followed,
// and each request has a deadline. A hub over plain http would see the secret in clear: only https hubs are
// used, unless the hub's host is in polling.allow_hosts.
import { Agent, request } from 'undici';
import { createAddressGuard } from '../feeds/address-guard.ts';
import { guardedConnector } from '../feeds/fetcher.ts';
import { perScope } from '../feeds/scoped-fetcher.ts';
import { QUOTE_MAX, quoted } from '../lib/bounded-text.ts';

export interface HubRequest {
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  secret?: string;
  leaseSeconds?: number;
}

export interface HubClient {
  /**
   * Resolves when the hub accepted the request (2xx); throws HubError otherwise. `scope`: who added the feed
   * that named the hub; a chat-added feed's hub may not use polling.allow_hosts (feeds/scoped-fetcher.ts).
   */
  send(hubUrl: string, req: HubRequest, scope?: 'operator' | 'chat'): Promise<void>;
  close(): Promise<void>;
}

export class HubError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export interface HubClientOptions {
  allowHosts: readonly string[];
  /** Whether the hubs of feeds added from chat may use allowHosts too (polling.allow_hosts_for_chat_feeds). */
  allowHostsForChatFeeds?: boolean;
  timeoutMs: number;
  userAgent: string;
}

/** What happens meanwhile, as the end of an error sentence. */
const meanwhile = (mode: HubRequest['mode']) => (mode === 'subscribe' ? '; the feed is polled meanwhile.' : '; tried again later.');

export function createHubClient(opts: HubClientOptions): HubClient {
  // A guard and an agent per scope (feeds/scoped-fetcher.ts decides which allow-list each scope has).
  const clients = perScope({ allowHosts: opts.allowHosts, allowHostsForChatFeeds: opts.allowHostsForChatFeeds ?? false }, (allowHosts) => {
    const guard = createAddressGuard(allowHosts);
    return { guard, agent: new Agent({ connect: guardedConnector(guard, opts.timeoutMs), headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs, connections: 4 }) };
  });
  return {
    async send(hubUrl, req, scope = 'operator') {
      const { guard, agent } = clients.of(scope);
      let u: URL;
      try {
        u = new URL(hubUrl);
      } catch {
        throw new HubError(`websub: hub '${quoted(hubUrl)}' is not a valid URL.`);
      }
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && guard.allowsHost(u.hostname.replace(/^\[|\]$/g, '')))) {
        const remedy = scope === 'chat' && clients.chatRestricted ? 'the feed was added from chat, so polling.allow_hosts does not apply' : 'add its host to polling.allow_hosts to allow it';
        throw new HubError(`websub: hub ${u.origin} is not https; the subscription secret would travel in clear, so it is not used (${remedy}).`);
      }
      // An IP literal needs no lookup, so the guard's resolver never sees it: checked here first.
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (/^[\d.]+$/.test(host) || host.includes(':')) {
        try {
          guard.assert(host, host, u.href);
        } catch (err) {
          throw new HubError(`websub: hub ${u.origin} is refused: ${(err as Error).message}`);
        }
      }
      const form = new URLSearchParams({ 'hub.mode': req.mode, 'hub.topic': req.topic, 'hub.callback': req.callback });
      if (req.secret) form.set('hub.secret', req.secret);
      if (req.leaseSeconds) form.set('hub.lease_seconds', String(req.leaseSeconds));
      const signal = AbortSignal.timeout(opts.timeoutMs);
      let status: number;
      let text = '';
      try {
        const res = await request(u, {
          method: 'POST',
          dispatcher: agent,
          signal,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': opts.userAgent },
          body: form.toString(),
        });
        status = res.statusCode;
        // Read a little of the answer for the error message (quoted() bounds what is kept); never the whole
        // of a stranger's body.
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (text.length < 4 * QUOTE_MAX) text += chunk.toString('utf8');
          else break;
        }
        res.body.destroy();
      } catch (err) {
        const why = signal.aborted ? `no answer within ${opts.timeoutMs} ms` : (err as Error).message;
        throw new HubError(`websub: cannot reach hub ${u.origin} (${quoted(why)})${meanwhile(req.mode)}`);
      }
      if (status < 200 || status > 299) {
        const said = quoted(text);
        throw new HubError(`websub: hub ${u.origin} refused to ${req.mode} (HTTP ${status}${said ? `: ${said}` : ''})${meanwhile(req.mode)}`, status);
      }
    },
    close: async () => {
      await Promise.all([clients.operator.agent.close(), clients.chatRestricted ? clients.chat.agent.close() : null]);
    },
  };
}
