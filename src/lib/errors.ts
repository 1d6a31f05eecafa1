// Errors with a stable code and a message that says where and what to do.

export type ErrorCode =
  | 'config_invalid'
  | 'usage'
  | 'storage'
  | 'fetch_network'
  | 'fetch_timeout'
  | 'fetch_http'
  | 'fetch_too_large'
  | 'fetch_redirects'
  | 'fetch_blocked_address'
  | 'fetch_invalid_url'
  | 'parse'
  | 'parse_timeout'
  | 'summarize_timeout'
  | 'summarize_failed'
  | 'not_found'
  | 'forbidden'
  | 'platform';

export class CyberbriefError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CyberbriefError';
    this.code = code;
  }
}

export class ConfigError extends CyberbriefError {
  constructor(message: string) {
    super('config_invalid', message);
    this.name = 'ConfigError';
  }
}

/** A user typed something the CLI or a command cannot understand. */
export class UsageError extends CyberbriefError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/**
 * Why the database cannot do what was asked, whatever the query: it does not answer (a dropped connection,
 * a restart, a failover), another process holds its lock for too long, its disk is full, its file is
 * damaged or read-only, or the disk failed. None of these is the fault of the feed, item or alert being
 * worked on: callers wait for the database (the storage monitor's `ready`) and try again, instead of
 * counting a failure against that feed, item or alert.
 */
export type StorageFailure = 'unavailable' | 'busy' | 'full' | 'corrupt' | 'readonly' | 'io';

export class StorageError extends CyberbriefError {
  readonly failure: StorageFailure;
  /** The driver's own words (e.g. "connect ECONNREFUSED 127.0.0.1:5432"), for messages that add their own advice. */
  readonly reason: string;
  constructor(failure: StorageFailure, message: string, options?: { cause?: unknown; reason?: string }) {
    super('storage', message, options);
    this.name = 'StorageError';
    this.failure = failure;
    this.reason = options?.reason ?? message;
  }
}

/** True when `err` says the database cannot be used right now (see StorageFailure), not that the work was wrong. */
export function isStorageFailure(err: unknown): err is StorageError {
  return err instanceof StorageError;
}

/**
 * Work given up because the bot is stopping (a fetch or a feed read in flight at SIGTERM): not the fault of
 * the feed, item or alert being worked on, so nothing is recorded against it; its lease is given back.
 */
export class StoppedError extends Error {
  constructor(what: string) {
    super(`${what} given up: the bot is stopping`);
    this.name = 'StoppedError';
  }
}

/** Rejects with a StoppedError as soon as `signal` aborts, else settles as `work` does (which is left to finish on its own). */
export function unlessStopped<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new StoppedError(what));
  }
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      work.catch(() => undefined);
      reject(new StoppedError(what));
    };
    signal.addEventListener('abort', stop, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
