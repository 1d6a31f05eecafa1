// Chat channels and what they asked for: topic subscriptions, include/exclude keywords, and the paused
// flag. A channel is one row per (platform, external id), created on its first command.
import type { Kysely, Selectable } from 'kysely';
import { DEFAULT_DELIVERY, DELIVERY_MODES, formatClock, parseClock, type BriefSchedule, type ChannelDelivery, type DeliveryMode, type QuietHours } from '../domain/brief-schedule.ts';
import { EVERY_TOPIC } from '../domain/following.ts';
import type { Channel, ChannelKeyword, PlatformName } from '../domain/types.ts';
import { pauseReason } from '../lib/bounded-text.ts';
import { pushTo } from '../lib/group.ts';
import type { ChannelsTable, Database } from './schema.ts';
import { flag, toDate } from './rows.ts';

export interface ChannelRef {
  platform: PlatformName;
  externalId: string;
  workspaceId: string;
  name: string | null;
}

export function channelFromRow(r: Selectable<ChannelsTable>): Channel {
  return {
    id: Number(r.id),
    platform: r.platform as PlatformName,
    externalId: r.external_id,
    workspaceId: r.workspace_id,
    name: r.name,
    paused: !!r.paused,
    pausedReason: r.paused_reason,
    createdAt: toDate(r.created_at)!,
  };
}

/** A channel's delivery settings from its row; a value that does not parse reads as unset. */
export function deliveryFromRow(r: Pick<Selectable<ChannelsTable>, 'delivery_mode' | 'brief_every' | 'brief_weekday' | 'brief_time' | 'brief_zone' | 'quiet_start' | 'quiet_end' | 'quiet_zone' | 'threads'>): ChannelDelivery {
  const mode = DELIVERY_MODES.includes(r.delivery_mode as DeliveryMode) ? (r.delivery_mode as DeliveryMode) : 'live';
  const time = r.brief_time ? parseClock(r.brief_time) : null;
  const every = r.brief_every === 'daily' || r.brief_every === 'weekly' ? r.brief_every : null;
  const weekday = r.brief_weekday === null || r.brief_weekday === undefined ? null : Number(r.brief_weekday);
  const brief: BriefSchedule | null =
    every && time && r.brief_zone && (every === 'daily' || (weekday !== null && weekday >= 0 && weekday <= 6)) ? { every, weekday: every === 'weekly' ? weekday : null, time, zone: r.brief_zone } : null;
  const start = r.quiet_start ? parseClock(r.quiet_start) : null;
  const end = r.quiet_end ? parseClock(r.quiet_end) : null;
  const quiet: QuietHours | null = start && end && r.quiet_zone ? { start, end, zone: r.quiet_zone } : null;
  return { mode: brief || mode === 'live' ? mode : 'live', brief, quiet, threads: !!r.threads };
}

const DELIVERY_COLUMNS = ['delivery_mode', 'brief_every', 'brief_weekday', 'brief_time', 'brief_zone', 'quiet_start', 'quiet_end', 'quiet_zone', 'threads'] as const;

export class ChannelsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Returns the channel, creating it on first sight; a changed name is recorded. Its workspace (tenant)
   * is the one it was first seen in and never changes afterwards, so a command arriving through another
   * workspace (a Slack channel shared between two) cannot move the channel, and what it receives, to
   * that workspace; the caller compares `workspaceId` with its own. A row stored without one (older
   * versions, the console) takes the first one given.
   */
  async upsert(ref: ChannelRef, now = new Date()): Promise<Channel> {
    await this.db
      .insertInto('channels')
      .values({
        platform: ref.platform,
        external_id: ref.externalId,
        workspace_id: ref.workspaceId,
        name: ref.name,
        paused: 0,
        created_at: now.getTime(),
      })
      .onConflict((oc) =>
        oc.columns(['platform', 'external_id']).doUpdateSet((eb) => ({
          workspace_id: eb.case().when('channels.workspace_id', '=', '').then(eb.ref('excluded.workspace_id')).else(eb.ref('channels.workspace_id')).end(),
          name: ref.name === null ? eb.ref('channels.name') : eb.ref('excluded.name'),
        })),
      )
      .execute();
    const ch = await this.find(ref.platform, ref.externalId);
    if (!ch) throw new Error(`storage: channel ${ref.platform}:${ref.externalId} vanished after upsert`);
    return ch;
  }

  async find(platform: PlatformName, externalId: string): Promise<Channel | null> {
    const r = await this.db.selectFrom('channels').selectAll().where('platform', '=', platform).where('external_id', '=', externalId).executeTakeFirst();
    return r ? channelFromRow(r) : null;
  }

  async get(id: number): Promise<Channel | null> {
    const r = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? channelFromRow(r) : null;
  }

  async list(): Promise<Channel[]> {
    const rows = await this.db.selectFrom('channels').selectAll().orderBy('id').execute();
    return rows.map(channelFromRow);
  }

  /** Adds subscriptions; returns the topic ids that were new. */
  async subscribe(channelId: number, topicIds: readonly string[], createdBy: string | null, now = new Date()): Promise<string[]> {
    const have = new Set(await this.subscriptions(channelId));
    const added = [...new Set(topicIds)].filter((t) => !have.has(t));
    if (added.length === 0) return [];
    await this.db
      .insertInto('subscriptions')
      .values(added.map((t) => ({ channel_id: channelId, topic_id: t, created_by: createdBy, created_at: now.getTime() })))
      .onConflict((oc) => oc.columns(['channel_id', 'topic_id']).doNothing())
      .execute();
    return added;
  }

  /** Removes subscriptions; returns the topic ids that were removed. */
  async unsubscribe(channelId: number, topicIds: readonly string[]): Promise<string[]> {
    const have = new Set(await this.subscriptions(channelId));
    const removed = [...new Set(topicIds)].filter((t) => have.has(t));
    if (removed.length === 0) return [];
    await this.db.deleteFrom('subscriptions').where('channel_id', '=', channelId).where('topic_id', 'in', removed).execute();
    return removed;
  }

  /** Topic ids the channel subscribes to, sorted. */
  async subscriptions(channelId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('subscriptions').select('topic_id').where('channel_id', '=', channelId).orderBy('topic_id').execute();
    return rows.map((r) => r.topic_id);
  }

  /** Channels subscribed to a topic, by its id or by following every topic. */
  async subscribers(topicId: string): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .innerJoin('subscriptions', 'subscriptions.channel_id', 'channels.id')
      .selectAll('channels')
      .where('subscriptions.topic_id', 'in', [topicId, EVERY_TOPIC])
      .distinct()
      .orderBy('channels.id')
      .execute();
    return rows.map(channelFromRow);
  }

  /** Adds a keyword, or changes its include/exclude sense; returns false when it was already there as is. */
  async addKeyword(channelId: number, term: string, exclude: boolean, createdBy: string | null, now = new Date()): Promise<boolean> {
    const existing = await this.db
      .selectFrom('channel_keywords')
      .select('exclude')
      .where('channel_id', '=', channelId)
      .where('term', '=', term)
      .executeTakeFirst();
    if (existing && !!existing.exclude === exclude) return false;
    await this.db
      .insertInto('channel_keywords')
      .values({ channel_id: channelId, term, exclude: flag(exclude), created_by: createdBy, created_at: now.getTime() })
      .onConflict((oc) => oc.columns(['channel_id', 'term']).doUpdateSet({ exclude: flag(exclude), created_by: createdBy, created_at: now.getTime() }))
      .execute();
    return true;
  }

  async removeKeyword(channelId: number, term: string): Promise<boolean> {
    const r = await this.db.deleteFrom('channel_keywords').where('channel_id', '=', channelId).where('term', '=', term).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The channel's keywords, includes first, each group sorted. */
  async keywords(channelId: number): Promise<ChannelKeyword[]> {
    const rows = await this.db
      .selectFrom('channel_keywords')
      .select(['channel_id', 'term', 'exclude'])
      .where('channel_id', '=', channelId)
      .orderBy('exclude')
      .orderBy('term')
      .execute();
    return rows.map((r) => ({ channelId: Number(r.channel_id), term: r.term, exclude: !!r.exclude }));
  }

  /**
   * Every channel's subscriptions and keywords, by channel id (each list ordered as `subscriptions` and
   * `keywords` order it): two queries, whatever the number of channels (the pipeline reads them every batch).
   */
  async rulesByChannel(): Promise<{ topics: Map<number, string[]>; keywords: Map<number, ChannelKeyword[]> }> {
    const [subs, words] = await Promise.all([
      this.db.selectFrom('subscriptions').select(['channel_id', 'topic_id']).orderBy('channel_id').orderBy('topic_id').execute(),
      this.db.selectFrom('channel_keywords').select(['channel_id', 'term', 'exclude']).orderBy('channel_id').orderBy('exclude').orderBy('term').execute(),
    ]);
    const topics = new Map<number, string[]>();
    for (const r of subs) pushTo(topics, Number(r.channel_id), r.topic_id);
    const keywords = new Map<number, ChannelKeyword[]>();
    for (const r of words) pushTo(keywords, Number(r.channel_id), { channelId: Number(r.channel_id), term: r.term, exclude: !!r.exclude });
    return { topics, keywords };
  }

  /** Stops deliveries to a channel (e.g. the bot was removed); the reason is shown in `status`. */
  async pause(channelId: number, reason: string): Promise<void> {
    await this.db.updateTable('channels').set({ paused: 1, paused_reason: pauseReason(reason) }).where('id', '=', channelId).execute();
  }

  /** The channel's mode, brief schedule, quiet hours and threads setting (defaults for an unknown channel). */
  async delivery(channelId: number): Promise<ChannelDelivery & { briefNextAt: Date | null }> {
    const r = await this.db.selectFrom('channels').select([...DELIVERY_COLUMNS, 'brief_next_at']).where('id', '=', channelId).executeTakeFirst();
    return r ? { ...deliveryFromRow(r), briefNextAt: toDate(r.brief_next_at) } : { ...DEFAULT_DELIVERY, briefNextAt: null };
  }

  /** Every channel's delivery settings that differ from the defaults, by channel id (the pipeline reads them once per batch). */
  async deliveries(): Promise<Map<number, ChannelDelivery>> {
    const rows = await this.db
      .selectFrom('channels')
      .select(['id', ...DELIVERY_COLUMNS])
      .where((eb) => eb.or([eb('delivery_mode', '!=', 'live'), eb('quiet_start', 'is not', null), eb('threads', '!=', 0)]))
      .execute();
    return new Map(rows.map((r) => [Number(r.id), deliveryFromRow(r)]));
  }

  /**
   * Stores the channel's delivery settings and when its next brief is due (null: none, e.g. the mode is
   * live or there is no schedule).
   */
  async setDelivery(channelId: number, d: ChannelDelivery, briefNextAt: Date | null): Promise<void> {
    await this.db
      .updateTable('channels')
      .set({
        delivery_mode: d.mode,
        brief_every: d.brief?.every ?? null,
        brief_weekday: d.brief?.weekday ?? null,
        brief_time: d.brief ? formatClock(d.brief.time) : null,
        brief_zone: d.brief?.zone ?? null,
        brief_next_at: briefNextAt ? briefNextAt.getTime() : null,
        quiet_start: d.quiet ? formatClock(d.quiet.start) : null,
        quiet_end: d.quiet ? formatClock(d.quiet.end) : null,
        quiet_zone: d.quiet?.zone ?? null,
        threads: flag(d.threads),
      })
      .where('id', '=', channelId)
      .execute();
  }

  async unpause(channelId: number): Promise<void> {
    await this.db.updateTable('channels').set({ paused: 0, paused_reason: null }).where('id', '=', channelId).execute();
  }
}
