// Saved versions of the topics, edited on the dashboard: the whole topic list as JSON (null: the topics
// file again), who saved it, when, and what changed. The newest row is in force; every instance checks the
// newest id every few seconds and recompiles when it changed. Reverting saves a new row.
import type { Kysely, Selectable } from 'kysely';
import { boundedText } from '../lib/bounded-text.ts';
import type { Database, TopicVersionsTable } from './schema.ts';
import { toDate } from './rows.ts';

/** A version's author (a signed-in user's name as the platform gave it): one clean line, cut saying so. */
const CREATED_BY_MAX = 200;

export interface TopicVersion {
  id: number;
  /** null: the topics file. */
  topicsJson: string | null;
  summary: string;
  createdBy: string;
  createdAt: Date;
  /** The version this one reverted to (0: the topics file), else null. */
  revertsTo: number | null;
}

const fromRow = (r: Selectable<TopicVersionsTable>): TopicVersion => ({
  id: Number(r.id),
  topicsJson: r.topics_json,
  summary: r.summary,
  createdBy: r.created_by,
  createdAt: toDate(r.created_at)!,
  revertsTo: r.reverts_to === null ? null : Number(r.reverts_to),
});

export class TopicVersionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The id of the version in force; 0 when none was ever saved (the topics file). */
  async currentId(): Promise<number> {
    const r = await this.db.selectFrom('topic_versions').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return r?.id === null || r?.id === undefined ? 0 : Number(r.id);
  }

  async get(id: number): Promise<TopicVersion | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const r = await this.db.selectFrom('topic_versions').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : null;
  }

  /** Newest first. */
  async list(limit = 50): Promise<TopicVersion[]> {
    const rows = await this.db.selectFrom('topic_versions').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(fromRow);
  }

  async save(v: { topicsJson: string | null; summary: string; createdBy: string; at: Date; revertsTo?: number | null }): Promise<number> {
    const r = await this.db
      .insertInto('topic_versions')
      .values({ topics_json: v.topicsJson, summary: v.summary.slice(0, 4000), created_by: boundedText(v.createdBy, CREATED_BY_MAX), created_at: v.at.getTime(), reverts_to: v.revertsTo ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }
}
