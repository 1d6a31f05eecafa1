// Builds the dashboard from configuration (passed in by main.ts): which sign-in methods are on, the cookie
// signing key, the install links; returns the handler the HTTP server mounts under /, and a stop() for its
// upkeep (expired sessions and old failed sign-ins are deleted hourly).
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { errorMessage } from '../lib/errors.ts';
import type { RouteHandler } from '../http/server.ts';
import { createWebApp, dashboardEnabled, IMPORT_MAX_BYTES, webRouteHandler, type WebDeps } from './app.tsx';
import { discordOAuth, slackOidc } from './oauth.ts';
import { createPasswordCheck, WINDOW_MS } from './password.ts';

export { IMPORT_MAX_BYTES };

export interface Dashboard {
  enabled: boolean;
  /** Sign-in methods that are on, for the start-up line. */
  methods: string[];
  handler: RouteHandler;
  /** Largest body the HTTP server lets through to the dashboard (the OPML import's). */
  maxBodyBytes: number;
  stop(): void;
}

type Given = Omit<WebDeps, 'settings' | 'sessionSecret' | 'password' | 'providers' | 'installLinks'>;

/** The Discord invite that adds the bot with the scopes and permissions it needs. */
export function discordInviteUrl(config: Config): string | null {
  const appId = config.secrets.discordApplicationId;
  if (!appId || !config.secrets.discordToken) return null;
  const u = new URL(config.web.discord.authorize_url);
  u.search = new URLSearchParams({ client_id: appId, scope: 'bot applications.commands', permissions: config.web.discord.invite_permissions }).toString();
  return u.toString();
}

export async function createDashboard(config: Config, given: Given & { slackInstallPath: string | null }): Promise<Dashboard> {
  const s = config.secrets;
  const providers: WebDeps['providers'] = {};
  const w = config.web;
  if (s.slackClientId && s.slackClientSecret) {
    providers.slack = slackOidc({ clientId: s.slackClientId, clientSecret: s.slackClientSecret, authorizeUrl: w.slack.authorize_url, tokenUrl: w.slack.token_url, userinfoUrl: w.slack.userinfo_url });
  }
  if (s.discordApplicationId && s.discordClientSecret) {
    providers.discord = discordOAuth({ clientId: s.discordApplicationId, clientSecret: s.discordClientSecret, authorizeUrl: w.discord.authorize_url, tokenUrl: w.discord.token_url, apiUrl: w.discord.api_url });
  }
  const password = s.dashboardPassword ? await createPasswordCheck(s.dashboardPassword) : null;
  const enabled = dashboardEnabled({ password, providers });
  const sessionSecret = enabled ? (s.dashboardSessionSecret ?? (await given.storage.webSessions.setting('session-secret', () => randomBytes(32).toString('base64url')))) : '';
  const deps: WebDeps = {
    ...given,
    settings: {
      publicUrl: w.public_url ? w.public_url.replace(/\/+$/, '') : null,
      sessionHours: w.session_hours,
      signInAttempts: w.sign_in_attempts,
      previewDays: w.preview_days,
      previewMaxItems: w.preview_max_items,
      quietAfterDays: config.polling.quiet_after_days,
    },
    sessionSecret,
    password,
    providers,
    installLinks: { slack: given.slackInstallPath, discord: discordInviteUrl(config) },
  };
  const app = createWebApp(deps);
  let timer: NodeJS.Timeout | null = null;
  if (enabled) {
    const prune = () => {
      const now = given.clock.now();
      given.storage.webSessions
        .prune(now, new Date(now.getTime() - WINDOW_MS))
        .catch((err: unknown) => given.logger.debug({ err: errorMessage(err) }, 'web: could not delete expired sessions (the storage monitor reports outages)'));
    };
    prune();
    timer = setInterval(prune, 3_600_000);
    timer.unref();
  }
  const methods = [password ? 'operator password' : null, providers.slack ? 'Slack' : null, providers.discord ? 'Discord' : null].filter((m): m is string => m !== null);
  return {
    enabled,
    methods,
    handler: webRouteHandler(app),
    maxBodyBytes: IMPORT_MAX_BYTES + 64 * 1024,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
