// The pure rules of tenancy: whose channels a feed reaches, and which story clusters an item may join.
import { describe, expect, it } from 'vitest';
import { isTenant, mayJoinCluster, NO_AUDIENCE, reaches, tenantKey, type FeedAudience } from '../../src/domain/tenancy.ts';

const GLOBAL: FeedAudience = { global: true, tenants: [] };
const A: FeedAudience = { global: false, tenants: ['slack:TA'] };
const B: FeedAudience = { global: false, tenants: ['discord:GB'] };
const AB: FeedAudience = { global: false, tenants: ['discord:GB', 'slack:TA'] };
const GLOBAL_AND_A: FeedAudience = { global: true, tenants: ['slack:TA'] };

describe('tenantKey and isTenant', () => {
  it.each([
    [{ platform: 'slack' as const, workspaceId: 'T1' }, 'slack:T1', true],
    [{ platform: 'discord' as const, workspaceId: '123' }, 'discord:123', true],
    [{ platform: 'discord' as const, workspaceId: '' }, 'discord:', false],
    [{ platform: 'console' as const, workspaceId: '' }, 'console:', false],
  ])('%j is %s', (t, key, tenant) => {
    expect(tenantKey(t)).toBe(key);
    expect(isTenant(t)).toBe(tenant);
  });
});

describe('reaches', () => {
  it.each([
    { name: 'a global feed reaches any tenant', audience: GLOBAL, tenant: 'discord:GB', want: true },
    { name: "a tenant's feed reaches that tenant", audience: A, tenant: 'slack:TA', want: true },
    { name: "a tenant's feed does not reach another tenant", audience: A, tenant: 'discord:GB', want: false },
    { name: 'the same workspace id on another platform is another tenant', audience: A, tenant: 'discord:TA', want: false },
    { name: 'a shared feed reaches each of its tenants', audience: AB, tenant: 'discord:GB', want: true },
    { name: 'the console gets global feeds', audience: GLOBAL, tenant: 'console:', want: true },
    { name: "the console does not get a tenant's feed", audience: A, tenant: 'console:', want: false },
    { name: 'an unknown feed reaches nobody', audience: NO_AUDIENCE, tenant: 'slack:TA', want: false },
  ])('$name', ({ audience, tenant, want }) => expect(reaches(audience, tenant)).toBe(want));
});

describe('mayJoinCluster (item audience, audience of the cluster\'s first item)', () => {
  it.each([
    { name: 'global joins global', item: GLOBAL, cluster: GLOBAL, want: true },
    { name: "global never joins a tenant's cluster", item: GLOBAL, cluster: A, want: false },
    { name: 'global never joins a cluster shared by tenants', item: GLOBAL, cluster: AB, want: false },
    { name: "a tenant's item joins a global cluster", item: A, cluster: GLOBAL, want: true },
    { name: "a tenant's item joins its own tenant's cluster", item: A, cluster: A, want: true },
    { name: "a tenant's item never joins another tenant's cluster", item: B, cluster: A, want: false },
    { name: 'an item of a feed two tenants share joins only where both see the first item', item: AB, cluster: A, want: false },
    { name: '... such as a cluster both tenants share', item: AB, cluster: AB, want: true },
    { name: 'a global feed that a tenant also added counts as global', item: GLOBAL_AND_A, cluster: A, want: false },
    { name: "an unknown feed's item joins nothing but global", item: NO_AUDIENCE, cluster: A, want: false },
  ])('$name', ({ item, cluster, want }) => expect(mayJoinCluster(item, cluster)).toBe(want));
});
