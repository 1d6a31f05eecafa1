// Who owns feeds, and whose channels a feed's items may reach. Pure rules, no I/O.
//
// A tenant is one Slack workspace (team) or one Discord server (guild): platform + workspace id, taken
// from the platform's verified payload. A feed is *global* (configuration, CLI, operators: it reaches
// every channel) and/or *owned* by tenants (added with /news feeds add: it reaches only their channels).
// Two tenants adding one URL share one feed row, fetched once, each with its own link to it.
import type { PlatformName } from './types.ts';

export interface Tenant {
  platform: PlatformName;
  /** Slack team id, Discord guild id; '' for the console (which has no tenants). */
  workspaceId: string;
}

/** `slack:T123`, `discord:456`: a tenant as one comparable string. */
export type TenantKey = string;

export function tenantKey(t: Tenant): TenantKey {
  return `${t.platform}:${t.workspaceId}`;
}

/** Whether tenant-scoped feed commands make sense here: a real workspace or server, not the console. */
export function isTenant(t: Tenant): boolean {
  return t.platform !== 'console' && t.workspaceId !== '';
}

/** Who a feed's items may reach: every channel (global), and the channels of these tenants. */
export interface FeedAudience {
  global: boolean;
  tenants: readonly TenantKey[];
}

/** Reaches nobody: the audience of a feed that is not known (removed meanwhile). */
export const NO_AUDIENCE: FeedAudience = { global: false, tenants: [] };

/** Whether an item with this audience may go to a channel of `tenant`. */
export function reaches(audience: FeedAudience, tenant: TenantKey): boolean {
  return audience.global || audience.tenants.includes(tenant);
}

/**
 * Whether an item may join a story cluster whose first item (the one whose signature the cluster keeps)
 * has audience `cluster`. Only when everyone who can see the item can also see that first item: a
 * global item joins only clusters started by global items, and a tenant's item joins clusters started
 * by global items or by feeds that tenant also has. So one tenant's feed can never start a story that
 * swallows another tenant's (or the global) stories into "also covered by", nor sway their clustering.
 */
export function mayJoinCluster(item: FeedAudience, cluster: FeedAudience): boolean {
  if (cluster.global) return true;
  if (item.global) return false;
  return item.tenants.length > 0 && item.tenants.every((t) => cluster.tenants.includes(t));
}
