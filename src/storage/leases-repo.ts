// Leases across tables (feeds, alerts, briefs and WebSub subscriptions), by owner: who holds unexpired leases, and giving back every
// lease one owner holds. Used at start-up to take back the leases of instances that died (see
// instance-liveness.ts). The repositories of each table claim rows themselves and give back or extend their
// own leases through `releaseLeases` and `extendLeases`.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

const LEASED_TABLES = ['feeds', 'alerts', 'briefs', 'websub_subscriptions'] as const;
type LeasedTable = (typeof LEASED_TABLES)[number];

/** Ids per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const IDS_PER_STATEMENT = 500;

/** Gives back the leases `owner` still holds on these rows; a row leased by someone else is left alone. */
export async function releaseLeases(db: Kysely<Database>, table: LeasedTable, ids: readonly number[], owner: string): Promise<void> {
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    await db.updateTable(table).set({ lease_owner: null, lease_until: null }).where('id', 'in', ids.slice(i, i + IDS_PER_STATEMENT)).where('lease_owner', '=', owner).execute();
  }
}

/** Extends the leases `owner` still holds on these rows to `leaseUntil`; returns how many it still held. */
export async function extendLeases(db: Kysely<Database>, table: LeasedTable, ids: readonly number[], owner: string, leaseUntil: Date): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const r = await db.updateTable(table).set({ lease_until: leaseUntil.getTime() }).where('id', 'in', ids.slice(i, i + IDS_PER_STATEMENT)).where('lease_owner', '=', owner).executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

export class LeasesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Owners whose name starts with `prefix` and who hold a lease not expired at `now` (at most `limit`). */
  async holders(prefix: string, now: Date, limit = 100): Promise<string[]> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const owners = new Set<string>();
    for (const table of LEASED_TABLES) {
      const rows = await this.db
        .selectFrom(table)
        .select('lease_owner')
        .distinct()
        .where('lease_owner', 'like', pattern)
        .where('lease_until', '>=', now.getTime())
        .limit(limit)
        .execute();
      for (const r of rows) if (r.lease_owner) owners.add(r.lease_owner);
    }
    return [...owners].sort().slice(0, limit);
  }

  /** Releases every lease `owner` holds, as its own release would; returns how many rows per table. */
  async releaseOwner(owner: string): Promise<Record<LeasedTable, number>> {
    const out: Record<LeasedTable, number> = { feeds: 0, alerts: 0, briefs: 0, websub_subscriptions: 0 };
    for (const table of LEASED_TABLES) {
      const r = await this.db.updateTable(table).set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst();
      out[table] = Number(r.numUpdatedRows);
    }
    return out;
  }
}
