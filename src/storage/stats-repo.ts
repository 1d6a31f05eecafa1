// Counts for the operator (GET /metrics): a handful of aggregate queries, each returning a bounded
// result whatever the size of the database.
import { sql, type Kysely } from 'kysely';
import { quietRule, type AlertStatus } from '../domain/types.ts';
import type { Database } from './schema.ts';

export interface StorageStats {
  /** quiet: enabled, answering, and nothing new for `quietAfterDays` (domain/types.ts feedHealth; 0 when off). */
  feeds: { total: number; enabled: number; failing: number; quiet: number; disabled: number };
  /** Enabled feeds whose last polls failed, most consecutive failures first (at most `failingLimit`). */
  failingFeeds: Array<{ feedId: number; errorCount: number }>;
  items: number;
  alerts: Record<AlertStatus, number>;
  /** Age of the oldest alert not yet delivered (pending or sending); 0 when there is none. */
  oldestPendingAlertSeconds: number;
}

export class StatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async snapshot(now: Date, opts: { failingLimit?: number; quietAfterDays?: number } = {}): Promise<StorageStats> {
    const quietDays = quietRule(now, opts.quietAfterDays).afterDays;
    // Quiet as feedHealth says: enabled, not failing, read at least once, nothing new since before the cutoff.
    const cutoff = now.getTime() - quietDays * 86_400_000;
    const f = await this.db
      .selectFrom('feeds')
      .select([
        (eb) => eb.fn.countAll<number>().as('total'),
        sql<number>`coalesce(sum(case when enabled = 1 then 1 else 0 end), 0)`.as('enabled'),
        sql<number>`coalesce(sum(case when enabled = 1 and error_count > 0 then 1 else 0 end), 0)`.as('failing'),
        quietDays > 0
          ? sql<number>`coalesce(sum(case when enabled = 1 and error_count = 0 and last_success_at is not null and coalesce(last_new_item_at, created_at) < ${cutoff} then 1 else 0 end), 0)`.as('quiet')
          : sql<number>`0`.as('quiet'),
      ])
      .executeTakeFirstOrThrow();
    const failingFeeds = await this.db
      .selectFrom('feeds')
      .select(['id', 'error_count'])
      .where('enabled', '=', 1)
      .where('error_count', '>', 0)
      .orderBy('error_count', 'desc')
      .orderBy('id')
      .limit(opts.failingLimit ?? 100)
      .execute();
    const items = await this.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const alerts: Record<AlertStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0, held: 0 };
    const byStatus = await this.db.selectFrom('alerts').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    for (const r of byStatus) if (r.status in alerts) alerts[r.status as AlertStatus] = Number(r.n);
    const oldest = await this.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    const at = oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at);
    const total = Number(f.total);
    const enabled = Number(f.enabled);
    return {
      feeds: { total, enabled, failing: Number(f.failing), quiet: Number(f.quiet), disabled: total - enabled },
      failingFeeds: failingFeeds.map((r) => ({ feedId: Number(r.id), errorCount: Number(r.error_count) })),
      items: Number(items.n),
      alerts,
      oldestPendingAlertSeconds: at === null ? 0 : Math.max(0, (now.getTime() - at) / 1000),
    };
  }
}
