// DATABASE_URL to a database target: file paths, sqlite: and file: URLs, PostgreSQL; anything else refused
// in one sentence before a folder is created for it.
import { describe, expect, it, vi } from 'vitest';
import { parseDatabaseUrl } from '../../src/storage/db.ts';
import { pgDriver } from '../../src/storage/drivers.ts';
import { CyberbriefError } from '../../src/lib/errors.ts';

const cwd = '/srv/bot';

describe('parseDatabaseUrl', () => {
  it.each([
    ['empty: the default file', '', { dialect: 'sqlite', location: '/srv/bot/data/cyberbrief.db' }],
    ['a relative path', 'data/x.db', { dialect: 'sqlite', location: '/srv/bot/data/x.db' }],
    ['an absolute path', '/var/lib/x.db', { dialect: 'sqlite', location: '/var/lib/x.db' }],
    ['sqlite:PATH', 'sqlite:data/x.db', { dialect: 'sqlite', location: '/srv/bot/data/x.db' }],
    ['sqlite://PATH', 'sqlite:///var/lib/x.db', { dialect: 'sqlite', location: '/var/lib/x.db' }],
    ['a file URL', 'file:///var/lib/x.db', { dialect: 'sqlite', location: '/var/lib/x.db' }],
    ['a file URL with an escaped space', 'file:///var/lib/my%20bot.db', { dialect: 'sqlite', location: '/var/lib/my bot.db' }],
    ['file:PATH', 'file:data/x.db', { dialect: 'sqlite', location: '/srv/bot/data/x.db' }],
    ['in memory', ':memory:', { dialect: 'sqlite', location: ':memory:' }],
    ['PostgreSQL', 'postgres://u:p@db.example/news', { dialect: 'postgres', location: 'postgres://u:p@db.example/news' }],
    ['PostgreSQL over a Unix socket, no host', 'postgres://u@/news?host=/var/run/postgresql', { dialect: 'postgres', location: 'postgres://u@/news?host=/var/run/postgresql' }],
  ])('%s', (_name, url, want) => {
    expect(parseDatabaseUrl(url, cwd)).toEqual(want);
  });

  it.each([
    ['another scheme with //', 'mysql://root@localhost/x', 'storage: DATABASE_URL scheme mysql: is not supported; use a file path, sqlite:PATH or postgres://...'],
    ['another scheme without //', 'mysql:root@localhost/x', 'storage: DATABASE_URL scheme mysql: is not supported; use a file path, sqlite:PATH or postgres://...'],
    ['a file URL of another machine', 'file://fileserver/share/x.db', 'storage: DATABASE_URL file://fileserver/share/x.db is not a file URL of this machine; use file:///path/to/bot.db or a plain path.'],
    ['a PostgreSQL URL with a port out of range, its password unsaid', 'postgres://bot:s3cret@db:99999/x', 'storage: DATABASE_URL is not a valid PostgreSQL URL (expected the form postgres://user@host:5432/database, a port from 1 to 65535, special characters in a password percent-encoded).'],
    ['a PostgreSQL URL whose password holds a raw slash and hash', 'postgres://bot:a/b#c@db/x', 'storage: DATABASE_URL is not a valid PostgreSQL URL (expected the form postgres://user@host:5432/database, a port from 1 to 65535, special characters in a password percent-encoded).'],
  ])('refuses %s in one sentence', (_name, url, message) => {
    const err = (() => {
      try {
        parseDatabaseUrl(url, cwd);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CyberbriefError);
    expect((err as Error).message).toBe(message);
  });
});

// pg 8 takes sslmode prefer, require and verify-ca as verify-full, and says so on stderr with a warning that
// the next major version will weaken them; the URL names verify-full itself, so pg is quiet and still checks
// the server's certificate and host name. Explicit choices are left as written.
describe('sslmode in a PostgreSQL URL', () => {
  const base = 'postgres://bot@db.example/news';
  it.each([
    ['require', '?sslmode=require', '?sslmode=verify-full'],
    ['prefer', '?sslmode=prefer', '?sslmode=verify-full'],
    ['verify-ca', '?sslmode=verify-ca', '?sslmode=verify-full'],
    ['require among other parameters', '?connect_timeout=5&sslmode=require&application_name=x', '?connect_timeout=5&sslmode=verify-full&application_name=x'],
    ['verify-full, kept', '?sslmode=verify-full', '?sslmode=verify-full'],
    ['disable, kept', '?sslmode=disable', '?sslmode=disable'],
    ['no-verify, kept (an explicit choice to skip verification)', '?sslmode=no-verify', '?sslmode=no-verify'],
    ['libpq semantics asked for, kept', '?uselibpqcompat=true&sslmode=require', '?uselibpqcompat=true&sslmode=require'],
    ['no sslmode', '?application_name=requireable', '?application_name=requireable'],
  ])('%s', (_name, query, want) => {
    expect(parseDatabaseUrl(base + query, cwd).location).toBe(base + want);
  });

  it('leaves pg nothing to warn about, and the certificate still verified', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (const mode of ['require', 'prefer', 'verify-ca']) {
        const client = new (pgDriver().Client)({ connectionString: parseDatabaseUrl(`${base}?sslmode=${mode}`, cwd).location });
        // An empty TLS options object: rejectUnauthorized keeps Node's default (true), host name checked.
        expect((client as unknown as { connectionParameters: { ssl: unknown } }).connectionParameters.ssl, mode).toEqual({});
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
