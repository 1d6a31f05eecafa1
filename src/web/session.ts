// Sessions: the cookie carries a random token, signed (HMAC-SHA256) so a forged or altered cookie is refused
// before any lookup; the database keeps the token's sha256 with the person and a CSRF token, so every
// instance sees every session and a copy of the database holds none that could be used. Cookies are
// HttpOnly, SameSite=Lax (the OAuth providers redirect back with a top-level GET), Secure with the
// __Host- prefix when the dashboard is served over https. A new session starts at every sign-in.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { sha256 } from '../lib/digest.ts';
import type { WebUser } from './types.ts';

export interface SessionStore {
  create(s: { id: string; userJson: string; csrf: string; now: Date; expiresAt: Date }): Promise<void>;
  get(id: string, now: Date): Promise<{ userJson: string; csrf: string; expiresAt: Date } | null>;
  delete(id: string): Promise<void>;
}

export interface Session {
  /** sha256 of the token: the row id, and the key for per-session caches. */
  id: string;
  user: WebUser;
  csrf: string;
}

export interface CookieSettings {
  secret: string;
  /** https: Secure cookies with the __Host- prefix. */
  secure: boolean;
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Compares two strings in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sets a signed cookie: HttpOnly, SameSite, path /, Secure over https. */
export async function setCookie(c: Context, s: CookieSettings, base: string, value: string, opts: { maxAgeSeconds?: number; sameSite?: 'Lax' | 'Strict' } = {}): Promise<void> {
  await setSignedCookie(c, base, value, s.secret, {
    path: '/',
    httpOnly: true,
    secure: s.secure,
    sameSite: opts.sameSite ?? 'Lax',
    ...(opts.maxAgeSeconds !== undefined ? { maxAge: opts.maxAgeSeconds } : {}),
    ...(s.secure ? { prefix: 'host' as const } : {}),
  });
}

/** The cookie's value when its signature holds, else null. */
export async function readCookie(c: Context, s: CookieSettings, base: string): Promise<string | null> {
  const v = await getSignedCookie(c, s.secret, base, s.secure ? 'host' : undefined);
  return typeof v === 'string' && v !== '' ? v : null;
}

export function clearCookie(c: Context, s: CookieSettings, base: string): void {
  deleteCookie(c, base, { path: '/', secure: s.secure, ...(s.secure ? { prefix: 'host' as const } : {}) });
}

const SESSION = 'cb_session';

export interface Sessions {
  /** Starts a session for `user` (a fresh token: no session fixation) and sets its cookie. */
  start(c: Context, user: WebUser): Promise<Session>;
  /** The request's session, or null (no cookie, a bad signature, expired or signed out). */
  load(c: Context): Promise<Session | null>;
  end(c: Context, session: Session | null): Promise<void>;
}

export function createSessions(store: SessionStore, cookies: CookieSettings, opts: { hours: number; now: () => Date }): Sessions {
  return {
    async start(c, user) {
      const token = randomToken();
      const now = opts.now();
      const session: Session = { id: sha256(token), user, csrf: randomToken() };
      await store.create({ id: session.id, userJson: JSON.stringify(user), csrf: session.csrf, now, expiresAt: new Date(now.getTime() + opts.hours * 3_600_000) });
      await setCookie(c, cookies, SESSION, token, { maxAgeSeconds: opts.hours * 3600 });
      return session;
    },
    async load(c) {
      const token = await readCookie(c, cookies, SESSION);
      if (!token || token.length > 100) return null;
      const id = sha256(token);
      const row = await store.get(id, opts.now());
      if (!row) return null;
      try {
        return { id, user: JSON.parse(row.userJson) as WebUser, csrf: row.csrf };
      } catch {
        return null;
      }
    },
    async end(c, session) {
      if (session) await store.delete(session.id);
      clearCookie(c, cookies, SESSION);
    },
  };
}
