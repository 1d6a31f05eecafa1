// Bolt's installation store, kept in the database: "Add to Slack" (OAuth v2) stores each workspace's
// installation here, and the adapter reads the workspace's bot token from it for every command, click and
// send. The whole installation (its tokens included) is sealed with AES-256-GCM (lib/secret-box.ts, the key
// from CYBERBRIEF_ENCRYPTION_KEY) before it reaches the database; the workspace's row key is part of the
// sealed value's associated data, so a sealed installation copied onto another workspace's row does not open.
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { SecretBox } from '../../lib/secret-box.ts';

/** Where sealed installations are kept (storage's SlackInstallationsRepo satisfies it). */
export interface InstallationRows {
  save(i: { enterpriseId: string; teamId: string; teamName: string | null; data: string; installedBy: string | null; at: Date }): Promise<void>;
  find(enterpriseId: string, teamId: string): Promise<{ data: string } | null>;
  delete(enterpriseId: string, teamId: string): Promise<boolean>;
}

export interface InstalledBot {
  token: string;
  botId: string | undefined;
  botUserId: string | undefined;
}

export interface SlackInstallationStore extends InstallationStore {
  /** The bot of workspace `teamId` (or of the organisation, for an org-wide install), or null when not installed. */
  botFor(teamId: string | null, enterpriseId?: string | null): Promise<InstalledBot | null>;
}

/** The row key: organisation-wide installs are kept under the enterprise with an empty team. */
function keyOf(q: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }): { enterpriseId: string; teamId: string } {
  if (q.isEnterpriseInstall) return { enterpriseId: q.enterpriseId ?? '', teamId: '' };
  return { enterpriseId: q.enterpriseId ?? '', teamId: q.teamId ?? '' };
}

/** The associated data of a workspace's sealed installation (also what `secrets rekey` opens it with). */
export const installationPurpose = (k: { enterpriseId: string; teamId: string }) => `slack-installation:${k.enterpriseId}:${k.teamId}`;
const purpose = installationPurpose;

export function createInstallationStore(rows: InstallationRows, box: SecretBox, now: () => Date = () => new Date()): SlackInstallationStore {
  async function read(k: { enterpriseId: string; teamId: string }): Promise<Installation | null> {
    const row = await rows.find(k.enterpriseId, k.teamId);
    return row ? (JSON.parse(box.open(row.data, purpose(k))) as Installation) : null;
  }
  return {
    async storeInstallation(installation) {
      const k = keyOf({ teamId: installation.team?.id, enterpriseId: installation.enterprise?.id, isEnterpriseInstall: installation.isEnterpriseInstall });
      if (!k.teamId && !k.enterpriseId) throw new Error('slack: the installation names no workspace or organisation');
      await rows.save({ ...k, teamName: installation.team?.name ?? installation.enterprise?.name ?? null, data: box.seal(JSON.stringify(installation), purpose(k)), installedBy: installation.user?.id ?? null, at: now() });
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const found = (await read(keyOf(query))) ?? (query.enterpriseId && !query.isEnterpriseInstall ? await read({ enterpriseId: query.enterpriseId, teamId: '' }) : null);
      if (!found) throw new Error(`slack: cyberbrief is not installed in workspace ${query.teamId ?? query.enterpriseId ?? '(unknown)'}`);
      return found;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const k = keyOf(query);
      await rows.delete(k.enterpriseId, k.teamId);
    },
    async botFor(teamId, enterpriseId) {
      const k = { enterpriseId: enterpriseId ?? '', teamId: teamId ?? '' };
      const found = (teamId ? await read(k) : null) ?? (enterpriseId ? await read({ enterpriseId, teamId: '' }) : null);
      return found?.bot?.token ? { token: found.bot.token, botId: found.bot.id, botUserId: found.bot.userId } : null;
    },
  };
}
