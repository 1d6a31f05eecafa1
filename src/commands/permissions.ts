// Who may run what, and the sentence that explains a refusal on each platform.
import type { Command } from '../domain/chat.ts';
import type { Permission } from './types.ts';

export function allowed(cmd: Command, need: Permission): boolean {
  if (need === 'anyone') return true;
  if (need === 'admin') return cmd.userIsAdmin;
  return cmd.userCanManageChannel || cmd.userIsAdmin;
}

const WHO: Record<Command['platform'], Record<Exclude<Permission, 'anyone'>, string>> = {
  slack: {
    manage_channel: 'workspace admins and owners, or users on the bot\'s allowlist (slack.admin_user_ids)',
    admin: 'workspace admins and owners',
  },
  discord: {
    manage_channel: 'members with the Manage Channels or Manage Server permission',
    admin: 'members with the Manage Server or Administrator permission',
  },
  console: {
    manage_channel: 'the operator',
    admin: 'the operator',
  },
};

/** One sentence saying why the caller was refused and who can do it. */
export function refusal(cmd: Command, need: Exclude<Permission, 'anyone'>, what: string): string {
  return `Sorry, only ${WHO[cmd.platform][need]} can ${what}; ask one of them to run it.`;
}
