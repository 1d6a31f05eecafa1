// Requests to hubs go through the address guard and never send a secret over plain http to a host the
// operator has not allowed; a hub's refusal or silence is one sentence naming the hub.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubClient } from '../../src/websub/hub-client.ts';

describe('hub client', () => {
  let server: http.Server;
  let base: string;
  const bodies: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        if (req.url === '/slow') return; // never answers
        if (req.url === '/refuse') {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end('topic not allowed\u001b[31m here');
          return;
        }
        if (req.url === '/redirect') {
          res.writeHead(307, { location: '/ok' });
          res.end();
          return;
        }
        res.writeHead(202);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const req = { mode: 'subscribe' as const, topic: 'https://news.example/feed', callback: 'https://bot.example/websub/abc', secret: 's3cret-value', leaseSeconds: 3600 };

  it('posts the form a hub expects', async () => {
    const client = createHubClient({ allowHosts: ['127.0.0.1'], timeoutMs: 2000, userAgent: 'test' });
    try {
      bodies.length = 0;
      await client.send(`${base}/ok`, req);
      expect(Object.fromEntries(new URLSearchParams(bodies[0]))).toEqual({
        'hub.mode': 'subscribe',
        'hub.topic': 'https://news.example/feed',
        'hub.callback': 'https://bot.example/websub/abc',
        'hub.secret': 's3cret-value',
        'hub.lease_seconds': '3600',
      });
    } finally {
      await client.close();
    }
  });

  it.each([
    { name: 'a plain-http hub not in allow_hosts (the secret would travel in clear)', allow: [], path: '/ok', hub: 'http://hub.example/', error: /is not https; the subscription secret would travel in clear/ },
    { name: 'a private address not in allow_hosts', allow: [], path: '/ok', hub: 'https://10.1.2.3/', error: /hub https:\/\/10\.1\.2\.3 is refused: .*polling\.allow_hosts/ },
    { name: 'loopback in IPv6 not in allow_hosts', allow: [], path: '/ok', hub: 'https://[::1]:1/', error: /hub https:\/\/\[::1\]:1 is refused/ },
    { name: 'a name resolving to loopback not in allow_hosts', allow: [], path: '/ok', hub: 'https://localhost:1/', error: /cannot reach hub https:\/\/localhost:1 \(.*(private|loopback|refused|blocked)/i },
    { name: 'not a URL', allow: [], path: '/ok', hub: 'not a url', error: /is not a valid URL/ },
    { name: 'a refusal (4xx), its text cleaned', allow: ['127.0.0.1'], path: '/refuse', hub: null, error: /refused to subscribe \(HTTP 400: topic not allowed here\)/ },
    { name: 'a redirect (not followed)', allow: ['127.0.0.1'], path: '/redirect', hub: null, error: /refused to subscribe \(HTTP 307/ },
    { name: 'no answer in time', allow: ['127.0.0.1'], path: '/slow', hub: null, error: /no answer within 300 ms/ },
  ])('refuses $name', async ({ allow, path, hub, error }) => {
    const client = createHubClient({ allowHosts: allow, timeoutMs: 300, userAgent: 'test' });
    try {
      bodies.length = 0;
      await expect(client.send(hub ?? `${base}${path}`, req)).rejects.toThrow(error);
    } finally {
      await client.close();
    }
  });

  // allow_hosts is the operator's: the hub of a feed a workspace added from chat gets the plain guard, unless
  // polling.allow_hosts_for_chat_feeds says otherwise.
  it.each([
    { scope: 'operator' as const, forChat: false, reaches: true },
    { scope: 'chat' as const, forChat: false, reaches: false },
    { scope: 'chat' as const, forChat: true, reaches: true },
    { scope: undefined, forChat: false, reaches: true },
  ])('a hub at an allowed private address, scope $scope, allow_hosts_for_chat_feeds $forChat: reached $reaches', async ({ scope, forChat, reaches }) => {
    const client = createHubClient({ allowHosts: ['127.0.0.1'], allowHostsForChatFeeds: forChat, timeoutMs: 2000, userAgent: 'test' });
    try {
      bodies.length = 0;
      const sent = client.send(`${base}/ok`, req, scope);
      if (reaches) {
        await sent;
        expect(bodies).toHaveLength(1);
      } else {
        await expect(sent).rejects.toThrow(/is not https|is refused/);
        expect(bodies).toEqual([]);
      }
    } finally {
      await client.close();
    }
  });

  it('never connects to a private address it was not allowed, even over https', async () => {
    const client = createHubClient({ allowHosts: [], timeoutMs: 1000, userAgent: 'test' });
    try {
      bodies.length = 0;
      await expect(client.send(`${base.replace('http:', 'https:')}/ok`, req)).rejects.toThrow(/is refused: .*polling\.allow_hosts/);
      expect(bodies).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
