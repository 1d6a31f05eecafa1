// Feeds and their scheduling state. Due feeds are claimed with a lease so that several instances sharing
// one PostgreSQL fetch each feed once per interval (FOR UPDATE SKIP LOCKED); a crashed instance's lease
// simply expires.
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import { tenantKey, type FeedAudience, type Tenant, type TenantKey } from '../domain/tenancy.ts';
import type { Feed, PlatformName } from '../domain/types.ts';
import { pushTo } from '../lib/group.ts';
import type { Dialect } from './db.ts';
import type { Database, FeedsTable } from './schema.ts';
import { toDate } from './rows.ts';
import type { StoreItemsResult } from './items-repo.ts';
import { claimLeases, leaseFree, slot, type ClaimRequest, type LeaseClaim } from './lease-claim.ts';
import { extendLeases, releaseLeases } from './leases-repo.ts';
import { PollWritesRepo, type PollWrite } from './poll-writes-repo.ts';

export type FeedSource = 'config' | 'user' | 'opml' | 'cli';

export interface AddFeedInput {
  url: string;
  title?: string | null;
  intervalSeconds?: number | null;
  source: FeedSource;
  /** When the first check is due; defaults to now. */
  nextCheckAt?: Date;
}

/** What adding a global feed did. */
export interface AddGlobalResult {
  feed: Feed;
  /** A new feed row. */
  created: boolean;
  /** It was not global before (a new row, or a feed only tenants had). */
  madeGlobal: boolean;
}

/** What a tenant's `feeds add` did. */
export interface AddTenantResult {
  feed: Feed;
  /** A new feed row (nobody watched the URL before). */
  created: boolean;
  /** The tenant's link is new. False when it had the feed already, or the feed is global (no link needed). */
  linked: boolean;
}

/** A feed as one tenant sees it: global, its own, or both. */
export interface VisibleFeed extends Feed {
  /** The tenant has its own link to it. */
  owned: boolean;
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
  /** The entry marks of the version read (null clears them); left as they are when undefined (a 304). */
  entryMarks?: string | null;
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
    entryMarks: r.entry_marks ?? null,
    lastNewItemAt: toDate(r.last_new_item_at ?? null),
    global: !!r.is_global,
    createdAt: toDate(r.created_at)!,
  };
}

/** A claimed feed, as a poll reads it: where to fetch, its validators and schedule, what a full fetch needs. */
export type DueFeed = Pick<Feed, 'id' | 'url' | 'title' | 'etag' | 'lastModified' | 'intervalSeconds' | 'nextCheckAt' | 'errorCount' | 'ttlMinutes' | 'primed' | 'entryMarks' | 'global'>;

const DUE_COLUMNS = ['id', 'url', 'title', 'etag', 'last_modified', 'interval_seconds', 'next_check_at', 'error_count', 'ttl_minutes', 'primed', 'entry_marks', 'is_global'] as const;

/** Enabled feeds whose lease is free at `now`: what either feeds claim starts from. */
const FREE_FEEDS = () => sql`feeds f where f.enabled = 1 and ${leaseFree('f')}`;

/** Enabled feeds whose check is due and whose lease is free (FeedsRepo.claimDue). */
const FEEDS_CLAIM: LeaseClaim = {
  key: 'feeds.claimDue',
  table: 'feeds',
  alias: 'f',
  source: () => sql`${FREE_FEEDS()} and f.next_check_at <= ${slot('now')}`,
  orderBy: 'f.next_check_at, f.id',
  returning: DUE_COLUMNS.join(', '),
};

/** Enabled feeds whose lease is free, due or not, past a feed id (FeedsRepo.claimAll: `poll --all`). */
const FEEDS_CLAIM_ALL: LeaseClaim = {
  ...FEEDS_CLAIM,
  key: 'feeds.claimAll',
  source: () => sql`${FREE_FEEDS()} and f.id > ${slot('afterId')}`,
  orderBy: 'f.id',
};

function dueFeedFromRow(r: Pick<Selectable<FeedsTable>, (typeof DUE_COLUMNS)[number]>): DueFeed {
  return {
    id: Number(r.id),
    url: r.url,
    title: r.title,
    etag: r.etag,
    lastModified: r.last_modified,
    intervalSeconds: r.interval_seconds,
    nextCheckAt: toDate(r.next_check_at)!,
    errorCount: r.error_count,
    ttlMinutes: r.ttl_minutes ?? null,
    primed: !!r.primed,
    entryMarks: r.entry_marks ?? null,
    global: !!r.is_global,
  };
}

/** A new feed's row: enabled, unprimed, due at `input.nextCheckAt` or now. */
function newFeedRow(input: AddFeedInput, now: Date, global: boolean): Insertable<FeedsTable> {
  return {
    url: input.url,
    title: input.title ?? null,
    interval_seconds: input.intervalSeconds ?? null,
    source: input.source,
    enabled: 1,
    next_check_at: (input.nextCheckAt ?? now).getTime(),
    error_count: 0,
    primed: 0,
    is_global: global ? 1 : 0,
    created_at: now.getTime(),
  };
}

export class FeedsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Adds a global feed (configuration, CLI, OPML, an operator), or makes the existing feed with that URL
   * global; its other settings are left as they are (a feed an operator disabled stays disabled).
   */
  async add(input: AddFeedInput, now = new Date()): Promise<AddGlobalResult> {
    return this.withFeedByUrl(input, now, async (trx, row, created) => {
      const madeGlobal = !row.is_global;
      if (madeGlobal) await trx.updateTable('feeds').set({ is_global: 1 }).where('id', '=', row.id).execute();
      return { feed: feedFromRow({ ...row, is_global: 1 }), created, madeGlobal };
    });
  }

  /**
   * `add` for many feeds at once (the configuration's, at every start and CLI command): URLs that are global
   * already cost their part of one read of every feed's URL, new ones are inserted 500 to a statement, and only a URL a
   * tenant has (or one inserted meanwhile by another instance) goes through `add`. Returns how many rows
   * were created. With 10,000 configured feeds on PostgreSQL, one `add` each took 5-12 s of every start.
   */
  async addGlobalMany(inputs: readonly AddFeedInput[], now = new Date()): Promise<number> {
    const urls = inputs.map((input) => input.url);
    const known = await this.globalByUrl(urls);
    const wanted = new Map<string, AddFeedInput>();
    for (const input of inputs) if (known.get(input.url) !== true && !wanted.has(input.url)) wanted.set(input.url, input);
    const fresh = [...wanted.values()].filter((input) => !known.has(input.url));
    let created = 0;
    const inserted = new Set<string>();
    for (let i = 0; i < fresh.length; i += 500) {
      const rows = await this.db
        .insertInto('feeds')
        .values(
          fresh.slice(i, i + 500).map((input) => newFeedRow(input, now, true)),
        )
        .onConflict((oc) => oc.column('url').doNothing())
        .returning('url')
        .execute();
      for (const r of rows) inserted.add(r.url);
      created += rows.length;
    }
    const rest = [...wanted.values()].filter((input) => !inserted.has(input.url));
    if (rest.length === 0) return created;
    // A tenant's feed, or a row another instance inserted since the read: read again, `add` what is not global.
    const since = await this.globalByUrl(rest.map((input) => input.url));
    for (const input of rest) {
      if (since.get(input.url) === true) continue;
      if ((await this.add(input, now)).created) created++;
    }
    return created;
  }

  /**
   * Of these URLs, those a feed has, and whether it is global: the configuration's few, looked up by URL, not
   * every feed read (each start of `run` and `poll` syncs the configuration, and a deployment may hold
   * thousands of feeds).
   */
  private async globalByUrl(urls: readonly string[]): Promise<Map<string, boolean>> {
    const known = new Map<string, boolean>();
    for (let i = 0; i < urls.length; i += 500) {
      const rows = await this.db.selectFrom('feeds').select(['url', 'is_global']).where('url', 'in', urls.slice(i, i + 500)).execute();
      for (const r of rows) known.set(r.url, !!r.is_global);
    }
    return known;
  }

  /**
   * A tenant's `feeds add`: links the feed with that URL to the tenant, creating the feed row when nobody
   * watches it yet (one row per URL, fetched once, whoever links it). A global feed already reaches the
   * tenant's channels: no link is made.
   */
  async addForTenant(input: AddFeedInput, tenant: Tenant, createdBy: string | null, now = new Date()): Promise<AddTenantResult> {
    return this.withFeedByUrl(input, now, async (trx, row, created) => {
      if (row.is_global) return { feed: feedFromRow(row), created, linked: false };
      const r = await trx
        .insertInto('feed_tenants')
        .values({ feed_id: Number(row.id), platform: tenant.platform, workspace_id: tenant.workspaceId, created_by: createdBy, created_at: now.getTime() })
        .onConflict((oc) => oc.columns(['feed_id', 'platform', 'workspace_id']).doNothing())
        .executeTakeFirst();
      return { feed: feedFromRow(row), created, linked: Number(r.numInsertedOrUpdatedRows ?? 0) > 0 };
    });
  }

  /**
   * Inserts the feed unless its URL exists, then runs `fn` on its row, locked (PostgreSQL) in one
   * transaction, so a concurrent removal cannot delete the row between the two. Retried when a removal
   * deleted it in between.
   */
  private async withFeedByUrl<T>(input: AddFeedInput, now: Date, fn: (trx: Transaction<Database>, row: Selectable<FeedsTable>, created: boolean) => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const out = await this.db.transaction().execute(async (trx) => {
        // An existing URL (every configured feed, at every start and CLI command) is not inserted at all:
        // an insert that conflicts still uses up an id (a sequence, or SQLite's AUTOINCREMENT), so feed ids
        // grew by the number of configured feeds each time.
        const existing = await this.lock(trx.selectFrom('feeds').selectAll().where('url', '=', input.url)).executeTakeFirst();
        if (existing) return { value: await fn(trx, existing, false) };
        const ins = await trx
          .insertInto('feeds')
          .values(newFeedRow(input, now, false))
          .onConflict((oc) => oc.column('url').doNothing())
          .executeTakeFirst();
        const row = await this.lock(trx.selectFrom('feeds').selectAll().where('url', '=', input.url)).executeTakeFirst();
        if (!row) return null;
        return { value: await fn(trx, row, Number(ins.numInsertedOrUpdatedRows ?? 0) > 0) };
      });
      if (out) return out.value;
    }
    throw new Error(`storage: feed ${input.url} kept vanishing while it was being added; try again`);
  }

  /** FOR UPDATE on PostgreSQL (SQLite has one writer: its transactions are serial already). */
  private lock<Q extends { forUpdate(): Q }>(q: Q): Q {
    return this.dialect === 'postgres' ? q.forUpdate() : q;
  }

  /**
   * Removes the tenant's link to a feed; the feed row goes too when it is not global and no other tenant
   * links it. `unlinked` is false when the tenant had no link (nothing changed).
   */
  async removeForTenant(id: number, tenant: Tenant): Promise<{ unlinked: boolean; deleted: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lock(trx.selectFrom('feeds').select(['id', 'is_global']).where('id', '=', id)).executeTakeFirst();
      if (!row) return { unlinked: false, deleted: false };
      const r = await trx
        .deleteFrom('feed_tenants')
        .where('feed_id', '=', id)
        .where('platform', '=', tenant.platform)
        .where('workspace_id', '=', tenant.workspaceId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return { unlinked: false, deleted: false };
      const deleted = !row.is_global && !(await this.hasLinks(trx, id)) && (await this.deleteRow(trx, id));
      return { unlinked: true, deleted };
    });
  }

  /**
   * An operator removes a global feed: it stops being global, and the row goes unless tenants still link
   * it (then it stays theirs alone). `changed` is false when it was not global.
   */
  async removeGlobal(id: number): Promise<{ changed: boolean; deleted: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lock(trx.selectFrom('feeds').select(['id', 'is_global']).where('id', '=', id)).executeTakeFirst();
      if (!row || !row.is_global) return { changed: false, deleted: false };
      if (await this.hasLinks(trx, id)) {
        await trx.updateTable('feeds').set({ is_global: 0 }).where('id', '=', id).execute();
        return { changed: true, deleted: false };
      }
      return { changed: true, deleted: await this.deleteRow(trx, id) };
    });
  }

  private async hasLinks(trx: Transaction<Database>, id: number): Promise<boolean> {
    return !!(await trx.selectFrom('feed_tenants').select('feed_id').where('feed_id', '=', id).limit(1).executeTakeFirst());
  }

  private async deleteRow(trx: Transaction<Database>, id: number): Promise<boolean> {
    const r = await trx.deleteFrom('feeds').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The global feeds and the tenant's own, by id: what `/news feeds list` shows that tenant. */
  async visibleTo(tenant: Tenant): Promise<VisibleFeed[]> {
    const rows = await this.db
      .selectFrom('feeds as f')
      .leftJoin('feed_tenants as t', (j) => j.onRef('t.feed_id', '=', 'f.id').on('t.platform', '=', tenant.platform).on('t.workspace_id', '=', tenant.workspaceId))
      .selectAll('f')
      .select('t.feed_id as owned_feed')
      .where((eb) => eb.or([eb('f.is_global', '=', 1), eb('t.feed_id', 'is not', null)]))
      .orderBy('f.id')
      .execute();
    return rows.map((r) => ({ ...feedFromRow(r), owned: r.owned_feed !== null }));
  }

  /** The last audiences read, with the counter they were read at (migration 015). */
  private audienceCache: { version: number; audiences: ReadonlyMap<number, FeedAudience> } | null = null;

  /**
   * Every feed's audience (global, and the tenants linking it), for routing and `feeds list`. Read again only
   * when the counter that every change to feeds' globality or tenants' links moves has moved since the last
   * read; otherwise the same map is returned (the pipeline asks for every batch of items).
   */
  async audiences(): Promise<ReadonlyMap<number, FeedAudience>> {
    // The counter first: a change committed after it is read moves it again, so the next call reads anew.
    const row = await this.db.selectFrom('audience_version').select('version').where('id', '=', 1).executeTakeFirst();
    const version = row ? Number(row.version) : null;
    if (version !== null && this.audienceCache?.version === version) return this.audienceCache.audiences;
    const [feeds, links] = await Promise.all([
      this.db.selectFrom('feeds').select(['id', 'is_global']).execute(),
      this.db.selectFrom('feed_tenants').select(['feed_id', 'platform', 'workspace_id']).orderBy('feed_id').orderBy('platform').orderBy('workspace_id').execute(),
    ]);
    const tenants = new Map<number, TenantKey[]>();
    for (const l of links) pushTo(tenants, Number(l.feed_id), tenantKey({ platform: l.platform as PlatformName, workspaceId: l.workspace_id }));
    const audiences = new Map(feeds.map((f) => [Number(f.id), { global: !!f.is_global, tenants: tenants.get(Number(f.id)) ?? [] }]));
    this.audienceCache = version === null ? null : { version, audiences };
    return audiences;
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

  /** Deletes the feed for everyone, with its items and every tenant's link (the CLI: an operator). */
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
   * claiming; SQLite has one writer. Returns the columns a poll reads, no more (RETURNING every column cost
   * 8.6 microseconds a row on SQLite, these 5.0; a cycle claims every feed).
   */
  async claimDue(opts: ClaimRequest): Promise<DueFeed[]> {
    const rows = await claimLeases<Pick<Selectable<FeedsTable>, (typeof DUE_COLUMNS)[number]>>(this.db, this.dialect, FEEDS_CLAIM, opts);
    return rows.map(dueFeedFromRow).sort((a, b) => a.nextCheckAt.getTime() - b.nextCheckAt.getTime() || a.id - b.id);
  }

  /**
   * Claims up to `limit` enabled feeds whose lease is free and whose id is above `afterId`, due or not, in id
   * order (`poll --all`: a run walks every enabled feed once by passing the last id it claimed). Leaves every
   * feed's schedule as it is: making them all due first rewrote every row before the first request.
   */
  async claimAll(opts: ClaimRequest & { afterId: number }): Promise<DueFeed[]> {
    const rows = await claimLeases<Pick<Selectable<FeedsTable>, (typeof DUE_COLUMNS)[number]>>(this.db, this.dialect, FEEDS_CLAIM_ALL, opts, { afterId: opts.afterId });
    return rows.map(dueFeedFromRow).sort((a, b) => a.id - b.id);
  }

  /** Gives a claimed feed back without recording an outcome (shutdown before it was fetched). */
  async release(id: number, owner: string): Promise<void> {
    await this.db.updateTable('feeds').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  /** Gives many claimed feeds back in one statement (shutdown, or feeds claimed twice in one run). */
  async releaseMany(ids: readonly number[], owner: string): Promise<void> {
    await releaseLeases(this.db, 'feeds', ids, owner);
  }

  /** Extends the leases `owner` still holds on these feeds (claimed and waiting, or being polled); returns how many. */
  async extendLeases(ids: readonly number[], owner: string, leaseUntil: Date): Promise<number> {
    return extendLeases(this.db, 'feeds', ids, owner, leaseUntil);
  }

  /**
   * Writes one poll's outcome in one transaction: its items, then the feed's validators, schedule, error
   * count and lease. The statements are the scheduler's batches' (PollWritesRepo.commit), with one write.
   */
  async recordPoll(write: PollWrite): Promise<StoreItemsResult> {
    return (await new PollWritesRepo(this.db, this.dialect).commit([write]))[0]!;
  }

  async recordSuccess(id: number, s: FetchSuccess): Promise<void> {
    await this.recordPoll({ kind: 'success', feedId: id, success: s });
  }

  async recordFailure(id: number, f: FetchFailure): Promise<void> {
    await this.recordPoll({ kind: 'failure', feedId: id, failure: f });
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

  /** Brings the feed's next check forward to `at` when it is later (WebSub push stopped: poll again soon). */
  async checkSoon(id: number, at: Date): Promise<void> {
    await this.db.updateTable('feeds').set({ next_check_at: at.getTime() }).where('id', '=', id).where('next_check_at', '>', at.getTime()).execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('feeds').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * How many feeds there are, how many are enabled, and when the soonest enabled one is due: one aggregate
   * (`poll --once` with nothing to poll says why from it, without reading every feed's row).
   */
  async tally(): Promise<{ total: number; enabled: number; nextCheckAt: Date | null }> {
    const r = await this.db
      .selectFrom('feeds')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>(eb.case().when('enabled', '=', 1).then(1).end()).as('enabled'),
        eb.fn.min<number | null>(eb.case().when('enabled', '=', 1).then(eb.ref('next_check_at')).end()).as('next'),
      ])
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), enabled: Number(r.enabled), nextCheckAt: r.next === null ? null : new Date(Number(r.next)) };
  }

}
