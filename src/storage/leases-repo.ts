// Leases across tables (feeds, alerts and briefs), by owner: who holds unexpired leases, and giving back every
// lease one owner holds. Used at start-up to take back the leases of instances that died (see
// instance-liveness.ts); the repositories of each table handle leases row by row.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

const LEASED_TABLES = ['feeds', 'alerts', 'briefs'] as const;

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
  async releaseOwner(owner: string): Promise<{ feeds: number; alerts: number; briefs: number }> {
    const out = { feeds: 0, alerts: 0, briefs: 0 };
    for (const table of LEASED_TABLES) {
      const r = await this.db.updateTable(table).set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst();
      out[table] = Number(r.numUpdatedRows);
    }
    return out;
  }
}
