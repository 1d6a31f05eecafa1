// The dashboard of a new install (no feeds, no stories, no alerts; the console channel only): every page says
// what is missing and how to add it, and shows no table without rows (a header row over nothing reads as a
// page that failed to load).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { webClient, type WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'empty install operator password';

describe('the dashboard of a new install (SQLite)', () => {
  let dir: string;
  let app: App;
  let op: WebClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-empty-web-'));
    writeFileSync(path.join(dir, 'config.yaml'), ['server: { host: 127.0.0.1, port: 0 }', 'feeds: []', 'matching: { scorer: rules }', 'summary: { fetch_article: false }'].join('\n'));
    const config = await loadConfig({ cwd: dir, env: { CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: path.join(dir, 'bot.db'), DASHBOARD_PASSWORD: PASSWORD } });
    app = createApp({ config, logger: silentLogger(), cwd: dir, consoleWrite: () => {} });
    await app.start();
    op = webClient(`http://127.0.0.1:${app.port}`);
    await op.get('/sign-in');
    expect((await op.post('/sign-in/password', { password: PASSWORD })).status).toBe(303);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    { page: '/', says: 'No story has matched a topic yet.' },
    { page: '/feeds', says: 'No feeds are watched yet; add one below, import an OPML file, or run cyberbrief feeds add URL.' },
    { page: '/feeds?q=wire', says: 'No feeds are watched yet; add one below, import an OPML file, or run cyberbrief feeds add URL.' },
    { page: '/alerts', says: 'No alerts yet.' },
  ])('$page says what is missing and shows no empty table', async ({ page, says }) => {
    const r = await op.get(page);
    expect(r.status).toBe(200);
    expect(r.plain).toContain(says);
    expect(r.text).not.toMatch(/<tbody>\s*<\/tbody>/);
    expect(r.plain).not.toContain('(of 0)');
  });
});
