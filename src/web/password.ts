// The operator password (DASHBOARD_PASSWORD): kept only as a scrypt hash with a random salt made at
// start-up, compared in constant time, and rate-limited per client address and overall, counted in the
// database so several instances share one limit.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { DASHBOARD_PASSWORD_MAX } from '../config/load.ts';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

const PARAMS: ScryptOptions = { N: 16384, r: 8, p: 1 };
/** Longest password read (a longer one is refused before hashing: a bound on work per request). */
export const PASSWORD_MAX = DASHBOARD_PASSWORD_MAX;

export interface PasswordCheck {
  matches(candidate: string): Promise<boolean>;
}

export async function createPasswordCheck(password: string): Promise<PasswordCheck> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return {
    async matches(candidate) {
      // Hash something of the same cost even for an over-long candidate, so timing says nothing.
      const got = await scrypt(candidate.length > PASSWORD_MAX ? '' : candidate, salt, 32, PARAMS);
      return timingSafeEqual(got, hash) && candidate.length <= PASSWORD_MAX;
    },
  };
}

/** Failed sign-ins (WebSessionsRepo satisfies it). */
export interface FailureLog {
  recordFailure(key: string, at: Date): Promise<void>;
  failuresSince(key: string, since: Date): Promise<number>;
  clearFailures(key: string): Promise<void>;
}

export const WINDOW_MS = 15 * 60_000;
/** The limit for all addresses together is this many times the per-address one. */
const GLOBAL_FACTOR = 20;

export interface SignInLimiter {
  /**
   * Counts a try before its password is checked: null when it may go on, else the sentence to show. A try
   * is recorded first and the count read after it, so tries sent at once cannot all pass a check made
   * before any of them was counted (scrypt takes tens of milliseconds). One already over the limit is
   * refused without a record, so a flood adds no rows.
   */
  attempt(address: string, now: Date): Promise<string | null>;
  /** The right password: the address's tries are forgotten (the overall count keeps this one). */
  succeeded(address: string): Promise<void>;
}

export function createSignInLimiter(log: FailureLog, perAddress: number): SignInLimiter {
  const key = (address: string) => `password:${address}`;
  const ALL = 'password:*';
  const overall = perAddress * GLOBAL_FACTOR;
  const mineRefused = `Too many failed sign-ins from your address; try again in ${WINDOW_MS / 60_000} minutes.`;
  const allRefused = `Too many failed sign-ins to this dashboard; try again in ${WINDOW_MS / 60_000} minutes.`;
  return {
    async attempt(address, now) {
      const since = new Date(now.getTime() - WINDOW_MS);
      const [mine, all] = await Promise.all([log.failuresSince(key(address), since), log.failuresSince(ALL, since)]);
      if (mine >= perAddress) return mineRefused;
      if (all >= overall) return allRefused;
      // The address's count first: tries it refuses are not counted for everyone.
      await log.recordFailure(key(address), now);
      if ((await log.failuresSince(key(address), since)) > perAddress) return mineRefused;
      await log.recordFailure(ALL, now);
      if ((await log.failuresSince(ALL, since)) > overall) return allRefused;
      return null;
    },
    succeeded: (address) => log.clearFailures(key(address)),
  };
}
