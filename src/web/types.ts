// Who is signed in to the dashboard, and what they may see and do: the same rights the chat platforms give
// the same person for /news (see access.ts), never a model of its own.
import type { Tenant, TenantKey } from '../domain/tenancy.ts';
import type { Channel } from '../domain/types.ts';

/** The person behind a session, as the sign-in method vouched for them (stored in the session row). */
export type WebUser =
  /** DASHBOARD_PASSWORD: the deployment's operator, with the CLI's view of everything. */
  | { kind: 'operator' }
  /** Sign in with Slack: the user and workspace from Slack's OpenID Connect userInfo. */
  | { kind: 'slack'; teamId: string; teamName: string | null; userId: string; name: string }
  /** Sign in with Discord: the user, and the servers /users/@me/guilds listed at sign-in. */
  | { kind: 'discord'; userId: string; name: string; guilds: Array<{ id: string; name: string; manageGuild: boolean }> };

export interface ChannelView {
  channel: Channel;
  /** May change the channel's subscriptions and keywords (Command.userCanManageChannel there). */
  manage: boolean;
}

/** One workspace or server the person belongs to, with their rights in it. */
export interface TenantView {
  tenant: Tenant;
  key: TenantKey;
  name: string;
  /** Command.userIsAdmin: may add and remove the tenant's own feeds. */
  isAdmin: boolean;
  /** Command.userIsOperator: may add and remove global feeds and edit topics. */
  isOperator: boolean;
  /** The tenant's channels the person can see. */
  channels: ChannelView[];
}

export interface Viewer {
  user: WebUser;
  /** "Ada (Slack: Newsroom)" */
  label: string;
  /** The dashboard operator (password): every channel, feed and alert. */
  operator: boolean;
  tenants: TenantView[];
  /** Every channel the person can see, across tenants. */
  channels: ChannelView[];
  /** Something the platform could not tell us (shown on the pages), else null. */
  notice: string | null;
}

/** Channel row ids the viewer may see; null: all (the operator). */
export const channelScope = (v: Viewer): number[] | null => (v.operator ? null : v.channels.map((c) => c.channel.id));

/** Tenants whose feeds the viewer sees (global feeds always); null: every feed (the operator). */
export const feedScope = (v: Viewer): Tenant[] | null => (v.operator ? null : v.tenants.map((t) => t.tenant));

/** May edit topics (which every channel of every workspace follows): operators only, as global feeds. */
export const mayEditTopics = (v: Viewer): boolean => v.operator || v.tenants.some((t) => t.isOperator);
