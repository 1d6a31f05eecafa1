// What start-up says while it waits for PostgreSQL: a host name that does not resolve is named as such
// (expected while a compose file starts the database beside the bot; otherwise a mistyped host to check),
// once when the wait begins and in each reminder; other failures keep their sentence. The errors are built
// as pg and failures.ts make them (a DNS failure cannot be made on loopback without a resolver of the test's).
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/lib/errors.ts';
import { asStorageError, postgresFailure } from '../../src/storage/failures.ts';
import { driverCode, reasonOf, stillWaiting, waitBegins } from '../../src/storage/startup-wait.ts';

const DB = 'PostgreSQL dbb:5432/cyberbrief';
const driverError = (message: string, code: string) => Object.assign(new Error(message), { code, ...(code.startsWith('E') ? { syscall: 'getaddrinfo', hostname: 'dbb' } : {}) });
const asWaited = (err: Error) => asStorageError(err, postgresFailure(err), DB) as StorageError;

describe('start-up waiting for PostgreSQL', () => {
  it.each([
    {
      name: 'a host name that does not resolve (ENOTFOUND)',
      err: driverError('getaddrinfo ENOTFOUND dbb', 'ENOTFOUND'),
      first: `storage: start-up waits for ${DB}: its host name dbb does not resolve (getaddrinfo ENOTFOUND dbb); that is expected while the database is being started beside this bot, otherwise check the host in DATABASE_URL; trying with backoff and saying so every minute; stop with Ctrl-C or SIGTERM`,
      later: `storage: still waiting for ${DB} after 3 min: its host name dbb does not resolve (getaddrinfo ENOTFOUND dbb); check the host in DATABASE_URL`,
    },
    {
      name: 'a resolver that does not answer (EAI_AGAIN)',
      err: driverError('getaddrinfo EAI_AGAIN dbb', 'EAI_AGAIN'),
      first: `storage: start-up waits for ${DB}: its host name dbb does not resolve (getaddrinfo EAI_AGAIN dbb); that is expected while the database is being started beside this bot, otherwise check the host in DATABASE_URL; trying with backoff and saying so every minute; stop with Ctrl-C or SIGTERM`,
      later: `storage: still waiting for ${DB} after 3 min: its host name dbb does not resolve (getaddrinfo EAI_AGAIN dbb); check the host in DATABASE_URL`,
    },
    {
      name: 'a server that refuses connections',
      err: driverError('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'),
      first: `storage: start-up waits for ${DB} to answer (connect ECONNREFUSED 10.0.0.5:5432), trying with backoff and saying so every minute; stop with Ctrl-C or SIGTERM`,
      later: `storage: still waiting for ${DB} to answer after 3 min (connect ECONNREFUSED 10.0.0.5:5432); check that the server is up and that DATABASE_URL reaches it`,
    },
  ])('$name: waited for, and said so', ({ err, first, later }) => {
    const waited = asWaited(err);
    // Waiting goes on (the failure is "unavailable"), whatever the sentence says.
    expect(waited).toBeInstanceOf(StorageError);
    expect(waited.failure).toBe('unavailable');
    const state = { database: DB, host: 'dbb', reason: reasonOf(waited), code: driverCode(waited) };
    expect(waitBegins(state)).toBe(first);
    expect(stillWaiting(state, 3 * 60_000)).toBe(later);
  });

  it('finds the driver\'s code through the causes and inside an AggregateError (several addresses)', () => {
    expect(driverCode(asWaited(driverError('getaddrinfo ENOTFOUND dbb', 'ENOTFOUND')))).toBe('ENOTFOUND');
    expect(driverCode(new AggregateError([driverError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''))).toBe('ECONNREFUSED');
    expect(driverCode(new Error('no code'))).toBe('');
  });
});
