// The writes of many polls in one transaction: each feed's new and changed items, then every feed's
// scheduling state (validators, next check, error count, lease released) in one UPDATE ... FROM (VALUES ...)
// per outcome kind, on SQLite and PostgreSQL alike. A batch commits whole or not at all: a feed whose
// outcome was not committed keeps its old next_check_at and is polled again (its items deduplicate).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NewItem } from '../domain/types.ts';
import type { FetchFailure, FetchSuccess } from './feeds-repo.ts';
import { ItemsRepo, type StoreItemsOptions, type StoreItemsResult } from './items-repo.ts';
import type { Database } from './schema.ts';

/** One poll's outcome, as written. */
export type PollWrite =
  | {
      kind: 'success';
      feedId: number;
      success: FetchSuccess;
      /** Stored as the title only when the feed has none. */
      titleIfMissing?: string | null;
      items?: { list: readonly NewItem[]; options: StoreItemsOptions };
    }
  | { kind: 'failure'; feedId: number; failure: FetchFailure };

const EMPTY: StoreItemsResult = { inserted: [], updated: [], unchanged: 0 };
/** Rows per UPDATE (about 10 parameters each, well under both databases' limits). */
const ROWS = 500;

export class PollWritesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Commits every write in one transaction; one result per write, in order (items stored, or none). */
  async commit(writes: readonly PollWrite[]): Promise<StoreItemsResult[]> {
    if (writes.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const results: StoreItemsResult[] = [];
      for (const w of writes) {
        results.push(w.kind === 'success' && w.items?.list.length ? await ItemsRepo.storeIn(trx, w.feedId, w.items.list, w.items.options) : { ...EMPTY, inserted: [], updated: [] });
      }
      // The last write for a feed wins (a feed is leased to one poll at a time, so there is one).
      const successes = new Map<number, Extract<PollWrite, { kind: 'success' }>>();
      const failures = new Map<number, Extract<PollWrite, { kind: 'failure' }>>();
      for (const w of writes) {
        if (w.kind === 'success') {
          failures.delete(w.feedId);
          successes.set(w.feedId, w);
        } else {
          successes.delete(w.feedId);
          failures.set(w.feedId, w);
        }
      }
      const s = [...successes.values()];
      const f = [...failures.values()];
      for (let i = 0; i < s.length; i += ROWS) await this.updateSuccesses(trx, s.slice(i, i + ROWS));
      for (let i = 0; i < f.length; i += ROWS) await this.updateFailures(trx, f.slice(i, i + ROWS));
      return results;
    });
  }

  /** A typed parameter: PostgreSQL cannot infer the type of a bare parameter inside VALUES. */
  private p(value: string | number | null, type: 'bigint' | 'integer' | 'text'): RawBuilder<unknown> {
    return sql`cast(${value} as ${sql.raw(type)})`;
  }

  private async updateSuccesses(trx: Kysely<Database>, rows: ReadonlyArray<Extract<PollWrite, { kind: 'success' }>>): Promise<void> {
    const p = this.p.bind(this);
    const values = sql.join(
      rows.map(({ feedId, success: s, titleIfMissing }) => {
        const keepTtl = s.ttlMinutes === undefined;
        return sql`(${p(feedId, 'bigint')}, ${p(s.etag, 'text')}, ${p(s.lastModified, 'text')}, ${p(s.nextCheckAt.getTime(), 'bigint')}, ${p(s.at.getTime(), 'bigint')}, ${p(s.title || null, 'text')}, ${p(titleIfMissing || null, 'text')}, ${p(s.siteUrl || null, 'text')}, ${p(s.primed === undefined ? null : s.primed ? 1 : 0, 'integer')}, ${p(keepTtl ? 0 : 1, 'integer')}, ${p(keepTtl ? null : s.ttlMinutes!, 'integer')})`;
      }),
    );
    await sql`
      with v(id, etag, last_modified, next_check_at, at, title, title_if_missing, site_url, primed, set_ttl, ttl) as (values ${values})
      update feeds set
        etag = v.etag,
        last_modified = v.last_modified,
        next_check_at = v.next_check_at,
        last_success_at = v.at,
        error_count = 0,
        last_error = null,
        disabled_reason = null,
        lease_owner = null,
        lease_until = null,
        title = coalesce(v.title, feeds.title, v.title_if_missing),
        site_url = coalesce(v.site_url, feeds.site_url),
        primed = coalesce(v.primed, feeds.primed),
        ttl_minutes = case when v.set_ttl = 1 then v.ttl else feeds.ttl_minutes end
      from v where feeds.id = v.id`.execute(trx);
  }

  private async updateFailures(trx: Kysely<Database>, rows: ReadonlyArray<Extract<PollWrite, { kind: 'failure' }>>): Promise<void> {
    const p = this.p.bind(this);
    const values = sql.join(
      rows.map(({ feedId, failure: f }) => sql`(${p(feedId, 'bigint')}, ${p(f.error.slice(0, 1000), 'text')}, ${p(f.at.getTime(), 'bigint')}, ${p(f.nextCheckAt.getTime(), 'bigint')}, ${p(f.disableReason ? 1 : 0, 'integer')}, ${p(f.disableReason ? f.disableReason.slice(0, 1000) : null, 'text')})`),
    );
    await sql`
      with v(id, error, at, next_check_at, disable, reason) as (values ${values})
      update feeds set
        error_count = feeds.error_count + 1,
        last_error = v.error,
        last_error_at = v.at,
        next_check_at = v.next_check_at,
        lease_owner = null,
        lease_until = null,
        enabled = case when v.disable = 1 then 0 else feeds.enabled end,
        disabled_reason = case when v.disable = 1 then v.reason else feeds.disabled_reason end
      from v where feeds.id = v.id`.execute(trx);
  }
}
