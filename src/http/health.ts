// What GET /healthz says, on the public port. Anyone who reaches the port may ask, so the answer names a
// state in a few fixed words ("database unreachable"), never the storage sentence behind it: that sentence
// names the PostgreSQL host and database or the SQLite file's path. The sentence goes to the log instead,
// once each time the answer changes (not once per request: a load balancer asks every few seconds), and
// `cyberbrief doctor` prints it on demand.
import type { StorageFailure } from '../lib/errors.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { HealthReport } from './server.ts';

/** What storage says about itself (Storage.health): `detail` is for operators only. */
export interface DatabaseHealth {
  ok: boolean;
  failure?: StorageFailure;
  detail?: string;
}

/** The fixed words /healthz may say about the database. */
export const PUBLIC_DATABASE_REASONS = {
  notOpen: 'database not open yet',
  unreachable: 'database unreachable',
  notWritable: 'database not writable',
  lockWait: 'writes waiting for a lock',
} as const;

/** The public words for a database state: undefined when there is nothing to say. */
export function publicDatabaseReason(h: DatabaseHealth | null): string | undefined {
  if (h === null) return PUBLIC_DATABASE_REASONS.notOpen;
  if (h.ok) return h.detail ? PUBLIC_DATABASE_REASONS.lockWait : undefined;
  // A busy file (another process's lock held too long), a full disk, a damaged or read-only file: writes fail.
  return h.failure === undefined || h.failure === 'unavailable' ? PUBLIC_DATABASE_REASONS.unreachable : PUBLIC_DATABASE_REASONS.notWritable;
}

export interface HealthCheckDeps {
  /** The open storage, or null before it is open. */
  database: () => { health(): Promise<DatabaseHealth> } | null;
  /** True once the bot is stopping. */
  stopping: () => boolean;
  logger: Logger;
  /** How long the database's answer is reused (default HEALTH_REUSE_MS). */
  reuseMs?: number;
  now?: () => number;
}

/**
 * The database's answer is reused for this long, and one check at most runs at a time: anyone can ask
 * /healthz, and each check may be a round trip through the pool the bot's own work uses, so a flood of
 * requests costs at most one round trip in flight and about one a second.
 */
export const HEALTH_REUSE_MS = 1_000;

/** The /healthz report with public words only; logs the operator's sentence whenever the answer changes. */
export function createHealthCheck(deps: HealthCheckDeps): () => Promise<HealthReport> {
  let lastKey = 'ok';
  function note(h: DatabaseHealth | null, reason: string | undefined): void {
    const key = reason === undefined ? 'ok' : `${h?.ok === true ? 'ok' : 'down'}:${reason}`;
    if (key === lastKey) return;
    lastKey = key;
    const detail = h === null ? 'storage is not open yet (start-up, or it failed to open: see the lines above)' : (h.detail ?? 'no detail');
    if (reason === undefined) deps.logger.info('health: /healthz reports the database as healthy again');
    else if (h?.ok) deps.logger.info({ detail }, `health: /healthz reports "${reason}": ${detail}`);
    else deps.logger.warn({ failure: h?.failure ?? null, detail }, `health: /healthz reports "${reason}" (503): ${detail}`);
  }
  const reuseMs = deps.reuseMs ?? HEALTH_REUSE_MS;
  const now = deps.now ?? Date.now;
  let inFlight: Promise<DatabaseHealth | null> | null = null;
  let last: { at: number; h: DatabaseHealth | null } | null = null;
  async function ask(): Promise<DatabaseHealth | null> {
    try {
      return (await deps.database()?.health()) ?? null;
    } catch (err) {
      // Storage.health does not throw; if it ever does, the public answer is the same as a failed round trip.
      return { ok: false, failure: 'unavailable', detail: errorMessage(err) };
    }
  }
  function database(): Promise<DatabaseHealth | null> {
    if (last && now() - last.at < reuseMs) return Promise.resolve(last.h);
    inFlight ??= ask().then((h) => {
      last = { at: now(), h };
      inFlight = null;
      return h;
    });
    return inFlight;
  }
  return async () => {
    const checks: HealthReport['checks'] = {};
    const h = await database();
    const reason = publicDatabaseReason(h);
    note(h, reason);
    checks.database = { ok: h?.ok ?? false, ...(reason !== undefined ? { detail: reason } : {}) };
    checks.running = { ok: !deps.stopping() };
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };
}
