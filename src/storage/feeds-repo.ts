// Feeds and their scheduling state. Due feeds are claimed with a lease so that several instances sharing
// one PostgreSQL fetch each feed once per interval (FOR UPDATE SKIP LOCKED); a crashed instance's lease
// simply expires.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Feed } from '../domain/types.ts';
import type { Dialect } from './db.ts';
import type { Database, FeedsTable } from './schema.ts';
import { flag, toDate } from './rows.ts';

export type FeedSource = 'config' | 'user' | 'opml' | 'cli';

export interface AddFeedInput {
  url: string;
  title?: string | null;
  intervalSeconds?: number | null;
  source: FeedSource;
  /** When the first check is due; defaults to now. */
  nextCheckAt?: Date;
}

export interface FetchSuccess {
  at: Date;
  nextCheckAt: Date;
  etag: string | null;
  lastModified: string | null;
  title?: string | null;
  siteUrl?: string | null;
  /** Set once the first poll stored the backlog. */
  primed?: boolean;
  /** The feed's <ttl> from a full fetch (null: it has none); left as it is when undefined (a 304). */
  ttlMinutes?: number | null;
}

export interface FetchFailure {
  at: Date;
  nextCheckAt: Date;
  error: string;
  /** Set when the feed must be disabled; the reason is stored. */
  disableReason?: string | null;
}

export function feedFromRow(r: Selectable<FeedsTable>): Feed {
  return {
    id: Number(r.id),
    url: r.url,
    title: r.title,
    siteUrl: r.site_url,
    enabled: !!r.enabled,
    intervalSeconds: r.interval_seconds,
    etag: r.etag,
    lastModified: r.last_modified,
    nextCheckAt: toDate(r.next_check_at)!,
    errorCount: r.error_count,
    lastError: r.last_error,
    lastErrorAt: toDate(r.last_error_at),
    lastSuccessAt: toDate(r.last_success_at),
    disabledReason: r.disabled_reason,
    ttlMinutes: r.ttl_minutes ?? null,
    primed: !!r.primed,
    createdAt: toDate(r.created_at)!,
  };
}

export class FeedsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Adds a feed, or returns the existing one with that URL unchanged. `created` tells which. */
  async add(input: AddFeedInput, now = new Date()): Promise<{ feed: Feed; created: boolean }> {
    const existing = await this.getByUrl(input.url);
    if (existing) return { feed: existing, created: false };
    await this.db
      .insertInto('feeds')
      .values({
        url: input.url,
        title: input.title ?? null,
        interval_seconds: input.intervalSeconds ?? null,
        source: input.source,
        enabled: 1,
        next_check_at: (input.nextCheckAt ?? now).getTime(),
        error_count: 0,
        primed: 0,
        created_at: now.getTime(),
      })
      .onConflict((oc) => oc.column('url').doNothing())
      .execute();
    const feed = await this.getByUrl(input.url);
    if (!feed) throw new Error(`storage: feed ${input.url} vanished after insert`);
    return { feed, created: true };
  }

  async get(id: number): Promise<Feed | null> {
    const r = await this.db.selectFrom('feeds').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? feedFromRow(r) : null;
  }

  async getByUrl(url: string): Promise<Feed | null> {
    const r = await this.db.selectFrom('feeds').selectAll().where('url', '=', url).executeTakeFirst();
    return r ? feedFromRow(r) : null;
  }

  async list(): Promise<Feed[]> {
    const rows = await this.db.selectFrom('feeds').selectAll().orderBy('id').execute();
    return rows.map(feedFromRow);
  }

  async remove(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('feeds').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async setEnabled(id: number, enabled: boolean, now = new Date()): Promise<void> {
    await this.db
      .updateTable('feeds')
      .set(enabled ? { enabled: 1, disabled_reason: null, error_count: 0, next_check_at: now.getTime() } : { enabled: 0 })
      .where('id', '=', id)
      .execute();
  }

  /** Makes every enabled feed due now (`poll --all`). */
  async makeAllDue(now = new Date()): Promise<void> {
    await this.db.updateTable('feeds').set({ next_check_at: now.getTime() }).where('enabled', '=', 1).execute();
  }

  /**
   * Claims up to `limit` enabled feeds whose check is due and whose lease is free, leasing them to
   * `owner` until `leaseUntil`. Safe across instances: PostgreSQL skips rows another instance is
   * claiming; SQLite has one writer.
   */
  async claimDue(opts: { now: Date; limit: number; owner: string; leaseUntil: Date }): Promise<Feed[]> {
    const now = opts.now.getTime();
    const lock = this.dialect === 'postgres' ? sql` for update skip locked` : sql``;
    const result = await sql<Selectable<FeedsTable>>`
      update feeds set lease_owner = ${opts.owner}, lease_until = ${opts.leaseUntil.getTime()}
      where id in (
        select id from feeds
        where enabled = 1 and next_check_at <= ${now} and (lease_until is null or lease_until < ${now})
        order by next_check_at, id
        limit ${opts.limit}${lock}
      )
      returning *`.execute(this.db);
    return result.rows.map(feedFromRow).sort((a, b) => a.nextCheckAt.getTime() - b.nextCheckAt.getTime() || a.id - b.id);
  }

  /** Gives a claimed feed back without recording an outcome (shutdown before it was fetched). */
  async release(id: number, owner: string): Promise<void> {
    await this.db.updateTable('feeds').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  async recordSuccess(id: number, s: FetchSuccess): Promise<void> {
    await this.db
      .updateTable('feeds')
      .set({
        etag: s.etag,
        last_modified: s.lastModified,
        next_check_at: s.nextCheckAt.getTime(),
        last_success_at: s.at.getTime(),
        error_count: 0,
        last_error: null,
        disabled_reason: null,
        lease_owner: null,
        lease_until: null,
        ...(s.title ? { title: s.title } : {}),
        ...(s.siteUrl ? { site_url: s.siteUrl } : {}),
        ...(s.primed !== undefined ? { primed: flag(s.primed) } : {}),
        ...(s.ttlMinutes !== undefined ? { ttl_minutes: s.ttlMinutes } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async recordFailure(id: number, f: FetchFailure): Promise<void> {
    await this.db
      .updateTable('feeds')
      .set((eb) => ({
        error_count: eb('error_count', '+', 1),
        last_error: f.error.slice(0, 1000),
        last_error_at: f.at.getTime(),
        next_check_at: f.nextCheckAt.getTime(),
        lease_owner: null,
        lease_until: null,
        ...(f.disableReason ? { enabled: 0, disabled_reason: f.disableReason.slice(0, 1000) } : {}),
      }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Follows a permanent redirect: the feed's stored URL becomes `url`, unless another feed already has
   * it (then the two stay as they are, and the caller logs it). Returns whether the URL changed.
   */
  async moveUrl(id: number, url: string): Promise<boolean> {
    if (await this.getByUrl(url)) return false;
    try {
      const r = await this.db.updateTable('feeds').set({ url }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    } catch {
      // Another instance moved a feed to the same URL meanwhile: the unique index refused this one.
      return false;
    }
  }

  async setTitleIfMissing(id: number, title: string): Promise<void> {
    await this.db.updateTable('feeds').set({ title }).where('id', '=', id).where('title', 'is', null).execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('feeds').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

}
