// A local stand-in for a WebSub hub (W3C WebSub §5-§8): takes form-encoded subscribe and unsubscribe
// requests on POST /, answers 202, then verifies intent with a GET to the callback (hub.mode, hub.topic,
// hub.challenge, hub.lease_seconds) and keeps the subscription only when the callback echoes the challenge.
// `publish` sends content to every verified subscriber of a topic, signed with its secret (X-Hub-Signature,
// any of the four algorithms, or a forged/missing signature). It can be made to refuse requests (`down`),
// to never verify, to grant a chosen lease, to deny a subscription, or to send a verification nobody asked for.
// A subscriber answering a push with 410 Gone loses its subscription, as WebSub §8 lets a hub do.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http-util.ts';

export interface HubRequestRecord {
  mode: string;
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number | null;
  at: Date;
  /** The status the hub answered with. */
  status: number;
}

export interface HubSubscription {
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number;
  verifiedAt: Date;
}

export interface VerificationRecord {
  mode: string;
  topic: string;
  callback: string;
  status: number;
  /** The callback echoed the challenge. */
  echoed: boolean;
}

export type Algorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface PublishOptions {
  contentType?: string;
  algorithm?: Algorithm;
  /** forged: signed with another secret; missing: no header; tampered: signed, then the body changed. */
  signature?: 'valid' | 'forged' | 'missing' | 'tampered';
  /** Send without Content-Length (chunked). */
  chunked?: boolean;
}

export interface FakeHub {
  /** The hub URL feeds advertise (http://127.0.0.1:PORT/). */
  readonly url: string;
  readonly requests: HubRequestRecord[];
  readonly verifications: VerificationRecord[];
  /** Verified subscriptions, by callback. */
  readonly subscriptions: Map<string, HubSubscription>;
  /** Answer every request with 503 (true), or accept them. */
  down: boolean;
  /** What the hub says when it refuses while down (default 'hub unavailable'). */
  refusalBody: string;
  /** Verify intent after accepting a request (default true). */
  verify: boolean;
  /** Lease granted in verifications (default: what was asked, else 3600). */
  grantLeaseSeconds: number | null;
  /** Sends content to every verified subscriber of `topic`; resolves with each callback's status. */
  publish(topic: string, body: string, opts?: PublishOptions): Promise<number[]>;
  /** Tells a subscriber its subscription was denied (hub.mode=denied). */
  deny(callback: string, topic: string, reason: string): Promise<number>;
  /** A verification GET that no request of the subscriber asked for; resolves with status and body. */
  verifyUnasked(callback: string, mode: string, topic: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

async function getText(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

function postRaw(url: string, body: Buffer, headers: Record<string, string>, chunked: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: chunked ? headers : { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (chunked) {
      // Two writes without a length: Node sends Transfer-Encoding: chunked.
      req.write(body.subarray(0, Math.floor(body.length / 2)));
      req.end(body.subarray(Math.floor(body.length / 2)));
    } else req.end(body);
  });
}

export async function startFakeHub(): Promise<FakeHub> {
  const requests: HubRequestRecord[] = [];
  const verifications: VerificationRecord[] = [];
  const subscriptions = new Map<string, HubSubscription>();
  const pending = new Set<Promise<unknown>>();

  async function verifyIntent(r: HubRequestRecord): Promise<void> {
    const challenge = randomBytes(16).toString('hex');
    const u = new URL(r.callback);
    u.searchParams.set('hub.mode', r.mode);
    u.searchParams.set('hub.topic', r.topic);
    u.searchParams.set('hub.challenge', challenge);
    const lease = hub.grantLeaseSeconds ?? r.leaseSeconds ?? 3600;
    if (r.mode === 'subscribe') u.searchParams.set('hub.lease_seconds', String(lease));
    let got: { status: number; body: string };
    try {
      got = await getText(u.href);
    } catch {
      got = { status: 0, body: '' };
    }
    const echoed = got.status >= 200 && got.status < 300 && got.body === challenge;
    verifications.push({ mode: r.mode, topic: r.topic, callback: r.callback, status: got.status, echoed });
    if (!echoed) return;
    if (r.mode === 'subscribe') subscriptions.set(r.callback, { topic: r.topic, callback: r.callback, secret: r.secret, leaseSeconds: lease, verifiedAt: new Date() });
    else subscriptions.delete(r.callback);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      const lease = form.get('hub.lease_seconds');
      const record: HubRequestRecord = {
        mode: form.get('hub.mode') ?? '',
        topic: form.get('hub.topic') ?? '',
        callback: form.get('hub.callback') ?? '',
        secret: form.get('hub.secret'),
        leaseSeconds: lease ? Number(lease) : null,
        at: new Date(),
        status: 202,
      };
      if (hub.down) record.status = 503;
      else if (!['subscribe', 'unsubscribe'].includes(record.mode) || !/^https?:\/\//.test(record.topic) || !/^https?:\/\//.test(record.callback)) record.status = 400;
      requests.push(record);
      res.writeHead(record.status, { 'content-type': 'text/plain' });
      res.end(record.status === 202 ? 'accepted' : record.status === 503 ? hub.refusalBody : 'bad request');
      if (record.status === 202 && hub.verify) {
        const p = verifyIntent(record);
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const hub: FakeHub = {
    url,
    requests,
    verifications,
    subscriptions,
    down: false,
    refusalBody: 'hub unavailable',
    verify: true,
    grantLeaseSeconds: null,
    async publish(topic, body, opts = {}) {
      const statuses: number[] = [];
      for (const sub of subscriptions.values()) {
        if (sub.topic !== topic) continue;
        const bytes = Buffer.from(body, 'utf8');
        const algorithm = opts.algorithm ?? 'sha256';
        const kind = opts.signature ?? 'valid';
        const key = kind === 'forged' ? 'not-the-secret' : (sub.secret ?? '');
        const headers: Record<string, string> = {
          'content-type': opts.contentType ?? 'application/rss+xml',
          link: `<${url}>; rel="hub", <${topic}>; rel="self"`,
        };
        if (kind !== 'missing') headers['x-hub-signature'] = `${algorithm}=${createHmac(algorithm, key).update(bytes).digest('hex')}`;
        const sent = kind === 'tampered' ? Buffer.from(body.replace(/<title>/, '<title>Tampered '), 'utf8') : bytes;
        const status = await postRaw(sub.callback, sent, headers, opts.chunked ?? false);
        statuses.push(status);
        // 410 Gone: the subscriber says the subscription is deleted; the hub may end it (§8), and does.
        if (status === 410) subscriptions.delete(sub.callback);
      }
      return statuses;
    },
    async deny(callback, topic, reason) {
      const u = new URL(callback);
      u.searchParams.set('hub.mode', 'denied');
      u.searchParams.set('hub.topic', topic);
      u.searchParams.set('hub.reason', reason);
      return (await getText(u.href)).status;
    },
    async verifyUnasked(callback, mode, topic) {
      const u = new URL(callback);
      u.searchParams.set('hub.mode', mode);
      u.searchParams.set('hub.topic', topic);
      u.searchParams.set('hub.challenge', randomBytes(8).toString('hex'));
      u.searchParams.set('hub.lease_seconds', '3600');
      return getText(u.href);
    },
    close: () =>
      new Promise((resolve) => {
        void Promise.allSettled([...pending]).then(() => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }),
  };
  return hub;
}
