// The outbox: one row per (channel, story cluster), unique in the schema, written before anything is sent.
// A dispatcher claims due rows with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), marks each row
// `sending` just before the platform call, and records the message id after it; a crashed instance's
// leases expire and another takes the rows over. Rows of one channel are claimed in id order and a row
// that is waiting for a retry holds back the rows behind it, so a channel sees its stories in order.
//
// `needs_update` counts requests to edit the posted message (new coverage, a changed story); the
// dispatcher subtracts the count it saw when it claimed the row, so a request that arrives mid-send is
// never lost.
//
// `muted` (migration 005) is set while the channel's latest feedback on the story is "not relevant"
// (FeedbackRepo.record): a muted row takes no edit requests and is never claimed for an edit.
//
// `held` rows (migration 009) are kept back for the channel's brief, or until its quiet hours end: the
// dispatcher never claims them; BriefsRepo assigns them to the brief (or release message) that delivers
// them and marks them sent with it. `followed_item_id` is the newest item of the story the channel has
// seen (shown in the message, or replied in its thread); `following_item_id` marks a thread reply whose
// outcome a crash may have hidden, as `sending` does for a first post.
import { sql, type Kysely, type Selectable } from 'kysely';
import { tenantKey, type Tenant, type TenantKey } from '../domain/tenancy.ts';
import type { Alert, AlertFailureOutcome, AlertStatus, AlertStory, ClaimedAlert, PlatformName } from '../domain/types.ts';
import { storedError } from '../lib/bounded-text.ts';
import type { Dialect } from './db.ts';
import { feedVisibleTo, feedVisibleToChannel } from './feed-visibility.ts';
import type { AlertsTable, Database } from './schema.ts';
import { shownDate, toDate } from './rows.ts';
import { claimChannelLeases, leaseFree, slot, type ChannelLeaseClaim } from './lease-claim.ts';
import { extendLeases, releaseLeases } from './leases-repo.ts';

export interface EnqueueAlert {
  channelId: number;
  clusterId: number;
  itemId: number;
  at: Date;
  /** Keep it back (status `held`) for the channel's brief or until its quiet hours end. */
  held?: boolean;
}

export interface AlertListRow {
  id: number;
  channelId: number;
  platform: string;
  externalId: string;
  channelName: string | null;
  clusterId: number;
  itemId: number;
  title: string;
  url: string | null;
  status: AlertStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  inDigest: boolean;
  needsUpdate: boolean;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
  /** Other items of the story (its cluster) from feeds the channel's tenant may see: its "also covered by". */
  coverage: number;
}

export function alertFromRow(r: Selectable<AlertsTable>): Alert {
  return {
    id: Number(r.id),
    channelId: Number(r.channel_id),
    clusterId: Number(r.cluster_id),
    itemId: Number(r.item_id),
    status: r.status as AlertStatus,
    attempts: r.attempts,
    nextAttemptAt: toDate(r.next_attempt_at)!,
    leaseOwner: r.lease_owner,
    leaseUntil: toDate(r.lease_until),
    messageId: r.message_id,
    lastError: r.last_error,
    needsUpdate: Number(r.needs_update) > 0,
    createdAt: toDate(r.created_at)!,
    sentAt: toDate(r.sent_at),
  };
}

/**
 * Due alerts (AlertsRepo.claimDue): unsent rows at the head of their channel's queue, sent rows with an edit
 * requested; claimChannelLeases keeps them to unpaused channels on the platforms asked for.
 */
const ALERTS_CLAIM: ChannelLeaseClaim = {
  key: 'alerts.claimDue',
  table: 'alerts',
  alias: 'a',
  where: () => sql`a.next_attempt_at <= ${slot('now')}
          and ${leaseFree('a')}
          and (
            (a.status in ('pending', 'sending') and not exists (
              select 1 from alerts b
              where b.channel_id = a.channel_id and b.id < a.id and b.status in ('pending', 'sending')
                and (b.next_attempt_at > ${slot('now')} or (b.lease_until is not null and b.lease_until >= ${slot('now')}))
            ))
            or (a.status = 'sent' and a.needs_update > 0 and a.muted = 0)
          )`,
  orderBy: 'a.channel_id, a.id',
  returning: '*',
};

export class AlertsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Writes an outbox row unless the channel already has one for the cluster. True when it was created. */
  async enqueue(a: EnqueueAlert): Promise<boolean> {
    const at = a.at.getTime();
    const r = await this.db
      .insertInto('alerts')
      .values({
        channel_id: a.channelId,
        cluster_id: a.clusterId,
        item_id: a.itemId,
        status: a.held ? 'held' : 'pending',
        attempts: 0,
        next_attempt_at: at,
        needs_update: 0,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['channel_id', 'cluster_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Asks for the channel's message about the cluster to be edited (new coverage, changed story). Rows
   * not yet sent just count the request (their first post shows the latest state); dead rows, rows
   * delivered inside a digest and rows the channel marked not relevant (muted) are left alone. True when
   * a row took the request.
   */
  async requestUpdate(channelId: number, clusterId: number, at: Date): Promise<boolean> {
    const ms = at.getTime();
    const r = await this.db
      .updateTable('alerts')
      .set((eb) => ({
        needs_update: eb('needs_update', '+', 1),
        next_attempt_at: eb.case().when('status', '=', 'sent').then(ms).else(eb.ref('next_attempt_at')).end(),
        updated_at: ms,
      }))
      .where('channel_id', '=', channelId)
      .where('cluster_id', '=', clusterId)
      .where('status', '!=', 'dead')
      .where('in_digest', '=', 0)
      .where('muted', '=', 0)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Claims due work for `owner` until `leaseUntil`: unsent rows at the head of their channel's queue (an
   * earlier unsent row that is leased or waiting for a retry holds the rest back) and sent rows with an
   * edit requested (unless muted). Paused channels and platforms not in `platforms` are skipped. Rows come back grouped
   * by channel, in id order.
   */
  async claimDue(opts: { now: Date; limit: number; owner: string; leaseUntil: Date; platforms: readonly PlatformName[] }): Promise<ClaimedAlert[]> {
    if (opts.platforms.length === 0 || opts.limit <= 0) return [];
    const rows = await claimChannelLeases<Selectable<AlertsTable>>(this.db, this.dialect, ALERTS_CLAIM, opts);
    if (rows.length === 0) return [];
    const channelIds = [...new Set(rows.map((r) => Number(r.channel_id)))];
    const channels = await this.db.selectFrom('channels').select(['id', 'platform', 'external_id', 'threads']).where('id', 'in', channelIds).execute();
    const byId = new Map(channels.map((c) => [Number(c.id), c]));
    return rows
      .map((r) => {
        const c = byId.get(Number(r.channel_id));
        return {
          ...alertFromRow(r),
          updateCount: Number(r.needs_update),
          inDigest: !!r.in_digest,
          platform: (c?.platform ?? 'console') as PlatformName,
          externalId: c?.external_id ?? '',
          threads: !!c?.threads,
          followedItemId: r.followed_item_id === null ? null : Number(r.followed_item_id),
          followingItemId: r.following_item_id === null ? null : Number(r.following_item_id),
        };
      })
      .sort((a, b) => a.channelId - b.channelId || a.id - b.id);
  }

  /** Extends the lease of rows `owner` still holds. */
  async extendLease(ids: readonly number[], owner: string, leaseUntil: Date): Promise<void> {
    await extendLeases(this.db, 'alerts', ids, owner, leaseUntil);
  }

  /** Gives claimed rows back untouched (shutdown, or a row ahead of them must wait). */
  async release(ids: readonly number[], owner: string): Promise<void> {
    await releaseLeases(this.db, 'alerts', ids, owner);
  }

  /**
   * Records, durably, that a first send is about to happen. A row found `sending` by a later claim may
   * or may not have reached the platform. False when `owner` lost the lease (do not send). With
   * `leaseUntil`, the lease is renewed in the same statement, so the send starts with a whole lease ahead
   * of it however long the row waited (a database outage stops the renewals).
   */
  async markSending(id: number, owner: string, at: Date, leaseUntil?: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('alerts')
      .set({ status: 'sending', updated_at: at.getTime(), ...(leaseUntil ? { lease_until: leaseUntil.getTime() } : {}) })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * The platform accepted the message: record its id, release the row, and take back `updateCount` edit
   * requests. `followedItemId`: the newest item of the story the message shows.
   */
  async markSent(id: number, owner: string, s: { messageId: string; at: Date; inDigest: boolean; updateCount: number; followedItemId?: number | null }): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set((eb) => ({
        status: 'sent',
        message_id: s.messageId,
        sent_at: s.at.getTime(),
        in_digest: s.inDigest ? 1 : 0,
        last_error: null,
        needs_update: eb('needs_update', '-', s.updateCount),
        ...(s.followedItemId !== undefined ? { followed_item_id: s.followedItemId } : {}),
        lease_owner: null,
        lease_until: null,
        updated_at: s.at.getTime(),
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** The channel's alerts posted on their own (not in a digest) since `since`: the dispatcher's burst count. */
  async postedAlone(channelId: number, since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channelId)
      .where('status', '=', 'sent')
      .where('in_digest', '=', 0)
      .where('sent_at', '>=', since.getTime())
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** An edit went through (or was not needed): take back the requests it covered (and note the newest item it shows). */
  async markUpdated(id: number, owner: string, u: { at: Date; updateCount: number; followedItemId?: number | null }): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set((eb) => ({
        needs_update: eb('needs_update', '-', u.updateCount),
        ...(u.followedItemId !== undefined && u.followedItemId !== null ? { followed_item_id: u.followedItemId } : {}),
        last_error: null,
        lease_owner: null,
        lease_until: null,
        updated_at: u.at.getTime(),
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** A thread reply about `itemId` is about to be sent (durably, before the platform call). False when `owner` lost the lease. */
  async markFollowing(id: number, owner: string, itemId: number, at: Date): Promise<boolean> {
    const r = await this.db.updateTable('alerts').set({ following_item_id: itemId, updated_at: at.getTime() }).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The thread reply about `itemId` went out (or was found already out): the channel has seen the story up to it. */
  async markFollowed(id: number, owner: string, itemId: number, at: Date): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set({ followed_item_id: itemId, following_item_id: null, last_error: null, updated_at: at.getTime() })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * A send or edit failed. Unsent rows go back to `pending` until `retryAt`, or become `dead` once
   * `countAttempt` brings attempts to `maxAttempts`. A failing edit on a sent row is retried the same way
   * and dropped (the message stays as it was) after `maxAttempts`.
   */
  async recordFailure(
    id: number,
    owner: string,
    f: { error: string; at: Date; retryAt: Date; countAttempt: boolean; maxAttempts: number },
  ): Promise<AlertFailureOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alerts').select(['status', 'attempts', 'needs_update']).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
      if (!row) return 'retry';
      const attempts = row.attempts + (f.countAttempt ? 1 : 0);
      const exhausted = attempts >= f.maxAttempts;
      const error = storedError(f.error);
      const base = { attempts, last_error: error, lease_owner: null, lease_until: null, updated_at: f.at.getTime() };
      let outcome: AlertFailureOutcome;
      if (row.status === 'sent') {
        outcome = exhausted ? 'update_dropped' : 'retry';
        await trx
          .updateTable('alerts')
          .set({ ...base, ...(exhausted ? { needs_update: 0 } : { next_attempt_at: f.retryAt.getTime() }) })
          .where('id', '=', id)
          .execute();
      } else {
        outcome = exhausted ? 'dead' : 'retry';
        await trx
          .updateTable('alerts')
          .set({ ...base, status: exhausted ? 'dead' : 'pending', next_attempt_at: f.retryAt.getTime() })
          .where('id', '=', id)
          .execute();
      }
      return outcome;
    });
  }

  /**
   * Notes an error that did not deliver and must not count as an attempt (e.g. the channel was paused):
   * the row goes back to waiting (`sending` becomes `pending` again) and is released.
   */
  async noteError(id: number, owner: string, error: string, at: Date): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set((eb) => ({
        status: eb.case().when('status', '=', 'sending').then('pending').else(eb.ref('status')).end(),
        last_error: storedError(error),
        lease_owner: null,
        lease_until: null,
        updated_at: at.getTime(),
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** The outbox rows of one cluster, one per channel, with each channel's tenant. */
  async forCluster(clusterId: number): Promise<(Alert & { channelTenant: TenantKey })[]> {
    const rows = await this.db
      .selectFrom('alerts as a')
      .innerJoin('channels as c', 'c.id', 'a.channel_id')
      .selectAll('a')
      .select(['c.platform as channel_platform', 'c.workspace_id as channel_workspace'])
      .where('a.cluster_id', '=', clusterId)
      .orderBy('a.channel_id')
      .execute();
    return rows.map((r) => ({ ...alertFromRow(r), channelTenant: tenantKey({ platform: r.channel_platform as PlatformName, workspaceId: r.channel_workspace }) }));
  }

  async get(id: number): Promise<Alert | null> {
    const r = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? alertFromRow(r) : null;
  }

  /** Rows for `alerts list` and `/news status`, newest first. `status: 'dead'` lists the dead letters. */
  async list(opts: { status?: AlertStatus; channelId?: number; limit?: number } = {}): Promise<AlertListRow[]> {
    return listAlertRows(this.db, { ...opts, limit: opts.limit ?? 100 });
  }

  /** How many rows of each status, for one channel or all. */
  async counts(channelId?: number): Promise<Record<AlertStatus, number>> {
    let q = this.db.selectFrom('alerts').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status');
    if (channelId !== undefined) q = q.where('channel_id', '=', channelId);
    const out: Record<AlertStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0, held: 0 };
    for (const r of await q.execute()) out[r.status as AlertStatus] = Number(r.n);
    return out;
  }

  /** Puts dead letters back in the queue (`ids` or, with none given, every one). Returns the ids requeued. */
  async retryDead(opts: { ids?: readonly number[]; now: Date }): Promise<number[]> {
    if (opts.ids && opts.ids.length === 0) return [];
    const now = opts.now.getTime();
    let q = this.db
      .updateTable('alerts')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_owner: null, lease_until: null, updated_at: now })
      .where('status', '=', 'dead');
    if (opts.ids) q = q.where('id', 'in', [...opts.ids]);
    const rows = await q.returning('id').execute();
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  /**
   * The story an alert shows, with the cluster's other coverage as it stands now: only coverage from
   * feeds the channel's tenant may see (global ones and its own), never another tenant's.
   */
  async story(alert: { itemId: number; clusterId: number; channelId: number }): Promise<AlertStory | null> {
    const item = await this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .select(['i.id', 'i.title', 'i.url', 'i.summary', 'i.published_at', 'i.fetched_at', 'i.digest', 'i.digest_from_excerpt', 'f.title as feed_title', 'f.url as feed_url'])
      .where('i.id', '=', alert.itemId)
      .executeTakeFirst();
    if (!item) return null;
    const ch = await this.db.selectFrom('channels').select(['platform', 'workspace_id']).where('id', '=', alert.channelId).executeTakeFirst();
    const tenant: Tenant | null = ch ? { platform: ch.platform as PlatformName, workspaceId: ch.workspace_id } : null;
    const topics = await this.db.selectFrom('item_topics').select(['topic_id', 'score']).where('item_id', '=', alert.itemId).orderBy('score', 'desc').orderBy('topic_id').execute();
    const others = await this.db
      .selectFrom('items as i')
      .innerJoin('feeds as f', 'f.id', 'i.feed_id')
      .select(['i.id', 'i.title', 'i.url', 'f.title as feed_title', 'f.url as feed_url'])
      .where('i.cluster_id', '=', alert.clusterId)
      .where('i.id', '!=', alert.itemId)
      .where(feedVisibleTo('f', tenant))
      .orderBy('i.id')
      .limit(20)
      .execute();
    return {
      title: item.title,
      url: item.url,
      source: sourceName(item.feed_title, item.feed_url),
      publishedAt: shownDate(item.published_at, item.fetched_at),
      summary: item.summary,
      digest: item.digest,
      digestFromExcerpt: !!item.digest_from_excerpt,
      topics: topics.map((t) => ({ topicId: t.topic_id, score: Number(t.score) })),
      coverage: others.map((o) => ({ itemId: Number(o.id), title: o.title, url: o.url, source: sourceName(o.feed_title, o.feed_url) })),
    };
  }
}

/** A feed's display name: its title, else its host. */
export function sourceName(title: string | null, url: string): string {
  if (title && title.trim()) return title.trim();
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Alert rows with their channel and item, newest first: the CLI's and `/news status`'s list, and the
 * dashboard's history. `channelIds` narrows to those channels (never empty: the caller answers that itself).
 */
export async function listAlertRows(
  db: Kysely<Database>,
  opts: { status?: AlertStatus; channelId?: number; channelIds?: readonly number[]; limit: number },
): Promise<AlertListRow[]> {
  let q = db
    .selectFrom('alerts as a')
    .innerJoin('channels as c', 'c.id', 'a.channel_id')
    .innerJoin('items as i', 'i.id', 'a.item_id')
    .select([
      'a.id', 'a.channel_id', 'c.platform', 'c.external_id', 'c.name as channel_name', 'a.cluster_id', 'a.item_id', 'i.title', 'i.url',
      'a.status', 'a.attempts', 'a.last_error', 'a.message_id', 'a.in_digest', 'a.needs_update', 'a.created_at', 'a.next_attempt_at', 'a.sent_at',
      (eb) =>
        eb
          .selectFrom('items as o')
          .innerJoin('feeds as cf', 'cf.id', 'o.feed_id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('o.cluster_id', '=', 'a.cluster_id')
          .whereRef('o.id', '!=', 'a.item_id')
          .where(feedVisibleToChannel('cf', 'c'))
          .as('coverage'),
    ])
    .orderBy('a.id', 'desc')
    .limit(opts.limit);
  if (opts.channelIds) q = q.where('a.channel_id', 'in', [...opts.channelIds]);
  if (opts.status) q = q.where('a.status', '=', opts.status);
  if (opts.channelId !== undefined) q = q.where('a.channel_id', '=', opts.channelId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    channelId: Number(r.channel_id),
    platform: r.platform,
    externalId: r.external_id,
    channelName: r.channel_name,
    clusterId: Number(r.cluster_id),
    itemId: Number(r.item_id),
    title: r.title,
    url: r.url,
    status: r.status as AlertStatus,
    attempts: r.attempts,
    lastError: r.last_error,
    messageId: r.message_id,
    inDigest: !!r.in_digest,
    needsUpdate: Number(r.needs_update) > 0,
    createdAt: toDate(r.created_at)!,
    nextAttemptAt: toDate(r.next_attempt_at)!,
    sentAt: toDate(r.sent_at),
    coverage: Number(r.coverage ?? 0),
  }));
}
