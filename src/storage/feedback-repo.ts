// Analysts' verdicts on alerts. One row per (channel, story cluster, user): clicking again replaces it.
// Recording a verdict also sets the alert's `muted` flag in the same transaction (the channel's latest
// click wins: "not relevant" mutes, "relevant" unmutes), so the outbox stops taking edit requests for a
// story the channel said it does not want, until someone there marks it relevant again.
//
// trainingExamples() turns the verdicts into one label per item for refitting the relevance model: each
// (channel, user) verdict is one vote, the majority decides, ties are dropped.
import { sql, type Kysely } from 'kysely';
import type { Verdict } from '../domain/feedback.ts';
import type { Database } from './schema.ts';

export interface RecordVerdict {
  /** The channel's row id (channels.id). */
  channelId: number;
  clusterId: number;
  itemId: number;
  alertId: number;
  userId: string;
  verdict: Verdict;
  at: Date;
}

export interface FeedbackCounts {
  relevant: number;
  notRelevant: number;
}

export interface TrainingExample {
  itemId: number;
  title: string;
  /** The feed's description (or, for an item compacted before it got feedback, its digest). */
  description: string;
  /** The feed's full content, else the fetched article text; empty when neither is stored. */
  content: string;
  /** 1: the analysts' majority said relevant; 0: not relevant. */
  label: 0 | 1;
  votes: FeedbackCounts;
}

export interface TrainingOptions {
  /** At most this many items, the most recent first chosen (default 5,000; at most 50,000). */
  limit?: number;
}

export const TRAINING_DEFAULT_LIMIT = 5_000;
export const TRAINING_MAX_LIMIT = 50_000;
/** Text bounds per example (characters), so a refit's memory stays bounded whatever the feeds carried. */
export const TRAINING_TEXT_MAX = { title: 1_000, description: 5_000, content: 20_000 } as const;

const USER_ID_MAX = 100;
const CHUNK = 500;

export class FeedbackRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores the user's verdict on the story in the channel (replacing an earlier one) and mutes or unmutes
   * the channel's alert for it. Returns the verdict it replaced, if any, and whether the channel's message for
   * the story was muted before (another user's "not relevant").
   */
  async record(v: RecordVerdict): Promise<{ previous: Verdict | null; wasMuted: boolean }> {
    if (v.userId.length === 0 || v.userId.length > USER_ID_MAX) throw new Error(`storage: feedback user id must be 1 to ${USER_ID_MAX} characters`);
    const at = v.at.getTime();
    return this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('feedback')
        .select('verdict')
        .where('channel_id', '=', v.channelId)
        .where('cluster_id', '=', v.clusterId)
        .where('user_id', '=', v.userId)
        .executeTakeFirst();
      const mutedRow = await trx
        .selectFrom('alerts')
        .select('muted')
        .where('channel_id', '=', v.channelId)
        .where('cluster_id', '=', v.clusterId)
        .where('muted', '=', 1)
        .limit(1)
        .executeTakeFirst();
      await trx
        .insertInto('feedback')
        .values({ channel_id: v.channelId, cluster_id: v.clusterId, item_id: v.itemId, alert_id: v.alertId, user_id: v.userId, verdict: v.verdict, created_at: at, updated_at: at })
        .onConflict((oc) =>
          oc.columns(['channel_id', 'cluster_id', 'user_id']).doUpdateSet({ item_id: v.itemId, alert_id: v.alertId, verdict: v.verdict, updated_at: at }),
        )
        .execute();
      await trx
        .updateTable('alerts')
        .set({ muted: v.verdict === 'not_relevant' ? 1 : 0, updated_at: at })
        .where('channel_id', '=', v.channelId)
        .where('cluster_id', '=', v.clusterId)
        .execute();
      return { previous: (before?.verdict as Verdict | undefined) ?? null, wasMuted: mutedRow !== undefined };
    });
  }

  /** A user's current verdict on a story in a channel, if any. */
  async verdictOf(channelId: number, clusterId: number, userId: string): Promise<Verdict | null> {
    const r = await this.db
      .selectFrom('feedback')
      .select('verdict')
      .where('channel_id', '=', channelId)
      .where('cluster_id', '=', clusterId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return (r?.verdict as Verdict | undefined) ?? null;
  }

  /** The channel's verdicts by kind, all time or those given (or last changed) at or after `since`. */
  async counts(channelId: number, since?: Date): Promise<FeedbackCounts> {
    let q = this.db
      .selectFrom('feedback')
      .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
      .where('channel_id', '=', channelId)
      .groupBy('verdict');
    if (since) q = q.where('updated_at', '>=', since.getTime());
    const out: FeedbackCounts = { relevant: 0, notRelevant: 0 };
    for (const r of await q.execute()) {
      if (r.verdict === 'relevant') out.relevant = Number(r.n);
      else if (r.verdict === 'not_relevant') out.notRelevant = Number(r.n);
    }
    return out;
  }

  /**
   * One labelled example per item that received verdicts, for refitting the relevance model
   * (`cyberbrief model fit --with-feedback`). Every (channel, user) verdict on the item is one vote; the
   * majority is the label and ties are left out. The `limit` most recently posted items (highest ids) are
   * chosen, then returned in item id order; texts are capped (TRAINING_TEXT_MAX).
   */
  async trainingExamples(opts: TrainingOptions = {}): Promise<TrainingExample[]> {
    const limit = Math.min(TRAINING_MAX_LIMIT, Math.max(1, Math.floor(opts.limit ?? TRAINING_DEFAULT_LIMIT)));
    const yes = sql<number>`sum(case when verdict = 'relevant' then 1 else 0 end)`;
    const no = sql<number>`sum(case when verdict = 'not_relevant' then 1 else 0 end)`;
    const votes = await this.db
      .selectFrom('feedback')
      .select(['item_id', yes.as('yes'), no.as('no')])
      .groupBy('item_id')
      .having(sql<boolean>`sum(case when verdict = 'relevant' then 1 else -1 end) <> 0`)
      .orderBy('item_id', 'desc')
      .limit(limit)
      .execute();
    const byItem = new Map(votes.map((v) => [Number(v.item_id), { relevant: Number(v.yes), notRelevant: Number(v.no) }]));
    const ids = [...byItem.keys()].sort((a, b) => a - b);
    const out: TrainingExample[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('items')
        .select(['id', 'title', 'summary', 'content', 'article_text', 'digest'])
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .orderBy('id')
        .execute();
      for (const r of rows) {
        const v = byItem.get(Number(r.id))!;
        out.push({
          itemId: Number(r.id),
          title: r.title.slice(0, TRAINING_TEXT_MAX.title),
          description: (r.summary || r.digest || '').slice(0, TRAINING_TEXT_MAX.description),
          content: (r.content || r.article_text || '').slice(0, TRAINING_TEXT_MAX.content),
          label: v.relevant > v.notRelevant ? 1 : 0,
          votes: v,
        });
      }
    }
    return out;
  }
}
