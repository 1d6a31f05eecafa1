import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createPlatforms } from '../../src/platforms/registry.ts';
import { openStorage } from '../../src/storage/index.ts';

const env = (extra: Record<string, string | undefined>) => ({ DATABASE_URL: ':memory:', ...extra });

describe('createPlatforms', () => {
  it.each([
    { name: 'no tokens: the console', env: {}, want: ['console'], routes: [] },
    {
      name: 'Slack over HTTP',
      env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123456', SLACK_API_URL: 'http://127.0.0.1:9/api/' },
      want: ['slack'],
      routes: ['POST /slack/events'],
    },
    { name: 'Discord', env: { DISCORD_TOKEN: 'tok-123456', DISCORD_APPLICATION_ID: '123456789012345678' }, want: ['discord'], routes: [] },
    {
      name: 'both',
      env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123456', DISCORD_TOKEN: 'tok-123456', DISCORD_APPLICATION_ID: '123456789012345678' },
      want: ['slack', 'discord'],
      routes: ['POST /slack/events'],
    },
  ])('$name', async ({ env: e, want, routes }) => {
    const config = await loadConfig({ env: env(e) });
    const { platforms, routes: got } = await createPlatforms(config, silentLogger());
    expect(platforms.map((p) => p.name)).toEqual(want);
    expect(got.map((r) => `${r.method} ${r.path}`)).toEqual(routes);
  });

  it.each([
    { name: 'Slack without a signing secret', env: { SLACK_BOT_TOKEN: 'xoxb-1' }, error: /SLACK_SIGNING_SECRET is not; set it/ },
    { name: 'Discord without an application id', env: { DISCORD_TOKEN: 'tok-123456' }, error: /DISCORD_APPLICATION_ID is not/ },
  ])('refuses $name, naming the missing setting', async ({ env: e, error }) => {
    const config = await loadConfig({ env: env(e) });
    await expect(createPlatforms(config, silentLogger())).rejects.toThrow(error);
  });

  it('with Add to Slack (client id, secret and encryption key), serves installed workspaces without SLACK_BOT_TOKEN', async () => {
    const storage = await openStorage(':memory:');
    try {
      const oauth = { SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'client-secret-123', SLACK_SIGNING_SECRET: 'secret-123456', CYBERBRIEF_ENCRYPTION_KEY: 'cd'.repeat(32) };
      const config = await loadConfig({ env: env(oauth) });
      const { platforms, routes } = await createPlatforms(config, silentLogger(), { slackInstallations: storage.slackInstallations });
      expect(platforms.map((p) => [p.name, !!p.access])).toEqual([['slack', true]]);
      expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /slack/events', 'GET /slack/install', 'GET /slack/oauth_redirect']);
      // Without the encryption key there is no Add to Slack (installations would sit in clear): the console runs.
      const keyless = await loadConfig({ env: env({ ...oauth, CYBERBRIEF_ENCRYPTION_KEY: undefined }) });
      expect((await createPlatforms(keyless, silentLogger(), { slackInstallations: storage.slackInstallations })).platforms.map((p) => p.name)).toEqual(['console']);
    } finally {
      await storage.close();
    }
  });

  it('needs SLACK_APP_TOKEN for Socket Mode', async () => {
    const config = await loadConfig({ env: env({ SLACK_BOT_TOKEN: 'xoxb-1' }) });
    config.slack.socket_mode = true;
    await expect(createPlatforms(config, silentLogger())).rejects.toThrow(/SLACK_APP_TOKEN is not set/);
    config.secrets.slackAppToken = 'xapp-1-abc';
    const { platforms, routes } = await createPlatforms(config, silentLogger());
    expect(platforms.map((p) => p.name)).toEqual(['slack']);
    expect(routes).toEqual([]);
  });
});
