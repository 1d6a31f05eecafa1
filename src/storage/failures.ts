// Driver errors that mean "the database cannot be used right now" become one StorageError each, with a
// sentence naming the database and what to do; every other error (a constraint, a bug in a query) is
// left as it is. PostgreSQL by SQLSTATE and by the errors pg and the socket raise; SQLite by its result
// code.
import { StorageError, type StorageFailure } from '../lib/errors.ts';

interface DriverError {
  code?: unknown;
  message?: unknown;
}

const PG_UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown or restart
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // the server's unix socket is gone (stopped)
]);

// What pg and pg-pool say when a connection dies or cannot be made in time (these carry no code).
const PG_UNAVAILABLE_MESSAGES = /connection terminated|not queryable|timeout exceeded when trying to connect|connection ended unexpectedly|terminating connection|query read timeout|the database system is (starting up|shutting down|in recovery mode)/i;

function codeOf(err: unknown): string {
  const c = (err as DriverError | null)?.code;
  return typeof c === 'string' ? c : '';
}

function messageOf(err: unknown): string {
  const m = (err as DriverError | null)?.message;
  if (typeof m === 'string' && m) return m;
  if (err instanceof AggregateError && err.errors.length) return messageOf(err.errors[0]);
  return codeOf(err) || String(err);
}

/** The StorageFailure a PostgreSQL (pg) error stands for, or null when the database answered. */
export function postgresFailure(err: unknown): StorageFailure | null {
  if (err instanceof StorageError) return err.failure;
  if (err instanceof AggregateError) return err.errors.map(postgresFailure).find((f) => f !== null) ?? null;
  const code = codeOf(err);
  // Class 08 is the connection failing, except 08P01: the server answered this query with a protocol
  // violation (e.g. more than 65,535 parameters): that query's error, not an outage to wait out.
  if ((code.startsWith('08') && code !== '08P01') || PG_UNAVAILABLE_CODES.has(code)) return 'unavailable';
  if (code === '25006') return 'readonly'; // read_only_sql_transaction: a standby after a failover, until it is promoted
  if (code === '53100') return 'full'; // disk_full
  if (code === 'XX001' || code === 'XX002') return 'corrupt'; // data_corrupted, index_corrupted
  if (code === '58030') return 'io'; // io_error
  if (!code && PG_UNAVAILABLE_MESSAGES.test(messageOf(err))) return 'unavailable';
  return null;
}

/**
 * What to check when a PostgreSQL server answered and refused the connection (postgresFailure null): the
 * URL's user, password and database name, or, for a server without TLS while sslmode asks for it, the TLS.
 */
export function refusedAdvice(err: unknown): string {
  if (/does not support SSL/i.test(messageOf(err))) return 'enable TLS on the server, or set sslmode=disable in DATABASE_URL if the network to it is trusted';
  return 'check the user, password and database name in DATABASE_URL';
}

/** The StorageFailure a SQLite (better-sqlite3) error stands for, or null. SQLITE_BUSY is handled by the driver. */
export function sqliteFailure(err: unknown): StorageFailure | null {
  if (err instanceof StorageError) return err.failure;
  const code = codeOf(err);
  if (code.startsWith('SQLITE_BUSY')) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_READONLY')) return 'readonly';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'io';
  return null;
}

/** The sentence an operator reads for `failure` on `database` (describeTarget's words). */
export function failureMessage(failure: StorageFailure, database: string, reason: string, opts: { file?: string; lockWaitSeconds?: number } = {}): string {
  const file = opts.file ?? database;
  switch (failure) {
    case 'unavailable':
      return `storage: ${database} is not answering (${reason}); retrying with backoff until it is back: check that the server is up and that DATABASE_URL reaches it.`;
    case 'busy':
      return `storage: ${database} has been locked by another process for ${opts.lockWaitSeconds ?? '?'} s (${reason}); writes wait and retry: end that process's transaction (an open sqlite3 shell, a backup tool).`;
    case 'full':
      return `storage: cannot write ${database}: its disk is full (${reason}); free space on that disk: writes are retried and nothing is lost meanwhile.`;
    case 'corrupt':
      return opts.file
        ? `storage: ${database} is damaged (${reason}); stop cyberbrief, keep a copy of the file, then restore a backup or recover it with: sqlite3 ${file} .recover | sqlite3 recovered.db (cyberbrief doctor checks a file).`
        : `storage: ${database} reports damaged data (${reason}); restore from a backup or see the PostgreSQL documentation on corruption.`;
    case 'readonly':
      return opts.file
        ? `storage: cannot write ${database} (${reason}); check the permissions of ${file} and its folder, and that its disk is not mounted read-only.`
        : `storage: ${database} refuses writes (${reason}): a standby after a failover? Point DATABASE_URL at the primary; writes are retried meanwhile.`;
    case 'io':
      return `storage: a disk error on ${database} (${reason}); check the disk (the system log says more) and the free space on it.`;
  }
}

/** A driver error as a StorageError when it is one of the failures above; otherwise the error itself. */
export function asStorageError(err: unknown, failure: StorageFailure | null, database: string, opts: { file?: string; lockWaitSeconds?: number } = {}): unknown {
  if (!failure || err instanceof StorageError) return err;
  const code = codeOf(err);
  const text = messageOf(err);
  const reason = code && !text.includes(code) ? `${text}, ${code}` : text;
  return new StorageError(failure, failureMessage(failure, database, reason, opts), { cause: err, reason });
}
