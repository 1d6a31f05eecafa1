// What a Discord member may do, computed the way Discord computes the permissions it puts on an
// interaction (the member's permissions in the channel: the guild owner has all; else @everyone and the
// member's roles, Administrator granting all, then the channel's overwrites for @everyone, the roles and
// the member), so the dashboard asks the same question /news asks: Manage Server for the server's feeds,
// Manage Channels (or Manage Server) in the channel for its subscriptions, View Channel to see it.
// Read over the bot's REST client: GET /guilds/{id}, /guilds/{id}/members/{user}, /guilds/{id}/channels.
import { DiscordAPIError, PermissionFlagsBits, PermissionsBitField, Routes, type REST } from 'discord.js';
import { NO_RIGHTS, type MemberAccess, type MemberChannelRights } from '../../domain/access.ts';

export interface Overwrite {
  id: string;
  /** 0: a role, 1: a member. */
  type: number;
  allow: string;
  deny: string;
}

export interface PermissionInput {
  guildId: string;
  ownerId: string;
  roles: ReadonlyArray<{ id: string; permissions: string }>;
  member: { userId: string; roles: readonly string[] };
}

const ALL = PermissionsBitField.All;

/** The member's permissions in the server (no channel). */
export function basePermissions(p: PermissionInput): bigint {
  if (p.member.userId === p.ownerId) return ALL;
  const byId = new Map(p.roles.map((r) => [r.id, BigInt(r.permissions)]));
  let perms = byId.get(p.guildId) ?? 0n;
  for (const r of p.member.roles) perms |= byId.get(r) ?? 0n;
  return (perms & PermissionFlagsBits.Administrator) !== 0n ? ALL : perms;
}

/** The member's permissions in a channel with these overwrites. */
export function channelPermissions(p: PermissionInput, overwrites: readonly Overwrite[]): bigint {
  let perms = basePermissions(p);
  if (perms === ALL) return ALL;
  const everyone = overwrites.find((o) => o.id === p.guildId);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== p.guildId && p.member.roles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === p.member.userId);
  if (own) perms = (perms & ~BigInt(own.deny)) | BigInt(own.allow);
  return perms;
}

/** Command.userIsAdmin and userCanManageChannel from the member's permissions in the channel (as /news reads them). */
export function commandRights(perms: bigint | PermissionsBitField | null | undefined): { isAdmin: boolean; canManage: boolean } {
  const bits = perms instanceof PermissionsBitField ? perms : new PermissionsBitField(perms ?? 0n);
  const isAdmin = bits.has(PermissionFlagsBits.ManageGuild);
  return { isAdmin, canManage: isAdmin || bits.has(PermissionFlagsBits.ManageChannels) };
}

/** 403 Missing Access / 404 Unknown Guild or Member: the bot is not in the server, or the person is not. */
const absent = (err: unknown) => err instanceof DiscordAPIError && (err.status === 404 || err.status === 403);

export function createDiscordAccess(rest: REST, operators: ReadonlySet<string>): MemberAccess {
  return {
    platform: 'discord',
    async rights(guildId, userId, channelIds) {
      let guild: { owner_id: string; roles: Array<{ id: string; permissions: string }> };
      let member: { roles: string[] };
      try {
        guild = (await rest.get(Routes.guild(guildId))) as typeof guild;
        member = (await rest.get(Routes.guildMember(guildId, userId))) as typeof member;
      } catch (err) {
        if (absent(err)) return NO_RIGHTS;
        throw err;
      }
      const channels = channelIds.length ? ((await rest.get(Routes.guildChannels(guildId))) as Array<{ id: string; permission_overwrites?: Overwrite[] }>) : [];
      const input: PermissionInput = { guildId, ownerId: guild.owner_id, roles: guild.roles, member: { userId, roles: member.roles ?? [] } };
      const out = new Map<string, MemberChannelRights>();
      for (const id of channelIds) {
        const ch = channels.find((c) => c.id === id);
        if (!ch) {
          out.set(id, { view: false, manage: false });
          continue;
        }
        const perms = new PermissionsBitField(channelPermissions(input, ch.permission_overwrites ?? []));
        const view = perms.has(PermissionFlagsBits.ViewChannel);
        out.set(id, { view, manage: view && commandRights(perms).canManage });
      }
      return { member: true, isAdmin: commandRights(basePermissions(input)).isAdmin, isOperator: operators.has(userId), channels: out };
    },
  };
}
