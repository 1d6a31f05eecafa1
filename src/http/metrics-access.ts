// Who may read GET /metrics. It shares the public PORT with /healthz, /slack/events and WebSub callbacks,
// and what it says (feed ids, failure counts, queue depths, outages) is for the operator. With METRICS_TOKEN
// set, a scrape must carry `Authorization: Bearer <token>`, from any address (Prometheus: `authorization:
// { credentials_file: ... }`); without it or with another, 401. Without METRICS_TOKEN, only this machine
// may scrape: a loopback peer that no proxy says it forwarded; anyone else gets 404, as if there were no
// such page. (A reverse proxy on this machine that adds none of those headers looks like this machine:
// set METRICS_TOKEN behind one.)
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type MetricsAccess = { ok: true } | { ok: false; status: 401 | 404; headers: Record<string, string>; body: string };

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** 127.0.0.0/8, ::1, and 127/8 written as IPv4-mapped IPv6 (a dual-stack listener's view of 127.0.0.1). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether `header` is `Bearer <token>` (the scheme in any case); compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^bearer +(\S+) *$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]!), digest(token));
}

export function metricsAccess(req: { remoteAddress: string | undefined; headers: IncomingHttpHeaders }, token: string | null): MetricsAccess {
  if (token !== null) {
    if (bearerMatches(req.headers.authorization, token)) return { ok: true };
    return { ok: false, status: 401, headers: { 'www-authenticate': 'Bearer realm="cyberbrief metrics"' }, body: 'metrics need Authorization: Bearer <METRICS_TOKEN>\n' };
  }
  if (isLoopback(req.remoteAddress) && FORWARDING_HEADERS.every((h) => req.headers[h] === undefined)) return { ok: true };
  return { ok: false, status: 404, headers: {}, body: 'not found\n' };
}
