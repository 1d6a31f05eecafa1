// The writes of many polls in one transaction: every feed's new and changed items (one known-item query and
// one INSERT for all the feeds, per chunk), then every feed's scheduling state (validators, next check, error
// count, lease released) in one UPDATE ... FROM (VALUES ...) per outcome kind, on SQLite and PostgreSQL
// alike. A batch commits whole or not at all: a feed whose outcome was not committed keeps its old
// next_check_at and is polled again (its items deduplicate).
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from './db.ts';
import type { NewItem } from '../domain/types.ts';
import { storedError } from '../lib/bounded-text.ts';
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

const SUCCESS_COLUMNS = [
  ['id', 'bigint'], ['etag', 'text'], ['last_modified', 'text'], ['next_check_at', 'bigint'], ['at', 'bigint'], ['title', 'text'],
  ['title_if_missing', 'text'], ['site_url', 'text'], ['primed', 'integer'], ['set_ttl', 'integer'], ['ttl', 'integer'],
  ['set_marks', 'integer'], ['marks', 'text'],
] as const;
/** What every success sets: validators, schedule, errors cleared, lease released. */
const SUCCESS_STATE = `etag = v.etag, last_modified = v.last_modified, next_check_at = v.next_check_at, last_success_at = v.at,
  error_count = 0, last_error = null, disabled_reason = null, lease_owner = null, lease_until = null`;
const SUCCESS_UPDATE = `update feeds set
  ${SUCCESS_STATE},
  title = coalesce(v.title, feeds.title, v.title_if_missing),
  site_url = coalesce(v.site_url, feeds.site_url),
  primed = coalesce(v.primed, feeds.primed),
  ttl_minutes = case when v.set_ttl = 1 then v.ttl else feeds.ttl_minutes end,
  entry_marks = case when v.set_marks = 1 then v.marks else feeds.entry_marks end
from v where feeds.id = v.id`;
/** A success that changes only validators and schedule (a 304): most of a cycle, written by a narrower statement. */
const NOT_MODIFIED_COLUMNS = [['id', 'bigint'], ['etag', 'text'], ['last_modified', 'text'], ['next_check_at', 'bigint'], ['at', 'bigint']] as const;
const NOT_MODIFIED_UPDATE = `update feeds set
  ${SUCCESS_STATE}
from v where feeds.id = v.id`;
const FAILURE_COLUMNS = [['id', 'bigint'], ['error', 'text'], ['at', 'bigint'], ['next_check_at', 'bigint'], ['disable', 'integer'], ['reason', 'text']] as const;
const FAILURE_UPDATE = `update feeds set
  error_count = feeds.error_count + 1, last_error = v.error, last_error_at = v.at, next_check_at = v.next_check_at,
  lease_owner = null, lease_until = null,
  enabled = case when v.disable = 1 then 0 else feeds.enabled end,
  disabled_reason = case when v.disable = 1 then v.reason else feeds.disabled_reason end
from v where feeds.id = v.id`;

const EMPTY: StoreItemsResult = { inserted: [], updated: [], unchanged: 0 };
/** Rows per UPDATE (about 10 parameters each, well under both databases' limits). */
const ROWS = 500;

export class PollWritesRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Commits every write in one transaction; one result per write, in order (items stored, or none). */
  async commit(writes: readonly PollWrite[]): Promise<StoreItemsResult[]> {
    if (writes.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      // Every feed's items in one pass: one known-item query and one INSERT per chunk, not two per feed.
      const withItems = writes.flatMap((w, i) => (w.kind === 'success' && w.items?.list.length ? [{ i, feedId: w.feedId, items: w.items.list, options: w.items.options }] : []));
      const stored = await ItemsRepo.storeManyIn(trx, this.dialect, withItems);
      const results: StoreItemsResult[] = writes.map(() => ({ ...EMPTY, inserted: [], updated: [] }));
      withItems.forEach((w, k) => (results[w.i] = stored[k]!));
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
      // A success that leaves title, site, primed, ttl and marks as they are takes the narrower statement
      // (what SUCCESS_UPDATE would do to those columns with nulls and no flags: nothing).
      const plain = (w: Extract<PollWrite, { kind: 'success' }>) =>
        !w.titleIfMissing && !w.success.title && !w.success.siteUrl && w.success.primed === undefined && w.success.ttlMinutes === undefined && w.success.entryMarks === undefined;
      const n = [...successes.values()].filter(plain);
      const s = [...successes.values()].filter((w) => !plain(w));
      for (let i = 0; i < n.length; i += ROWS) await this.updateNotModified(trx, n.slice(i, i + ROWS));
      const f = [...failures.values()];
      for (let i = 0; i < s.length; i += ROWS) await this.updateSuccesses(trx, s.slice(i, i + ROWS));
      for (let i = 0; i < f.length; i += ROWS) await this.updateFailures(trx, f.slice(i, i + ROWS));
      return results;
    });
  }

  /**
   * `WITH v(columns) AS (...) <statement>` as one compiled query, without Kysely's query tree (its cost per
   * node was most of a batch's CPU at hundreds of rows). On SQLite the rows travel as one JSON parameter read
   * by json_each: the text of the statement is the same for every batch, so it is prepared once and kept by
   * the connection's statement cache (preparing a 500-row VALUES statement cost more than running it). On
   * PostgreSQL, VALUES with bound parameters, a typed cast each (it cannot infer the type of a bare parameter
   * inside VALUES).
   */
  private valuesQuery(columns: ReadonlyArray<readonly [string, 'bigint' | 'integer' | 'text']>, rows: ReadonlyArray<ReadonlyArray<string | number | null>>, statement: string): CompiledQuery {
    if (this.dialect === 'sqlite') {
      // value->>N is the N-th cell as an SQL value: a JSON integer stays an integer, null is NULL.
      const cells = columns.map((c, i) => (c[1] === 'text' ? `value->>${i}` : `cast(value->>${i} as integer)`));
      return CompiledQuery.raw(`with v(${columns.map((c) => c[0]).join(', ')}) as (select ${cells.join(', ')} from json_each(?)) ${statement}`, [JSON.stringify(rows)]);
    }
    const params: Array<string | number | null> = [];
    const tuples: string[] = [];
    for (const row of rows) {
      const cells: string[] = [];
      for (let c = 0; c < columns.length; c++) {
        params.push(row[c] ?? null);
        cells.push(`cast(${this.dialect === 'postgres' ? `$${params.length}` : '?'} as ${columns[c]![1]})`);
      }
      tuples.push(`(${cells.join(', ')})`);
    }
    return CompiledQuery.raw(`with v(${columns.map((c) => c[0]).join(', ')}) as (values ${tuples.join(', ')}) ${statement}`, params);
  }

  private async updateSuccesses(trx: Kysely<Database>, rows: ReadonlyArray<Extract<PollWrite, { kind: 'success' }>>): Promise<void> {
    const values = rows.map(({ feedId, success: s, titleIfMissing }) => {
      const keepTtl = s.ttlMinutes === undefined;
      const keepMarks = s.entryMarks === undefined;
      return [
        feedId, s.etag, s.lastModified, s.nextCheckAt.getTime(), s.at.getTime(), s.title || null, titleIfMissing || null, s.siteUrl || null, s.primed === undefined ? null : s.primed ? 1 : 0,
        keepTtl ? 0 : 1, keepTtl ? null : s.ttlMinutes!, keepMarks ? 0 : 1, keepMarks ? null : s.entryMarks!,
      ];
    });
    await trx.executeQuery(this.valuesQuery(SUCCESS_COLUMNS, values, SUCCESS_UPDATE));
  }

  private async updateNotModified(trx: Kysely<Database>, rows: ReadonlyArray<Extract<PollWrite, { kind: 'success' }>>): Promise<void> {
    const values = rows.map(({ feedId, success: s }) => [feedId, s.etag, s.lastModified, s.nextCheckAt.getTime(), s.at.getTime()]);
    await trx.executeQuery(this.valuesQuery(NOT_MODIFIED_COLUMNS, values, NOT_MODIFIED_UPDATE));
  }

  private async updateFailures(trx: Kysely<Database>, rows: ReadonlyArray<Extract<PollWrite, { kind: 'failure' }>>): Promise<void> {
    const values = rows.map(({ feedId, failure: f }) => [feedId, storedError(f.error), f.at.getTime(), f.nextCheckAt.getTime(), f.disableReason ? 1 : 0, f.disableReason ? storedError(f.disableReason) : null]);
    await trx.executeQuery(this.valuesQuery(FAILURE_COLUMNS, values, FAILURE_UPDATE));
  }
}
