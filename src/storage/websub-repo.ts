// WebSub subscriptions (migration 011), one per feed. The repository stores what it is given: the secret
// arrives sealed or marked plain by the WebSub service (src/websub/secrets.ts). Verification of intent is a
// conditional update (the pending request must match and be unexpired), so a replayed or unsolicited
// verification changes nothing. The renewal job claims due rows with a lease, as the scheduler claims feeds.
import { sql, type Kysely, type Selectable } from 'kysely';
import { storedError } from '../lib/bounded-text.ts';
import type { Dialect } from './db.ts';
import type { Database, WebsubSubscriptionsTable } from './schema.ts';
import { toDate } from './rows.ts';
import { claimLeases, leaseFree, slot, type ClaimRequest, type LeaseClaim } from './lease-claim.ts';

export type WebSubState = 'subscribing' | 'active' | 'failed' | 'unsubscribing';
export type WebSubMode = 'subscribe' | 'unsubscribe';

/** What a failed hub request leaves: its error, when, and when to try again. */
export interface FailedRequest {
  error: string;
  nextActionAt: Date;
  at: Date;
}

export interface WebSubSubscription {
  id: number;
  feedId: number;
  callbackId: string;
  hubUrl: string;
  topicUrl: string;
  /** Sealed or marked plain; see src/websub/secrets.ts. */
  secret: string;
  state: WebSubState;
  pendingMode: WebSubMode | null;
  pendingUntil: Date | null;
  leaseSeconds: number | null;
  leaseExpiresAt: Date | null;
  nextActionAt: Date;
  errorCount: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  verifiedAt: Date | null;
  lastPushAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A claimed row, and whether its feed still exists and is enabled (if not, the job unsubscribes). */
export interface ClaimedSubscription extends WebSubSubscription {
  feedLive: boolean;
}

export interface NewSubscription {
  feedId: number;
  callbackId: string;
  hubUrl: string;
  topicUrl: string;
  secret: string;
  nextActionAt: Date;
  at: Date;
}

export function subscriptionFromRow(r: Selectable<WebsubSubscriptionsTable>): WebSubSubscription {
  return {
    id: Number(r.id),
    feedId: Number(r.feed_id),
    callbackId: r.callback_id,
    hubUrl: r.hub_url,
    topicUrl: r.topic_url,
    secret: r.secret,
    state: r.state as WebSubState,
    pendingMode: (r.pending_mode as WebSubMode | null) ?? null,
    pendingUntil: toDate(r.pending_until),
    leaseSeconds: r.lease_seconds,
    leaseExpiresAt: toDate(r.lease_expires_at),
    nextActionAt: toDate(r.next_action_at)!,
    errorCount: Number(r.error_count),
    lastError: r.last_error,
    lastErrorAt: toDate(r.last_error_at),
    verifiedAt: toDate(r.verified_at),
    lastPushAt: toDate(r.last_push_at),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  };
}

/**
 * Subscriptions whose next action is due, or whose feed was removed or disabled (and no unsubscribe is under
 * way), with a free lease (WebSubRepo.claimDue).
 */
const SUBSCRIPTIONS_CLAIM: LeaseClaim = {
  key: 'websub.claimDue',
  table: 'websub_subscriptions',
  alias: 's',
  source: () => sql`websub_subscriptions s
        where ${leaseFree('s')}
          and (s.next_action_at <= ${slot('now')}
               or (s.state <> 'unsubscribing' and not exists (select 1 from feeds f where f.id = s.feed_id and f.enabled = 1)))`,
  orderBy: 's.next_action_at, s.id',
  returning: '*',
};

export class WebSubRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Adds the feed's subscription (state `subscribing`, nothing requested yet); null when the feed has one already. */
  async insert(s: NewSubscription): Promise<WebSubSubscription | null> {
    const at = s.at.getTime();
    const r = await this.db
      .insertInto('websub_subscriptions')
      .values({
        feed_id: s.feedId,
        callback_id: s.callbackId,
        hub_url: s.hubUrl,
        topic_url: s.topicUrl,
        secret: s.secret,
        state: 'subscribing',
        next_action_at: s.nextActionAt.getTime(),
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('feed_id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? this.forFeed(s.feedId) : null;
  }

  async forFeed(feedId: number): Promise<WebSubSubscription | null> {
    const r = await this.db.selectFrom('websub_subscriptions').selectAll().where('feed_id', '=', feedId).executeTakeFirst();
    return r ? subscriptionFromRow(r) : null;
  }

  async byCallback(callbackId: string): Promise<WebSubSubscription | null> {
    const r = await this.db.selectFrom('websub_subscriptions').selectAll().where('callback_id', '=', callbackId).executeTakeFirst();
    return r ? subscriptionFromRow(r) : null;
  }

  async list(): Promise<WebSubSubscription[]> {
    const rows = await this.db.selectFrom('websub_subscriptions').selectAll().orderBy('feed_id').execute();
    return rows.map(subscriptionFromRow);
  }

  /**
   * Records that we asked the hub to (un)subscribe: the verification we will accept until `pendingUntil`.
   * A renewal of an active subscription stays active meanwhile; a first subscribe is `subscribing`. The hub
   * and topic (and the secret, when given) are what the request named. The first unsubscribe of a row starts
   * its error count (and last error) afresh, so the count is the unsubscribe attempts that failed. Releases
   * the job's lease.
   */
  async requested(id: number, r: { mode: WebSubMode; pendingUntil: Date; nextActionAt: Date; at: Date; hubUrl?: string; topicUrl?: string; secret?: string }): Promise<void> {
    await this.db
      .updateTable('websub_subscriptions')
      .set((eb) => ({
        pending_mode: r.mode,
        pending_until: r.pendingUntil.getTime(),
        next_action_at: r.nextActionAt.getTime(),
        state: r.mode === 'unsubscribe' ? 'unsubscribing' : eb.case().when('state', '=', 'active').then('active').else('subscribing').end(),
        ...(r.mode === 'unsubscribe'
          ? {
              error_count: eb.case().when('state', '=', 'unsubscribing').then(eb.ref('error_count')).else(0).end(),
              last_error: eb.case().when('state', '=', 'unsubscribing').then(eb.ref('last_error')).else(null).end(),
            }
          : {}),
        updated_at: r.at.getTime(),
        lease_owner: null,
        lease_until: null,
        ...(r.hubUrl ? { hub_url: r.hubUrl } : {}),
        ...(r.topicUrl ? { topic_url: r.topicUrl } : {}),
        ...(r.secret ? { secret: r.secret } : {}),
      }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * The hub verified our intent: true only when `mode` and `topic` match the request we are waiting for
   * and it has not expired. A subscribe becomes active with its lease; an unsubscribe deletes the row.
   */
  async verified(id: number, v: { mode: WebSubMode; topicUrl: string; leaseSeconds: number | null; nextActionAt: Date | null; at: Date }): Promise<boolean> {
    const at = v.at.getTime();
    if (v.mode === 'unsubscribe') {
      const r = await this.db
        .deleteFrom('websub_subscriptions')
        .where('id', '=', id)
        .where('pending_mode', '=', 'unsubscribe')
        .where('topic_url', '=', v.topicUrl)
        .where('pending_until', '>=', at)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    }
    const r = await this.db
      .updateTable('websub_subscriptions')
      .set({
        state: 'active',
        pending_mode: null,
        pending_until: null,
        lease_seconds: v.leaseSeconds,
        lease_expires_at: v.leaseSeconds === null ? null : at + v.leaseSeconds * 1000,
        next_action_at: v.nextActionAt ? v.nextActionAt.getTime() : at,
        verified_at: at,
        error_count: 0,
        last_error: null,
        updated_at: at,
      })
      .where('id', '=', id)
      .where('pending_mode', '=', 'subscribe')
      .where('topic_url', '=', v.topicUrl)
      .where('pending_until', '>=', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Subscribing did not work (the hub refused, did not answer, never verified, or denied): the row is
   * `failed` and tried again at `nextActionAt`; the feed is polled as usual meanwhile. Releases the lease.
   */
  async failed(id: number, f: FailedRequest): Promise<void> {
    await this.recordError(id, f, { state: 'failed', lease_expires_at: null });
  }

  /** A renewal request failed while the current lease still runs: the error is kept, the state too. */
  async renewalFailed(id: number, f: FailedRequest): Promise<void> {
    await this.recordError(id, f, {});
  }

  /**
   * An unsubscribe request failed (the hub refused, did not answer, or never verified): the row stays
   * `unsubscribing`, with the error counted, and is tried again at `nextActionAt`. Releases the lease.
   */
  async unsubscribeFailed(id: number, f: FailedRequest): Promise<void> {
    await this.recordError(id, f, {});
  }

  /** A request failed: no request pending, the error counted and kept, the next try set, the claim released. */
  private async recordError(id: number, f: FailedRequest, extra: { state?: WebSubState; lease_expires_at?: null }): Promise<void> {
    const at = f.at.getTime();
    await this.db
      .updateTable('websub_subscriptions')
      .set((eb) => ({
        ...extra,
        pending_mode: null,
        pending_until: null,
        error_count: eb('error_count', '+', 1),
        last_error: storedError(f.error),
        last_error_at: at,
        next_action_at: f.nextActionAt.getTime(),
        updated_at: at,
        lease_owner: null,
        lease_until: null,
      }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Replaces stored secrets in one transaction, each row only if it still holds `from` (a renewal's new
   * secret meanwhile wins); nothing else changes. Returns how many rows changed.
   */
  async replaceSecrets(changes: ReadonlyArray<{ id: number; from: string; to: string }>): Promise<number> {
    if (changes.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      let n = 0;
      for (const c of changes) {
        const r = await trx.updateTable('websub_subscriptions').set({ secret: c.to }).where('id', '=', c.id).where('secret', '=', c.from).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    });
  }

  async pushed(id: number, at: Date): Promise<void> {
    await this.db.updateTable('websub_subscriptions').set({ last_push_at: at.getTime() }).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('websub_subscriptions').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Gives a claimed row back untouched. */
  async release(id: number, owner: string): Promise<void> {
    await this.db.updateTable('websub_subscriptions').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  /**
   * Claims up to `limit` rows that need the job: their next action is due, or their feed was removed or
   * disabled (and no unsubscribe is under way). Safe across instances, as FeedsRepo.claimDue.
   */
  async claimDue(opts: ClaimRequest): Promise<ClaimedSubscription[]> {
    const rows = await claimLeases<Selectable<WebsubSubscriptionsTable>>(this.db, this.dialect, SUBSCRIPTIONS_CLAIM, opts);
    const subs = rows.map(subscriptionFromRow);
    if (subs.length === 0) return [];
    const live = await this.db
      .selectFrom('feeds')
      .select('id')
      .where('id', 'in', subs.map((s) => s.feedId))
      .where('enabled', '=', 1)
      .execute();
    const liveIds = new Set(live.map((r) => Number(r.id)));
    return subs.map((s) => ({ ...s, feedLive: liveIds.has(s.feedId) })).sort((a, b) => a.nextActionAt.getTime() - b.nextActionAt.getTime() || a.id - b.id);
  }

  /** Feeds whose content arrives by push now: an active subscription whose lease runs past `now`. */
  async pushedFeeds(now: Date): Promise<Map<number, Date | null>> {
    const rows = await this.db
      .selectFrom('websub_subscriptions')
      .select(['feed_id', 'lease_expires_at'])
      .where('state', '=', 'active')
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '>', now.getTime())]))
      .execute();
    return new Map(rows.map((r) => [Number(r.feed_id), toDate(r.lease_expires_at)]));
  }

  /** Subscriptions by state, for /metrics. */
  async countsByState(): Promise<Record<WebSubState, number>> {
    const rows = await this.db
      .selectFrom('websub_subscriptions')
      .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const out: Record<WebSubState, number> = { subscribing: 0, active: 0, failed: 0, unsubscribing: 0 };
    for (const r of rows) if (r.state in out) out[r.state as WebSubState] = Number(r.n);
    return out;
  }
}
