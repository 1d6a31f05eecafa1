// One HTTP request and its whole response, through an undici dispatcher's handler interface rather than its
// `request()` API: a poll of 10,000 feeds is mostly 304s, and request()'s stream body, abort-signal wiring
// and per-request objects cost about as much CPU as the exchange itself. The response body is kept only
// for a 2xx, cut off past `maxBodyBytes` (declared or received); any other body is read and thrown away,
// up to DISCARD_BYTES, so the connection can be reused. A deadline ends the exchange with the caller's error,
// by a timer of its own (no AbortController or event listener per request). Other errors are undici's, for
// the caller to classify.
import { createRequire } from 'node:module';
import type { Dispatcher, util as UndiciUtil } from 'undici';

/** undici's header parser from its own module (the lean client imports this file; `import 'undici'` would
 * evaluate all of undici at start-up: see fetcher.ts). */
const util = createRequire(import.meta.url)('undici/lib/core/util.js') as typeof UndiciUtil;

export interface ExchangeRequest {
  /** Absolute http(s) URL. */
  url: URL;
  headers: Record<string, string>;
  /** When the exchange is given up (ms since the epoch), ending in `timedOut()`. */
  deadline: number;
  timedOut: () => Error;
  /** A 2xx body larger than this (declared or received) ends the exchange with `tooLarge()`. */
  maxBodyBytes: number;
  tooLarge: () => Error;
}

export interface ExchangeResponse {
  statusCode: number;
  /** Lower-case names; a repeated header is an array. */
  headers: Record<string, string | string[] | undefined>;
  /** The body of a 2xx (possibly empty); null for any other status. */
  body: Buffer | null;
}

/** A discarded body (redirect, 304, error page) longer than this closes the connection instead. */
export const DISCARD_BYTES = 128 * 1024;

export function exchange(dispatcher: Dispatcher, req: ExchangeRequest): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    let abortRequest: ((reason: Error) => void) | null = null;
    let settled = false;
    let statusCode = 0;
    let headers: ExchangeResponse['headers'] = {};
    let keep = false;
    const chunks: Buffer[] = [];
    let size = 0;

    const finish = (err: unknown, response?: ExchangeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (response) resolve(response);
      else reject(err);
    };
    /** Ends the exchange now: the connection is closed (undici calls onError with `reason`). */
    const abort = (reason: Error) => {
      if (abortRequest) abortRequest(reason);
      else finish(reason);
    };
    const left = req.deadline - Date.now();
    if (left <= 0) {
      reject(req.timedOut());
      return;
    }
    const timer = setTimeout(() => abort(req.timedOut()), left);

    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortFn) {
        abortRequest = abortFn as (reason: Error) => void;
        if (settled) abortFn(new Error('aborted'));
      },
      onHeaders(code, rawHeaders) {
        statusCode = code;
        headers = util.parseHeaders(rawHeaders as unknown as Buffer[]) as ExchangeResponse['headers'];
        keep = code >= 200 && code <= 299;
        if (keep) {
          const declared = Number(headers['content-length'] ?? NaN);
          if (Number.isFinite(declared) && declared > req.maxBodyBytes) abort(req.tooLarge());
        }
        return true;
      },
      onData(chunk) {
        size += chunk.length;
        if (!keep) {
          if (size > DISCARD_BYTES) {
            // Not worth reading for the connection's sake: answer now, close the connection.
            const response = { statusCode, headers, body: null };
            finish(null, response);
            abortRequest?.(new Error('discarded body too long'));
          }
          return true;
        }
        if (size > req.maxBodyBytes) {
          abort(req.tooLarge());
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        finish(null, { statusCode, headers, body: keep ? Buffer.concat(chunks, size) : null });
      },
      onError(err) {
        finish(err);
      },
    };
    try {
      dispatcher.dispatch({ origin: req.url.origin, path: req.url.pathname + req.url.search, method: 'GET', headers: req.headers }, handler);
    } catch (err) {
      finish(err);
    }
  });
}
