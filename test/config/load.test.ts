import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/config/load.ts';
import { ConfigError } from '../../src/lib/errors.ts';

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
    expect(c.polling.concurrency).toBe(8);
    expect(c.polling.max_body_bytes).toBe(10 * 1024 * 1024);
    expect(c.polling.max_redirects).toBe(5);
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

  it('reads secrets from the environment only', async () => {
    const c = await loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1-abcdef', DISCORD_TOKEN: 'disc.token.value', LLM_API_KEY: 'sk-123456', DATABASE_URL: 'postgres://u:hunter22@h/db' }, cwd: dir });
    expect(c.secrets.slackBotToken).toBe('xoxb-1-abcdef');
    expect(secretValues(c)).toEqual(expect.arrayContaining(['xoxb-1-abcdef', 'disc.token.value', 'sk-123456', 'hunter22']));
  });

  const bad: Array<{ name: string; yaml?: string; env?: Record<string, string>; message: RegExp }> = [
    { name: 'a typo in a key', yaml: 'polling:\n  concurency: 3\n', message: /^config: unknown key polling\.concurency \(in .*ok?.*\); allowed here: tick, interval_seconds, .*concurrency/ },
    { name: 'an unknown top-level section', yaml: 'slak:\n  socket_mode: true\n', message: /^config: unknown key slak .*allowed here: database, server/ },
    { name: 'a number out of range', yaml: 'polling:\n  concurrency: 0\n', message: /^config: polling\.concurrency = 0 is invalid .*: expected a number >= 1\.$/ },
    { name: 'a wrong type', yaml: 'summary:\n  fetch_article: "yes"\n', message: /^config: summary\.fetch_article = "yes" is invalid .*: expected boolean\.$/ },
    { name: 'a feed URL that is not http', yaml: 'feeds:\n  - url: ftp://example.com/rss\n', message: /^config: feeds\.0\.url = "ftp:\/\/example\.com\/rss" is invalid .*http\(s\) URL\.$/ },
    { name: 'a bad enum from the environment', env: { LOG_LEVEL: 'loud' }, message: /^config: log\.level = "loud" is invalid \(check LOG_LEVEL or the config files\): expected one of "fatal", .*"silent"\.$/ },
    { name: 'a non-numeric PORT', env: { PORT: 'eighty' }, message: /^config: server\.port = "eighty" is invalid \(check PORT or the config files\): expected number\.$/ },
    { name: 'a feed URL with credentials (the password not shown)', yaml: 'feeds:\n  - url: https://reader:pw@example.com/rss\n', message: /^config: feeds\.0\.url = "https:\/\/reader:\[redacted\]@example\.com\/rss" is invalid .*: expected no user name or password in the URL/ },
    { name: 'an LLM_BASE_URL that is not http (the password not shown)', env: { LLM_BASE_URL: 'ftp://bob:hunter2secret@llm.example/v1' }, message: /^config: summary\.llm\.base_url = "ftp:\/\/bob:\[redacted\]@llm\.example\/v1" is invalid \(check LLM_BASE_URL or the config files\): expected an http\(s\) URL\.$/ },
    { name: 'a SLACK_API_URL that is not a URL (the password not shown)', env: { SLACK_API_URL: 'slack.internal://bob:hunter2secret@/api' }, message: /^config: SLACK_API_URL = "slack\.internal:\/\/bob:\[redacted\]@\/api" is invalid: expected an http\(s\) URL\.$/ },
    { name: 'a DISCORD_API_URL that is not http', env: { DISCORD_API_URL: 'discord.example/api' }, message: /^config: DISCORD_API_URL = "discord\.example\/api" is invalid: expected an http\(s\) URL\.$/ },
    { name: 'a bad CIDR in allow_hosts', yaml: 'polling:\n  allow_hosts: ["10.0.0.0/99"]\n', message: /^config: polling\.allow_hosts\.0 = "10\.0\.0\.0\/99" is invalid \(check CYBERBRIEF_ALLOW_HOSTS or the config files\): expected a host name, \*\.domain, an IP address or a CIDR such as 10\.0\.0\.0\/8\.$/ },
    { name: 'a bad allow-list entry from the environment', env: { CYBERBRIEF_ALLOW_HOSTS: '127.0.0.1, foo/bar' }, message: /^config: polling\.allow_hosts\.1 = "foo\/bar" is invalid \(check CYBERBRIEF_ALLOW_HOSTS or the config files\): expected a host name/ },
    { name: 'a tick that is not a cron expression', yaml: 'polling:\n  tick: "every minute"\n', message: /^config: polling\.tick = "every minute" is invalid .*: expected a cron expression such as "\*\/1 \* \* \* \*" \(5 fields, or 6 with seconds first\)\.$/ },
    { name: 'YAML that does not parse', yaml: 'polling: [unclosed\n', message: /^config: .* is not valid YAML: / },
    { name: 'a missing override file', env: { CYBERBRIEF_CONFIG: '/nonexistent/cyberbrief.yaml' }, message: /^config: cannot read \/nonexistent\/cyberbrief\.yaml \(ENOENT\); check CYBERBRIEF_CONFIG\.$/ },
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

  it('lists the password of every URL-valued setting among the secrets to scrub', async () => {
    const c = await loadConfig({
      env: {
        DATABASE_URL: 'postgres://u:db-pass-111@h/db',
        SLACK_API_URL: 'https://bot:slack-pass-222@proxy.example/api/',
        DISCORD_API_URL: 'https://bot:discord%40pass-333@proxy.example/api',
        LLM_BASE_URL: 'http://me:llm-pass-444@127.0.0.1:11434/v1',
      },
      cwd: dir,
    });
    expect(secretValues(c)).toEqual(expect.arrayContaining(['db-pass-111', 'slack-pass-222', 'discord%40pass-333', 'discord@pass-333', 'llm-pass-444']));
  });
});
