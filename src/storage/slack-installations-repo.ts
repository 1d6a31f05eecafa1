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

  /** Installed workspaces, without their data. */
  async list(): Promise<Array<{ enterpriseId: string; teamId: string; teamName: string | null; updatedAt: Date }>> {
    const rows = await this.db.selectFrom('slack_installations').select(['enterprise_id', 'team_id', 'team_name', 'updated_at']).orderBy('team_id').execute();
    return rows.map((r) => ({ enterpriseId: r.enterprise_id, teamId: r.team_id, teamName: r.team_name, updatedAt: toDate(r.updated_at)! }));
  }
}
