// What a Slack user may do, asked once here for both the /news commands and the dashboard: workspace admins
// and owners (users.info, counted only in the user's own workspace), the allowlist (slack.admin_user_ids) and
// the operators (slack.operator_user_ids, or TEAM:USER). The dashboard also asks which of the bot's channels
// the user is a member of (users.conversations with the bot's token: channels they share with the bot).
import type { webApi } from '@slack/bolt';
import { NO_RIGHTS, type MemberAccess, type MemberChannelRights } from '../../domain/access.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';

type WebClient = webApi.WebClient;

export interface SlackRightsOptions {
  /** The client holding the workspace's bot token; null when cyberbrief is not installed there. */
  clientFor(teamId: string): Promise<WebClient | null>;
  allowlist: ReadonlySet<string>;
  operators: ReadonlySet<string>;
  adminCacheMs: number;
  log: Logger;
}

export interface CommandRights {
  isAdmin: boolean;
  isOperator: boolean;
  canManage: boolean;
}

/** Pages of users.conversations read for one person (200 channels each). */
const MAX_PAGES = 10;

export function createSlackRights(opts: SlackRightsOptions) {
  const admins = new Map<string, { isAdmin: boolean; member: boolean; until: number }>();

  // An admin of the workspace the command came from (team_id of the signed payload): the flags users.info
  // reports count only when the user belongs to that workspace, so an admin of another workspace (say, a
  // guest in a shared channel) is not taken for one here. Cached per workspace and user.
  async function lookup(teamId: string, userId: string): Promise<{ isAdmin: boolean; member: boolean }> {
    const key = `${teamId}:${userId}`;
    const cached = admins.get(key);
    if (cached && cached.until > Date.now()) return cached;
    try {
      const client = await opts.clientFor(teamId);
      if (!client) return { isAdmin: false, member: false };
      const r = await client.users.info({ user: userId });
      const u = r.user;
      const sameTeam = !u?.team_id || u.team_id === teamId;
      const found = { isAdmin: sameTeam && !!(u?.is_admin || u?.is_owner || u?.is_primary_owner), member: sameTeam && !u?.deleted };
      admins.set(key, { ...found, until: Date.now() + opts.adminCacheMs });
      return found;
    } catch (err) {
      opts.log.warn({ user: userId, err: errorMessage(err) }, 'slack: users.info failed; treating the user as a non-admin (needs the users:read scope)');
      return { isAdmin: false, member: true };
    }
  }

  const isOperator = (teamId: string, userId: string) => opts.operators.has(userId) || opts.operators.has(`${teamId}:${userId}`);

  async function commandRights(teamId: string, userId: string): Promise<CommandRights> {
    const { isAdmin } = await lookup(teamId, userId);
    return { isAdmin, isOperator: isOperator(teamId, userId), canManage: isAdmin || opts.allowlist.has(userId) };
  }

  /** Channels `userId` is a member of, among those the bot is in. */
  async function memberships(client: WebClient, userId: string): Promise<Set<string>> {
    const out = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await client.users.conversations({ user: userId, types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(cursor ? { cursor } : {}) });
      for (const ch of r.channels ?? []) if (ch.id) out.add(ch.id);
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return out;
  }

  const access: MemberAccess = {
    platform: 'slack',
    async rights(teamId, userId, channelIds) {
      const client = await opts.clientFor(teamId);
      if (!client) return NO_RIGHTS;
      const who = await lookup(teamId, userId);
      if (!who.member) return NO_RIGHTS;
      const rights = await commandRights(teamId, userId);
      let member: Set<string>;
      try {
        member = await memberships(client, userId);
      } catch (err) {
        throw new Error(`slack: users.conversations failed (${errorMessage(err)}); the app needs the channels:read and groups:read scopes`);
      }
      const channels = new Map<string, MemberChannelRights>(channelIds.map((id) => [id, { view: member.has(id), manage: member.has(id) && rights.canManage }]));
      return { member: true, isAdmin: rights.isAdmin, isOperator: rights.isOperator, channels };
    },
  };

  return { commandRights, access };
}
