// The dashboard in Debian's Chromium (playwright-core) against a real `cyberbrief run` child process, the
// Slack and Discord emulators (their sign-in and install pages included) and a local feed, on SQLite and
// PostgreSQL: sign in with Slack and with Discord, install into a second workspace and see its channels apart
// from the first, the feeds table and adding a feed (keyboard only), editing a topic with the live preview,
// saving it and the next poll using it, retrying a dead letter, signing out; a member without rights sees no
// other workspace's channels and gets 403 on a forged form; a form without its CSRF token gets 403. Every
// page passes axe-core's WCAG A/AA checks with no serious violation and fits a phone's width; screenshots of
// each page at desktop and phone width go to docs/screenshots/ (from the SQLite run).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { PERMISSIONS, startFakeDiscord, type FakeDiscord } from '../emulators/discord.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { sendSlashCommand, startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { freePort } from '../helpers/web-client.ts';
import { chromiumPresent, launchChromium, screenshots, seriousViolations, widerThanPhone, type Browser } from './chromium.ts';

notePostgresSkip();
if (!chromiumPresent) console.log('Browser tests skipped: /usr/bin/chromium is absent (install it with apt-get install -y chromium; .ci/run does).');

const T1 = 'T0NEWSROOM';
const T2 = 'T0SECOND';
const T1_TOKEN = 'xoxb-browser-newsroom-1234';
const SECRET = 'browser-signing-secret-abcdef';
const CLIENT_ID = '4321.8765';
const CLIENT_SECRET = 'browser-slack-client-secret';
const C1 = 'C0NEWS';
const C2 = 'C0SECOND';
const APP_ID = '800000000000000021';
const DTOKEN = 'discord-browser.token.abcdef';
const DSECRET = 'discord-browser-client-secret';
const G1 = '700000000000000021';
const D1 = '710000000000000021';
const EDITORS = '720000000000000021';
const D_MANAGER = '600000000000000021';
const PASSWORD = 'browser test operator password';

const LONG_ADDRESS = 'https://advisories.example/cybersecurity-advisories/aa24-038a-prc-state-sponsored-actors-compromise-and-maintain-persistent-access-to-critical-infrastructure';

const TOPICS = `topics:
  - id: espionage
    name: State cyberespionage
    description: Spying by states and the accusations around it.
    terms:
      - cyberespionage
      - { term: spying, weight: 2 }
      - { term: state hackers, weight: 2 }
    threshold: 2
  - id: talks
    name: Cyber talks
    description: Working groups and dialogues on cyber norms.
    terms:
      - { term: working group, weight: 3 }
    threshold: 2
`;

describe.skipIf(!chromiumPresent).each(testDatabases)('the dashboard in Chromium against cyberbrief run on $name', (database) => {
  const shots = database.name === 'sqlite';
  let dir: string;
  let drop: () => Promise<void> = async () => {};
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let feed: FeedServer;
  let bot: Bot;
  let storage: Storage;
  let browser: Browser;
  let base: string;
  let refuseDossier = true;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-browser-'));
    slack = await startFakeSlack({
      token: T1_TOKEN,
      teamId: T1,
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      users: [{ id: 'UAADMIN', is_admin: true, team_id: T1 }, { id: 'UAMEMBER', team_id: T1 }, { id: 'UBADMIN', is_admin: true, team_id: T2 }],
    });
    slack.installable.push({ teamId: T2, teamName: 'Second Desk', userId: 'UBADMIN' });
    slack.signInUsers.push(
      { userId: 'UAADMIN', teamId: T1, teamName: 'Newsroom', name: 'Ada' },
      { userId: 'UAMEMBER', teamId: T1, teamName: 'Newsroom', name: 'Max' },
      { userId: 'UBADMIN', teamId: T2, teamName: 'Second Desk', name: 'Bea' },
    );
    slack.channelMembers.set(C1, new Set(['UAADMIN', 'UAMEMBER']));
    slack.channelMembers.set(C2, new Set(['UBADMIN']));
    slack.failWhen('chat.postMessage', (a) => refuseDossier && JSON.stringify(a).includes('Refused dossier'), { error: 'msg_too_long' });
    discord = await startFakeDiscord({
      token: DTOKEN,
      applicationId: APP_ID,
      oauth: { clientSecret: DSECRET, users: [{ id: D_MANAGER, username: 'dmanager' }] },
      guilds: [{ id: G1, name: 'First Server', roles: [{ id: EDITORS, name: 'editors', permissions: PERMISSIONS.ManageChannels }], members: { [D_MANAGER]: [EDITORS] }, channels: [{ id: D1, name: 'cyber-news' }] }],
    });
    feed = await startFeedServer('Local Wire');
    const now = Date.now();
    feed.items.push(
      { guid: 'a', title: 'Ministry reports cyberespionage by state hackers', link: 'http://127.0.0.1/a', description: 'Officials describe spying on diplomats.', pubDate: new Date(now - 7_200_000) },
      { guid: 'b', title: 'Shipping firm hit by ransomware gang', link: 'http://127.0.0.1/b', description: 'A ransomware attack stopped the port for two days.', pubDate: new Date(now - 3_600_000) },
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1 }',
        'log: { level: info, format: json }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, total_timeout_ms: 2000, allow_hosts: ["127.0.0.1"] }',
        `feeds: [{ url: "${feed.url}", title: Local Wire }]`,
        `topics: { file: ${JSON.stringify(path.join(dir, 'topics.yaml'))} }`,
        'matching: { scorer: rules }',
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 20, max_attempts: 3 }',
        `discord: { dev_guild_id: "${G1}" }`,
        'web:',
        '  topics_check_seconds: 1',
        `  slack: { authorize_url: "${slack.baseUrl}/openid/connect/authorize", token_url: "${slack.apiUrl}openid.connect.token", userinfo_url: "${slack.apiUrl}openid.connect.userInfo", install_url: "${slack.baseUrl}/oauth/v2/authorize", install_scopes: [commands, chat:write, users:read, channels:read] }`,
        `  discord: { authorize_url: "${discord.baseUrl}/oauth2/authorize", token_url: "${discord.apiUrl}/v10/oauth2/token", api_url: "${discord.apiUrl}/v10", invite_permissions: "19456" }`,
      ].join('\n'),
    );
    const db = await database.create();
    drop = db.drop;
    storage = await openStorage(db.url);
    bot = startBotProcess(dir, {
      PORT: String(port),
      DATABASE_URL: db.url,
      CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'),
      DASHBOARD_URL: base,
      DASHBOARD_PASSWORD: PASSWORD,
      SLACK_BOT_TOKEN: T1_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      CYBERBRIEF_ENCRYPTION_KEY: 'b'.repeat(64),
      DISCORD_TOKEN: DTOKEN,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CLIENT_SECRET: DSECRET,
    });
    expect(await announcedPort(bot)).toBe(port);
    await waitFor('the first poll', async () => ((await storage.feeds.getByUrl(feed.url))?.primed ? true : undefined), 20_000);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (bot && bot.child.exitCode === null) {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    await storage?.close();
    await Promise.all([slack?.close(), discord?.close(), feed?.close()]);
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const page = () => browser.page;
  const slash = async (team: string, channel: string, user: string, text: string) =>
    String((await sendSlashCommand({ url: `${base}/slack/events`, signingSecret: SECRET, text, userId: user, channelId: channel, channelName: channel === C1 ? 'newsroom' : 'second-desk', teamId: team })).json?.text);
  const slackGot = (channel: string, needle: string) => slack.messages.some((m) => m.channel === channel && m.method === 'chat.postMessage' && (m.text + JSON.stringify(m.blocks)).includes(needle));
  const channelId = async (platform: 'slack' | 'discord', id: string) => (await storage.channels.find(platform, id))!.id;

  /** axe-core finds no serious or critical violation, and the page fits a phone's width. */
  async function accessible(what: string): Promise<void> {
    expect(await seriousViolations(page()), `${what}: axe violations`).toEqual([]);
    expect(await widerThanPhone(page()), `${what}: wider than a phone`).toEqual([]);
  }

  async function signOut(): Promise<void> {
    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().waitForURL(`${base}/sign-in`);
  }

  async function signInWith(provider: 'Slack' | 'Discord', who: string): Promise<void> {
    await page().goto(`${base}/`);
    await page().waitForURL(`${base}/sign-in`);
    await page().getByRole('link', { name: `Sign in with ${provider}` }).click();
    await page().getByRole('link', { name: who }).click();
    await page().waitForURL(`${base}/`);
  }

  it('channels in both Slack and Discord subscribe with /news', async () => {
    expect(await slash(T1, C1, 'UAADMIN', 'subscribe espionage')).toMatch(/^This channel now follows/);
    const id = discord.sendInteraction({ guildId: G1, channelId: D1, userId: D_MANAGER, permissions: PERMISSIONS.ManageChannels | PERMISSIONS.ViewChannel, subcommand: 'subscribe' });
    await waitFor('the Discord reply', () => discord.interactionReplies.find((r) => r.interactionId === id));
  });

  it('signs in with Slack through the emulator and shows the overview; the sign-in page passes axe', async () => {
    await page().goto(`${base}/feeds`);
    await page().waitForURL(`${base}/sign-in`);
    expect(await page().title()).toBe('Sign in · cyberbrief');
    await accessible('sign-in');
    if (shots) await screenshots(page(), 'sign-in');
    await page().getByRole('link', { name: 'Sign in with Slack' }).click();
    await page().getByRole('link', { name: 'Continue as Ada (Newsroom)' }).click();
    await page().waitForURL(`${base}/`);
    expect(await page().title()).toBe('Overview · cyberbrief');
    expect(await page().locator('.who').innerText()).toContain('Ada (Slack: Newsroom)');
    await accessible('overview');
  });

  it('shows the feeds table and adds a feed with the keyboard alone', async () => {
    await page().goto(`${base}/`);
    // The first Tab reaches the skip link, which moves focus to the page's content.
    await page().keyboard.press('Tab');
    expect(await page().evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page().keyboard.press('Enter');
    expect(await page().evaluate('document.activeElement.id')).toBe('main');
    await page().getByRole('link', { name: 'Feeds' }).click();
    expect(await page().locator('table').first().innerText()).toContain('Local Wire');
    await accessible('feeds');
    await page().locator('#url').focus();
    await page().keyboard.type('https://newsroom.example.com/rss');
    await page().keyboard.press('Enter');
    await page().waitForURL(/\/feeds/);
    expect(await page().getByRole('status').innerText()).toMatch(/^Added feed \d+: https:\/\/newsroom\.example\.com\/rss, for this workspace's channels only/);
    expect(await page().locator('table').first().innerText()).toContain('newsroom.example.com/rss');
    const f = (await storage.feeds.getByUrl('https://newsroom.example.com/rss'))!;
    expect((await storage.feeds.audiences()).get(f.id)).toEqual({ global: false, tenants: [`slack:${T1}`] });
  });

  it('installs into a second workspace with Add to Slack; each workspace sees only its own channels', async () => {
    await page().goto(`${base}/`);
    await page().getByRole('link', { name: 'Add to Slack' }).click();
    await page().getByRole('link', { name: 'Allow cyberbrief in Second Desk' }).click();
    await page().waitForURL(/\/installed\?team=Second/);
    expect(await page().locator('main').innerText()).toContain('cyberbrief is installed in Second Desk');
    await accessible('installed');
    expect(await slash(T2, C2, 'UBADMIN', 'subscribe espionage')).toMatch(/^This channel now follows/);
    expect((await storage.channels.find('slack', C2))?.workspaceId).toBe(T2);
    await page().goto(`${base}/channels`);
    expect(await page().locator('main').innerText()).toContain('#newsroom (Slack)');
    expect(await page().locator('main').innerText()).not.toContain('second-desk');
    await signOut();
    await signInWith('Slack', 'Continue as Bea (Second Desk)');
    await page().goto(`${base}/channels`);
    const text = await page().locator('main').innerText();
    expect(text).toContain('#second-desk (Slack)');
    expect(text).not.toContain('newsroom');
    await signOut();
  });

  it('signs in with Discord and sees the server channel the member manages', async () => {
    await signInWith('Discord', 'Authorize as dmanager');
    await page().goto(`${base}/channels`);
    const text = await page().locator('main').innerText();
    expect(text).toContain('#cyber-news (Discord)');
    expect(text).not.toMatch(/newsroom|second-desk/);
    await page().getByRole('link', { name: 'Manage cyber-news' }).click();
    await accessible('channel (Discord)');
    await signOut();
  });

  it('a member without rights sees no other workspace and gets 403 on a forged form; a form without its CSRF token gets 403', async () => {
    await signInWith('Slack', 'Continue as Max (Newsroom)');
    await page().goto(`${base}/channels`);
    const text = await page().locator('main').innerText();
    expect(text).toContain('#newsroom (Slack)');
    expect(text).not.toContain('second-desk');
    expect(await page().getByRole('link', { name: 'View newsroom' }).count()).toBe(1);
    const token = await page().locator('input[name=_csrf]').first().inputValue();
    const c1 = await channelId('slack', C1);
    const c2 = await channelId('slack', C2);
    const before = [await storage.channels.subscriptions(c1), await storage.channels.subscriptions(c2), await storage.channels.keywords(c2)];
    const forged = await page().request.post(`${base}/channels/${c2}/topics`, { form: { _csrf: token, topic: 'talks' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const own = await page().request.post(`${base}/channels/${c1}/keywords/add`, { form: { _csrf: token, term: 'sports' }, maxRedirects: 0 });
    expect(own.status()).toBe(403);
    expect(await own.text()).toContain('Sorry, only workspace admins and owners');
    expect([await storage.channels.subscriptions(c1), await storage.channels.subscriptions(c2), await storage.channels.keywords(c2)]).toEqual(before);
    await signOut();
    // Ada may change her channel, but not with a form that lacks the token.
    await signInWith('Slack', 'Continue as Ada (Newsroom)');
    const bare = await page().request.post(`${base}/channels/${c1}/keywords/add`, { form: { term: 'sanctions' }, maxRedirects: 0 });
    expect(bare.status()).toBe(403);
    expect(await bare.text()).toContain('This form has expired or did not come from this dashboard');
    expect(await storage.channels.keywords(c1)).toEqual([]);
    await page().goto(`${base}/channels/${c1}`);
    await page().getByLabel('Add a keyword (-word to exclude)').fill('sanctions');
    await page().getByRole('button', { name: 'Add keyword' }).click();
    expect(await page().getByRole('status').innerText()).toBe('Added "sanctions".');
    await signOut();
  });

  it('the operator edits a topic, sees the preview change while typing, saves it, and the next poll uses it', async () => {
    await page().getByLabel('Operator password').fill(PASSWORD);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().waitForURL(`${base}/`);
    await page().goto(`${base}/topics`);
    await page().getByRole('link', { name: 'Edit State cyberespionage' }).click();
    await page().waitForURL(`${base}/topics/espionage/edit`);
    const terms = page().getByLabel(/^Terms:/);
    await terms.fill(`${await terms.inputValue()}\n3 ransomware`);
    // preview.js posts the form a moment after typing stops and swaps in the server's preview.
    await page().locator('#preview').getByText('Newly matched (1)').waitFor({ timeout: 10_000 });
    expect(await page().locator('#preview').innerText()).toContain('Shipping firm hit by ransomware gang');
    await accessible('topic editor');
    if (shots) await screenshots(page(), 'topic-edit');
    await page().getByRole('button', { name: 'Save' }).click();
    await page().waitForURL(`${base}/topics`);
    expect(await page().getByRole('status').innerText()).toMatch(/^Saved version 1: espionage: \+"ransomware" \(3\)\./);
    await accessible('topics');
    feed.items.push(
      { guid: 'c', title: 'Ransomware crew freezes a city council', link: 'http://127.0.0.1/c', description: 'The ransomware attack hit payroll.', pubDate: new Date() },
      // A title holding a long address: on every page it wraps instead of widening the page past a phone's.
      { guid: 'e', title: `State hackers named in advisory ${LONG_ADDRESS}`, link: 'http://127.0.0.1/e', description: `Cyberespionage tools are listed at ${LONG_ADDRESS}.`, pubDate: new Date() },
    );
    await storage.feeds.makeAllDue(new Date());
    await waitFor('the ransomware story in the subscribed channel', () => slackGot(C1, 'Ransomware crew freezes a city council') || undefined, 30_000);
    await waitFor('the story with a long address in the subscribed channel', () => slackGot(C1, 'State hackers named in advisory') || undefined, 30_000);
  }, 60_000);

  it('retries a dead letter from the alerts page', async () => {
    feed.items.push({ guid: 'd', title: 'Refused dossier on spying by state hackers', link: 'http://127.0.0.1/d', description: 'Cyberespionage against a ministry.', pubDate: new Date() });
    await storage.feeds.makeAllDue(new Date());
    await waitFor('the dead letter', async () => ((await storage.alerts.list({ status: 'dead' })).some((a) => a.title.startsWith('Refused dossier')) ? true : undefined), 30_000);
    await page().goto(`${base}/alerts`);
    expect(await page().locator('#dead ~ ul').innerText()).toContain('msg_too_long');
    await accessible('alerts');
    if (shots) await screenshots(page(), 'alerts');
    refuseDossier = false;
    // The page's own dead letter: each channel that got the story has one, and the second may die after the page
    // was read, so the one to retry is taken from the page, not from storage.
    const button = page().getByRole('button', { name: /^Retry alert \d+: Refused dossier/ }).first();
    const id = Number(/^Retry alert (\d+):/.exec((await button.getAttribute('aria-label')) ?? (await button.innerText()))?.[1]);
    const dead = (await storage.alerts.list({ status: 'dead' })).find((a) => a.id === id)!;
    expect(dead.title).toMatch(/^Refused dossier/);
    await button.click();
    expect(await page().getByRole('status').innerText()).toContain(`Alert ${dead.id} is queued again`);
    const target = dead.channelId === (await channelId('slack', C1)) ? C1 : C2;
    await waitFor('the retried alert delivered', () => slackGot(target, 'Refused dossier') || undefined, 30_000);
    // The dispatcher records the send just after Slack answers: wait for it rather than race it.
    await waitFor('the retried alert recorded as sent', async () => ((await storage.alerts.get(dead.id))?.status === 'sent' ? true : undefined), 10_000);
  }, 60_000);

  it('every page passes axe and fits a phone; screenshots at desktop and phone width', async () => {
    const c1 = await channelId('slack', C1);
    // A feed whose error quotes its long address (a token in the query: no place to break a line): at desktop
    // width its table still shows every column (the error wraps) instead of pushing the buttons out of sight.
    const tokenUrl = `https://private-feeds.example/rss?token=${'9f8e7d6c5b4a3'.repeat(8)}`;
    await storage.feeds.add({ url: tokenUrl, title: 'Advisories', source: 'cli' }, new Date());
    await waitFor('the long address to fail', async () => ((await storage.feeds.getByUrl(tokenUrl))?.lastError ? true : undefined), 20_000);
    const pages: Array<[string, string, string]> = [
      ['overview', '/', 'Overview'],
      ['feeds', '/feeds', 'Feeds'],
      ['topics', '/topics', 'Topics'],
      ['channels', '/channels', 'Channels'],
      ['channel', `/channels/${c1}`, '#newsroom'],
      ['alerts', '/alerts', 'Alerts'],
    ];
    for (const [name, url, title] of pages) {
      await page().goto(`${base}${url}`);
      expect(await page().title(), url).toBe(`${title} · cyberbrief`);
      expect(await page().locator('header nav[aria-label="Main"]').count(), url).toBe(1);
      expect(await page().locator('main h1').innerText(), url).toBe(title);
      await accessible(name);
      const sideways = await page().evaluate(`[...document.querySelectorAll('.table-wrap')].filter((w) => w.scrollWidth > w.clientWidth).map((w) => w.scrollWidth + ' in ' + w.clientWidth)`);
      expect(sideways, `${name}: a table scrolls sideways at desktop width`).toEqual([]);
      if (shots && name !== 'alerts') await screenshots(page(), name);
    }
  }, 60_000);

  it('signs out: the pages send the browser back to sign in', async () => {
    await signOut();
    expect(await page().getByRole('status').innerText()).toBe('You are signed out.');
    await page().goto(`${base}/alerts`);
    await page().waitForURL(`${base}/sign-in`);
    expect(bot.child.exitCode).toBeNull();
  });
});
