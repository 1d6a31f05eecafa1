// The errors a feed fetch or parse ends in, each with a stable code (the `class` in `poll --json`).
import { CyberbriefError, type ErrorCode } from '../lib/errors.ts';

export type FetchErrorCode = Extract<ErrorCode, `fetch_${string}`>;

export class FetchError extends CyberbriefError {
  /** HTTP status, for `fetch_http`. */
  readonly status: number | null;
  /** Seconds the server asked us to wait (Retry-After on 429/503), if any. */
  readonly retryAfterSeconds: number | null;
  constructor(code: FetchErrorCode, message: string, opts: { status?: number; retryAfterSeconds?: number | null; cause?: unknown } = {}) {
    super(code, message, { cause: opts.cause });
    this.name = 'FetchError';
    this.status = opts.status ?? null;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? null;
  }
}

/** The body was fetched but is not a feed we can read. */
export class FeedParseError extends CyberbriefError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('parse', message, options);
    this.name = 'FeedParseError';
  }
}

/** Reading a feed (parse and normalise) ran past its deadline; the worker thread doing it was stopped. */
export class FeedParseTimeoutError extends CyberbriefError {
  constructor(message: string) {
    super('parse_timeout', message);
    this.name = 'FeedParseTimeoutError';
  }
}

/** The stable class of any error, for results and logs: an ErrorCode, or `internal` for a bug. */
export function errorClass(err: unknown): string {
  return err instanceof CyberbriefError ? err.code : 'internal';
}
