// The brief outbox: one row per (channel, period), unique in the schema, so several instances and a crash
// at any moment still give one brief per period. A row is a channel's brief (kind `brief`) or the message
// that releases what its quiet hours held (kind `quiet`). Enqueueing it and assigning the channel's held
// alerts to it (digest_id) is one transaction: an alert is delivered by one brief at most.
//
// Delivery follows the alerts' outbox: rows are claimed with a lease (FOR UPDATE SKIP LOCKED on
// PostgreSQL), the content is composed once and stored before the first part is sent, a row is marked
// `sending` before each platform call, and each part's message id is recorded as it goes (parts_sent), so
// a restart goes on from the part after the last one recorded (asking the platform about that one first).
// Once every part is out, the held alerts it carried are marked sent with it; a brief that fails for good
// gives them back, to be delivered by the next one.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChannelDelivery } from '../domain/brief-schedule.ts';
import type { BriefView } from '../domain/chat.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { PlatformName } from '../domain/types.ts';
import { storedError } from '../lib/bounded-text.ts';
import { sourceName } from './alerts-repo.ts';
import { deliveryFromRow } from './channels-repo.ts';
import type { Dialect } from './db.ts';
import { feedVisibleTo } from './feed-visibility.ts';
import type { BriefsTable, Database } from './schema.ts';
import { toDate } from './rows.ts';
import { claimChannelLeases, leaseFree, slot, type ChannelLeaseClaim } from './lease-claim.ts';
import { extendLeases, releaseLeases } from './leases-repo.ts';

export type BriefKind = 'brief' | 'quiet';
export type BriefStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface BriefRow {
  id: number;
  channelId: number;
  kind: BriefKind;
  periodKey: string;
  periodStart: Date;
  periodEnd: Date;
  status: BriefStatus;
  attempts: number;
  nextAttemptAt: Date;
  /** The composed brief; null until the first claim composes it. */
  content: BriefView | null;
  /** Parts already posted (their ids in messageIds). */
  partsSent: number;
  messageIds: string[];
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A claimed row with what the dispatcher needs to address the channel. */
export interface ClaimedBrief extends BriefRow {
  platform: PlatformName;
  externalId: string;
  workspaceId: string;
}

/** One story a brief may show: the channel's alert for it, and the story as the channel's tenant sees it. */
export interface BriefCandidate {
  alertId: number;
  clusterId: number;
  itemId: number;
  title: string;
  url: string | null;
  source: string;
  /** The digest, else the feed's summary. */
  summary: string;
  /** The highest relevance score among the story's items the channel may see; null when none has one. */
  relevance: number | null;
  /** Distinct feeds (outlets) among the story's items the channel may see. */
  outlets: number;
  /** The item's topics, best score first. */
  topics: { topicId: string; score: number }[];
  /** The story's other items the channel may see, one per outlet, oldest first. */
  coverage: { source: string; title: string; url: string | null }[];
  createdAt: Date;
  /** Held for this brief (not sent live). */
  held: boolean;
}

/** Which of a channel's alerts a brief holds. */
export interface CandidateQuery {
  channelId: number;
  /**
   * Held alerts: those assigned to this brief (its id), or, for a preview, those not yet assigned to any
   * (`unassigned`, created up to `until`).
   */
  held: number | 'unassigned';
  /** Also the alerts not held (sent live, or on their way) created in (since, until]; null: none. */
  since: Date | null;
  until: Date;
}

export type BriefFailureOutcome = 'retry' | 'dead';

const CHUNK = 400;
/** Stories composed into one brief at most (the rest are counted). */
export const BRIEF_CANDIDATES_MAX = 2000;

function briefFromRow(r: Selectable<BriefsTable>): BriefRow {
  let content: BriefView | null = null;
  if (r.content) {
    try {
      content = JSON.parse(r.content) as BriefView;
    } catch {
      content = null;
    }
  }
  let messageIds: string[] = [];
  try {
    const parsed = JSON.parse(r.message_ids) as unknown;
    if (Array.isArray(parsed)) messageIds = parsed.map(String);
  } catch {
    messageIds = [];
  }
  return {
    id: Number(r.id),
    channelId: Number(r.channel_id),
    kind: r.kind === 'quiet' ? 'quiet' : 'brief',
    periodKey: r.period_key,
    periodStart: toDate(r.period_start)!,
    periodEnd: toDate(r.period_end)!,
    status: r.status as BriefStatus,
    attempts: r.attempts,
    nextAttemptAt: toDate(r.next_attempt_at)!,
    content,
    partsSent: Number(r.parts_sent),
    messageIds,
    lastError: r.last_error,
    createdAt: toDate(r.created_at)!,
    sentAt: toDate(r.sent_at),
  };
}

const chunks = <T>(list: readonly T[]): T[][] => Array.from({ length: Math.ceil(list.length / CHUNK) }, (_, i) => list.slice(i * CHUNK, (i + 1) * CHUNK));

/** Pending or interrupted briefs (BriefsRepo.claimDue); claimChannelLeases keeps them to unpaused channels on the platforms asked for. */
const BRIEFS_CLAIM: ChannelLeaseClaim = {
  key: 'briefs.claimDue',
  table: 'briefs',
  alias: 'b',
  where: () => sql`b.status in ('pending', 'sending')
          and b.next_attempt_at <= ${slot('now')}
          and ${leaseFree('b')}`,
  orderBy: 'b.period_end, b.id',
  returning: '*',
};

export class BriefsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Unpaused channels in brief or both mode whose next brief is due at `now`, with their settings. */
  async dueBriefs(now: Date, limit = 200): Promise<{ channelId: number; delivery: ChannelDelivery; briefNextAt: Date }[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('paused', '=', 0)
      .where('delivery_mode', 'in', ['brief', 'both'])
      .where('brief_next_at', 'is not', null)
      .where('brief_next_at', '<=', now.getTime())
      .orderBy('brief_next_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ channelId: Number(r.id), delivery: deliveryFromRow(r), briefNextAt: toDate(r.brief_next_at)! }));
  }

  /** Unpaused channels with held alerts no brief has taken yet, with their settings. */
  async channelsHolding(limit = 200): Promise<{ channelId: number; delivery: ChannelDelivery }[]> {
    const rows = await this.db
      .selectFrom('channels as c')
      .selectAll('c')
      .where('c.paused', '=', 0)
      .where((eb) => eb.exists(eb.selectFrom('alerts as a').select(sql<number>`1`.as('one')).whereRef('a.channel_id', '=', 'c.id').where('a.status', '=', 'held').where('a.digest_id', 'is', null)))
      .orderBy('c.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ channelId: Number(r.id), delivery: deliveryFromRow(r) }));
  }

  /** Moves the channel's next brief time from `from` to `to` (unless another instance already moved it). */
  async advanceBrief(channelId: number, from: Date, to: Date): Promise<void> {
    await this.db.updateTable('channels').set({ brief_next_at: to.getTime() }).where('id', '=', channelId).where('brief_next_at', '=', from.getTime()).execute();
  }

  /** The end of the channel's latest brief of `kind` (the start of the next one's period). */
  async lastPeriodEnd(channelId: number, kind: BriefKind = 'brief'): Promise<Date | null> {
    const r = await this.db.selectFrom('briefs').select((eb) => eb.fn.max('period_end').as('end')).where('channel_id', '=', channelId).where('kind', '=', kind).executeTakeFirst();
    return r?.end === null || r?.end === undefined ? null : new Date(Number(r.end));
  }

  /**
   * Writes the brief for (channel, period key) unless it exists, and assigns to it the channel's held
   * alerts that no brief has taken, created up to the period's end: one transaction. A release (`quiet`)
   * with nothing to release is not written. Returns the row's id and how many held alerts it took, or
   * null when nothing was written (another instance, or an earlier tick, wrote it).
   */
  async enqueue(b: { channelId: number; kind: BriefKind; periodKey: string; start: Date; end: Date; at: Date }): Promise<{ id: number; held: number } | null> {
    const at = b.at.getTime();
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('briefs')
        .values({
          channel_id: b.channelId,
          kind: b.kind,
          period_key: b.periodKey.slice(0, 300),
          period_start: b.start.getTime(),
          period_end: b.end.getTime(),
          status: 'pending',
          attempts: 0,
          next_attempt_at: at,
          lease_owner: null,
          lease_until: null,
          content: null,
          last_error: null,
          created_at: at,
          sent_at: null,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['channel_id', 'period_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return null;
      const id = Number(inserted.id);
      const r = await trx
        .updateTable('alerts')
        .set({ digest_id: id, updated_at: at })
        .where('channel_id', '=', b.channelId)
        .where('status', '=', 'held')
        .where('digest_id', 'is', null)
        .where('created_at', '<=', b.end.getTime())
        .executeTakeFirst();
      const held = Number(r.numUpdatedRows);
      if (b.kind === 'quiet' && held === 0) {
        await trx.deleteFrom('briefs').where('id', '=', id).execute();
        return null;
      }
      return { id, held };
    });
  }

  /**
   * Claims due briefs for `owner` until `leaseUntil`: pending or interrupted (`sending`) rows of unpaused
   * channels on `platforms`, oldest period first.
   */
  async claimDue(opts: { now: Date; limit: number; owner: string; leaseUntil: Date; platforms: readonly PlatformName[] }): Promise<ClaimedBrief[]> {
    if (opts.platforms.length === 0 || opts.limit <= 0) return [];
    const rows = await claimChannelLeases<Selectable<BriefsTable>>(this.db, this.dialect, BRIEFS_CLAIM, opts);
    if (rows.length === 0) return [];
    const channelIds = [...new Set(rows.map((r) => Number(r.channel_id)))];
    const channels = await this.db.selectFrom('channels').select(['id', 'platform', 'external_id', 'workspace_id']).where('id', 'in', channelIds).execute();
    const byId = new Map(channels.map((c) => [Number(c.id), c]));
    return rows
      .map((r) => {
        const c = byId.get(Number(r.channel_id));
        return { ...briefFromRow(r), platform: (c?.platform ?? 'console') as PlatformName, externalId: c?.external_id ?? '', workspaceId: c?.workspace_id ?? '' };
      })
      .sort((a, b) => a.periodEnd.getTime() - b.periodEnd.getTime() || a.id - b.id);
  }

  async extendLease(ids: readonly number[], owner: string, leaseUntil: Date): Promise<void> {
    await extendLeases(this.db, 'briefs', ids, owner, leaseUntil);
  }

  async release(ids: readonly number[], owner: string): Promise<void> {
    await releaseLeases(this.db, 'briefs', ids, owner);
  }

  /**
   * Stores the composed brief unless one is stored already, and returns the stored one (so every attempt
   * and every instance sends the same parts). Null when `owner` lost the lease.
   */
  async saveContent(id: number, owner: string, view: BriefView, at: Date): Promise<BriefView | null> {
    await this.db
      .updateTable('briefs')
      .set({ content: JSON.stringify(view), updated_at: at.getTime() })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('content', 'is', null)
      .execute();
    const r = await this.db.selectFrom('briefs').selectAll().where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
    return r ? briefFromRow(r).content : null;
  }

  /** A part is about to be sent (durably, before the platform call); the lease is renewed with it. False when `owner` lost the lease. */
  async markSending(id: number, owner: string, at: Date, leaseUntil?: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('briefs')
      .set({ status: 'sending', updated_at: at.getTime(), ...(leaseUntil ? { lease_until: leaseUntil.getTime() } : {}) })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Part `part` is out with this message id (repeating it is harmless). */
  async markPart(id: number, owner: string, part: number, messageId: string, at: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('briefs').select(['message_ids', 'parts_sent']).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
      if (!r) return;
      let ids: string[] = [];
      try {
        ids = (JSON.parse(r.message_ids) as unknown[]).map(String);
      } catch {
        ids = [];
      }
      ids[part] = messageId;
      await trx
        .updateTable('briefs')
        .set({ message_ids: JSON.stringify(ids.map((x) => x ?? '')), parts_sent: Math.max(Number(r.parts_sent), part + 1), last_error: null, updated_at: at.getTime() })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .execute();
    });
  }

  /** Every part is out: the brief is sent, and so are the held alerts it carried (never edited one by one). */
  async markSent(id: number, owner: string, at: Date): Promise<void> {
    const ms = at.getTime();
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('briefs').select('message_ids').where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
      if (!r) return;
      let first = '';
      try {
        first = String((JSON.parse(r.message_ids) as unknown[])[0] ?? '');
      } catch {
        first = '';
      }
      await trx
        .updateTable('briefs')
        .set({ status: 'sent', sent_at: ms, last_error: null, lease_owner: null, lease_until: null, updated_at: ms })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('alerts')
        .set({ status: 'sent', message_id: first || null, sent_at: ms, in_digest: 1, needs_update: 0, last_error: null, lease_owner: null, lease_until: null, updated_at: ms })
        .where('digest_id', '=', id)
        .where('status', '=', 'held')
        .execute();
    });
  }

  /**
   * A part failed. The row waits until `retryAt`, or is dead-lettered once `countAttempt` brings its
   * attempts to `maxAttempts`; then the held alerts it carried are given back, for the next brief.
   */
  async recordFailure(id: number, owner: string, f: { error: string; at: Date; retryAt: Date; countAttempt: boolean; maxAttempts: number }): Promise<BriefFailureOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('briefs').select(['attempts']).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
      if (!row) return 'retry';
      const attempts = row.attempts + (f.countAttempt ? 1 : 0);
      const dead = attempts >= f.maxAttempts;
      await trx
        .updateTable('briefs')
        .set({
          attempts,
          status: dead ? 'dead' : 'pending',
          next_attempt_at: f.retryAt.getTime(),
          last_error: storedError(f.error),
          lease_owner: null,
          lease_until: null,
          updated_at: f.at.getTime(),
        })
        .where('id', '=', id)
        .execute();
      if (dead) {
        await trx.updateTable('alerts').set({ digest_id: null, updated_at: f.at.getTime() }).where('digest_id', '=', id).where('status', '=', 'held').execute();
      }
      return dead ? 'dead' : 'retry';
    });
  }

  /** An error that did not deliver and must not count (the channel was paused): back to waiting, released. */
  async noteError(id: number, owner: string, error: string, at: Date): Promise<void> {
    await this.db
      .updateTable('briefs')
      .set({ last_error: storedError(error), lease_owner: null, lease_until: null, updated_at: at.getTime() })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async get(id: number): Promise<BriefRow | null> {
    const r = await this.db.selectFrom('briefs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? briefFromRow(r) : null;
  }

  /** A channel's briefs, newest period first. */
  async list(channelId: number, limit = 20): Promise<BriefRow[]> {
    const rows = await this.db.selectFrom('briefs').selectAll().where('channel_id', '=', channelId).orderBy('period_end', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(briefFromRow);
  }

  /** How many of the channel's alerts are held (for a brief or until quiet hours end) that no brief has taken yet. */
  async heldCount(channelId: number): Promise<number> {
    const r = await this.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channelId)
      .where('status', '=', 'held')
      .where('digest_id', 'is', null)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * The stories a brief of the channel holds (see CandidateQuery), each with what the channel's tenant may
   * see of it: coverage, outlets and relevance come only from global feeds and the tenant's own. Stories
   * the channel marked not relevant (muted) are left out. At most BRIEF_CANDIDATES_MAX, newest first.
   */
  async candidates(q: CandidateQuery): Promise<BriefCandidate[]> {
    const ch = await this.db.selectFrom('channels').select(['platform', 'workspace_id']).where('id', '=', q.channelId).executeTakeFirst();
    if (!ch) return [];
    const tenant: Tenant = { platform: ch.platform as PlatformName, workspaceId: ch.workspace_id };
    const until = q.until.getTime();
    const alerts = await this.db
      .selectFrom('alerts as a')
      .select(['a.id', 'a.cluster_id', 'a.item_id', 'a.status', 'a.created_at'])
      .where('a.channel_id', '=', q.channelId)
      .where('a.muted', '=', 0)
      .where((eb) => {
        const held = q.held === 'unassigned'
          ? eb.and([eb('a.status', '=', 'held'), eb('a.digest_id', 'is', null), eb('a.created_at', '<=', until)])
          : eb.and([eb('a.status', '=', 'held'), eb('a.digest_id', '=', q.held)]);
        if (!q.since) return held;
        return eb.or([held, eb.and([eb('a.status', '!=', 'held'), eb('a.created_at', '>', q.since.getTime()), eb('a.created_at', '<=', until)])]);
      })
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(BRIEF_CANDIDATES_MAX)
      .execute();
    if (alerts.length === 0) return [];

    const itemIds = alerts.map((a) => Number(a.item_id));
    const clusterIds = [...new Set(alerts.map((a) => Number(a.cluster_id)))];
    const items = new Map<number, { title: string; url: string | null; summary: string; digest: string | null; source: string }>();
    const topics = new Map<number, { topicId: string; score: number }[]>();
    const members = new Map<number, { itemId: number; feedId: number; title: string; url: string | null; source: string; relevance: number | null }[]>();
    for (const ids of chunks(itemIds)) {
      const rows = await this.db
        .selectFrom('items as i')
        .innerJoin('feeds as f', 'f.id', 'i.feed_id')
        .select(['i.id', 'i.title', 'i.url', 'i.summary', 'i.digest', 'f.title as feed_title', 'f.url as feed_url'])
        .where('i.id', 'in', ids)
        .execute();
      for (const r of rows) items.set(Number(r.id), { title: r.title, url: r.url, summary: r.summary, digest: r.digest, source: sourceName(r.feed_title, r.feed_url) });
      const trows = await this.db.selectFrom('item_topics').select(['item_id', 'topic_id', 'score']).where('item_id', 'in', ids).orderBy('score', 'desc').orderBy('topic_id').execute();
      for (const t of trows) {
        const list = topics.get(Number(t.item_id)) ?? [];
        list.push({ topicId: t.topic_id, score: Number(t.score) });
        topics.set(Number(t.item_id), list);
      }
    }
    for (const ids of chunks(clusterIds)) {
      const rows = await this.db
        .selectFrom('items as i')
        .innerJoin('feeds as f', 'f.id', 'i.feed_id')
        .select(['i.id', 'i.cluster_id', 'i.feed_id', 'i.title', 'i.url', 'i.relevance', 'f.title as feed_title', 'f.url as feed_url'])
        .where('i.cluster_id', 'in', ids)
        .where(feedVisibleTo('f', tenant))
        .orderBy('i.id')
        .execute();
      for (const r of rows) {
        const c = Number(r.cluster_id);
        const list = members.get(c) ?? [];
        list.push({ itemId: Number(r.id), feedId: Number(r.feed_id), title: r.title, url: r.url, source: sourceName(r.feed_title, r.feed_url), relevance: r.relevance === null ? null : Number(r.relevance) });
        members.set(c, list);
      }
    }

    const out: BriefCandidate[] = [];
    for (const a of alerts) {
      const itemId = Number(a.item_id);
      const item = items.get(itemId);
      if (!item) continue;
      const clusterId = Number(a.cluster_id);
      const visible = members.get(clusterId) ?? [];
      const scores = visible.map((m) => m.relevance).filter((x): x is number => x !== null);
      const seen = new Set([item.source]);
      const coverage: BriefCandidate['coverage'] = [];
      for (const m of visible) {
        if (m.itemId === itemId || seen.has(m.source)) continue;
        seen.add(m.source);
        coverage.push({ source: m.source, title: m.title, url: m.url });
      }
      out.push({
        alertId: Number(a.id),
        clusterId,
        itemId,
        title: item.title,
        url: item.url,
        source: item.source,
        summary: item.digest ?? item.summary,
        relevance: scores.length ? Math.max(...scores) : null,
        outlets: Math.max(1, new Set(visible.map((m) => m.feedId)).size),
        topics: topics.get(itemId) ?? [],
        coverage,
        createdAt: toDate(a.created_at)!,
        held: a.status === 'held',
      });
    }
    return out;
  }
}
