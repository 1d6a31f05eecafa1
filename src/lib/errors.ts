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

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
