// Resolves a signed-in person into a Viewer: for each workspace or server they belong to, the platform is
// asked (MemberAccess: the same questions its adapter asks for a /news command) whether they are an admin
// or an operator there, and which of its channels they can see and manage. The platform's answers are
// cached briefly per person and set of channels, so a page load does not cost a round of platform calls;
// the channels themselves are read fresh on every request.
import type { MemberAccess, MemberRights } from '../domain/access.ts';
import { tenantKey, type Tenant } from '../domain/tenancy.ts';
import type { Channel, PlatformName } from '../domain/types.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ChannelView, TenantView, Viewer, WebUser } from './types.ts';

export interface ViewerDeps {
  /** Every known channel (ChannelsRepo.list). */
  channels: () => Promise<Channel[]>;
  /** Workspaces or servers that own feeds (so an admin sees a tenant before any channel used /news). */
  feedTenants?: () => Promise<Tenant[]>;
  access: ReadonlyMap<PlatformName, MemberAccess>;
  clock: Clock;
  logger: Logger;
  /** How long a person's rights are reused (default 30 s). */
  cacheMs?: number;
}

/** At most this many Discord servers are asked about for one person. */
const MAX_GUILDS = 25;

export interface ViewerResolver {
  resolve(user: WebUser, sessionKey: string): Promise<Viewer>;
  /** Forgets a session's cached rights (sign-out). */
  forget(sessionKey: string): void;
}

export function createViewerResolver(deps: ViewerDeps): ViewerResolver {
  const cacheMs = deps.cacheMs ?? 30_000;
  const cache = new Map<string, { rights: Promise<MemberRights>; until: number }>();

  /** The platform's answer, reused for cacheMs when the same person asks about the same channels. */
  function rightsOf(access: MemberAccess, sessionKey: string, workspaceId: string, userId: string, channelIds: string[]): Promise<MemberRights> {
    const now = deps.clock.now().getTime();
    const key = `${sessionKey}|${access.platform}|${workspaceId}|${userId}|${channelIds.join(',')}`;
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.rights;
    if (cache.size > 5000) cache.clear();
    const rights = access.rights(workspaceId, userId, channelIds);
    cache.set(key, { rights, until: now + cacheMs });
    rights.catch(() => cache.delete(key));
    return rights;
  }

  async function tenantView(sessionKey: string, platform: PlatformName, workspaceId: string, name: string, userId: string, all: Channel[]): Promise<{ view: TenantView | null; notice: string | null }> {
    const tenant: Tenant = { platform, workspaceId };
    const access = deps.access.get(platform);
    const channels = all.filter((c) => c.platform === platform && c.workspaceId === workspaceId);
    if (!access) return { view: null, notice: `${platform === 'slack' ? 'Slack' : 'Discord'} is not connected in this deployment, so its channels cannot be shown.` };
    let rights: MemberRights;
    try {
      rights = await rightsOf(access, sessionKey, workspaceId, userId, channels.map((c) => c.externalId));
    } catch (err) {
      deps.logger.warn({ platform, workspace: workspaceId, user: userId, err: errorMessage(err) }, 'web: could not ask the platform for a signed-in user\'s rights');
      return { view: null, notice: `${platform === 'slack' ? 'Slack' : 'Discord'} did not say what you may see in ${name}; reload the page in a minute.` };
    }
    const visible: ChannelView[] = channels.flatMap((c) => {
      const r = rights.channels.get(c.externalId);
      return r?.view ? [{ channel: c, manage: r.manage }] : [];
    });
    if (!rights.member) return { view: null, notice: null };
    return { view: { tenant, key: tenantKey(tenant), name, isAdmin: rights.isAdmin, isOperator: rights.isOperator, channels: visible }, notice: null };
  }

  async function build(user: WebUser, sessionKey: string): Promise<Viewer> {
    const all = await deps.channels();
    if (user.kind === 'operator') {
      const keys = new Map<string, Tenant>();
      for (const c of all) keys.set(tenantKey(c), { platform: c.platform, workspaceId: c.workspaceId });
      for (const t of (await deps.feedTenants?.()) ?? []) keys.set(tenantKey(t), t);
      const tenants: TenantView[] = [...keys.values()].map((t) => ({
        tenant: t,
        key: tenantKey(t),
        name: t.platform === 'console' ? 'console' : `${t.platform === 'slack' ? 'Slack' : 'Discord'} ${t.workspaceId}`,
        isAdmin: true,
        isOperator: true,
        channels: all.filter((c) => c.platform === t.platform && c.workspaceId === t.workspaceId).map((c) => ({ channel: c, manage: true })),
      }));
      return { user, label: 'Operator', operator: true, tenants, channels: all.map((c) => ({ channel: c, manage: true })), notice: null };
    }
    const notices: string[] = [];
    const tenants: TenantView[] = [];
    if (user.kind === 'slack') {
      const { view, notice } = await tenantView(sessionKey, 'slack', user.teamId, user.teamName ?? user.teamId, user.userId, all);
      if (view) tenants.push(view);
      if (notice) notices.push(notice);
    } else {
      // Servers that hold channels or feeds of ours, or that the person manages (an admin may add the first feed).
      const known = new Set(all.filter((c) => c.platform === 'discord').map((c) => c.workspaceId));
      for (const t of (await deps.feedTenants?.()) ?? []) if (t.platform === 'discord') known.add(t.workspaceId);
      const candidates = user.guilds.filter((g) => known.has(g.id) || g.manageGuild).slice(0, MAX_GUILDS);
      const views = await Promise.all(candidates.map((g) => tenantView(sessionKey, 'discord', g.id, g.name, user.userId, all)));
      for (const { view, notice } of views) {
        if (view) tenants.push(view);
        if (notice && !notices.includes(notice)) notices.push(notice);
      }
    }
    const where = user.kind === 'slack' ? `Slack: ${user.teamName ?? user.teamId}` : 'Discord';
    return { user, label: `${user.name} (${where})`, operator: false, tenants, channels: tenants.flatMap((t) => t.channels), notice: notices.join(' ') || null };
  }

  return {
    resolve: (user, sessionKey) => build(user, sessionKey),
    forget(sessionKey) {
      for (const key of cache.keys()) if (key.startsWith(`${sessionKey}|`)) cache.delete(key);
    },
  };
}
