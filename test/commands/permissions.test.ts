// Who may run what: the permission each command asks for with its arguments, and who has it.
import { describe, expect, it } from 'vitest';
import { allowed, refusal } from '../../src/commands/permissions.ts';
import { commandsByName } from '../../src/commands/registry.ts';
import type { Command } from '../../src/domain/chat.ts';

type Who = Pick<Command, 'userIsAdmin' | 'userIsOperator' | 'userCanManageChannel'>;
const member: Who = { userIsAdmin: false, userIsOperator: false, userCanManageChannel: false };
const manager: Who = { ...member, userCanManageChannel: true };
const admin: Who = { userIsAdmin: true, userIsOperator: false, userCanManageChannel: true };
const operator: Who = { ...member, userIsOperator: true };

const cmd = (who: Who, platform: Command['platform'] = 'slack'): Command => ({ platform, workspaceId: 'T1', channelId: 'C1', channelName: null, userId: 'U1', ...who, name: '', args: [], text: '' });

describe('the permission a command asks for', () => {
  it.each([
    ['feeds', [], 'anyone'],
    ['feeds', ['list'], 'anyone'],
    ['feeds', ['list', 'global'], 'anyone'],
    ['feeds', ['add', 'https://x.example/rss'], 'admin'],
    ['feeds', ['REMOVE', '3'], 'admin'],
    ['feeds', ['add', 'global', 'https://x.example/rss'], 'operator'],
    ['feeds', ['remove', 'GLOBAL', '3'], 'operator'],
    ['feeds', ['disable', '3'], 'anyone'], // not an action: answered with the usage, changes nothing
    ['subscribe', ['espionage'], 'manage_channel'],
    ['keywords', ['list'], 'anyone'],
    ['keywords', ['add', 'x'], 'manage_channel'],
    ['status', [], 'anyone'],
  ])('%s %j needs %s', (name, args, want) => expect(commandsByName.get(name)!.permission(args)).toBe(want));
});

describe('who has a permission', () => {
  it.each([
    { need: 'manage_channel', who: member, want: false },
    { need: 'manage_channel', who: manager, want: true },
    { need: 'manage_channel', who: admin, want: true },
    { need: 'manage_channel', who: operator, want: false },
    { need: 'admin', who: manager, want: false },
    { need: 'admin', who: admin, want: true },
    { need: 'admin', who: operator, want: true },
    { need: 'operator', who: admin, want: false },
    { need: 'operator', who: manager, want: false },
    { need: 'operator', who: operator, want: true },
  ] as const)('$need: $who -> $want', ({ need, who, want }) => expect(allowed(cmd(who), need)).toBe(want));
});

describe('refusals name who can do it', () => {
  it.each([
    ['slack', "Sorry, only the bot's operators (slack.operator_user_ids) can add or remove global feeds, which reach every channel; ask one of them to run it."],
    ['discord', "Sorry, only the bot's operators (discord.operator_user_ids) can add or remove global feeds, which reach every channel; ask one of them to run it."],
  ] as const)('%s', (platform, want) => {
    const feeds = commandsByName.get('feeds')!;
    const action = typeof feeds.action === 'function' ? feeds.action(['add', 'global', 'https://x.example/rss']) : feeds.action;
    expect(refusal(cmd(admin, platform), 'operator', action)).toBe(want);
  });
});
