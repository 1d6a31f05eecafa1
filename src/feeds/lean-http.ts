// A lean HTTP/1.1 client for the fetcher's GETs, beside undici. A poll of 10,000 feeds is mostly 304s, and
// undici's per-request machinery (request objects, queues, the wasm parser's calls, timers) costs more CPU than
// the exchange itself: in the polling bench a cycle took about 0.5 s less CPU (median of six pairs) and 25 MB
// less memory with this client in front (README, Polling at scale).
//
// It reads only responses it can read exactly, and refuses everything else: a status line `HTTP/1.1 NNN`,
// header lines of token names and values without bare CR or LF or folding, and a body framed by
// `Content-Length` or `Transfer-Encoding: chunked` (none for 204 and 304, whatever Content-Length they carry, as
// RFC 9110 reads it; undici 7 fails such an answer as a length mismatch, the one place the two differ, which
// the generated-answers test checks). A 1xx answer, HTTP/1.0, a body
// delimited by the connection's close, an oversized head, a malformed chunk, a connection that ends mid-answer:
// each throws LeanFallback, and the fetcher asks undici instead on a fresh connection (a GET may be repeated),
// so odd servers get undici's handling and its errors. Limits are the exchange's own (http-exchange.ts): a
// 2xx body past `maxBodyBytes` (declared or received) ends in `tooLarge()`, any other body is read and dropped
// up to DISCARD_BYTES, and the deadline ends in `timedOut()`.
//
// Connections come from the fetcher's connector (the address guard's lookup and its check of the peer, TLS
// with ALPN http/1.1) and are kept per origin while idle, up to `perOrigin`, for `idleMs`. A kept connection
// that the server closed meanwhile is noticed when the next request gets no byte back, and that request is
// sent again once on a new connection.
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { DISCARD_BYTES, type ExchangeRequest, type ExchangeResponse } from './http-exchange.ts';

/** The response is outside what the lean client reads; ask undici instead. */
export class LeanFallback extends Error {
  constructor(reason: string) {
    super(`lean http: ${reason}`);
    this.name = 'LeanFallback';
  }
}

/** Longest response head read (undici's default, Node's --max-http-header-size). */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_HEADERS = 256;
/** Longest chunk-size line, and all trailer lines together. */
const MAX_CHUNK_LINE = 1024;
const MAX_TRAILER_BYTES = 16 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

type Headers = ExchangeResponse['headers'];

/** The exchange reading a connection; null while it is idle. */
const kExchange = Symbol('lean exchange');
/** The pool a connection belongs to, and its origin and when it was last given back (while idle). */
const kPool = Symbol('lean pool');
const kOrigin = Symbol('lean origin');
const kIdleSince = Symbol('lean idle since');
type LeanSocket = Socket & { [kExchange]?: LeanExchange | null; [kPool]?: LeanConnections; [kOrigin]?: string; [kIdleSince]?: number };

/**
 * Socket option (`net.connect`/`tls.connect` `onread`) for the lean client's connections: every read lands in
 * one static buffer and is handed at once to the exchange reading the connection, which copies what it keeps
 * (a body), instead of a Buffer allocated per read. One buffer serves every connection of the thread: a read
 * is consumed before the next one is made. Bytes arriving on an idle connection close it.
 */
export const LEAN_ONREAD = { buffer: Buffer.allocUnsafe(64 * 1024), callback: onStaticRead };

function onStaticRead(this: LeanSocket, nread: number, buf: Buffer): boolean {
  const x = this[kExchange];
  if (x) x.onData(buf.subarray(0, nread), true);
  else this.destroy();
  return true; // keep reading
}
function onSocketData(this: LeanSocket, chunk: Buffer): void {
  const x = this[kExchange];
  if (x) x.onData(chunk, false);
  else this.destroy();
}
function onSocketError(this: LeanSocket, err: Error): void {
  this[kExchange]?.onError(err);
}
function onSocketClose(this: LeanSocket): void {
  this[kPool]?.opened.delete(this);
  const x = this[kExchange];
  if (x) x.onClose();
  else this[kPool]?.forget(this);
}

/**
 * Idle keep-alive connections per origin. Each connection gets its listeners once, when it is opened; they
 * hand its events to the exchange reading it (none while it is idle), so a request adds and removes none.
 * Idle connections are closed after `idleMs` by one sweep for all of them, not a timer each.
 */
export class LeanConnections {
  private readonly idle = new Map<string, LeanSocket[]>();
  /** Every connection open, idle or carrying a request (close() ends them all: a stalled server holds no shutdown). */
  readonly opened = new Set<LeanSocket>();
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;

  /**
   * `staticReads`: every connection the connector opens reads through LEAN_ONREAD (given as its `onread`
   * option); otherwise the lean client listens to its `data` events.
   */
  constructor(
    private readonly connect: buildConnector.connector,
    private readonly perOrigin = 16,
    private readonly idleMs = 4_000,
    private readonly staticReads = false,
  ) {}

  /** An idle connection to the origin, or null. */
  take(origin: string): Socket | null {
    const list = this.idle.get(origin);
    if (!list) return null;
    let socket = list.pop();
    while (socket && socket.destroyed) socket = list.pop();
    if (list.length === 0) this.idle.delete(origin);
    if (!socket) return null;
    socket[kOrigin] = undefined;
    socket.ref();
    return socket;
  }

  /** Opens a new connection (the guard's checks included). */
  open(url: URL, callback: (err: Error | null, socket: Socket | null) => void): void {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    this.connect(
      { hostname: url.hostname.replace(/^\[|\]$/g, ''), host: url.host, protocol: url.protocol, port, servername: url.protocol === 'https:' ? url.hostname : null } as buildConnector.Options,
      (err, socket) => {
        if (err || !socket) return callback(err, null);
        const s = socket as LeanSocket;
        if (this.closed) {
          s.destroy();
          return callback(new Error('lean-http: closed'), null);
        }
        // Every field this client keeps on a connection is set now, in one order, never added later or deleted:
        // the sockets keep one hidden class (shape), so the code reading them stays monomorphic. kIdleSince is a
        // fractional number from the start (a whole number first would change the field's representation later).
        s[kPool] = this;
        s[kExchange] = null;
        s[kOrigin] = undefined;
        s[kIdleSince] = performance.now();
        this.opened.add(s);
        if (!this.staticReads) s.on('data', onSocketData);
        s.on('error', onSocketError);
        s.on('close', onSocketClose);
        callback(null, s);
      },
    );
  }

  /** Keeps a connection whose last response ended cleanly, for the next request to the origin. */
  give(origin: string, socket: Socket): void {
    let list = this.idle.get(origin);
    if (this.closed || socket.destroyed || (list && list.length >= this.perOrigin)) {
      socket.destroy();
      return;
    }
    if (!list) {
      list = [];
      this.idle.set(origin, list);
    }
    const s = socket as LeanSocket;
    list.push(s);
    s[kOrigin] = origin;
    s[kIdleSince] = performance.now();
    s.unref();
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(5, this.idleMs / 8));
      this.sweeper.unref();
    }
  }

  /** Drops a closed idle connection from its origin's list. */
  forget(socket: LeanSocket): void {
    const origin = socket[kOrigin];
    if (origin === undefined) return;
    socket[kOrigin] = undefined;
    const list = this.idle.get(origin);
    if (!list) return;
    const i = list.indexOf(socket);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(origin);
  }

  /** Closes the connections idle for `idleMs` or longer (one pass over the origins; a Map may lose the entry it is at). */
  private sweep(): void {
    const before = performance.now() - this.idleMs;
    for (const [origin, list] of this.idle) {
      // Oldest first: a list is in the order its connections were given back.
      while (list.length && list[0]![kIdleSince]! <= before) list.shift()!.destroy();
      if (list.length === 0) this.idle.delete(origin);
    }
    if (this.idle.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  /** Idle connections in all (for tests). */
  idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  close(): void {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.idle.clear();
    const all = [...this.opened];
    this.opened.clear();
    for (const s of all) s.destroy();
  }
}

/** Reads one response from the bytes of a connection. */
class ResponseReader {
  statusCode = 0;
  headers: Headers = {};
  /** Whether the connection may carry the next request once this response has ended. */
  keepAlive = true;
  /** Bytes received past the end of the response (the connection is then not reused). */
  surplus = false;
  private head: Buffer | null = null;
  private mode: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'done' = 'head';
  private remaining = 0;
  private line: Buffer | null = null;
  private trailerBytes = 0;
  private keep = false;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly req: ExchangeRequest) {}

  get done(): boolean {
    return this.mode === 'done';
  }

  /** The body as the exchange returns it: the bytes of a 2xx, null otherwise. */
  body(): Buffer | null {
    return this.keep ? (this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size)) : null;
  }

  /** Whether the body read so far is a discarded one past DISCARD_BYTES (answer now, close the connection). */
  get discardedTooLong(): boolean {
    return !this.keep && this.size > DISCARD_BYTES;
  }

  /**
   * Consumes a chunk of the connection's bytes; `transient`: the chunk is a read buffer used again for the next
   * read, so what is kept past this call is copied. Throws LeanFallback or the request's own errors.
   */
  push(data: Buffer, transient = false): void {
    let at = 0;
    if (this.mode === 'head') {
      const buf = this.head ? Buffer.concat([this.head, data]) : data;
      const end = buf.indexOf(CRLF2, this.head ? Math.max(0, this.head.length - 3) : 0);
      if (end < 0) {
        // A head ended by bare LFs would never show CRLF CRLF: leave it to undici rather than wait.
        if (buf.includes('\n\n', 0, 'latin1') || buf.includes('\n\r\n', 0, 'latin1')) throw new LeanFallback('a response head with bare LF line ends');
        if (buf.length > MAX_HEAD_BYTES) throw new LeanFallback('response head too long');
        this.head = buf === data ? Buffer.from(data) : buf;
        return;
      }
      if (end > MAX_HEAD_BYTES) throw new LeanFallback('response head too long');
      this.readHead(buf.toString('latin1', 0, end));
      if (this.head) transient = false; // buf is the joined head, ours
      this.head = null;
      data = buf;
      at = end + 4;
    }
    while (this.mode !== 'done' && at < data.length) {
      switch (this.mode) {
        case 'length':
        case 'chunk-data': {
          // Body bytes: the rest of a Content-Length body, or of the current chunk.
          const n = Math.min(this.remaining, data.length - at);
          this.take(data.subarray(at, at + n), transient);
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.mode = this.mode === 'length' ? 'done' : 'chunk-end';
          break;
        }
        case 'chunk-size': {
          const line = this.readLine(data, at, MAX_CHUNK_LINE);
          if (!line) return;
          at = line.next;
          const semi = line.text.indexOf(';');
          const hex = semi >= 0 ? line.text.slice(0, semi) : line.text;
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new LeanFallback('malformed chunk size');
          this.remaining = parseInt(hex, 16);
          this.mode = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-end': {
          const line = this.readLine(data, at, 2);
          if (!line) return;
          if (line.text !== '') throw new LeanFallback('chunk not followed by CRLF');
          at = line.next;
          this.mode = 'chunk-size';
          break;
        }
        case 'trailers': {
          const line = this.readLine(data, at, MAX_TRAILER_BYTES - this.trailerBytes);
          if (!line) return;
          this.trailerBytes += line.next - at;
          at = line.next;
          if (line.text === '') this.mode = 'done';
          break;
        }
      }
    }
    if (this.mode === 'done' && at < data.length) this.surplus = true;
  }

  /** A CRLF-ended line starting at `at` (joined to the part kept from the previous chunk), or null to wait. */
  private readLine(data: Buffer, at: number, max: number): { text: string; next: number } | null {
    const prev = this.line;
    const buf = prev ? Buffer.concat([prev, data.subarray(at)]) : data.subarray(at);
    const end = buf.indexOf('\r\n', 0, 'latin1');
    if (end < 0) {
      if (buf.length > max + 1) throw new LeanFallback('chunk line or trailers too long');
      this.line = Buffer.from(buf);
      return null;
    }
    if (end > max) throw new LeanFallback('chunk line or trailers too long');
    const text = buf.toString('latin1', 0, end);
    this.line = null;
    if (text.includes('\n') || text.includes('\r')) throw new LeanFallback('bare CR or LF in a chunk line');
    return { text, next: at + end + 2 - (prev ? prev.length : 0) };
  }

  private take(part: Buffer, transient: boolean): void {
    this.size += part.length;
    if (this.keep) {
      if (this.size > this.req.maxBodyBytes) throw this.req.tooLarge();
      this.chunks.push(transient ? Buffer.from(part) : part);
    }
  }

  private readHead(head: string): void {
    // The status line, then one header line after each CRLF (no array of lines: a 304's head is read 10,000
    // times a cycle).
    let eol = head.indexOf('\r\n');
    const status = eol < 0 ? head : head.slice(0, eol);
    if (!/^HTTP\/1\.1 [1-5]\d\d(?: [^\r\n]*)?$/.test(status)) throw new LeanFallback('not an HTTP/1.1 status line');
    const code = Number(status.slice(9, 12));
    if (code < 200) throw new LeanFallback('an informational (1xx) answer');
    const headers: Headers = {};
    let count = 0;
    while (eol >= 0) {
      const start = eol + 2;
      eol = head.indexOf('\r\n', start);
      const end = eol < 0 ? head.length : eol;
      if (++count > MAX_HEADERS) throw new LeanFallback('too many header lines');
      const colon = head.indexOf(':', start);
      if (colon <= start || colon >= end) throw new LeanFallback('malformed header line');
      if (!isToken(head, start, colon)) throw new LeanFallback('malformed header name');
      let a = colon + 1;
      while (a < end && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++;
      if (hasControl(head, a, end)) throw new LeanFallback('a control character in a header value');
      // A header value as undici's parser gives it: the spaces and tabs before it dropped, trailing ones kept.
      const value = head.slice(a, end);
      const key = head.slice(start, colon).toLowerCase();
      const prev = headers[key];
      if (prev === undefined) headers[key] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else headers[key] = [prev, value];
    }
    this.statusCode = code;
    this.headers = headers;
    const connection = headers.connection;
    if (connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(Array.isArray(connection) ? connection.join(',') : connection)) this.keepAlive = false;
    this.keep = code >= 200 && code <= 299;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (code === 204 || code === 304) {
      this.mode = 'done';
      return;
    }
    if (te !== undefined) {
      if (cl !== undefined || Array.isArray(te) || te.toLowerCase() !== 'chunked') throw new LeanFallback('a transfer coding other than chunked alone');
      this.mode = 'chunk-size';
      return;
    }
    if (cl === undefined) throw new LeanFallback('a body delimited by the close of the connection');
    const values = Array.isArray(cl) ? cl : [cl];
    if (!values.every((v) => v === values[0] && /^\d{1,15}$/.test(v))) throw new LeanFallback('a malformed Content-Length');
    const length = Number(values[0]);
    if (this.keep && length > this.req.maxBodyBytes) throw this.req.tooLarge();
    this.remaining = length;
    this.mode = length === 0 ? 'done' : 'length';
  }
}

/** Which characters a header name (an HTTP token) may hold, by character code. */
const TOKEN_CHARS = (() => {
  const t = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") t[c.charCodeAt(0)] = 1;
  return t;
})();

/** Whether `s[start, end)` is a non-empty token (`[!#$%&'*+\-.^_`|~0-9A-Za-z]+`). */
function isToken(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
}

/** Whether `s[start, end)` holds a character a header value may not (HTTP field-value: tab, space, visible and
 * obs-text characters only; so C0 controls but tab, and DEL). */
function hasControl(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

function requestHead(url: URL, headers: Record<string, string>): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (hasLineBreakOrNul(value)) throw new LeanFallback('a request header with CR, LF or NUL');
    head += `${name}: ${value}\r\n`;
  }
  return head + '\r\n';
}

/** Whether `s` holds CR, LF or NUL (a loop: a regular expression per header value was the head's largest cost). */
function hasLineBreakOrNul(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13 || c === 10 || c === 0) return true;
  }
  return false;
}

/** One GET through the lean client: the same contract as http-exchange's `exchange`, or LeanFallback. */
export function leanExchange(conns: LeanConnections, req: ExchangeRequest): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    const left = req.deadline - Date.now();
    if (left <= 0) {
      reject(req.timedOut());
      return;
    }
    let head: string;
    try {
      head = requestHead(req.url, req.headers);
    } catch (err) {
      reject(err);
      return;
    }
    new LeanExchange(conns, req, head, resolve, reject).start(left);
  });
}

function exchangeTimedOut(x: LeanExchange): void {
  x.fail(x.req.timedOut());
}

/** One request and its answer, on a kept connection or a new one (one object, no closure per request). */
class LeanExchange {
  private readonly origin: string;
  private socket: LeanSocket | null = null;
  private settled = false;
  private received = false;
  private reused = false;
  private reader: ResponseReader | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly conns: LeanConnections,
    readonly req: ExchangeRequest,
    private readonly head: string,
    private readonly resolve: (res: ExchangeResponse) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.origin = req.url.origin;
  }

  start(left: number): void {
    this.timer = setTimeout(exchangeTimedOut, left, this);
    const idle = this.conns.take(this.origin);
    if (idle) this.send(idle as LeanSocket, true);
    else this.openNew();
  }

  fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer!);
    const s = this.socket;
    if (s) {
      s[kExchange] = null;
      s.destroy();
    }
    this.reject(err);
  }

  /** Bytes of the answer; `transient`: `chunk` is the static read buffer, to be copied if kept. */
  onData(chunk: Buffer, transient: boolean): void {
    this.received = true;
    const reader = this.reader!;
    try {
      reader.push(chunk, transient);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (reader.done || reader.discardedTooLong) {
      this.settled = true;
      clearTimeout(this.timer!);
      const s = this.socket!;
      s[kExchange] = null;
      // Bytes past the end of the answer (a 304 with a body, a length that lied): the answer stands, the
      // connection is not trusted again.
      if (reader.done && reader.keepAlive && !reader.surplus) this.conns.give(this.origin, s);
      else s.destroy();
      this.resolve({ statusCode: reader.statusCode, headers: reader.headers, body: reader.done ? reader.body() : null });
    }
  }

  onError(err: Error): void {
    if (this.reused && !this.received) return this.retry();
    this.fail(this.received ? new LeanFallback(`the connection failed mid-answer (${err.message})`) : err);
  }

  onClose(): void {
    if (this.settled) return;
    if (this.reused && !this.received) return this.retry();
    this.fail(new LeanFallback('the connection closed before the answer ended'));
  }

  private send(s: LeanSocket, reused: boolean): void {
    this.socket = s;
    this.reused = reused;
    this.received = false;
    this.reader = new ResponseReader(this.req);
    s[kExchange] = this;
    s.write(this.head);
  }

  private retry(): void {
    const s = this.socket;
    if (s) {
      s[kExchange] = null;
      s.destroy();
    }
    this.socket = null;
    this.openNew();
  }

  private openNew(): void {
    this.conns.open(this.req.url, (err, s) => {
      if (this.settled) {
        s?.destroy();
        return;
      }
      if (err || !s) {
        this.fail(err ?? new Error('no socket'));
        return;
      }
      this.send(s as LeanSocket, false);
    });
  }
}
