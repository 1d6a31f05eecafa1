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
  /**
   * The parts of `message` that quote what the user typed (as shown: `"*8am*"`), for a chat reply's `quoted`:
   * an adapter makes them inert (Slack: no bold, no emoji), while the rest, our own text, stays as written.
   */
  readonly quoted: readonly string[];
  constructor(message: string, opts: { quoted?: readonly string[] } = {}) {
    super('usage', message);
    this.name = 'UsageError';
    this.quoted = opts.quoted ?? [];
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

/**
 * Work in flight that a stop may give up at once (a fetch or a feed read at SIGTERM). Each piece is kept in a
 * Set while it runs: a Set entry per fetch, not an AbortSignal listener added and removed per fetch, which cost
 * a tenth of a no-delay polling cycle's CPU.
 */
export class Abandonable {
  private readonly pending = new Set<() => void>();
  private given = false;

  /** Settles as `work` does, or rejects with a StoppedError once giveUp() is called (`work` left to finish on its own). */
  guard<T>(work: Promise<T>, what: string): Promise<T> {
    if (this.given) {
      work.catch(() => undefined);
      return Promise.reject(new StoppedError(what));
    }
    return new Promise<T>((resolve, reject) => {
      const stop = () => {
        work.catch(() => undefined);
        reject(new StoppedError(what));
      };
      this.pending.add(stop);
      work.then(
        (v) => {
          this.pending.delete(stop);
          resolve(v);
        },
        (err: unknown) => {
          this.pending.delete(stop);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Gives up everything in flight and whatever is guarded after, until reset(). */
  giveUp(): void {
    this.given = true;
    const stops = [...this.pending];
    this.pending.clear();
    for (const stop of stops) stop();
  }

  reset(): void {
    this.given = false;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
