// The hub's side door: GET and POST on /websub/<callback id> (same PORT as /healthz). This module only
// translates HTTP: it reads the query or a bounded body and hands them to the WebSub service, which decides.
// Verifications for unknown callbacks, or of requests we never made, get 404. Content for an unknown callback
// (one forgotten, or never ours) gets 410 Gone, which lets a hub drop the subscription (WebSub §8) where a 404
// would make it retry; content gets 2xx once it has been looked at (a forged signature included: see the
// service), 413 when over the limit, 503 while the database is away (the hub retries).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../http/server.ts';

export const CALLBACK_PREFIX = '/websub/';
const CALLBACK_ID = /^[A-Za-z0-9_-]{20,100}$/;
/** Longest hub.challenge echoed back (hubs send a few dozen characters). */
const MAX_CHALLENGE = 1024;

export interface Verification {
  mode: string;
  topic: string;
  challenge: string | null;
  leaseSeconds: number | null;
  reason: string | null;
}

export interface CallbackTarget {
  /** The challenge to echo (200), or null (404). */
  verify(callbackId: string, v: Verification): Promise<string | null>;
  /** Whether a subscription has this callback id (checked before a pushed body is read). */
  accepts(callbackId: string): Promise<boolean>;
  /** Content distribution: the status to answer with. */
  deliver(callbackId: string, body: Buffer, headers: { signature: string | string[] | undefined; contentType: string | null }): Promise<number>;
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(body);
}

/** Answers without reading (the rest of) the body, then drops the connection once the answer is out. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.setHeader('connection', 'close');
  res.on('finish', () => req.destroy());
  text(res, status, body);
}

function callbackIdOf(req: IncomingMessage): { id: string | null; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const id = url.pathname.slice(CALLBACK_PREFIX.length);
  return { id: CALLBACK_ID.test(id) ? id : null, query: url.searchParams };
}

/** Reads at most `limit` bytes; null when the body is larger (the rest is not read). */
async function readBounded(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

export function callbackRoutes(target: CallbackTarget, maxBodyBytes: number): Route[] {
  return [
    {
      method: 'GET',
      path: CALLBACK_PREFIX,
      prefix: true,
      async handler(req, res) {
        const { id, query } = callbackIdOf(req);
        if (!id) return text(res, 404, 'not found\n');
        const lease = query.get('hub.lease_seconds');
        const challenge = query.get('hub.challenge');
        if (challenge !== null && (challenge.length === 0 || challenge.length > MAX_CHALLENGE)) return text(res, 404, 'not found\n');
        const answer = await target.verify(id, {
          mode: query.get('hub.mode') ?? '',
          topic: query.get('hub.topic') ?? '',
          challenge,
          leaseSeconds: lease !== null && /^\d{1,10}$/.test(lease) ? Number(lease) : null,
          reason: query.get('hub.reason'),
        });
        if (answer === null) return text(res, 404, 'not found\n');
        text(res, 200, answer);
      },
    },
    {
      method: 'POST',
      path: CALLBACK_PREFIX,
      prefix: true,
      maxBodyBytes,
      unsizedBody: true,
      async handler(req, res) {
        const { id } = callbackIdOf(req);
        // Not a callback id at all: 404; nobody's (any more): 410 Gone. Either without reading the body.
        if (!id) return refuse(req, res, 404, 'not found\n');
        if (!(await target.accepts(id))) return refuse(req, res, 410, 'gone\n');
        const body = await readBounded(req, maxBodyBytes);
        if (body === null) return refuse(req, res, 413, `request body over ${maxBodyBytes} bytes\n`);
        const status = await target.deliver(id, body, { signature: req.headers['x-hub-signature'], contentType: req.headers['content-type'] ?? null });
        text(res, status, status === 404 ? 'not found\n' : status === 410 ? 'gone\n' : status >= 500 ? 'try again later\n' : '');
      },
    },
  ];
}
