// Which methods a dashboard path answers, asked before any other middleware reads a cookie or a body: its
// pages are GET (and HEAD, which Hono answers with the GET route) and its forms POST. Another method on a
// path the dashboard serves gets 405 with Allow (OPTIONS gets 204 with Allow); a POST or any other method on
// a path it does not serve gets 404 at once (a GET there gets the not-found page). So a refused request is
// never asked for its body (no 100 Continue) and never needs one.
import type { Hono, MiddlewareHandler } from 'hono';
import type { WebEnv } from './kit.tsx';

const ROUTE_METHODS = ['GET', 'POST'] as const;

export function methodGuard(app: Hono<WebEnv>): MiddlewareHandler<WebEnv> {
  // The handlers registered for a method (middleware is registered for every method, as ALL); read once the
  // app is complete, at the first request.
  let routeHandlers: Set<unknown> | null = null;
  const allowedOn = (path: string): string[] => {
    const handlers = (routeHandlers ??= new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => r.handler)));
    return ROUTE_METHODS.filter((m) => app.router.match(m, path)[0].some(([h]) => handlers.has(h[0])));
  };
  return async (c, next) => {
    const asked = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const allowed = allowedOn(c.req.path);
    if (allowed.includes(asked) || (asked === 'GET' && allowed.length === 0)) return next();
    if (allowed.length === 0) return c.text('not found\n', 404);
    const allow = [...allowed.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])), 'OPTIONS'].join(', ');
    if (asked === 'OPTIONS') return c.body(null, 204, { allow });
    return c.text('method not allowed\n', 405, { allow });
  };
}
