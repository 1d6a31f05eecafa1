// The feed's own <ttl> (minutes), kept so that a 304 poll, which carries no body, still honours it when
// computing the next check.
import { type Kysely, type Migration } from 'kysely';

export function feedTtlMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('feeds').addColumn('ttl_minutes', 'integer').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('feeds').dropColumn('ttl_minutes').execute();
    },
  };
}
