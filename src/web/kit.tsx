// What every page handler shares: the request checks (body size, same-site origin, form content types,
// CSRF), the session and the person's Viewer, rendering inside the layout, one-shot messages after a
// redirect, and running a change as the /news command it is, through the same handler and permission check
// the chat platforms use.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import { allowed, refusal } from '../commands/permissions.ts';
import { commandsByName } from '../commands/registry.ts';
import type { Command } from '../domain/chat.ts';
import type { ViewerResolver } from './access.ts';
import type { WebDeps } from './app.tsx';
import { Layout, type Flash } from './views/layout.tsx';
import { clearCookie, randomToken, readCookie, sameSecret, setCookie, type CookieSettings, type Session, type Sessions } from './session.ts';
import type { ChannelView, TenantView, Viewer } from './types.ts';

export type WebEnv = { Bindings: HttpBindings; Variables: { session: Session | null; viewer: Viewer | null; flash: Flash | null } };
export type Ctx = Context<WebEnv>;
export type Form = Record<string, string | File | (string | File)[]>;

const FLASH = 'cb_flash';
/** The CSRF token of a browser that has no session yet (the password sign-in form). */
export const PRE_CSRF = 'cb_csrf';
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
/** Largest form body; the OPML import has its own, larger limit. */
export const FORM_MAX_BYTES = 64 * 1024;
export const IMPORT_MAX_BYTES = 1024 * 1024;
const LARGE_FORMS = new Set(['/feeds/import']);

/** Who a change is made for: a workspace or server (its feeds), and a channel of it (its settings). */
export interface Target {
  tenant: TenantView | null;
  channel?: ChannelView;
}

export type RunResult = { ok: true; text: string } | { ok: false; refusal: string };

export interface Kit {
  deps: WebDeps;
  sessions: Sessions;
  viewers: ViewerResolver;
  cookies: CookieSettings;
  middleware: MiddlewareHandler<WebEnv>;
  /** Pages that need a signed-in person: GET goes to the sign-in page, anything else gets 403. */
  signedIn: MiddlewareHandler<WebEnv>;
  viewer(c: Ctx): Viewer;
  page(c: Ctx, status: number, p: { title: string; body: Child; path?: string; scripts?: string[]; flash?: Flash | null }): Promise<Response>;
  forbidden(c: Ctx, sentence: string): Promise<Response>;
  form(c: Ctx): Promise<Form>;
  /** Redirects (303) with a message shown once on the next page. */
  back(c: Ctx, to: string, flash?: Flash): Promise<Response>;
  run(viewer: Viewer, target: Target, name: string, args: string[]): Promise<RunResult>;
  /** The refusal /news would give for this command, or null when it is allowed (nothing is run). */
  may(viewer: Viewer, target: Target, name: string, args: string[]): string | null;
  clientAddress(c: Ctx): string;
  /** The dashboard's origin for redirect URIs: web.public_url, else the request's own. */
  publicBase(c: Ctx): string;
}

export const field = (form: Form, name: string): string => {
  const v = form[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : '';
};

export const fields = (form: Form, name: string): string[] => {
  const v = form[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
};

/** The Command a change made on the dashboard stands for: what the platform's adapter would have built. */
export function commandFor(viewer: Viewer, target: Target, name: string, args: string[]): Command {
  const text = [name, ...args].join(' ');
  const ch = target.channel?.channel;
  if (viewer.operator) {
    // The operator has the console's rights; feeds changed without a workspace are the global ones.
    if (!ch) return { platform: 'console', workspaceId: '', channelId: '', channelName: null, userId: 'dashboard:operator', userIsAdmin: true, userIsOperator: true, userCanManageChannel: true, name, args, text };
    return { platform: ch.platform, workspaceId: ch.workspaceId, channelId: ch.externalId, channelName: ch.name, userId: 'dashboard:operator', userIsAdmin: true, userIsOperator: true, userCanManageChannel: true, name, args, text };
  }
  const t = target.tenant;
  const user = viewer.user;
  const userId = user.kind === 'operator' ? 'dashboard:operator' : user.userId;
  return {
    platform: t?.tenant.platform ?? (user.kind === 'discord' ? 'discord' : 'slack'),
    workspaceId: t?.tenant.workspaceId ?? '',
    channelId: ch?.externalId ?? '',
    channelName: ch?.name ?? null,
    userId,
    userIsAdmin: t?.isAdmin ?? false,
    userIsOperator: t?.isOperator ?? false,
    userCanManageChannel: target.channel?.manage ?? false,
    name,
    args,
    text,
  };
}

function hostOf(c: Ctx): string | null {
  const host = c.req.header('host') ?? '';
  return /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host) ? host : null;
}

export function createKit(o: { deps: WebDeps; sessions: Sessions; viewers: ViewerResolver; cookies: CookieSettings }): Kit {
  const { deps, sessions, viewers, cookies } = o;
  const configured = deps.settings.publicUrl ? new URL(deps.settings.publicUrl).origin : null;

  async function page(c: Ctx, status: number, p: { title: string; body: Child; path?: string; scripts?: string[]; flash?: Flash | null }): Promise<Response> {
    const session = c.get('session');
    const doc = (
      <Layout title={p.title} viewer={c.get('viewer')} csrf={session?.csrf} path={p.path} flash={p.flash ?? c.get('flash')} scripts={p.scripts}>
        {p.body}
      </Layout>
    );
    return c.html(`<!DOCTYPE html>${await doc.toString()}`, status as 200);
  }

  const forbidden = (c: Ctx, sentence: string) => page(c, 403, { title: 'Not allowed', body: <p class="notice error">{sentence}</p> });

  const middleware: MiddlewareHandler<WebEnv> = async (c, next) => {
    c.set('session', null);
    c.set('viewer', null);
    c.set('flash', null);
    const method = c.req.method;
    const changes = method !== 'GET' && method !== 'HEAD';
    if (changes) {
      const limit = LARGE_FORMS.has(c.req.path) ? IMPORT_MAX_BYTES : FORM_MAX_BYTES;
      const declared = c.req.header('content-length');
      if (declared === undefined) return c.text('a Content-Length header is required\n', 411);
      const length = Number(declared);
      if (!Number.isFinite(length) || length > limit) return c.text(`request body over ${limit} bytes\n`, 413);
      // Only this site's pages post here (a browser says where a request comes from).
      if (c.req.header('sec-fetch-site') === 'cross-site') return c.text('cross-site form posts are refused\n', 403);
      const origin = c.req.header('origin');
      if (origin && origin !== 'null') {
        const host = hostOf(c);
        const ok = configured ? origin === configured : !!host && (origin === `http://${host}` || origin === `https://${host}`);
        if (!ok) return c.text('form posts from another origin are refused\n', 403);
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!FORM_TYPES.includes(type)) return c.text('expected a form (application/x-www-form-urlencoded or multipart/form-data)\n', 415);
    }
    const session = await sessions.load(c);
    c.set('session', session);
    if (!changes) {
      const flash = await readCookie(c, cookies, FLASH);
      if (flash) {
        clearCookie(c, cookies, FLASH);
        try {
          const f = JSON.parse(flash) as { t?: unknown; e?: unknown };
          if (typeof f.t === 'string') c.set('flash', { text: f.t.slice(0, 2000), error: f.e === true });
        } catch {
          /* a flash we cannot read is dropped */
        }
      }
      return next();
    }
    // Every form carries the session's CSRF token; before sign-in, the token of the pre-session cookie.
    const form = await c.req.parseBody({ all: true }).catch(() => null);
    if (!form) return c.text('the form could not be read\n', 400);
    const sent = typeof form._csrf === 'string' ? form._csrf : (c.req.header('x-csrf-token') ?? '');
    const expected = session?.csrf ?? (await readCookie(c, cookies, PRE_CSRF));
    if (!sent || !expected || !sameSecret(sent, expected)) {
      deps.logger.info({ path: c.req.path, session: !!session }, 'web: refused a form without a valid CSRF token (403)');
      return page(c, 403, { title: 'Form refused', body: <p class="notice error">This form has expired or did not come from this dashboard, so nothing was changed. Reload the page and try again.</p> });
    }
    return next();
  };

  /** The same check the command handler makes before it runs a command (commands/permissions.ts). */
  function may(viewer: Viewer, target: Target, name: string, args: string[]): string | null {
    const cmd = commandFor(viewer, target, name, args);
    const mod = commandsByName.get(name);
    if (!mod) throw new Error(`web: no /news ${name} command`);
    const need = mod.permission(args);
    if (need === 'anyone' || allowed(cmd, need)) return null;
    return refusal(cmd, need, typeof mod.action === 'function' ? mod.action(args) : mod.action);
  }

  const signedIn: MiddlewareHandler<WebEnv> = async (c, next) => {
    const session = c.get('session');
    if (!session) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect('/sign-in', 303);
      return c.text('sign in first\n', 403);
    }
    c.set('viewer', await viewers.resolve(session.user, session.id));
    return next();
  };

  return {
    deps,
    sessions,
    viewers,
    cookies,
    middleware,
    signedIn,
    viewer(c) {
      const v = c.get('viewer');
      if (!v) throw new Error('web: a page that needs a signed-in person was reached without one');
      return v;
    },
    page,
    forbidden,
    form: async (c) => (await c.req.parseBody({ all: true })) as Form,
    async back(c, to, flash) {
      if (flash) await setCookie(c, cookies, FLASH, JSON.stringify({ t: flash.text.slice(0, 1500), e: !!flash.error }), { maxAgeSeconds: 120 });
      return c.redirect(to, 303);
    },
    may,
    async run(viewer, target, name, args) {
      const refused = may(viewer, target, name, args);
      if (refused) return { ok: false, refusal: refused };
      const reply = await deps.handler(commandFor(viewer, target, name, args));
      return { ok: true, text: reply.text };
    },
    clientAddress: (c) => c.env?.incoming?.socket?.remoteAddress ?? 'unknown',
    publicBase(c) {
      if (configured) return configured;
      return `http://${hostOf(c) ?? 'localhost'}`;
    },
  };
}

export { randomToken };
