import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/config/load.ts';
import { Writable } from 'node:stream';
import { ConfigError } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-config-'));
function overrideFile(name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

describe('loadConfig', () => {
  it('loads the shipped defaults with no environment', async () => {
    const c = await loadConfig({ env: {}, cwd: dir });
    expect(c.database.url).toBe('data/cyberbrief.db');
    expect(c.polling.concurrency).toBe(256);
    expect(c.polling.max_body_bytes).toBe(10 * 1024 * 1024);
    expect(c.polling.max_redirects).toBe(5);
    expect(c.workers.background_nice).toBe(5);
    expect(c.feeds.length).toBeGreaterThan(0);
    expect(c.secrets.slackBotToken).toBeNull();
    expect(path.isAbsolute(c.topics.file)).toBe(true);
  });

  it('applies the override file over the defaults and the environment over both', async () => {
    const file = overrideFile('ok.yaml', 'polling:\n  concurrency: 3\nserver:\n  port: 4000\nfeeds: []\n');
    const c = await loadConfig({ env: { CYBERBRIEF_CONFIG: file, PORT: '5000', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://u:p@h/db', CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1, intranet.example' }, cwd: dir });
    expect(c.polling.concurrency).toBe(3);
    expect(c.polling.per_host_concurrency).toBe(2); // untouched default survives the merge
    expect(c.server.port).toBe(5000);
    expect(c.log.level).toBe('debug');
    expect(c.database.url).toBe('postgres://u:p@h/db');
    expect(c.polling.allow_hosts).toEqual(['127.0.0.1', 'intranet.example']);
    expect(c.feeds).toEqual([]);
    expect(c.sources).toEqual([expect.stringMatching(/default\.yaml$/), file]);
  });

  it('takes server.public_url from CYBERBRIEF_PUBLIC_URL, and keeps WebSub off by default (no public URL)', async () => {
    const c = await loadConfig({ env: {}, cwd: dir });
    expect(c.server.public_url).toBeNull();
    expect(c.websub).toMatchObject({ enabled: true, fallback_interval_seconds: 21_600 });
    const withUrl = await loadConfig({ env: { CYBERBRIEF_PUBLIC_URL: 'https://bot.example.org' }, cwd: dir });
    expect(withUrl.server.public_url).toBe('https://bot.example.org');
  });

  it.each([
    ['not a URL', 'bot.example.org'],
    ['credentials in it', 'https://u:p@bot.example.org'],
    ['a query', 'https://bot.example.org/?x=1'],
    ['not http(s)', 'ftp://bot.example.org'],
  ])('refuses a public URL with %s, naming the key and the variable', async (_name, value) => {
    await expect(loadConfig({ env: { CYBERBRIEF_PUBLIC_URL: value }, cwd: dir })).rejects.toThrow(/^config: server\.public_url = .* is invalid \(check CYBERBRIEF_PUBLIC_URL or the config files\)/);
  });

  it('reads secrets from the environment only', async () => {
    const c = await loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1-abcdef', DISCORD_TOKEN: 'disc.token.value', LLM_API_KEY: 'sk-123456', DATABASE_URL: 'postgres://u:hunter22@h/db' }, cwd: dir });
    expect(c.secrets.slackBotToken).toBe('xoxb-1-abcdef');
    expect(secretValues(c)).toEqual(expect.arrayContaining(['xoxb-1-abcdef', 'disc.token.value', 'sk-123456', 'hunter22']));
  });

  const bad: Array<{ name: string; yaml?: string; env?: Record<string, string>; message: RegExp }> = [
    { name: 'a typo in a key', yaml: 'polling:\n  concurency: 3\n', message: /^config: unknown key polling\.concurency \(in .*ok?.*\); allowed here: tick, interval_seconds, .*concurrency/ },
    { name: 'a typo in a key: the key meant is named', yaml: 'polling:\n  concurrencyy: 3\n', message: /^config: unknown key polling\.concurrencyy \(in [^)]*\) \(did you mean polling\.concurrency\?\); allowed here: tick, / },
    { name: 'an unknown key like none: no guess', yaml: 'polling:\n  colour: red\n', message: /^config: unknown key polling\.colour \(in [^)]*\); allowed here: tick, / },
    { name: 'an unknown top-level section', yaml: 'slak:\n  socket_mode: true\n', message: /^config: unknown key slak .*allowed here: database, server/ },
    { name: 'a number out of range', yaml: 'polling:\n  concurrency: 0\n', message: /^config: polling\.concurrency = 0 is invalid .*: expected a number >= 1\.$/ },
    { name: 'a wrong type', yaml: 'summary:\n  fetch_article: "yes"\n', message: /^config: summary\.fetch_article = "yes" is invalid .*: expected true or false\.$/ },
    { name: 'a feed URL that is not http', yaml: 'feeds:\n  - url: ftp://example.com/rss\n', message: /^config: feeds\.0\.url = "ftp:\/\/example\.com\/rss" is invalid .*http\(s\) URL\.$/ },
    { name: 'a bad enum from the environment', env: { LOG_LEVEL: 'loud' }, message: /^config: log\.level = "loud" is invalid \(check LOG_LEVEL or the config files\): expected one of "fatal", .*"silent"\.$/ },
    { name: 'a non-numeric PORT', env: { PORT: 'eighty' }, message: /^config: server\.port = "eighty" is invalid \(check PORT or the config files\): expected a number\.$/ },
    // A PORT that is a number, but not a port, said "expected number".
    { name: 'a negative PORT', env: { PORT: '-1' }, message: /^config: server\.port = -1 is invalid \(check PORT or the config files\): expected a number >= 0\.$/ },
    { name: 'a PORT with a fraction', env: { PORT: '3000.5' }, message: /^config: server\.port = 3000\.5 is invalid \(check PORT or the config files\): expected a whole number\.$/ },
    { name: 'a PORT past the last', env: { PORT: '70000' }, message: /^config: server\.port = 70000 is invalid \(check PORT or the config files\): expected a number <= 65535\.$/ },
    { name: 'a feed URL with credentials (the password not shown)', yaml: 'feeds:\n  - url: https://reader:pw@example.com/rss\n', message: /^config: feeds\.0\.url = "https:\/\/reader:\[redacted\]@example\.com\/rss" is invalid .*: expected no user name or password in the URL/ },
    { name: 'an LLM_BASE_URL that is not http (the password not shown)', env: { LLM_BASE_URL: 'ftp://bob:hunter2secret@llm.example/v1' }, message: /^config: summary\.llm\.base_url = "ftp:\/\/bob:\[redacted\]@llm\.example\/v1" is invalid \(check LLM_BASE_URL or the config files\): expected an http\(s\) URL\.$/ },
    { name: 'a SLACK_API_URL that is not a URL (the password not shown)', env: { SLACK_API_URL: 'slack.internal://bob:hunter2secret@/api' }, message: /^config: SLACK_API_URL = "slack\.internal:\/\/bob:\[redacted\]@\/api" is invalid: expected an http\(s\) URL\.$/ },
    { name: 'a DISCORD_API_URL that is not http', env: { DISCORD_API_URL: 'discord.example/api' }, message: /^config: DISCORD_API_URL = "discord\.example\/api" is invalid: expected an http\(s\) URL\.$/ },
    // Credentials in an API URL were taken and never worked (the token is what Slack and Discord read).
    { name: 'a SLACK_API_URL with a user name and password (the password not shown)', env: { SLACK_API_URL: 'https://bot:hunter2secret@proxy.example/api/' }, message: /^config: SLACK_API_URL = "https:\/\/bot:\[redacted\]@proxy\.example\/api\/" is invalid: expected no user name or password in the URL \(they are never used: Slack reads SLACK_BOT_TOKEN; remove them\)\.$/ },
    { name: 'a DISCORD_API_URL with a password only (not shown)', env: { DISCORD_API_URL: 'https://:hunter2secret@proxy.example/api' }, message: /^config: DISCORD_API_URL = "https:\/\/:\[redacted\]@proxy\.example\/api" is invalid: expected no user name or password in the URL \(they are never used: Discord reads DISCORD_TOKEN; remove them\)\.$/ },
    { name: 'a DISCORD_API_URL with a user name only', env: { DISCORD_API_URL: 'https://bot@proxy.example/api' }, message: /^config: DISCORD_API_URL = "https:\/\/bot@proxy\.example\/api" is invalid: expected no user name or password in the URL/ },
    { name: 'a bad CIDR in allow_hosts', yaml: 'polling:\n  allow_hosts: ["10.0.0.0/99"]\n', message: /^config: polling\.allow_hosts\.0 = "10\.0\.0\.0\/99" is invalid \(check CYBERBRIEF_ALLOW_HOSTS or the config files\): expected a host name, \*\.domain, an IP address or a CIDR such as 10\.0\.0\.0\/8\.$/ },
    { name: 'a bad allow-list entry from the environment', env: { CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1, foo/bar' }, message: /^config: polling\.allow_hosts\.1 = "foo\/bar" is invalid \(check CYBERBRIEF_ALLOW_HOSTS or the config files\): expected a host name/ },
    { name: 'a tick that is not a cron expression', yaml: 'polling:\n  tick: "every minute"\n', message: /^config: polling\.tick = "every minute" is invalid .*: expected a cron expression such as "\*\/1 \* \* \* \*" \(5 fields, or 6 with seconds first\)\.$/ },
    { name: 'YAML that does not parse', yaml: 'polling: [unclosed\n', message: /^config: .* is not valid YAML: .* at line 2, column 1; fix the file\.$/ },
    { name: 'a key given twice', yaml: 'polling:\n  concurrency: 2\n  concurrency: 3\n', message: /^config: .* is not valid YAML: Map keys must be unique at line 3, column 3; fix the file\.$/ },
    // CYBERBRIEF_PUBLIC_URL refused a password in it; DASHBOARD_URL took one into every OAuth redirect URI.
    { name: 'a dashboard URL with a password in it (never shown)', env: { DASHBOARD_URL: 'https://ops:hunter2secret@news-bot.example.org' }, message: /^config: web\.public_url = "https:\/\/ops:\[redacted\]@news-bot\.example\.org" is invalid \(check DASHBOARD_URL or the config files\): expected an http\(s\) URL without a user name, password, query or fragment\.$/ },
    { name: 'a dashboard URL with a query', env: { DASHBOARD_URL: 'https://news-bot.example.org/?x=1' }, message: /^config: web\.public_url = .* is invalid \(check DASHBOARD_URL or the config files\): expected an http\(s\) URL without a user name, password, query or fragment\.$/ },
    { name: 'a dashboard URL that is not http', env: { DASHBOARD_URL: 'news-bot.example.org' }, message: /^config: web\.public_url = "news-bot\.example\.org" is invalid \(check DASHBOARD_URL or the config files\): expected an http\(s\) URL\.$/ },
    { name: 'a bad Slack install scope', yaml: 'web:\n  slack:\n    install_scopes: ["chat write"]\n', message: /^config: web\.slack\.install_scopes\.0 = "chat write" is invalid .*: expected a Slack scope such as chat:write\.$/ },
    { name: 'an encryption key of the wrong length (never shown)', env: { CYBERBRIEF_ENCRYPTION_KEY: 'hunter2secret-too-short' }, message: /^config: CYBERBRIEF_ENCRYPTION_KEY is invalid: expected 32 bytes as 64 hex digits or base64 \(make one with: openssl rand -hex 32\)\.$/ },
    { name: 'a previous encryption key of the wrong length (never shown)', env: { CYBERBRIEF_ENCRYPTION_KEY: 'ab'.repeat(32), CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: 'hunter2secret-too-short' }, message: /^config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is invalid: its key is not 32 bytes as 64 hex digits or base64 \(list the old keys separated by commas, each as CYBERBRIEF_ENCRYPTION_KEY was\)\.$/ },
    { name: 'one bad previous key among good ones (named by position)', env: { CYBERBRIEF_ENCRYPTION_KEY: 'ab'.repeat(32), CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: `${'cd'.repeat(32)}, hunter2secret${'0'.repeat(51)}` }, message: /^config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is invalid: key 2 of 2 is not 32 bytes as 64 hex digits or base64 / },
    { name: 'an empty entry in the previous keys', env: { CYBERBRIEF_ENCRYPTION_KEY: 'ab'.repeat(32), CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: `${'cd'.repeat(32)},` }, message: /^config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is invalid: key 2 of 2 is empty / },
    { name: 'previous keys without a current key', env: { CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: 'cd'.repeat(32) }, message: /^config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is set but CYBERBRIEF_ENCRYPTION_KEY is not; set the new key that values are to be sealed with\.$/ },
    // A one-letter operator password, and a session-signing secret of a few characters, were taken as they were.
    { name: 'an operator password too short to be one (never shown)', env: { DASHBOARD_PASSWORD: 'hunter2sec' }, message: /^config: DASHBOARD_PASSWORD is too short: expected at least 12 characters \(make one with: openssl rand -base64 18\)\.$/ },
    { name: 'a session secret too short to sign with (never shown)', env: { DASHBOARD_SESSION_SECRET: 'hunter2secret-2' }, message: /^config: DASHBOARD_SESSION_SECRET is too short: expected at least 32 characters \(make one with: openssl rand -hex 32\), or leave it unset to have one generated and kept in the database\.$/ },
    { name: 'an operator password longer than the sign-in form takes (never shown)', env: { DASHBOARD_PASSWORD: `hunter2secret${'x'.repeat(600)}` }, message: /^config: DASHBOARD_PASSWORD is too long: expected at most 512 characters \(the sign-in form takes no more\)\.$/ },
    { name: 'a metrics token too short to be a secret (never shown)', env: { METRICS_TOKEN: 'hunter2secret' }, message: /^config: METRICS_TOKEN is invalid: expected at least 16 characters, letters, digits and - \. _ ~ \+ \/ only \(make one with: openssl rand -hex 32\)\.$/ },
    { name: 'a metrics token with a space in it (never shown)', env: { METRICS_TOKEN: 'hunter2secret and more' }, message: /^config: METRICS_TOKEN is invalid: expected at least 16 characters, / },
    { name: 'a missing override file', env: { CYBERBRIEF_CONFIG: '/nonexistent/cyberbrief.yaml' }, message: /^config: cannot read \/nonexistent\/cyberbrief\.yaml: there is no such file \(ENOENT\); check CYBERBRIEF_CONFIG\.$/ },
    { name: 'an override that is a device', env: { CYBERBRIEF_CONFIG: '/dev/zero' }, message: /^config: \/dev\/zero is not a regular file; CYBERBRIEF_CONFIG must name a YAML file\.$/ },
    // YAML's infinity and NaN were shown as null ("polling.interval_seconds = null is invalid"), and a fraction as "expected int".
    { name: 'an infinite number', yaml: 'polling:\n  interval_seconds: .inf\n', message: /^config: polling\.interval_seconds = \.inf is invalid \(in .*\): expected a number\.$/ },
    { name: 'a negative infinite number', yaml: 'polling:\n  backfill: -.inf\n', message: /^config: polling\.backfill = -\.inf is invalid \(in .*\): expected a number\.$/ },
    { name: 'not a number', yaml: 'delivery:\n  max_attempts: .nan\n', message: /^config: delivery\.max_attempts = \.nan is invalid \(in .*\): expected a number\.$/ },
    // zod's own words for a wrong type ("expected number", "expected array") read as a type name, not a sentence.
    { name: 'a string where a list goes', yaml: 'polling:\n  allow_hosts: "10.0.0.1"\n', message: /^config: polling\.allow_hosts = "10\.0\.0\.1" is invalid \(check CYBERBRIEF_ALLOW_HOSTS or the config files\): expected a list\.$/ },
    { name: 'a list where text goes', yaml: 'log:\n  format: [json]\n', message: /^config: log\.format = \["json"\] is invalid \(in .*\): expected one of / },
    { name: 'a list where a mapping goes', yaml: 'polling: [1, 2]\n', message: /^config: polling = \[1,2\] is invalid \(in .*\): expected a mapping of keys\.$/ },
    { name: 'a background nice past the lowest priority', yaml: 'workers:\n  background_nice: 20\n', message: /^config: workers\.background_nice = 20 is invalid \(in .*\): expected a number <= 19\.$/ },
    { name: 'a negative background nice (it would raise priority)', yaml: 'workers:\n  background_nice: -5\n', message: /^config: workers\.background_nice = -5 is invalid \(in .*\): expected a number >= 0\.$/ },
    { name: 'a fraction where a whole number goes', yaml: 'polling:\n  concurrency: 1.5\n', message: /^config: polling\.concurrency = 1\.5 is invalid \(in .*\): expected a whole number\.$/ },
    { name: 'an override that is a folder', env: { CYBERBRIEF_CONFIG: '/tmp' }, message: /^config: \/tmp is not a regular file; CYBERBRIEF_CONFIG must name a YAML file\.$/ },
  ];
  it.each(bad)('rejects $name with one sentence naming key, value and what is allowed', async ({ yaml, env, message }) => {
    const file = yaml !== undefined ? overrideFile('bad.yaml', yaml) : undefined;
    const error = await loadConfig({ env: { ...(file ? { CYBERBRIEF_CONFIG: file } : {}), ...env }, cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text.split('\n')).toHaveLength(1);
    expect(text).not.toContain('hunter2secret');
  });

  it('reads the dashboard settings, and scrubs its secrets', async () => {
    const env = {
      DASHBOARD_URL: 'https://news-bot.example.org',
      DASHBOARD_PASSWORD: 'operator-password-1',
      DASHBOARD_SESSION_SECRET: 'session-secret-2-of-32-characters',
      SLACK_CLIENT_ID: '1234.5678',
      SLACK_CLIENT_SECRET: 'slack-client-secret-3',
      DISCORD_CLIENT_SECRET: 'discord-client-secret-4',
      CYBERBRIEF_ENCRYPTION_KEY: 'ab'.repeat(32),
    };
    const c = await loadConfig({ env, cwd: dir });
    expect(c.web.public_url).toBe('https://news-bot.example.org');
    expect(c.web.session_hours).toBe(12);
    expect(c.secrets).toMatchObject({ dashboardPassword: 'operator-password-1', slackClientId: '1234.5678', encryptionKey: 'ab'.repeat(32) });
    expect(secretValues(c)).toEqual(expect.arrayContaining(['operator-password-1', 'session-secret-2-of-32-characters', 'slack-client-secret-3', 'discord-client-secret-4', 'ab'.repeat(32)]));
    expect(secretValues(c)).not.toContain('1234.5678');
    expect((await loadConfig({ env: { CYBERBRIEF_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }, cwd: dir })).secrets.encryptionKey).toHaveLength(44);
  });

  it('reads METRICS_TOKEN (unset: null, /metrics for this machine only) and scrubs it', async () => {
    const token = 'ab'.repeat(32);
    const c = await loadConfig({ env: { METRICS_TOKEN: ` ${token} ` }, cwd: dir });
    expect(c.secrets.metricsToken).toBe(token);
    expect(secretValues(c)).toContain(token);
    expect((await loadConfig({ env: {}, cwd: dir })).secrets.metricsToken).toBeNull();
  });

  it('reads the previous encryption keys (hex or base64, spaces trimmed) and scrubs them like the current one', async () => {
    const b64 = Buffer.alloc(32, 9).toString('base64');
    const c = await loadConfig({ env: { CYBERBRIEF_ENCRYPTION_KEY: 'ab'.repeat(32), CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: ` ${'cd'.repeat(32)} , ${b64}` }, cwd: dir });
    expect(c.secrets.previousEncryptionKeys).toEqual(['cd'.repeat(32), b64]);
    expect(secretValues(c)).toEqual(expect.arrayContaining(['ab'.repeat(32), 'cd'.repeat(32), b64]));
    expect((await loadConfig({ env: { CYBERBRIEF_ENCRYPTION_KEY: 'ab'.repeat(32) }, cwd: dir })).secrets.previousEncryptionKeys).toEqual([]);
    // A log line that somehow holds a key shows it redacted.
    const chunks: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
    createLogger({ level: 'info', pretty: false, secrets: secretValues(c), destination }).warn({ env: { old: b64, also: 'cd'.repeat(32) } }, `rotated from ${b64}`);
    expect(chunks.join('')).toContain('[redacted]');
    for (const k of ['ab'.repeat(32), 'cd'.repeat(32), b64]) expect(chunks.join('')).not.toContain(k);
  });

  it('lists the password of every URL-valued setting among the secrets to scrub', async () => {
    const c = await loadConfig({
      env: {
        DATABASE_URL: 'postgres://u:db-pass-111@h/db',
        LLM_BASE_URL: 'http://me:llm%40pass-444@127.0.0.1:11434/v1',
      },
      cwd: dir,
    });
    // (SLACK_API_URL and DISCORD_API_URL with credentials are refused: see above.)
    expect(secretValues(c)).toEqual(expect.arrayContaining(['db-pass-111', 'llm%40pass-444', 'llm@pass-444']));
  });
});
