// Alerts delivered inside an overflow digest message rather than as a story of their own: such an alert's
// message id names the digest, which is never edited story by story.
import { type Kysely, type Migration } from 'kysely';

export function alertDigestMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('alerts').addColumn('in_digest', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('alerts').dropColumn('in_digest').execute();
    },
  };
}
