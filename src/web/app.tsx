// The dashboard: a Hono app served by our node:http server under / (the Slack, health and metrics routes
// keep their own handlers). Server-rendered pages that work without JavaScript; one small script of ours
// refreshes the topic preview while typing. Every request gets security headers; every POST needs the
// session's CSRF token (or, before sign-in, the signed pre-session token) and comes from this site.
// What a person sees and may change is decided by the chat platforms' own rights (access.ts), and changes
// run as the same /news commands through the same handler and permission check (kit.ts).
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { MemberAccess } from '../domain/access.ts';
import type { CommandHandler } from '../domain/chat.ts';
import type { PlatformName, Topic } from '../domain/types.ts';
import type { RouteHandler } from '../http/server.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { LiveTopics } from '../matching/live-topics.ts';
import type { Storage } from '../storage/index.ts';
import { createViewerResolver } from './access.ts';
import { createKit, type WebEnv } from './kit.tsx';

export { IMPORT_MAX_BYTES } from './kit.tsx';
import type { OAuthProvider } from './oauth.ts';
import { registerAlerts } from './pages/alerts.tsx';
import { registerChannels } from './pages/channels.tsx';
import { registerFeeds } from './pages/feeds.tsx';
import { registerOverview } from './pages/overview.tsx';
import { registerSignIn, OffPage } from './pages/sign-in.tsx';
import { registerTopics } from './pages/topics.tsx';
import { methodGuard } from './methods.ts';
import type { PasswordCheck } from './password.ts';
import { securityHeaders } from './security.ts';
import { createSessions } from './session.ts';

export interface WebSettings {
  /** The dashboard's own address (OAuth redirect URIs); null: the request's Host. */
  publicUrl: string | null;
  sessionHours: number;
  signInAttempts: number;
  previewDays: number;
  previewMaxItems: number;
  /** polling.quiet_after_days: feeds that brought nothing new for this long show as quiet (0: never). */
  quietAfterDays?: number;
}

export interface WebDeps {
  settings: WebSettings;
  storage: Pick<Storage, 'channels' | 'feeds' | 'alerts' | 'dashboard' | 'topicVersions' | 'webSessions'>;
  /** Signs cookies (DASHBOARD_SESSION_SECRET, or a key generated once and kept in the database). */
  sessionSecret: string;
  /** The /news command handler the chat platforms use: every change made here goes through it. */
  handler: CommandHandler;
  topics: LiveTopics;
  /** The topics file this deployment loaded (topics.file, resolved): version 0 of the topics. */
  topicsFile: string;
  /** Validates topics as a topics file (config/topics.ts parseTopics). */
  parseTopics: (raw: unknown, source: string) => Topic[];
  /** The platforms' answers to "what may this person do" (their adapters implement MemberAccess). */
  access: ReadonlyMap<PlatformName, MemberAccess>;
  password: PasswordCheck | null;
  providers: Partial<Record<'slack' | 'discord', OAuthProvider>>;
  /** "Add to Slack" (our /slack/install) and "Add to Discord" (the invite link), when set up. */
  installLinks: { slack: string | null; discord: string | null };
  /** Feed URLs as /news feeds add checks them (for OPML import). */
  clock: Clock;
  logger: Logger;
  /** Wakes the dispatcher after dead letters are queued again. */
  notifyDispatcher?: () => void;
}

const STATIC_DIR = path.join(import.meta.dirname, 'static');
const STATIC: Record<string, { type: string; body: string }> = {
  'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(STATIC_DIR, 'app.css'), 'utf8') },
  'preview.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(STATIC_DIR, 'preview.js'), 'utf8') },
};

/** Whether a sign-in method is configured; the dashboard is off (and says so) until one is. */
export const dashboardEnabled = (d: Pick<WebDeps, 'password' | 'providers'>) => !!(d.password || d.providers.slack || d.providers.discord);

export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const secure = deps.settings.publicUrl?.startsWith('https:') ?? false;
  app.use('*', securityHeaders({ hsts: secure }));
  app.use('*', methodGuard(app));
  app.get('/static/:file', (c) => {
    const f = STATIC[c.req.param('file')];
    if (!f) return c.text('not found\n', 404);
    return c.body(f.body, 200, { 'content-type': f.type, 'cache-control': 'public, max-age=3600' });
  });

  if (!dashboardEnabled(deps)) {
    app.get('/', (c) => c.html(`<!DOCTYPE html>${String(OffPage())}`));
    app.all('*', (c) => c.text('not found\n', 404));
    return app;
  }

  const sessions = createSessions(deps.storage.webSessions, { secret: deps.sessionSecret, secure }, { hours: deps.settings.sessionHours, now: () => deps.clock.now() });
  const viewers = createViewerResolver({
    channels: () => deps.storage.channels.list(),
    feedTenants: () => deps.storage.dashboard.feedTenants(),
    access: deps.access,
    clock: deps.clock,
    logger: deps.logger,
  });
  const kit = createKit({ deps, sessions, viewers, cookies: { secret: deps.sessionSecret, secure } });
  app.use('*', kit.middleware);

  registerSignIn(app, kit);
  registerOverview(app, kit);
  registerFeeds(app, kit);
  registerTopics(app, kit);
  registerChannels(app, kit);
  registerAlerts(app, kit);
  app.notFound((c) => kit.page(c, 404, { title: 'Not found', body: <p>There is no such page. <a href="/">Back to the overview</a>.</p> }));
  app.onError((err, c) => {
    deps.logger.error({ err: errorMessage(err), path: c.req.path }, `web: ${c.req.method} ${c.req.path} failed: ${errorMessage(err)}`);
    return kit.page(c, 500, { title: 'Something went wrong', body: <p>The page could not be shown; the error was logged for the operator. Try again in a minute.</p> });
  });
  return app;
}

/** The dashboard as a node:http handler for the HTTP server's fallback (every path no other route names). */
export function webRouteHandler(app: Hono<WebEnv>): RouteHandler {
  const listener = getRequestListener((req, env) => app.fetch(req, env as HttpBindings));
  return (req, res) => listener(req, res);
}
