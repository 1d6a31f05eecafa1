// What a person signed in to the dashboard may do on a chat platform, asked of the platform the way its
// adapter asks when a /news command arrives (Slack: users.info admin flags and the allowlist; Discord: the
// member's permissions in the channel), so the web and the slash commands share one permission model.
// The core owns this contract; platforms/slack and platforms/discord implement it.
import type { PlatformName } from './types.ts';

export interface MemberChannelRights {
  /** The person can see the channel (a member of it on Slack; View Channel on Discord): may read its settings. */
  view: boolean;
  /** Command.userCanManageChannel for a command run in that channel. */
  manage: boolean;
}

export interface MemberRights {
  /** The person belongs to the workspace or server, and the bot is installed there. */
  member: boolean;
  /** Command.userIsAdmin: a workspace admin or owner, a server member with Manage Server. */
  isAdmin: boolean;
  /** Command.userIsOperator: one of the bot's operators. */
  isOperator: boolean;
  /** By the platform's channel id, for the channels asked about. */
  channels: Map<string, MemberChannelRights>;
}

export interface MemberAccess {
  readonly platform: PlatformName;
  /**
   * The rights of `userId` in workspace or server `workspaceId`, for the channels given (the platform's
   * ids). A person who is not a member gets no rights at all; a platform error throws.
   */
  rights(workspaceId: string, userId: string, channelIds: readonly string[]): Promise<MemberRights>;
}

export const NO_RIGHTS: MemberRights = { member: false, isAdmin: false, isOperator: false, channels: new Map() };
