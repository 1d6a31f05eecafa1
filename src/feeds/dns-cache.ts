// A small cache of host name resolutions for the fetcher: hundreds of polls in flight would otherwise queue
// on getaddrinfo (libuv's four threads), and feeds on one host would resolve it once each. Entries live
// `ttlMs` (dns.lookup reports no TTL), at most `maxEntries` (the oldest go first); concurrent lookups of one
// name share one resolution; failures are not cached. The cache holds raw answers only: the address guard
// filters every answer it hands out and checks the peer of every socket, so a cached answer can never let a
// connection through that a fresh one would not.
import dns from 'node:dns';

export type ResolveAll = (hostname: string, family: number) => Promise<dns.LookupAddress[]>;

const systemResolve: ResolveAll = (hostname, family) =>
  new Promise((resolve, reject) => {
    dns.lookup(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

export interface DnsCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  resolve?: ResolveAll;
  now?: () => number;
}

/** A ResolveAll that remembers answers for `ttlMs` (0: no cache, every call resolves). */
export function cachedResolver(opts: DnsCacheOptions): ResolveAll {
  const resolve = opts.resolve ?? systemResolve;
  if (opts.ttlMs <= 0) return resolve;
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 10_000;
  const entries = new Map<string, { at: number; answer: Promise<dns.LookupAddress[]> }>();
  return (hostname, family) => {
    const key = `${family}|${hostname.toLowerCase()}`;
    const hit = entries.get(key);
    if (hit && now() - hit.at < opts.ttlMs) return hit.answer;
    if (hit) entries.delete(key);
    const answer = resolve(hostname, family);
    entries.set(key, { at: now(), answer });
    answer.catch(() => {
      if (entries.get(key)?.answer === answer) entries.delete(key);
    });
    while (entries.size > max) entries.delete(entries.keys().next().value!);
    return answer;
  };
}
