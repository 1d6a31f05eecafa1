// Which driver errors mean "the database cannot be used right now", and the sentence each becomes.
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/lib/errors.ts';
import { asStorageError, postgresFailure, sqliteFailure } from '../../src/storage/failures.ts';

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('postgresFailure', () => {
  it.each([
    { name: 'pg_terminate_backend / fast shutdown (57P01)', err: withCode('terminating connection due to administrator command', '57P01'), want: 'unavailable' },
    { name: 'starting up (57P03)', err: withCode('the database system is starting up', '57P03'), want: 'unavailable' },
    { name: 'crash shutdown (57P02)', err: withCode('terminating connection because of crash of another server process', '57P02'), want: 'unavailable' },
    { name: 'connection exception class 08', err: withCode('connection failure', '08006'), want: 'unavailable' },
    { name: 'protocol violation (08P01): the server answered', err: withCode('bind message has 4464 parameter formats but 0 parameters', '08P01'), want: null },
    { name: 'too many connections', err: withCode('sorry, too many clients already', '53300'), want: 'unavailable' },
    { name: 'server stopped (TCP)', err: withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), want: 'unavailable' },
    { name: 'server stopped (unix socket)', err: withCode('connect ENOENT /tmp/.s.PGSQL.5432', 'ENOENT'), want: 'unavailable' },
    { name: 'connection reset', err: withCode('read ECONNRESET', 'ECONNRESET'), want: 'unavailable' },
    { name: 'dropped mid-query', err: new Error('Connection terminated unexpectedly'), want: 'unavailable' },
    { name: 'a dead client reused', err: new Error('Client has encountered a connection error and is not queryable'), want: 'unavailable' },
    { name: 'pool connect timeout', err: new Error('timeout exceeded when trying to connect'), want: 'unavailable' },
    { name: 'several addresses refused', err: new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''), want: 'unavailable' },
    { name: 'a standby after a failover (25006)', err: withCode('cannot execute UPDATE in a read-only transaction', '25006'), want: 'readonly' },
    { name: 'disk full (53100)', err: withCode('could not extend file: No space left on device', '53100'), want: 'full' },
    { name: 'data corrupted (XX001)', err: withCode('invalid page in block 4', 'XX001'), want: 'corrupt' },
    { name: 'unique violation: the database answered', err: withCode('duplicate key value violates unique constraint', '23505'), want: null },
    { name: 'syntax error: the database answered', err: withCode('syntax error at or near "selec"', '42601'), want: null },
    { name: 'a bug in our code', err: new TypeError("Cannot read properties of undefined (reading 'id')"), want: null },
  ])('$name -> $want', ({ err, want }) => {
    expect(postgresFailure(err)).toBe(want);
  });
});

describe('sqliteFailure', () => {
  it.each([
    { code: 'SQLITE_BUSY', want: 'busy' },
    { code: 'SQLITE_BUSY_SNAPSHOT', want: 'busy' },
    { code: 'SQLITE_FULL', want: 'full' },
    { code: 'SQLITE_CORRUPT', want: 'corrupt' },
    { code: 'SQLITE_CORRUPT_INDEX', want: 'corrupt' },
    { code: 'SQLITE_NOTADB', want: 'corrupt' },
    { code: 'SQLITE_READONLY', want: 'readonly' },
    { code: 'SQLITE_READONLY_DBMOVED', want: 'readonly' },
    { code: 'SQLITE_IOERR_WRITE', want: 'io' },
    { code: 'SQLITE_CONSTRAINT_UNIQUE', want: null },
    { code: 'SQLITE_ERROR', want: null },
  ])('$code -> $want', ({ code, want }) => {
    expect(sqliteFailure(withCode('x', code))).toBe(want);
  });
});

describe('asStorageError', () => {
  const file = '/srv/cyberbrief/data/cyberbrief.db';
  const db = `SQLite file ${file}`;
  it.each([
    { failure: 'full' as const, err: withCode('database or disk is full', 'SQLITE_FULL'), says: [db, 'disk is full', 'database or disk is full', 'SQLITE_FULL', 'free space'] },
    { failure: 'corrupt' as const, err: withCode('database disk image is malformed', 'SQLITE_CORRUPT'), says: [db, 'damaged', 'malformed', 'restore a backup', `sqlite3 ${file} .recover`] },
    { failure: 'readonly' as const, err: withCode('attempt to write a readonly database', 'SQLITE_READONLY'), says: [db, 'permissions', 'read-only'] },
    { failure: 'busy' as const, err: withCode('database is locked', 'SQLITE_BUSY'), says: [db, 'locked by another process for 30 s', 'end that process'] },
  ])('$failure names the file and what to do', ({ failure, err, says }) => {
    const e = asStorageError(err, failure, db, { file, lockWaitSeconds: 30 });
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).failure).toBe(failure);
    expect((e as StorageError).cause).toBe(err);
    const message = (e as StorageError).message;
    expect(message.startsWith('storage: ')).toBe(true);
    for (const s of says) expect(message).toContain(s);
  });

  it('leaves errors that are not storage failures alone', () => {
    const err = withCode('UNIQUE constraint failed: feeds.url', 'SQLITE_CONSTRAINT_UNIQUE');
    expect(asStorageError(err, sqliteFailure(err), db, { file })).toBe(err);
  });

  it('says which PostgreSQL server is not answering, without its password', () => {
    const e = asStorageError(withCode('terminating connection due to administrator command', '57P01'), 'unavailable', 'PostgreSQL db.internal:5432/cyberbrief') as StorageError;
    expect(e.message).toBe(
      'storage: PostgreSQL db.internal:5432/cyberbrief is not answering (terminating connection due to administrator command, 57P01); retrying with backoff until it is back: check that the server is up and that DATABASE_URL reaches it.',
    );
  });
});
