// The one SQL rule of tenancy: a feed is visible to a tenant (its items may reach the tenant's channels,
// show in its `/news latest`, count as its "also covered by") when it is global or the tenant links it.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Tenant } from '../domain/tenancy.ts';

const isGlobal = (feed: string) => sql<SqlBool>`${sql.ref(`${feed}.is_global`)} = 1`;

/** The rule for a tenant given by its platform and workspace, as values or as columns of the query. */
function visible(feed: string, platform: Expression<unknown>, workspaceId: Expression<unknown>): Expression<SqlBool> {
  return sql<SqlBool>`(${isGlobal(feed)} or exists (select 1 from feed_tenants ft where ft.feed_id = ${sql.ref(`${feed}.id`)} and ft.platform = ${platform} and ft.workspace_id = ${workspaceId}))`;
}

/** `feed` is the alias of a feeds row in the query (e.g. `f` or `feeds`). A null tenant sees global feeds only. */
export function feedVisibleTo(feed: string, tenant: Tenant | null): Expression<SqlBool> {
  if (!tenant) return isGlobal(feed);
  return visible(feed, sql.val(tenant.platform), sql.val(tenant.workspaceId));
}

/**
 * The same rule for the tenant of a channel named in the query (`channel`: the alias of a channels row), for
 * queries over several channels at once: a channel's tenant is its platform and workspace.
 */
export function feedVisibleToChannel(feed: string, channel: string): Expression<SqlBool> {
  return visible(feed, sql.ref(`${channel}.platform`), sql.ref(`${channel}.workspace_id`));
}
