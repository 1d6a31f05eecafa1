import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BLOCKED_V4, createAddressGuard, isBlockedAddress } from '../../src/feeds/address-guard.ts';
import { FetchError } from '../../src/feeds/fetch-error.ts';

describe('isBlockedAddress', () => {
  it.each([
    ['127.0.0.1', true, 'loopback'],
    ['127.45.1.2', true, 'loopback range'],
    ['10.1.2.3', true, 'private'],
    ['172.16.0.1', true, 'private'],
    ['172.31.255.255', true, 'private'],
    ['192.168.1.1', true, 'private'],
    ['169.254.169.254', true, 'cloud metadata'],
    ['100.64.0.1', true, 'CGNAT'],
    ['100.100.100.200', true, 'CGNAT (Alibaba metadata)'],
    ['0.0.0.0', true, 'this network'],
    ['224.0.0.251', true, 'multicast'],
    ['255.255.255.255', true, 'broadcast'],
    ['::1', true, 'IPv6 loopback'],
    ['::', true, 'IPv6 unspecified'],
    ['fe80::1', true, 'IPv6 link-local'],
    ['fd00:ec2::254', true, 'AWS IPv6 metadata (ULA)'],
    ['fc00::1', true, 'ULA'],
    ['ff02::1', true, 'IPv6 multicast'],
    ['::ffff:127.0.0.1', true, 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', true, 'IPv4-mapped metadata (hex)'],
    ['64:ff9b::a00:1', true, 'NAT64 of a private address'],
    ['::127.0.0.1', true, 'IPv4-compatible loopback'],
    ['::7f00:1', true, 'IPv4-compatible loopback (hex, as the URL parser writes it)'],
    ['::a9fe:a9fe', true, 'IPv4-compatible metadata'],
    ['2002:7f00:1::', true, '6to4 of loopback'],
    ['2002:a9fe:a9fe::1', true, '6to4 of the metadata address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', true, 'Teredo'],
    ['2001:4860:4860::8888', false, 'public IPv6 just outside Teredo'],
    ['8.8.8.8', false, 'public'],
    ['172.32.0.1', false, 'just outside 172.16/12'],
    ['100.128.0.1', false, 'just outside CGNAT'],
    ['2606:4700::1111', false, 'public IPv6'],
    ['::ffff:8.8.8.8', false, 'IPv4-mapped public'],
    ['not-an-ip', true, 'not an address'],
    // Spellings a resolver or a caller may hand over unnormalised, and IPv4-translated (SIIT) addresses.
    ['64:ff9b:0:0:0:0:7f00:1', true, 'NAT64 of loopback, uncompressed'],
    ['0064:ff9b:0000:0000:0000:0000:a9fe:a9fe', true, 'NAT64 of the metadata address, zero-padded'],
    ['64:ff9b:0:0:0:0:808:808', false, 'NAT64 of a public address, uncompressed'],
    ['::ffff:0:7f00:1', true, 'IPv4-translated loopback (::ffff:0:0:0/96)'],
    ['::ffff:0:a9fe:a9fe', true, 'IPv4-translated metadata'],
    ['::ffff:0:808:808', true, 'IPv4-translated public (never a feed host)'],
  ])('%s -> %s (%s)', (ip, blocked) => {
    expect(isBlockedAddress(ip)).toBe(blocked);
  });

  // The IPv4 ranges are checked by arithmetic, not by node's BlockList (a native object built per check): the
  // same answers as a BlockList of the same ranges, at every range's edges and for 20,000 seeded addresses,
  // in the spellings that reach the IPv4 check (dotted, bracketed, IPv4-mapped, NAT64 and mapped in hex).
  it('answers for IPv4 as a BlockList of the same ranges does', () => {
    const reference = new BlockList();
    for (const [a, p] of BLOCKED_V4) reference.addSubnet(a, p, 'ipv4');
    const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    const numbers: number[] = [0, 1, 2 ** 32 - 1, 2 ** 32 - 2];
    for (const [a, p] of BLOCKED_V4) {
      const first = a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
      const last = first + 2 ** (32 - p) - 1;
      numbers.push(first, last, (first + 2 ** 32 - 1) % 2 ** 32, (last + 1) % 2 ** 32);
    }
    let seed = 12345;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      numbers.push((seed * 2 + (i & 1)) % 2 ** 32);
    }
    for (const n of numbers) {
      const ip = dotted(n);
      const expected = reference.check(ip, 'ipv4');
      const hex = `${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
      // (A hex group of 0 is written away by the URL parser's canonical form, which the IPv6 path reads as it is.)
      const hexSpellings = n >>> 16 && n & 0xffff ? [`::ffff:${hex}`, `64:ff9b::${hex}`] : [];
      for (const spelling of [ip, `[${ip}]`, `::ffff:${ip}`, ...hexSpellings]) expect([spelling, isBlockedAddress(spelling)]).toEqual([spelling, expected]);
    }
  });

  it.each(['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.4 ', '1.2.3.04', ''])('refuses %j, which is no IPv4 address', (text) => {
    expect(isBlockedAddress(text)).toBe(true);
  });
});

describe('createAddressGuard', () => {
  const guard = createAddressGuard(['127.0.0.1', 'intranet.example', '*.corp.example', '10.20.0.0/16', 'fd12:3456::/32']);

  it.each([
    ['public address, any host', 'news.example', '93.184.216.34', true],
    ['allowed IP', 'localhost', '127.0.0.1', true],
    ['other loopback IP not allowed', 'localhost', '127.0.0.2', false],
    ['allowed host name, private IP', 'intranet.example', '192.168.5.5', true],
    ['allowed subdomain', 'feeds.corp.example', '10.0.0.5', true],
    ['suffix does not match the bare domain by accident', 'evilcorp.example', '10.0.0.5', false],
    ['allowed IPv4 CIDR', 'x.example', '10.20.3.4', true],
    ['outside the CIDR', 'x.example', '10.21.3.4', false],
    ['allowed IPv6 CIDR', 'x.example', 'fd12:3456::9', true],
    ['metadata stays refused', 'x.example', '169.254.169.254', false],
  ])('%s', (_name, host, ip, ok) => {
    expect(guard.permits(host, ip)).toBe(ok);
    if (!ok) expect(() => guard.assert(host, ip)).toThrow(/polling\.allow_hosts \(or CYBERBRIEF_ALLOW_HOSTS\)/);
  });

  // IPv4 allow-list entries are checked by arithmetic too; an IPv6 entry may hold IPv4 addresses (IPv4-mapped),
  // which node's BlockList matches across families. An address is permitted exactly when it is public or a
  // BlockList of the same entries allows it.
  it.each([
    [['127.1.0.0/16']],
    [['10.1.2.3/8', '192.168.7.9', '172.16.0.0/12']],
    [['0.0.0.0/0']],
    [['::ffff:127.1.0.0/112', '10.0.0.0/24']],
    [['::/0']],
    [['fd12:3456::/32']],
  ])('allow-list %j: the same answers as a BlockList of its entries', (entries) => {
    const g = createAddressGuard(entries);
    const reference = new BlockList();
    for (const e of entries) {
      const [addr, prefix] = e.split('/');
      const family = addr!.includes(':') ? 'ipv6' : 'ipv4';
      if (prefix === undefined) reference.addAddress(addr!, family);
      else reference.addSubnet(addr!, Number(prefix), family);
    }
    const addresses = ['127.1.0.1', '127.1.255.255', '127.2.0.1', '127.0.0.1', '10.0.0.1', '10.0.0.255', '10.0.1.0', '10.255.255.255', '192.168.7.9', '192.168.7.8', '172.31.255.255', '172.32.0.1', '169.254.169.254', '0.0.0.0', '255.255.255.255'];
    for (const ip of addresses) {
      const expected = !isBlockedAddress(ip) || reference.check(ip, 'ipv4');
      expect([ip, g.permits(ip, ip), g.permits('some.example', ip)]).toEqual([ip, expected, expected]);
    }
  });

  it('rejects a malformed CIDR in the allow-list', () => {
    expect(() => createAddressGuard(['10.0.0.0/99'])).toThrow(/not a valid CIDR/);
  });

  it('lookup refuses a name that resolves only to loopback, with a classified error', async () => {
    const strict = createAddressGuard([]);
    const err = await new Promise<unknown>((resolve) => strict.lookup('localhost', { family: 4 }, (e) => resolve(e)));
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).code).toBe('fetch_blocked_address');
  });

  it('lookup passes an allowed name through', async () => {
    const open = createAddressGuard(['localhost']);
    const address = await new Promise<string>((resolve, reject) => open.lookup('localhost', { family: 4 }, (e, a) => (e ? reject(e) : resolve(a as string))));
    expect(address).toBe('127.0.0.1');
  });
});
