// Who a feed's items reach (FeedsRepo.audiences: global, and the tenants linking it) is read by the pipeline
// for every batch of items; at 10,000 feeds that read was 7-12 ms a batch of 50 items, the pipeline's largest
// statement. A counter that every change to it moves lets a reader keep the map until the counter moves:
// triggers on the two tables it comes from (a feed added global, made global or not, deleted; a tenant's link
// added, changed or removed), so no writer, present or future, can change an audience without moving it.
// On PostgreSQL the counter moves at commit (deferred constraint triggers): the counter's row is the last
// lock a writing transaction takes, so two writers can never each hold what the other waits for.
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../db.ts';

const SQLITE_TRIGGERS: [name: string, when: string][] = [
  ['feeds_audience_insert', 'after insert on feeds when new.is_global <> 0'],
  ['feeds_audience_global', 'after update of is_global on feeds when new.is_global is not old.is_global'],
  ['feeds_audience_delete', 'after delete on feeds'],
  ['feed_tenants_audience_insert', 'after insert on feed_tenants'],
  ['feed_tenants_audience_update', 'after update on feed_tenants'],
  ['feed_tenants_audience_delete', 'after delete on feed_tenants'],
];

const PG_TRIGGERS: [name: string, on: string][] = [
  ['feeds_audience', 'after insert or delete or update of is_global on feeds'],
  ['feed_tenants_audience', 'after insert or delete or update on feed_tenants'],
];

export function audienceVersionMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audience_version')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
        .execute();
      await sql`insert into audience_version (id, version) values (1, 0)`.execute(db);
      const bump = 'update audience_version set version = version + 1 where id = 1';
      if (dialect === 'postgres') {
        await sql.raw(`create function cyberbrief_audience_changed() returns trigger language plpgsql as $$ begin ${bump}; return null; end $$`).execute(db);
        for (const [name, on] of PG_TRIGGERS) {
          await sql.raw(`create constraint trigger ${name} ${on} deferrable initially deferred for each row execute function cyberbrief_audience_changed()`).execute(db);
        }
      } else {
        for (const [name, when] of SQLITE_TRIGGERS) await sql.raw(`create trigger ${name} ${when} begin ${bump}; end`).execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        for (const [name, on] of PG_TRIGGERS) await sql.raw(`drop trigger if exists ${name} on ${on.split(' on ')[1]}`).execute(db);
        await sql.raw('drop function if exists cyberbrief_audience_changed()').execute(db);
      } else {
        for (const [name] of SQLITE_TRIGGERS) await sql.raw(`drop trigger if exists ${name}`).execute(db);
      }
      await db.schema.dropTable('audience_version').ifExists().execute();
    },
  };
}
