// A feed's entry marks (src/feeds/entry-marks.ts): a short hash of each entry of the version last read, so
// the next full fetch reads only its new and edited entries. Null until a poll stores them, and for feeds
// whose documents cannot use them.
import { type Kysely, type Migration } from 'kysely';

export function entryMarksMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('feeds').addColumn('entry_marks', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('feeds').dropColumn('entry_marks').execute();
    },
  };
}
