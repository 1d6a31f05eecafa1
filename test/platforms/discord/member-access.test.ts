// Discord permissions as Discord computes them for an interaction, so the dashboard asks what /news asks:
// owner, @everyone and roles (Administrator grants all), then channel overwrites for @everyone, roles and
// the member; and the same rights reading (Manage Server: admin; Manage Channels or Manage Server: manage).
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePermissions, channelPermissions, commandRights, createDiscordAccess, type Overwrite, type PermissionInput } from '../../../src/platforms/discord/member-access.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../../emulators/discord.ts';

const G = '700000000000000031';
const P = PERMISSIONS;
const input = (roles: string[], userId = 'U', extra: Partial<PermissionInput> = {}): PermissionInput => ({
  guildId: G,
  ownerId: 'OWNER',
  roles: [
    { id: G, permissions: String(P.ViewChannel | P.SendMessages) },
    { id: 'editors', permissions: String(P.ManageChannels) },
    { id: 'admins', permissions: String(P.Administrator) },
    { id: 'managers', permissions: String(P.ManageGuild) },
  ],
  member: { userId, roles },
  ...extra,
});
const hide = (id: string, type: 0 | 1 = 0): Overwrite & { type: 0 | 1 } => ({ id, type, allow: '0', deny: String(P.ViewChannel) });
const show = (id: string, type: 0 | 1 = 0): Overwrite & { type: 0 | 1 } => ({ id, type, allow: String(P.ViewChannel), deny: '0' });

describe('discord permissions', () => {
  it.each([
    ['a plain member', input([]), [], { view: true, admin: false, manage: false }],
    ['an editor (Manage Channels)', input(['editors']), [], { view: true, admin: false, manage: true }],
    ['a manager (Manage Server)', input(['managers']), [], { view: true, admin: true, manage: true }],
    ['an Administrator, even where @everyone is hidden', input(['admins']), [hide(G)], { view: true, admin: true, manage: true }],
    ['the owner, with no roles', input([], 'OWNER'), [hide(G)], { view: true, admin: true, manage: true }],
    ['a member where @everyone is hidden', input([]), [hide(G)], { view: false, admin: false, manage: false }],
    ['an editor whose role is shown a hidden channel', input(['editors']), [hide(G), show('editors')], { view: true, admin: false, manage: true }],
    ['a member denied the channel by a member overwrite', input(['editors']), [show('editors'), hide('U', 1)], { view: false, admin: false, manage: true }],
  ])('%s', (_, who, overwrites, want) => {
    const perms = channelPermissions(who, overwrites);
    const rights = commandRights(perms);
    expect({ view: (perms & P.ViewChannel) !== 0n, admin: rights.isAdmin, manage: rights.canManage }).toEqual(want);
    expect(commandRights(basePermissions(who)).isAdmin).toBe(want.admin);
  });

  describe('over the bot REST client, against the emulator', () => {
    let discord: FakeDiscord;
    let rest: REST;
    beforeAll(async () => {
      discord = await startFakeDiscord({
        token: 'member-access.token',
        applicationId: '800000000000000031',
        guilds: [{ id: G, name: 'G', roles: [{ id: '720000000000000031', name: 'editors', permissions: P.ManageChannels }], members: { '600000000000000031': ['720000000000000031'], '600000000000000032': [] }, channels: [{ id: '710000000000000031', name: 'news' }, { id: '710000000000000032', name: 'staff', overwrites: [hide(G)] }] }],
      });
      rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken('member-access.token');
    });
    afterAll(async () => discord.close());

    it('reads roles, membership and overwrites; strangers and servers without the bot get no rights', async () => {
      const access = createDiscordAccess(rest, new Set(['600000000000000032']));
      const editor = await access.rights(G, '600000000000000031', ['710000000000000031', '710000000000000032', '710000000000000099']);
      expect(editor).toEqual({
        member: true,
        isAdmin: false,
        isOperator: false,
        channels: new Map([['710000000000000031', { view: true, manage: true }], ['710000000000000032', { view: false, manage: false }], ['710000000000000099', { view: false, manage: false }]]),
      });
      const member = await access.rights(G, '600000000000000032', ['710000000000000031']);
      expect([member.isOperator, member.channels.get('710000000000000031')]).toEqual([true, { view: true, manage: false }]);
      expect((await access.rights(G, '600000000000000099', ['710000000000000031'])).member).toBe(false);
      expect((await access.rights('700000000000000099', '600000000000000031', [])).member).toBe(false);
    });
  });
});
