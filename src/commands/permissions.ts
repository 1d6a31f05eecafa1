// Who may run what, and the sentence that explains a refusal on each platform.
//   manage_channel: change this channel's subscriptions and keywords;
//   admin: change this workspace's or server's own feeds (its admins, and the bot's operators);
//   operator: change the global feeds, which reach every channel of every workspace and server.
import type { Command } from '../domain/chat.ts';
import type { Permission } from './types.ts';

export function allowed(cmd: Command, need: Permission): boolean {
  switch (need) {
    case 'anyone':
      return true;
    case 'operator':
      return cmd.userIsOperator;
    case 'admin':
      return cmd.userIsAdmin || cmd.userIsOperator;
    case 'manage_channel':
      return cmd.userCanManageChannel || cmd.userIsAdmin;
  }
}

const WHO: Record<Command['platform'], Record<Exclude<Permission, 'anyone'>, string>> = {
  slack: {
    manage_channel: 'workspace admins and owners, or users on the bot\'s allowlist (slack.admin_user_ids)',
    admin: 'workspace admins and owners',
    operator: 'the bot\'s operators (slack.operator_user_ids)',
  },
  discord: {
    manage_channel: 'members with the Manage Channels or Manage Server permission',
    admin: 'members with the Manage Server or Administrator permission',
    operator: 'the bot\'s operators (discord.operator_user_ids)',
  },
  console: {
    manage_channel: 'the operator',
    admin: 'the operator',
    operator: 'the operator',
  },
};

/** One sentence saying why the caller was refused and who can do it (`also`: after what was wrong with the command). */
export function refusal(cmd: Command, need: Exclude<Permission, 'anyone'>, what: string, also = false): string {
  return `${also ? 'Also, only' : 'Sorry, only'} ${WHO[cmd.platform][need]} can ${what}; ask one of them to run it.`;
}

/** What a workspace or server is called on the platform, for sentences: "this workspace", "this server". */
export function tenantNoun(platform: Command['platform']): string {
  return platform === 'slack' ? 'workspace' : platform === 'discord' ? 'server' : 'console';
}
