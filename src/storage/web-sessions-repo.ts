// The dashboard's server-side state: sessions (by the sha256 of the cookie's token, so a copy of the
// database holds no usable session), failed password sign-ins (a rate limit that holds across instances)
// and small generated settings (the session-cookie signing key when none is configured).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { toDate } from './rows.ts';

export interface StoredSession {
  userJson: string;
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

export class WebSessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: { id: string; userJson: string; csrf: string; now: Date; expiresAt: Date }): Promise<void> {
    const now = s.now.getTime();
    await this.db.insertInto('web_sessions').values({ id: s.id, user_json: s.userJson, csrf: s.csrf, created_at: now, seen_at: now, expires_at: s.expiresAt.getTime() }).execute();
  }

  /** The session, or null when there is none or it has expired. */
  async get(id: string, now: Date): Promise<StoredSession | null> {
    const r = await this.db.selectFrom('web_sessions').selectAll().where('id', '=', id).where('expires_at', '>', now.getTime()).executeTakeFirst();
    return r ? { userJson: r.user_json, csrf: r.csrf, createdAt: toDate(r.created_at)!, expiresAt: toDate(r.expires_at)! } : null;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('id', '=', id).execute();
  }

  /** Removes expired sessions and failures older than `failuresBefore`; returns the sessions removed. */
  async prune(now: Date, failuresBefore: Date): Promise<number> {
    const r = await this.db.deleteFrom('web_sessions').where('expires_at', '<=', now.getTime()).executeTakeFirst();
    await this.db.deleteFrom('web_sign_in_failures').where('at', '<', failuresBefore.getTime()).execute();
    return Number(r.numDeletedRows);
  }

  async recordFailure(key: string, at: Date): Promise<void> {
    await this.db.insertInto('web_sign_in_failures').values({ key, at: at.getTime() }).execute();
  }

  async failuresSince(key: string, since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('web_sign_in_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('key', '=', key)
      .where('at', '>=', since.getTime())
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async clearFailures(key: string): Promise<void> {
    await this.db.deleteFrom('web_sign_in_failures').where('key', '=', key).execute();
  }

  /** The setting's value; the first caller (of any instance) stores `make()`'s, everyone gets the stored one. */
  async setting(name: string, make: () => string): Promise<string> {
    await this.db.insertInto('web_settings').values({ name, value: make() }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const r = await this.db.selectFrom('web_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return r.value;
  }
}
