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
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not hold (HTTP field-value: tab, space, visible and obs-text characters only). */
const CONTROL = /[\0-\x08\n-\x1f\x7f]/;
const CRLF2 = Buffer.from('\r\n\r\n');

type Headers = ExchangeResponse['headers'];

/** Idle keep-alive connections per origin. */
export class LeanConnections {
  private readonly idle = new Map<string, Socket[]>();
  /** The listener that forgets an idle connection when it closes, removed when the connection is taken. */
  private readonly forgets = new WeakMap<Socket, () => void>();
  /** Connections that have their idle-timeout listener. */
  private readonly armed = new WeakSet<Socket>();
  private closed = false;

  constructor(
    private readonly connect: buildConnector.connector,
    private readonly perOrigin = 16,
    private readonly idleMs = 4_000,
  ) {}

  /** An idle connection to the origin, or null. */
  take(origin: string): Socket | null {
    const list = this.idle.get(origin);
    if (!list) return null;
    let socket = list.pop();
    while (socket && socket.destroyed) socket = list.pop();
    if (list.length === 0) this.idle.delete(origin);
    if (!socket) return null;
    const forget = this.forgets.get(socket);
    if (forget) socket.removeListener('close', forget);
    this.forgets.delete(socket);
    socket.setTimeout(0);
    socket.ref();
    return socket;
  }

  /** Opens a new connection (the guard's checks included). */
  open(url: URL, callback: (err: Error | null, socket: Socket | null) => void): void {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    this.connect(
      { hostname: url.hostname.replace(/^\[|\]$/g, ''), host: url.host, protocol: url.protocol, port, servername: url.protocol === 'https:' ? url.hostname : null } as buildConnector.Options,
      (err, socket) => callback(err, err ? null : (socket as Socket | null)),
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
    list.push(socket);
    socket.unref();
    if (!this.armed.has(socket)) {
      // One listener per connection: the idle timer is re-armed on each return and stopped when taken.
      this.armed.add(socket);
      socket.on('timeout', () => socket.destroy());
    }
    socket.setTimeout(this.idleMs);
    const forget = () => {
      this.forgets.delete(socket);
      const l = this.idle.get(origin);
      if (!l) return;
      const i = l.indexOf(socket);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) this.idle.delete(origin);
    };
    this.forgets.set(socket, forget);
    socket.once('close', forget);
    if (socket.listenerCount('error') === 0) socket.on('error', () => undefined);
  }

  /** Idle connections in all (for tests). */
  idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const s of list) s.destroy();
    this.idle.clear();
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

  /** Consumes a chunk of the connection's bytes. Throws LeanFallback or the request's own errors. */
  push(data: Buffer): void {
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
          this.take(data.subarray(at, at + n));
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

  private take(part: Buffer): void {
    this.size += part.length;
    if (this.keep) {
      if (this.size > this.req.maxBodyBytes) throw this.req.tooLarge();
      this.chunks.push(part);
    }
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    const status = lines[0]!;
    if (!/^HTTP\/1\.1 [1-5]\d\d(?: [^\r\n]*)?$/.test(status)) throw new LeanFallback('not an HTTP/1.1 status line');
    const code = Number(status.slice(9, 12));
    if (code < 200) throw new LeanFallback('an informational (1xx) answer');
    if (lines.length - 1 > MAX_HEADERS) throw new LeanFallback('too many header lines');
    const headers: Headers = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new LeanFallback('malformed header line');
      const name = line.slice(0, colon);
      if (!TOKEN.test(name)) throw new LeanFallback('malformed header name');
      const value = trimWhitespace(line, colon + 1);
      if (CONTROL.test(value)) throw new LeanFallback('a control character in a header value');
      const key = name.toLowerCase();
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

/** `line` from `start`, without the spaces and tabs before it: a header value as undici's parser gives it
 * (trailing whitespace kept, so both clients hand the fetcher the same value). */
function trimWhitespace(line: string, start: number): string {
  let a = start;
  while (a < line.length && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++;
  return line.slice(a);
}

function requestHead(url: URL, headers: Record<string, string>): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (/[\r\n\0]/.test(value)) throw new LeanFallback('a request header with CR, LF or NUL');
    head += `${name}: ${value}\r\n`;
  }
  return head + '\r\n';
}

/** One GET through the lean client: the same contract as http-exchange's `exchange`, or LeanFallback. */
export function leanExchange(conns: LeanConnections, req: ExchangeRequest): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    const left = req.deadline - Date.now();
    if (left <= 0) {
      reject(req.timedOut());
      return;
    }
    const origin = req.url.origin;
    let head: string;
    try {
      head = requestHead(req.url, req.headers);
    } catch (err) {
      reject(err);
      return;
    }
    let socket: Socket | null = null;
    let settled = false;
    let reader: ResponseReader;
    let received = false;
    let reused = false;

    const detach = () => {
      if (!socket) return;
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      detach();
      socket?.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(req.timedOut()), left);

    function onData(chunk: Buffer): void {
      received = true;
      try {
        reader.push(chunk);
      } catch (err) {
        fail(err);
        return;
      }
      if (reader.done || reader.discardedTooLong) {
        settled = true;
        clearTimeout(timer);
        detach();
        const s = socket!;
        // Bytes past the end of the answer (a 304 with a body, a length that lied): the answer stands, the
        // connection is not trusted again.
        if (reader.done && reader.keepAlive && !reader.surplus) conns.give(origin, s);
        else s.destroy();
        resolve({ statusCode: reader.statusCode, headers: reader.headers, body: reader.done ? reader.body() : null });
      }
    }
    function onError(err: Error): void {
      if (reused && !received) return retry();
      fail(received ? new LeanFallback(`the connection failed mid-answer (${err.message})`) : err);
    }
    function onClose(): void {
      if (settled) return;
      if (reused && !received) return retry();
      fail(new LeanFallback('the connection closed before the answer ended'));
    }
    function send(s: Socket, wasReused: boolean): void {
      socket = s;
      reused = wasReused;
      received = false;
      reader = new ResponseReader(req);
      s.on('data', onData);
      s.on('error', onError);
      s.on('close', onClose);
      s.write(head);
    }
    function retry(): void {
      detach();
      socket?.destroy();
      socket = null;
      openNew();
    }
    function openNew(): void {
      conns.open(req.url, (err, s) => {
        if (settled) {
          s?.destroy();
          return;
        }
        if (err || !s) {
          fail(err ?? new Error('no socket'));
          return;
        }
        send(s, false);
      });
    }

    const idle = conns.take(origin);
    if (idle) send(idle, true);
    else openNew();
  });
}
