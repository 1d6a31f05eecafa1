// doctor's push line from configuration alone: off, malformed, in clear, private, unencrypted, or fine.
import { describe, expect, it } from 'vitest';
import { checkPush, isLoopbackHost } from '../../src/cli/check-push.ts';

const on = { enabled: true, encryptionKeySet: true };

describe('doctor: push (WebSub)', () => {
  it.each([
    { name: 'unset: push is off', s: { ...on, publicUrl: null }, ok: true, warn: false, detail: /^off: server\.public_url is not set, so every feed is polled$/ },
    { name: 'disabled', s: { ...on, enabled: false, publicUrl: 'https://bot.example.org' }, ok: true, warn: false, detail: /^off: websub\.enabled is false, so every feed is polled \(server\.public_url is https:\/\/bot\.example\.org\)$/ },
    { name: 'https with a key: fine', s: { ...on, publicUrl: 'https://bot.example.org/' }, ok: true, warn: false, detail: /^on: hubs call back under https:\/\/bot\.example\.org\/websub\/ \(not fetched: .*\)$/ },
    { name: 'a path prefix, trailing slashes dropped', s: { ...on, publicUrl: 'https://example.org/news-bot//' }, ok: true, warn: false, detail: /under https:\/\/example\.org\/news-bot\/websub\// },
    { name: 'plain http to another host', s: { ...on, publicUrl: 'http://bot.example.org' }, ok: true, warn: true, detail: /hubs would send content and its signatures to bot\.example\.org in clear over plain http; use https$/ },
    { name: 'plain http to loopback: no clear-text warning, but only local hubs', s: { ...on, publicUrl: 'http://127.0.0.1:8080' }, ok: true, warn: true, detail: /; 127\.0\.0\.1:8080 is this machine: only a hub running here can reach it$/ },
    { name: 'localhost', s: { ...on, publicUrl: 'http://localhost:3000' }, ok: true, warn: true, detail: /localhost:3000 is this machine/ },
    { name: 'a private address', s: { ...on, publicUrl: 'https://10.1.2.3' }, ok: true, warn: true, detail: /10\.1\.2\.3 is a private address: only hubs on this network can reach it$/ },
    { name: 'no encryption key', s: { ...on, encryptionKeySet: false, publicUrl: 'https://bot.example.org' }, ok: true, warn: true, detail: /; subscription secrets are stored unencrypted; set CYBERBRIEF_ENCRYPTION_KEY to encrypt them$/ },
    { name: 'http and no key: both said', s: { enabled: true, encryptionKeySet: false, publicUrl: 'http://bot.example.org' }, ok: true, warn: true, detail: /plain http; use https; subscription secrets are stored unencrypted/ },
    { name: 'not a URL', s: { ...on, publicUrl: 'bot.example.org' }, ok: false, warn: false, detail: /^server\.public_url 'bot\.example\.org' is not an absolute URL; set server\.public_url .*https:\/\/news-bot\.example\.org$/ },
    { name: 'another scheme', s: { ...on, publicUrl: 'ftp://bot.example.org' }, ok: false, warn: false, detail: /'ftp:\/\/bot\.example\.org' is ftp, not http\(s\)/ },
    { name: 'credentials, the password never shown', s: { ...on, publicUrl: 'https://user:hunter22@bot.example.org' }, ok: false, warn: false, detail: /carries a user name or password, which every hub would be given/ },
    { name: 'a query', s: { ...on, publicUrl: 'https://bot.example.org/?a=1' }, ok: false, warn: false, detail: /has a query or fragment/ },
  ])('$name', ({ s, ok, warn, detail }) => {
    const c = checkPush(s);
    expect(c.name).toBe('push');
    expect(c.ok).toBe(ok);
    expect(!!c.warn).toBe(warn);
    expect(c.detail).toMatch(detail);
    expect(c.detail).not.toContain('hunter22');
  });

  it.each([
    ['localhost', true],
    ['a.localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['[::1]', true],
    ['::1', true],
    ['10.0.0.1', false],
    ['localhost.example.org', false],
    ['bot.example.org', false],
  ])('loopback host %s: %s', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});
