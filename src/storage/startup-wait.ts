// What `run` says while start-up waits for PostgreSQL (storage/index.ts, migrateOnceReachable): once when
// the wait begins, then a reminder every minute. A host name that does not resolve is named as such: it is
// normal while a compose file or a cluster brings the database up (its name appears when it starts), so
// start-up keeps waiting, but a mistyped host would wait forever, so the sentence says which to check.
import { StorageError } from '../lib/errors.ts';

/** The DNS error codes that mean "this host name does not resolve (yet)". */
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

/** The driver's error code behind a StorageError (or any error with causes), '' when none. */
export function driverCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'storage') return code;
    if (e instanceof AggregateError && e.errors.length) return driverCode(e.errors[0]);
  }
  return '';
}

export interface WaitState {
  /** describeTarget's words: "PostgreSQL host:5432/db". */
  database: string;
  /** The host name in DATABASE_URL (for a name that does not resolve). */
  host: string;
  /** Why the last attempt failed (the driver's words). */
  reason: string;
  /** The driver's error code of the last attempt. */
  code: string;
}

/** The first line: start-up waits, and why. */
export function waitBegins(s: WaitState): string {
  if (UNRESOLVED.has(s.code)) {
    return `storage: start-up waits for ${s.database}: its host name ${s.host} does not resolve (${s.reason}); that is expected while the database is being started beside this bot, otherwise check the host in DATABASE_URL; trying with backoff and saying so every minute; stop with Ctrl-C or SIGTERM`;
  }
  return `storage: start-up waits for ${s.database} to answer (${s.reason}), trying with backoff and saying so every minute; stop with Ctrl-C or SIGTERM`;
}

/** The reminder after `waitedMs` of waiting. */
export function stillWaiting(s: WaitState, waitedMs: number): string {
  const shown = waitedMs >= 60_000 ? `${Math.round(waitedMs / 60_000)} min` : `${Math.round(waitedMs / 1000)} s`;
  if (UNRESOLVED.has(s.code)) {
    return `storage: still waiting for ${s.database} after ${shown}: its host name ${s.host} does not resolve (${s.reason}); check the host in DATABASE_URL`;
  }
  return `storage: still waiting for ${s.database} to answer after ${shown} (${s.reason}); check that the server is up and that DATABASE_URL reaches it`;
}

/** The driver's words for a failed attempt. */
export function reasonOf(err: unknown): string {
  if (err instanceof StorageError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}
