// A channel that followed every topic the bot shipped with until now (the nine default topics, no more and no
// fewer: `/news subscribe` with no topic stored them one by one, and so did the console at first start) follows
// every topic from here on, stored as EVERY_TOPIC (domain/following), so the tenth default topic and any topic
// added later reach it. A channel that chose some of them, or follows others besides, keeps its list.
import { type Kysely, type Migration, sql } from 'kysely';
import { EVERY_TOPIC } from '../../domain/following.ts';

/** The default topics before `cyber-strategy` was added. */
export const FORMER_DEFAULT_TOPICS = [
  'state-cyber-operations',
  'cyber-diplomacy',
  'cyber-accusations-sanctions',
  'ip-theft-economic-espionage',
  'critical-infrastructure-attacks',
  'state-spyware',
  'foreign-supplier-risk',
  'influence-operations',
  'government-espionage',
] as const;

export function followEveryTopicMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const defaults = sql.join(FORMER_DEFAULT_TOPICS.map((t) => sql.lit(t)));
      const { rows } = await sql<{ channel_id: number | string }>`
        select channel_id from subscriptions group by channel_id
        having count(*) = ${sql.lit(FORMER_DEFAULT_TOPICS.length)}
           and sum(case when topic_id in (${defaults}) then 1 else 0 end) = ${sql.lit(FORMER_DEFAULT_TOPICS.length)}`.execute(db);
      for (const r of rows) {
        const id = Number(r.channel_id);
        await sql`insert into subscriptions (channel_id, topic_id, created_by, created_at)
          select channel_id, ${EVERY_TOPIC}, min(created_by), min(created_at) from subscriptions where channel_id = ${id} group by channel_id`.execute(db);
        await sql`delete from subscriptions where channel_id = ${id} and topic_id <> ${EVERY_TOPIC}`.execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      const { rows } = await sql<{ channel_id: number | string; created_by: string | null; created_at: number | string }>`
        select channel_id, created_by, created_at from subscriptions where topic_id = ${EVERY_TOPIC}`.execute(db);
      for (const r of rows) {
        for (const t of FORMER_DEFAULT_TOPICS) {
          await sql`insert into subscriptions (channel_id, topic_id, created_by, created_at) values (${Number(r.channel_id)}, ${t}, ${r.created_by}, ${Number(r.created_at)})
            on conflict (channel_id, topic_id) do nothing`.execute(db);
        }
      }
      await sql`delete from subscriptions where topic_id = ${EVERY_TOPIC}`.execute(db);
    },
  };
}
