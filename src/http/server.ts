// The HTTP server: health at /healthz, and routes mounted by adapters (Slack's /slack/events). Plain
// node:http; each route gets the raw request so an adapter can verify signatures over the exact body.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface Route {
  method: string;
  path: string;
  handler: RouteHandler;
  /** Largest request body accepted, in bytes (default 1 MiB); larger or unsized bodies are refused. */
  maxBodyBytes?: number;
  /** The route answers every path under `path` (which then ends with '/'), e.g. /websub/<id>. */
  prefix?: boolean;
  /**
   * A body without Content-Length (chunked) is passed to the handler, which must bound what it reads
   * (WebSub hubs may stream); a declared length over the limit is still refused here.
   */
  unsizedBody?: boolean;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Request header fields accepted; a request with more is answered 431 and goes no further. */
export const MAX_REQUEST_HEADERS = 100;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes?: Route[];
  health: () => Promise<HealthReport>;
  logger: Logger;
  /** Answers every path no route names (the dashboard under /), with the same body limits; 404 without one. */
  fallback?: Omit<Route, 'method' | 'path'>;
  /** Limits for slow or many clients (defaults in DEFAULT_CLIENT_LIMITS). */
  limits?: Partial<ClientLimits>;
}

export interface ClientLimits {
  /** Time to send the request head (a slow-headers client is answered 408 and dropped). */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included (a trickled body is dropped). */
  requestTimeoutMs: number;
  /** How often those two are enforced: a client is dropped at most this long after its time is up. */
  checkIntervalMs: number;
  /** Connections open at once; further ones are closed at once, so idle sockets cannot use up file descriptors. */
  maxConnections: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = { headersTimeoutMs: 15_000, requestTimeoutMs: 30_000, checkIntervalMs: 1_000, maxConnections: 1_000 };


export interface HttpServer {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  addRoute(route: Route): void;
}

export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const routes: Route[] = [...(opts.routes ?? [])];
  const limits = { ...DEFAULT_CLIENT_LIMITS, ...opts.limits };
  // Node checks the two timeouts every connectionsCheckingInterval (30 s by default, so a slow-headers client
  // held a socket for up to 45 s); checked every second here.
  function handle(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): void {
    // Counted here, before anything reads a header: Node's own cap (maxHeadersCount) drops the headers past
    // it without a word, and a dropped signature or length header could change what the request means.
    if (req.rawHeaders.length / 2 > MAX_REQUEST_HEADERS) return refuse(req, res, 431, `more than ${MAX_REQUEST_HEADERS} request headers\n`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') return answerMethods(req, res, ['GET', 'HEAD']);
      opts
        .health()
        .then((report) => {
          res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(method === 'HEAD' ? undefined : JSON.stringify(report));
        })
        .catch((err: unknown) => {
          // Whatever went wrong is for the log: this port is public.
          opts.logger.error({ err: errorMessage(err) }, 'http: the health check failed');
          res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(method === 'HEAD' ? undefined : JSON.stringify({ ok: false, checks: { health: { ok: false, detail: 'health check failed' } } }));
        });
      return;
    }
    const matches = (r: Route) => (r.prefix ? url.pathname.startsWith(r.path) : r.path === url.pathname);
    const allowed = [...new Set(routes.filter(matches).map((r) => r.method))];
    const route = routes.find((r) => matches(r) && r.method === method) ?? (allowed.length || !opts.fallback ? undefined : { ...opts.fallback, method, path: url.pathname });
    if (!route) return allowed.length ? answerMethods(req, res, allowed) : refuse(req, res, 404, 'not found\n');
    // Bound every input: a body must announce its size (unless the route bounds it itself), within the
    // route's limit. A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 6.3).
    const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const declared = req.headers['content-length'];
    if (declared === undefined && req.headers['transfer-encoding'] !== undefined && !route.unsizedBody) return refuse(req, res, 411, 'a Content-Length header is required\n');
    if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > limit)) return refuse(req, res, 413, `request body over ${limit} bytes\n`);
    // The client waits for 100 Continue before sending the body: sent when the route starts reading it, so a
    // route that refuses first (an unknown WebSub callback) is not sent a body it will not read.
    if (expectsContinue) continueOnFirstRead(req, res);
    Promise.resolve(route.handler(req, res)).catch((err: unknown) => {
      opts.logger.error({ err, path: url.pathname }, 'http: route handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  }
  // Node checks the two timeouts every connectionsCheckingInterval (30 s by default, so a slow-headers client
  // held a socket for up to 45 s); checked every second here.
  const server = http.createServer({ connectionsCheckingInterval: limits.checkIntervalMs }, (req, res) => handle(req, res, false));
  // With this listener Node no longer answers `Expect: 100-continue` itself, before any route has looked.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => handle(req, res, true));
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.keepAliveTimeout = 5_000;
  // No cap of Node's: it would drop headers silently; handle() answers 431 past MAX_REQUEST_HEADERS, and
  // Node's maxHeaderSize (16 KiB) bounds the head's bytes (431 too).
  server.maxHeadersCount = 0;
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  server.on('drop', () => {
    // Logged once per 1,000 dropped connections, not once each: the flood would fill the log.
    if (dropped++ % 1000 === 0) opts.logger.warn({ max_connections: limits.maxConnections, dropped }, `http: ${limits.maxConnections} connections are open; new ones are closed at once until some end`);
  });

  return {
    addRoute: (r) => routes.push(r),
    start: () =>
      new Promise((resolve, reject) => {
        const refused = (err: NodeJS.ErrnoException) => reject(listenError(err, opts.host, opts.port));
        server.once('error', refused);
        server.listen(opts.port, opts.host, () => {
          server.off('error', refused);
          const port = (server.address() as AddressInfo).port;
          opts.logger.info({ host: opts.host, port }, `http: listening on ${opts.host}:${port} (health at /healthz)`);
          resolve({ port });
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}

/** Whether the request announces a body (which an early answer leaves unread). */
const announcesBody = (req: http.IncomingMessage) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';

/**
 * Answers without reading the body. When one was announced (or the client waits for 100 Continue before
 * sending it), the connection is closed once the answer is out, so the unread body is neither read nor taken
 * for the next request.
 */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const close = announcesBody(req) || req.headers.expect !== undefined;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers, ...(close ? { connection: 'close' } : {}) });
  if (close) res.on('finish', () => req.destroy());
  res.end(text);
}

/** A path the server knows, asked with another method: OPTIONS gets 204, anything else 405, both with Allow. */
function answerMethods(req: http.IncomingMessage, res: http.ServerResponse, methods: string[]): void {
  const allow = [...methods, 'OPTIONS'].join(', ');
  if (req.method !== 'OPTIONS') return refuse(req, res, 405, 'method not allowed\n', { allow });
  // A body sent with OPTIONS is not read: the connection closes after the answer, as for a refusal.
  const close = announcesBody(req) || req.headers.expect !== undefined;
  res.writeHead(204, { allow, 'cache-control': 'no-store', ...(close ? { connection: 'close' } : {}) });
  if (close) res.on('finish', () => req.destroy());
  res.end();
}

/** Sends 100 Continue when the handler first reads the body, unless it has answered already. */
function continueOnFirstRead(req: http.IncomingMessage, res: http.ServerResponse): void {
  const read = req._read;
  req._read = function (size: number) {
    req._read = read;
    if (!res.headersSent && !res.writableEnded) res.writeContinue();
    read.call(this, size);
  };
}

/** Why the server could not listen, as one sentence saying what to change (a port in use, a privileged port). */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `port ${port} on ${host}`;
  if (err.code === 'EADDRINUSE') return new ConfigError(`http: ${where} is already in use (another cyberbrief, or another program); stop it, or set PORT (server.port) to a free port.`);
  if (err.code === 'EACCES') return new ConfigError(`http: no permission to listen on ${where}; set PORT (server.port) to a port above 1023.`);
  if (err.code === 'EADDRNOTAVAIL') return new ConfigError(`http: cannot listen on ${where}: no network interface of this machine has that address; check server.host.`);
  return err;
}
