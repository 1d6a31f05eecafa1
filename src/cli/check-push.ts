// doctor's line about push (WebSub): whether it is on, and whether server.public_url is an address hubs can
// be given. A pure check of configuration: nothing is fetched. Whether a hub can reach the URL can only be
// seen from outside (from this machine the URL may loop back through a proxy or not resolve at all), so
// reachability is left to the hub's verification request, which the bot logs.
import { isIP } from 'node:net';
import { isBlockedAddress } from '../feeds/address-guard.ts';
import { redactUrl } from '../lib/redact.ts';
import { echoed } from './format.ts';
import type { Check } from './doctor.ts';

export interface PushSettings {
  /** server.public_url */
  publicUrl: string | null;
  /** websub.enabled */
  enabled: boolean;
  /** CYBERBRIEF_ENCRYPTION_KEY is set (subscription secrets are sealed at rest). */
  encryptionKeySet: boolean;
}

const FIX = 'set server.public_url (or CYBERBRIEF_PUBLIC_URL) to the https address hubs reach the bot at, e.g. https://news-bot.example.org';

/** 127.0.0.0/8, ::1, localhost and *.localhost: only this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

export function checkPush(s: PushSettings): Check {
  if (s.publicUrl === null) return { name: 'push', ok: true, detail: 'off: server.public_url is not set, so every feed is polled' };
  const shown = echoed(redactUrl(s.publicUrl), 200);
  const fail = (why: string): Check => ({ name: 'push', ok: false, detail: `server.public_url '${shown}' ${why}; ${FIX}` });
  let u: URL;
  try {
    u = new URL(s.publicUrl);
  } catch {
    return fail('is not an absolute URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail(`is ${u.protocol.slice(0, -1)}, not http(s)`);
  if (u.username || u.password) return fail('carries a user name or password, which every hub would be given');
  if (u.search || u.hash) return fail('has a query or fragment, which callback URLs cannot be built on');
  if (!s.enabled) return { name: 'push', ok: true, detail: `off: websub.enabled is false, so every feed is polled (server.public_url is ${u.origin})` };

  const warnings: string[] = [];
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackHost(host);
  if (u.protocol === 'http:' && !loopback) warnings.push(`hubs would send content and its signatures to ${u.host} in clear over plain http; use https`);
  if (loopback) warnings.push(`${u.host} is this machine: only a hub running here can reach it`);
  else if (isIP(host) && isBlockedAddress(host)) warnings.push(`${u.host} is a private address: only hubs on this network can reach it`);
  if (!s.encryptionKeySet) warnings.push('subscription secrets are stored unencrypted; set CYBERBRIEF_ENCRYPTION_KEY to encrypt them');
  let path = u.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  const on = `on: hubs call back under ${u.origin}${path}/websub/ (not fetched: whether hubs can reach it shows in their verification requests)`;
  return warnings.length ? { name: 'push', ok: true, warn: true, detail: `${on}; ${warnings.join('; ')}` } : { name: 'push', ok: true, detail: on };
}
