// Which chat platforms run: every adapter whose tokens are set, or the console when none are. A list of
// entries, not an if-chain: adding a platform is adding an entry. An adapter module, and with it its SDK
// (@slack/bolt, discord.js: hundreds of milliseconds and tens of MB each), is imported only when its
// platform is configured.
import type { Config } from '../config/schema.ts';
import type { ChatPlatform } from '../domain/chat.ts';
import type { PlatformName } from '../domain/types.ts';
import type { Route } from '../http/server.ts';
import { ConfigError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { createConsolePlatform, type ConsoleOptions } from './console/adapter.ts';
import type { GatewayLeadership } from './discord/adapter.ts';
import { createHmac } from 'node:crypto';
import { configuredSecretBox } from '../lib/secret-box.ts';
import { SLACK_INSTALL_PATH, SLACK_OAUTH_REDIRECT_PATH } from './slack/paths.ts';
import type { SlackOAuthOptions } from './slack/adapter.ts';
import { createInstallationStore, type InstallationRows } from './slack/installation-store.ts';

export { SLACK_INSTALL_PATH };

export interface PlatformOptions {
  /** Console adapter options (output, optional command input). */
  console?: ConsoleOptions;
  /** Lets one instance alone hold the Discord gateway (e.g. storage.locks on PostgreSQL). */
  discordLeadership?: GatewayLeadership;
  /** Where Add to Slack keeps installations (storage's SlackInstallationsRepo); sealed before they get there. */
  slackInstallations?: InstallationRows;
  /** The workspace a Slack channel belongs to (storage's channels), for sends with many workspaces. */
  slackTeamOfChannel?: (channelId: string) => Promise<string | null>;
  /** Where the browser lands after Add to Slack (the dashboard's page). */
  slackInstalledPath?: string;
}

interface PlatformContext extends PlatformOptions {
  logger: Logger;
}

export interface CreatedPlatforms {
  platforms: ChatPlatform[];
  /** HTTP routes to mount on the server (Slack's POST /slack/events when Slack runs over HTTP). */
  routes: Route[];
}

interface PlatformEntry {
  name: PlatformName;
  /** True when its tokens are set. */
  configured(config: Config): boolean;
  /** Checks the settings (throws ConfigError naming a missing one), then imports and builds the adapter. */
  create(config: Config, ctx: PlatformContext): Promise<ChatPlatform>;
}

/** Add to Slack needs the app's client id and secret, and the key that seals installations at rest. */
export const slackInstallConfigured = (c: Config) => !!(c.secrets.slackClientId && c.secrets.slackClientSecret && c.secrets.encryptionKey);

function slackOAuth(c: Config, ctx: PlatformContext): SlackOAuthOptions | null {
  const s = c.secrets;
  if (!slackInstallConfigured(c) || !ctx.slackInstallations) {
    if (s.slackClientId && s.slackClientSecret && !s.encryptionKey) ctx.logger.warn('slack: Add to Slack is off: set CYBERBRIEF_ENCRYPTION_KEY (32 bytes, e.g. openssl rand -hex 32) so installations are encrypted at rest.');
    return null;
  }
  const box = configuredSecretBox(s)!; // slackInstallConfigured: the key is set
  return {
    clientId: s.slackClientId!,
    clientSecret: s.slackClientSecret!,
    // Shared by every instance, and not usable to open anything: HMACs of the encryption key, then of the
    // previous keys (an install started before a key rotation still completes).
    stateSecrets: [s.encryptionKey!, ...s.previousEncryptionKeys].map((k) => createHmac('sha256', k).update('cyberbrief slack oauth state').digest('base64url')),
    authorizationUrl: c.web.slack.install_url,
    scopes: c.web.slack.install_scopes,
    redirectUri: c.web.public_url ? `${c.web.public_url.replace(/\/+$/, '')}${SLACK_OAUTH_REDIRECT_PATH}` : null,
    installations: createInstallationStore(ctx.slackInstallations, box),
    donePath: ctx.slackInstalledPath ?? '/installed',
  };
}

const slack: PlatformEntry = {
  name: 'slack',
  configured: (c) => !!c.secrets.slackBotToken || slackInstallConfigured(c),
  async create(c, ctx) {
    const s = c.secrets;
    if (c.slack.socket_mode && !s.slackAppToken) throw new ConfigError('slack: slack.socket_mode is on but SLACK_APP_TOKEN is not set; set it (xapp-...) or turn socket_mode off.');
    if (!c.slack.socket_mode && !s.slackSigningSecret) throw new ConfigError('slack: SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not; set it (Basic Information > App Credentials) or use socket_mode with SLACK_APP_TOKEN.');
    const { createSlackPlatform } = await import('./slack/adapter.ts');
    return createSlackPlatform({
      botToken: s.slackBotToken,
      oauth: slackOAuth(c, ctx),
      ...(ctx.slackTeamOfChannel ? { teamOfChannel: ctx.slackTeamOfChannel } : {}),
      signingSecret: s.slackSigningSecret,
      appToken: s.slackAppToken,
      socketMode: c.slack.socket_mode,
      apiUrl: s.slackApiUrl,
      adminUserIds: c.slack.admin_user_ids,
      operatorUserIds: c.slack.operator_user_ids,
      logger: ctx.logger,
    });
  },
};

const discord: PlatformEntry = {
  name: 'discord',
  configured: (c) => !!c.secrets.discordToken,
  async create(c, ctx) {
    const s = c.secrets;
    if (!s.discordApplicationId) throw new ConfigError('discord: DISCORD_TOKEN is set but DISCORD_APPLICATION_ID is not; copy it from the Developer Portal (General Information > Application ID).');
    const { createDiscordPlatform } = await import('./discord/adapter.ts');
    return createDiscordPlatform({
      token: s.discordToken!,
      applicationId: s.discordApplicationId,
      devGuildId: c.discord.dev_guild_id,
      apiUrl: s.discordApiUrl,
      operatorUserIds: c.discord.operator_user_ids,
      logger: ctx.logger,
      ...(ctx.discordLeadership ? { leadership: ctx.discordLeadership, leaderRetryMs: c.discord.leader_retry_seconds * 1000 } : {}),
    });
  },
};

export const PLATFORM_REGISTRY: readonly PlatformEntry[] = [slack, discord];

/**
 * Every platform whose tokens are set (the console adapter when none are), and the HTTP routes they need.
 * Rejects with ConfigError when a platform is half-configured (a token without its companion setting).
 */
export async function createPlatforms(config: Config, logger: Logger, opts: PlatformOptions = {}): Promise<CreatedPlatforms> {
  const ctx: PlatformContext = { ...opts, logger };
  const chosen = PLATFORM_REGISTRY.filter((p) => p.configured(config));
  const platforms: ChatPlatform[] = [];
  for (const p of chosen) platforms.push(await p.create(config, ctx));
  if (platforms.length === 0) platforms.push(createConsolePlatform(ctx.console));
  return { platforms, routes: httpRoutesOf(platforms) };
}

/** HTTP routes the platforms need mounted (Slack's /slack/events over HTTP). */
export function httpRoutesOf(platforms: readonly ChatPlatform[]): Route[] {
  return platforms.flatMap((p) => ('httpRoutes' in p && Array.isArray(p.httpRoutes) ? (p.httpRoutes as Route[]) : []));
}
