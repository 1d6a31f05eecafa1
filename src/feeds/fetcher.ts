// HTTP for feeds and article pages, with the limits a bot that fetches strangers' URLs needs: conditional
// GET (ETag, Last-Modified), gzip/deflate/br, connect and total timeouts, a cap on the decoded body (gzip
// bombs included), a bounded number of redirects each checked by the address guard, and the address
// guard itself enforced on the socket actually connected to.
import { createRequire } from 'node:module';
import type { LookupFunction } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { buildConnector as BuildConnector } from 'undici';
import { createAddressGuard, type AddressGuard } from './address-guard.ts';
import { cachedResolver } from './dns-cache.ts';
import { decodeBody } from './charset.ts';
import { FetchError } from './fetch-error.ts';
import { quoted } from '../lib/bounded-text.ts';
import type { ExchangeRequest, ExchangeResponse } from './http-exchange.ts';
import { LEAN_ONREAD, LeanConnections, LeanFallback, leanExchange } from './lean-http.ts';

/**
 * undici's connector from its own module: `import 'undici'` evaluates all of undici (fetch, cookies,
 * WebSocket, ...), about 80 ms of CPU at every start-up, where the connector's module and its two
 * dependencies take 8. undici itself (its clients, for what the lean client does not read) is loaded on
 * first use: most cycles never need it.
 */
const buildConnector = createRequire(import.meta.url)('undici/lib/core/connect.js') as typeof BuildConnector;

/** The undici path: keep-alive clients per origin and the exchange through them. */
interface UndiciPath {
  send(req: ExchangeRequest): Promise<ExchangeResponse>;
  close(): Promise<void>;
}

export interface FetcherOptions {
  userAgent: string;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /** Cap on the decoded body; a larger body (or gzip bomb) ends in `fetch_too_large`. */
  maxBodyBytes: number;
  maxRedirects: number;
  /** Hosts, IPs or CIDRs allowed to resolve to private addresses. */
  allowHosts: readonly string[];
  /** How long a host's resolved addresses are reused (0 or absent: resolved for every connection). */
  dnsCacheMs?: number;
  /** GETs through the lean HTTP/1.1 client first (lean-http.ts), undici for what it does not read; false: undici
   * alone. Default true. */
  leanHttp?: boolean;
}

export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

/** What the server said about when to come back. */
export interface CacheHints {
  maxAgeSeconds: number | null;
  retryAfterSeconds: number | null;
}

interface FetchedBase {
  /** The URL after redirects. */
  finalUrl: string;
  /** True when every redirect followed was permanent (301/308). */
  permanentRedirect: boolean;
  etag: string | null;
  lastModified: string | null;
  hints: CacheHints;
  /** The Link header(s), joined with commas (WebSub hub discovery); null when none. */
  linkHeader?: string | null;
}

export type FeedFetchResult =
  | (FetchedBase & { status: 'not_modified' })
  | (FetchedBase & { status: 'ok'; httpStatus: number; body: Buffer; contentType: string | null });

export interface PageResult {
  body: string;
  contentType: string | null;
  finalUrl: string;
}

/**
 * Who added what is fetched: the operator (configuration, the CLI, `/news feeds add global`) or a workspace's or
 * server's admins from chat. Only the operator's fetches may reach the private hosts of `polling.allow_hosts`
 * (scoped-fetcher.ts); a fetcher built by createFetcher alone treats both alike.
 */
export type FetchScope = 'operator' | 'chat';

export interface Fetcher {
  /** Conditional GET of a feed; a 304 returns without a body. Throws FetchError. `scope` defaults to operator. */
  fetchFeed(url: string, validators?: Validators, scope?: FetchScope): Promise<FeedFetchResult>;
  /** GET of a page, decoded to text (charset from BOM, HTTP, meta). Throws FetchError. `scope` defaults to operator. */
  fetchPage(url: string, scope?: FetchScope): Promise<PageResult>;
  close(): Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

export function defaultFetcherOptions(): FetcherOptions {
  return {
    userAgent: 'cyberbrief/0.1 (feed reader)',
    connectTimeoutMs: 10_000,
    totalTimeoutMs: 30_000,
    maxBodyBytes: 10 * 1024 * 1024,
    maxRedirects: 5,
    allowHosts: [],
  };
}

export function createFetcher(opts: FetcherOptions): Fetcher {
  const guard = createAddressGuard(opts.allowHosts, cachedResolver({ ttlMs: opts.dnsCacheMs ?? 0 }));
  // Keep-alive connections per origin (feeds on one host reuse them), light enough for thousands of hosts
  // (origin-clients.ts); how many requests are in flight overall is the scheduler's adaptive cap, and per
  // host its per_host_concurrency, not the pool's business. Made (and undici loaded) at the first request
  // that needs them.
  let undici: Promise<UndiciPath> | null = null;
  const loadUndici = async (): Promise<UndiciPath> => {
    const [{ OriginClients }, { exchange }] = await Promise.all([import('./origin-clients.ts'), import('./http-exchange.ts')]);
    const connect = guardedConnector(guard, opts.connectTimeoutMs);
    const agent = new OriginClients({ connect, headersTimeout: opts.totalTimeoutMs, bodyTimeout: opts.totalTimeoutMs, keepAliveTimeout: 4_000 }, 16);
    return { send: (req) => exchange(agent, req), close: () => agent.destroy() };
  };
  const viaUndici = (req: ExchangeRequest): Promise<ExchangeResponse> => (undici ??= loadUndici()).then((u) => u.send(req));
  // The same connector (its sockets reading into the lean client's static buffer), limits and keep-alive for
  // the lean client; what it does not read goes to undici.
  // No TCP keep-alive probes on them: a lean connection idles 4 s at most and every exchange has its deadline,
  // so the probes' first one (after 60 s idle) never comes; setting them cost eight setsockopt calls a connection.
  const lean = opts.leanHttp === false ? null : new LeanConnections(guardedConnector(guard, opts.connectTimeoutMs, guard.lookup, { onread: LEAN_ONREAD, keepAlive: false }), 16, 4_000, true);
  // After close() nothing opens a connection again (a lean exchange cut by it would fall back to undici).
  let closed = false;
  const refuse = (req: ExchangeRequest) => Promise.reject(new FetchError('fetch_network', `fetcher: ${quoted(req.url.href)} was not fetched: the fetcher is closed (the bot is stopping).`));
  const send = (req: ExchangeRequest): Promise<ExchangeResponse> =>
    closed ? refuse(req) : lean ? leanExchange(lean, req).catch((err: unknown) => (err instanceof LeanFallback ? (closed ? refuse(req) : viaUndici(req)) : Promise.reject(err))) : viaUndici(req);

  async function get(url: string, accept: string, validators: Validators | undefined): Promise<{ res: ExchangeResponse; finalUrl: string; permanent: boolean; body: Buffer | null }> {
    // One deadline for every hop of the redirect chain.
    const deadline = Date.now() + opts.totalTimeoutMs;
    const timedOut = () => new FetchError('fetch_timeout', `fetcher: ${quoted(url)} took longer than ${opts.totalTimeoutMs} ms in total; the server is slow or stalled.`);
    let current = parseUrl(url);
    let permanent = true;
    /** The URLs of the chain so far, made at the first redirect (most fetches have none). */
    let seen: Set<string> | null = null;
    for (let hop = 0; ; hop++) {
      checkLiteral(guard, current);
      seen?.add(current.href);
      const headers: Record<string, string> = {
        'user-agent': opts.userAgent,
        accept,
        'accept-encoding': 'gzip, deflate, br',
      };
      if (validators?.etag) headers['if-none-match'] = validators.etag;
      if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
      let res: ExchangeResponse;
      // A redirect target is the server's text (a Location may be 16 KB): quoted, bounded, in every message
      // (only when one is written: a 304 writes none).
      const at = current;
      try {
        res = await send({ url: current, headers, deadline, timedOut, maxBodyBytes: opts.maxBodyBytes, tooLarge: () => tooLarge(quoted(at.href), opts.maxBodyBytes) });
      } catch (err) {
        throw classify(err, current, opts);
      }
      if (REDIRECTS.has(res.statusCode)) {
        const location = header(res, 'location');
        if (!location) throw new FetchError('fetch_http', `fetcher: ${quoted(current.href)} answered ${res.statusCode} without a Location header.`, { status: res.statusCode });
        if (res.statusCode !== 301 && res.statusCode !== 308) permanent = false;
        const next = parseUrl(location, current);
        seen ??= new Set([current.href]);
        if (seen.has(next.href)) throw new FetchError('fetch_redirects', `fetcher: redirect loop at ${quoted(current.href)} -> ${quoted(next.href)}; fix the feed URL.`);
        if (hop + 1 > opts.maxRedirects) throw new FetchError('fetch_redirects', `fetcher: ${quoted(url)} redirected more than ${opts.maxRedirects} times (last ${quoted(next.href)}); use the final URL.`);
        current = next;
        continue;
      }
      if (res.statusCode === 304) {
        return { res, finalUrl: current.href, permanent: permanent && hop > 0, body: null };
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        const retryAfter = res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(header(res, 'retry-after'), new Date()) : null;
        throw new FetchError('fetch_http', `fetcher: ${quoted(current.href)} answered HTTP ${res.statusCode}${retryAfter !== null ? ` (Retry-After ${retryAfter} s)` : ''}.`, { status: res.statusCode, retryAfterSeconds: retryAfter });
      }
      const body = await undoEncodings(res, res.body ?? Buffer.alloc(0), quoted(current.href), opts);
      return { res, finalUrl: current.href, permanent: permanent && hop > 0, body };
    }
  }

  return {
    async fetchFeed(url, validators) {
      const r = await get(url, FEED_ACCEPT, validators);
      const res = r.res;
      const retryAfter = header(res, 'retry-after');
      const hints: CacheHints = { maxAgeSeconds: parseMaxAge(header(res, 'cache-control')), retryAfterSeconds: retryAfter === null ? null : parseRetryAfter(retryAfter, new Date()) };
      const etag = header(res, 'etag') ?? validators?.etag ?? null;
      const lastModified = header(res, 'last-modified') ?? validators?.lastModified ?? null;
      // Object literals, not a spread of a common part: a cycle returns 10,000 of them.
      if (r.body === null) return { status: 'not_modified', finalUrl: r.finalUrl, permanentRedirect: r.permanent, etag, lastModified, hints, linkHeader: linkHeader(res) };
      return { status: 'ok', finalUrl: r.finalUrl, permanentRedirect: r.permanent, etag, lastModified, hints, linkHeader: linkHeader(res), httpStatus: res.statusCode, body: r.body, contentType: header(res, 'content-type') };
    },
    async fetchPage(url) {
      const r = await get(url, 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5', undefined);
      const contentType = header(r.res, 'content-type');
      return { body: decodeBody(r.body ?? Buffer.alloc(0), contentType).text, contentType, finalUrl: r.finalUrl };
    },
    close: async () => {
      closed = true;
      // Every connection, idle or carrying a request, is ended (a server that stalls holds neither shutdown nor
      // the process; the scheduler has given up on what is in flight by then): the lean client's own, and
      // undici's (its clients destroyed, not closed).
      lean?.close();
      if (undici) await (await undici).close();
    },
  };
}

/**
 * An undici connector that resolves through the guard's lookup and then checks the peer of the socket it
 * actually opened: an IP literal (no lookup) or a resolver that answers differently the second time (DNS
 * rebinding) is still refused. `lookup` is replaceable for tests; `socketOptions` go to every
 * `net.connect`/`tls.connect` (the lean client's `onread`; `keepAlive: false` skips undici's TCP keep-alive probes).
 */
export function guardedConnector(guard: AddressGuard, connectTimeoutMs: number, lookup: LookupFunction = guard.lookup, socketOptions: { onread?: typeof LEAN_ONREAD; keepAlive?: boolean } = {}): BuildConnector.connector {
  const baseConnect = buildConnector({ timeout: connectTimeoutMs, lookup, ...socketOptions } as BuildConnector.BuildOptions);
  return (options, callback) => {
    baseConnect(options, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      const ip = socket.remoteAddress;
      if (!ip || !guard.permits(options.hostname, ip)) {
        socket.destroy();
        return callback(guardError(guard, options.hostname, ip ?? 'an unknown address'), null);
      }
      return callback(null, socket);
    });
  };
}

function parseUrl(raw: string, base?: URL): URL {
  let u: URL;
  try {
    u = new URL(raw, base);
  } catch {
    throw new FetchError('fetch_invalid_url', `fetcher: '${quoted(raw)}' is not a valid URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError('fetch_invalid_url', `fetcher: ${quoted(u.href)} is not http(s); only http and https feeds are fetched.`);
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
  }
  return u;
}

function checkLiteral(guard: AddressGuard, u: URL): void {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (/^[\d.]+$/.test(host) || host.includes(':')) guard.assert(host, host, u.href);
}

function guardError(guard: AddressGuard, host: string, ip: string): FetchError {
  try {
    guard.assert(host, ip);
  } catch (err) {
    if (err instanceof FetchError) return err;
  }
  return new FetchError('fetch_blocked_address', `fetcher: refused ${host} at ${ip}.`);
}

function header(res: ExchangeResponse, name: string): string | null {
  const v = res.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

function linkHeader(res: ExchangeResponse): string | null {
  const v = res.headers.link;
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(v: string | null, now: Date): number | null {
  if (!v) return null;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const at = Date.parse(t);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** `max-age` from Cache-Control (s-maxage wins for a shared cache like us), or null. */
export function parseMaxAge(v: string | null): number | null {
  if (!v) return null;
  if (/\bno-store\b/i.test(v)) return null;
  const s = /\bs-maxage\s*=\s*"?(\d+)/i.exec(v) ?? /\bmax-age\s*=\s*"?(\d+)/i.exec(v);
  return s ? Number(s[1]) : null;
}

function tooLarge(url: string, max: number): FetchError {
  return new FetchError('fetch_too_large', `fetcher: ${url} is larger than ${max} bytes once decoded; cut off (raise polling.max_body_bytes if the feed is genuine).`);
}

/** The body as sent, its Content-Encoding undone (the decoded size capped too: gzip bombs). */
async function undoEncodings(res: ExchangeResponse, raw: Buffer, url: string, opts: FetcherOptions): Promise<Buffer> {
  const encodings = (header(res, 'content-encoding') ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'identity');
  let body = raw;
  for (const enc of encodings.reverse()) body = await decompress(body, enc, url, opts.maxBodyBytes);
  return body;
}

async function decompress(body: Buffer, encoding: string, url: string, max: number): Promise<Buffer> {
  if (body.length === 0) return body;
  const zopts = { maxOutputLength: max, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return await gunzip(body, zopts);
      case 'deflate': {
        // RFC says zlib-wrapped; some servers send raw deflate.
        const zlibWrapped = (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | body[1]!) % 31 === 0;
        return zlibWrapped ? await inflate(body, zopts) : await inflateRaw(body, zopts);
      }
      case 'br':
        return await brotli(body, { maxOutputLength: max });
      default:
        throw new FetchError('fetch_http', `fetcher: ${url} uses Content-Encoding '${quoted(encoding)}', which is not supported.`);
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge(url, max);
    throw new FetchError('fetch_http', `fetcher: ${url} sent a corrupt ${quoted(encoding)} body: ${quoted((err as Error).message)}.`, { cause: err });
  }
}

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
    if (e instanceof AggregateError) for (const inner of e.errors) out.push(...codesOf(inner));
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

function findFetchError(err: unknown): FetchError | null {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof FetchError) return e;
    if (e instanceof AggregateError) {
      for (const inner of e.errors) {
        const f = findFetchError(inner);
        if (f) return f;
      }
    }
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** The port a URL connects to, its scheme's default when none is written. */
const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');

function classify(err: unknown, target: URL, opts: FetcherOptions): FetchError {
  const url = quoted(target.href);
  const own = findFetchError(err);
  if (own) return own;
  const codes = codesOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT') || codes.includes('ETIMEDOUT')) {
    return new FetchError('fetch_timeout', `fetcher: connecting to ${url} took longer than ${opts.connectTimeoutMs} ms.`, { cause: err });
  }
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT') || codes.includes('UND_ERR_BODY_TIMEOUT')) {
    return new FetchError('fetch_timeout', `fetcher: ${url} stalled (${quoted(message)}).`, { cause: err });
  }
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
    return new FetchError('fetch_network', `fetcher: cannot resolve the host of ${url}; check the URL or DNS.`, { cause: err });
  }
  if (codes.includes('ECONNREFUSED')) {
    return new FetchError('fetch_network', `fetcher: ${url} refused the connection (nothing listens on port ${portOf(target)}); check the port in the URL and that the server is up.`, { cause: err });
  }
  const code = codes[0] ? ` (${codes[0]})` : '';
  return new FetchError('fetch_network', `fetcher: cannot fetch ${url}: ${quoted(message)}${code}.`, { cause: err });
}
