// Workspaces that installed the Slack app through "Add to Slack". The repository stores what it is given:
// `data` arrives sealed (platforms/slack/installation-store.ts encrypts it with lib/secret-box), so the
// tokens never sit in the database in clear. Keyed by (enterprise id or '', team id).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { toDate } from './rows.ts';

export interface StoredInstallation {
  enterpriseId: string;
  teamId: string;
  teamName: string | null;
  /** Sealed (encrypted) installation. */
  data: string;
  installedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class SlackInstallationsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores or replaces (a reinstall) the workspace's installation. */
  async save(i: { enterpriseId: string; teamId: string; teamName: string | null; data: string; installedBy: string | null; at: Date }): Promise<void> {
    const at = i.at.getTime();
    await this.db
      .insertInto('slack_installations')
      .values({ enterprise_id: i.enterpriseId, team_id: i.teamId, team_name: i.teamName, data: i.data, installed_by: i.installedBy, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['enterprise_id', 'team_id']).doUpdateSet({ team_name: i.teamName, data: i.data, installed_by: i.installedBy, updated_at: at }))
      .execute();
  }

  async find(enterpriseId: string, teamId: string): Promise<StoredInstallation | null> {
    const r = await this.db.selectFrom('slack_installations').selectAll().where('enterprise_id', '=', enterpriseId).where('team_id', '=', teamId).executeTakeFirst();
    return r
      ? { enterpriseId: r.enterprise_id, teamId: r.team_id, teamName: r.team_name, data: r.data, installedBy: r.installed_by, createdAt: toDate(r.created_at)!, updatedAt: toDate(r.updated_at)! }
      : null;
  }

  async delete(enterpriseId: string, teamId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('slack_installations').where('enterprise_id', '=', enterpriseId).where('team_id', '=', teamId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Every installation's row key and sealed data (re-sealing under a new key). */
  async sealedData(): Promise<Array<{ enterpriseId: string; teamId: string; data: string }>> {
    const rows = await this.db.selectFrom('slack_installations').select(['enterprise_id', 'team_id', 'data']).orderBy('enterprise_id').orderBy('team_id').execute();
    return rows.map((r) => ({ enterpriseId: r.enterprise_id, teamId: r.team_id, data: r.data }));
  }

  /**
   * Replaces sealed data in one transaction, each row only if it still holds `from` (a reinstall meanwhile
   * wins); the installation's other columns, updated_at included, stay as they are. Returns how many rows changed.
   */
  async replaceData(changes: ReadonlyArray<{ enterpriseId: string; teamId: string; from: string; to: string }>): Promise<number> {
    if (changes.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      let n = 0;
      for (const c of changes) {
        const r = await trx.updateTable('slack_installations').set({ data: c.to }).where('enterprise_id', '=', c.enterpriseId).where('team_id', '=', c.teamId).where('data', '=', c.from).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    });
  }

  /** Installed workspaces, without their data. */
  async list(): Promise<Array<{ enterpriseId: string; teamId: string; teamName: string | null; updatedAt: Date }>> {
    const rows = await this.db.selectFrom('slack_installations').select(['enterprise_id', 'team_id', 'team_name', 'updated_at']).orderBy('team_id').execute();
    return rows.map((r) => ({ enterpriseId: r.enterprise_id, teamId: r.team_id, teamName: r.team_name, updatedAt: toDate(r.updated_at)! }));
  }
}
