// Row <-> domain conversions shared by the repositories.
import { sql, type RawBuilder } from 'kysely';
import { storyTime } from '../domain/story-order.ts';

export const toDate = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(Number(ms)));
export const toMs = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);
export const flag = (b: boolean): number => (b ? 1 : 0);

/**
 * The date a story is shown with: the feed's, or the fetch time when the feed dates it later (a clock ahead, a
 * date typed wrong), as storyTime orders it; null when the feed gave none.
 */
export const shownDate = (published: number | null, fetched: number): Date | null =>
  published === null ? null : storyTime({ publishedAt: new Date(Number(published)), fetchedAt: new Date(Number(fetched)) });

/**
 * domain/story-order.ts's storyTime in SQL, for the items table under `alias`: the publication time, or the fetch
 * time when there is none or it is later (a feed's future date never pins its item first in a newest-first list).
 */
export const storyTimeSql = (alias: string): RawBuilder<number> => {
  const published = sql.ref(`${alias}.published_at`);
  const fetched = sql.ref(`${alias}.fetched_at`);
  return sql<number>`case when ${published} is null or ${published} > ${fetched} then ${fetched} else ${published} end`;
};
