// Refuses connections to addresses a feed URL must never reach (loopback, private, link-local, CGNAT,
// multicast, cloud metadata...), unless the operator allowed the host, IP or CIDR. The check runs on the
// address actually resolved and connected to, so a name that resolves to a public address at validation
// time and a private one at connect time (DNS rebinding) is still refused.
import type dns from 'node:dns';
import net, { BlockList, type LookupFunction } from 'node:net';
import { quoted } from '../lib/bounded-text.ts';
import { cachedResolver, type ResolveAll } from './dns-cache.ts';
import { FetchError } from './fetch-error.ts';

/** Ranges never fetched unless allowed. IPv4-mapped IPv6 addresses are checked against the IPv4 list. */
export const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (incl. Oracle metadata 192.0.0.192)
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated), e.g. [::127.0.0.1]
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT, RFC 2765): no feed is served from one
  ['2002::', 16], // 6to4: embeds an IPv4 address (2002:7f00:1:: is 127.0.0.1)
  ['2001::', 32], // Teredo: embeds an obfuscated IPv4 address
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (incl. AWS metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [a, p] of BLOCKED_V6) blocked.addSubnet(a, p, 'ipv6');

/**
 * An IPv4 address as the number it stands for, when it is written as `net.isIP` reads one (four decimal parts,
 * 0-255, no leading zeros); -1 otherwise.
 */
function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && !(digits > 0 && part === 0)) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? n * 256 + part : -1;
}

/**
 * IPv4 ranges as [first, last] numbers, checked in JavaScript: BlockList.check builds a native SocketAddress
 * per call (25-35 microseconds in a cold process), and a cycle checks every new host it meets.
 */
type V4Range = readonly [number, number];
const v4Range = (address: string, prefix: number): V4Range => {
  const first = ipv4Number(address) - (ipv4Number(address) % 2 ** (32 - prefix));
  return [first, first + 2 ** (32 - prefix) - 1];
};
const inV4Ranges = (ranges: readonly V4Range[], n: number): boolean => ranges.some(([first, last]) => n >= first && n <= last);

const BLOCKED_V4_RANGES = BLOCKED_V4.map(([a, p]) => v4Range(a, p));

/** Whether an IPv4 address (as ipv4Number reads it) is in a blocked range; one it cannot read is refused. */
function blockedV4(n: number): boolean {
  return n < 0 || inV4Ranges(BLOCKED_V4_RANGES, n);
}

/** The IPv4 address embedded in an IPv4-mapped or NAT64 (64:ff9b::/96) IPv6 address, if any. */
function embeddedV4(ip: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * An address without its zone id (`fe80::1%eth0` -> `fe80::1`), an IPv6 one in its canonical text
 * (`64:ff9b:0:0:0:0:7f00:1` -> `64:ff9b::7f00:1`), so the embedded-IPv4 forms are recognised however a
 * resolver or a caller spelled them.
 */
function withoutZone(ip: string): string {
  const pct = ip.indexOf('%');
  const bare = pct < 0 ? ip : ip.slice(0, pct);
  if (net.isIPv6(bare)) {
    try {
      return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    } catch {
      return bare;
    }
  }
  return bare;
}

/** True when the address belongs to a range a feed fetch must not reach. */
export function isBlockedAddress(ip: string): boolean {
  const n = ipv4Number(ip);
  if (n >= 0) return blockedV4(n);
  const bare = withoutZone(ip.replace(/^\[|\]$/g, ''));
  const family = net.isIP(bare);
  if (family === 4) return blockedV4(ipv4Number(bare));
  if (family === 6) {
    const v4 = embeddedV4(bare);
    if (v4) return blockedV4(ipv4Number(v4));
    return blocked.check(bare, 'ipv6');
  }
  return true; // not an IP at all: refuse rather than guess
}

export interface AddressGuard {
  /** True when the host name or IP literal is on the allow-list. */
  allowsHost(host: string): boolean;
  /** True when connecting to `ip` (resolved for `host`) is permitted. */
  permits(host: string, ip: string): boolean;
  /** Throws a `fetch_blocked_address` FetchError when connecting to `ip` for `host` is not permitted. */
  assert(host: string, ip: string, url?: string): void;
  /** A `lookup` for net/tls.connect that drops refused addresses, failing when none is left. */
  lookup: LookupFunction;
}

/**
 * Builds the guard from allow-list entries: host names (exact, or `*.example.org` / `.example.org` for
 * subdomains), IP addresses and CIDRs, IPv4 or IPv6. A bad entry throws (configuration is checked at start).
 */
export function createAddressGuard(allowHosts: readonly string[], resolveAll: ResolveAll = cachedResolver({ ttlMs: 0 })): AddressGuard {
  const allowNets = new BlockList();
  // The IPv4 entries again as ranges (the common check, without a native object); an IPv6 entry may hold IPv4
  // addresses too (::ffff:10.0.0.0/104), so with any, an IPv4 address not in these is asked of allowNets.
  const allowV4: V4Range[] = [];
  let allowV6 = false;
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of allowHosts) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const slash = entry.indexOf('/');
    if (slash > 0) {
      const addr = entry.slice(0, slash).replace(/^\[|\]$/g, '');
      const prefix = Number(entry.slice(slash + 1));
      const family = net.isIP(addr);
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new FetchError('fetch_invalid_url', `address guard: allow-list entry '${raw}' is not a valid CIDR; use e.g. 10.0.0.0/8 or fd00::/8.`);
      }
      allowNets.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
      if (family === 4) allowV4.push(v4Range(addr, prefix));
      else allowV6 = true;
      continue;
    }
    const bare = entry.replace(/^\[|\]$/g, '');
    const family = net.isIP(bare);
    if (family) {
      allowNets.addAddress(bare, family === 4 ? 'ipv4' : 'ipv6');
      if (family === 4) allowV4.push(v4Range(bare, 32));
      else allowV6 = true;
      continue;
    }
    if (entry.startsWith('*.')) suffixes.push(entry.slice(1));
    else if (entry.startsWith('.')) suffixes.push(entry);
    else names.add(entry.replace(/\.$/, ''));
  }

  /** allowNets.check(ip, 'ipv4') for an address net.isIP reads as IPv4. */
  const allowsV4 = (ip: string): boolean => inV4Ranges(allowV4, ipv4Number(ip)) || (allowV6 && allowNets.check(ip, 'ipv4'));

  const allowsHost = (host: string): boolean => {
    const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (names.has(h)) return true;
    if (suffixes.some((s) => h.endsWith(s))) return true;
    const family = net.isIP(h);
    if (family === 4) return allowsV4(h);
    if (family) return allowNets.check(h, 'ipv6') || (!!embeddedV4(h) && allowNets.check(embeddedV4(h)!, 'ipv4'));
    return false;
  };

  // Decisions are a pure function of (host, ip) and this allow-list, so they are remembered (bounded): the
  // check runs on every request and every connection, and BlockList lookups are not free.
  const decisions = new Map<string, boolean>();
  const permits = (host: string, ip: string): boolean => {
    const key = `${host}\n${ip}`;
    const known = decisions.get(key);
    if (known !== undefined) return known;
    const decision = decide(host, ip);
    if (decisions.size >= 10_000) decisions.clear();
    decisions.set(key, decision);
    return decision;
  };

  const decide = (host: string, ip: string): boolean => {
    if (!isBlockedAddress(ip)) return true;
    if (allowsHost(host)) return true;
    const bare = withoutZone(ip);
    const family = net.isIP(bare);
    if (family === 4) return allowsV4(bare);
    if (family === 6) {
      const v4 = embeddedV4(bare);
      return allowNets.check(bare, 'ipv6') || (!!v4 && allowNets.check(v4, 'ipv4'));
    }
    return false;
  };

  const assert = (host: string, ip: string, url?: string): void => {
    if (permits(host, ip)) return;
    throw blockedError(host, ip, url);
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveAll(hostname, typeof options.family === 'number' ? options.family : 0).then(
      (addresses: dns.LookupAddress[]) => {
        const list = addresses.filter((a) => permits(hostname, a.address));
        if (list.length === 0) {
          const first = addresses[0]?.address ?? 'no address';
          (callback as (e: Error | null, a: string, f?: number) => void)(blockedError(hostname, first), '', undefined);
          return;
        }
        if (options.all) (callback as (e: Error | null, a: dns.LookupAddress[]) => void)(null, list);
        else (callback as (e: Error | null, a: string, f: number) => void)(null, list[0]!.address, list[0]!.family);
      },
      (err: Error) => (callback as (e: Error | null, a: string, f?: number) => void)(err, '', undefined),
    );
  };

  return { allowsHost, permits, assert, lookup };
}

function blockedError(host: string, ip: string, url?: string): FetchError {
  return new FetchError(
    'fetch_blocked_address',
    `fetcher: refused ${url !== undefined ? quoted(url) : host}: ${host === ip ? ip : `${host} resolves to ${ip}, which`} is a private, loopback, link-local or metadata address; ` +
      `add the host, IP or CIDR to polling.allow_hosts (or CYBERBRIEF_ALLOW_HOSTS) if this is intended.`,
  );
}
