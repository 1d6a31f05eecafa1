// Tables on the dashboard at desktop width in Debian's Chromium, when feed text holds a word longer than the
// page (a feed titled with a slug, a headline that is one long address): the word breaks inside its cell, so
// every column, the actions included, stays in view instead of being pushed out of the table's scrolling box.
// In the topic editor, where each line is one term, a line longer than the box stays one line (the box
// scrolls sideways) rather than wrapping into what reads as a second term.
// The dashboard is `cyberbrief run`'s (createApp) over SQLite, with a local feed, signed in with the password.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { chromiumPresent, launchChromium, screenshots, type Browser } from './chromium.ts';

if (!chromiumPresent) console.log('Browser tests skipped: /usr/bin/chromium is absent (install it with apt-get install -y chromium; .ci/run does).');

const PASSWORD = 'long words operator password';
const SLUG = `state-hackers-cyberespionage-${'x'.repeat(260)}`;

describe.skipIf(!chromiumPresent)('dashboard tables with a word longer than the page (Chromium, SQLite)', () => {
  let dir: string;
  let feed: FeedServer;
  let app: App;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-long-words-'));
    feed = await startFeedServer(SLUG);
    const now = Date.now();
    feed.items.push(
      { guid: 'a', title: `Cyberespionage by state hackers: ${SLUG}`, link: 'http://127.0.0.1/a', description: 'Officials describe spying on diplomats.', pubDate: new Date(now - 3_600_000) },
      { guid: 'b', title: 'Ministry reports cyberespionage by state hackers', link: 'http://127.0.0.1/b', description: 'Officials describe spying.', pubDate: new Date(now - 1_800_000) },
    );
    writeFileSync(path.join(dir, 'topics.yaml'), 'topics:\n  - id: espionage\n    name: State cyberespionage\n    terms:\n      - cyberespionage\n    threshold: 1\n');
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'server: { host: 127.0.0.1, port: 0 }',
        'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 10, allow_hosts: ["127.0.0.1"] }',
        `feeds: [{ url: "${feed.url}" }]`,
        `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
        'matching: { scorer: rules }',
        'summary: { fetch_article: false }',
        'delivery: { channel_interval_ms: 0 }',
      ].join('\n'),
    );
    const config = await loadConfig({ cwd: dir, env: { CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: path.join(dir, 'bot.db'), DASHBOARD_PASSWORD: PASSWORD } });
    app = createApp({ config, logger: silentLogger(), cwd: dir, consoleWrite: () => {} });
    await app.start();
    base = `http://127.0.0.1:${app.port}`;
    await waitFor('two alerts sent', async () => ((await app.storage!.alerts.counts()).sent >= 2 ? true : undefined), 20_000);
    browser = await launchChromium();
    await browser.page.goto(`${base}/sign-in`);
    await browser.page.getByLabel('Operator password').fill(PASSWORD);
    await browser.page.getByRole('button', { name: 'Sign in' }).click();
    await browser.page.waitForURL(`${base}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await feed?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    { page: '/feeds', shot: 'long-words-feeds', last: 'Actions' },
    { page: '/alerts', shot: 'long-words-alerts', last: 'Sent' },
  ])('$page keeps every column in view at desktop width, $last included', async ({ page: p, shot, last }) => {
    const page = browser.page;
    await page.goto(base + p);
    await expect.poll(() => page.getByText('x'.repeat(40), { exact: false }).count()).toBeGreaterThan(0);
    // The table's box does not scroll sideways, and its last column's heading is inside that box.
    const fit = (await page.evaluate(`(() => {
      const wrap = document.querySelector('.table-wrap');
      const box = wrap.getBoundingClientRect();
      const heads = [...wrap.querySelectorAll('th')];
      const lastHead = heads[heads.length - 1];
      return { scrolls: wrap.scrollWidth > wrap.clientWidth, last: lastHead.textContent.trim(), lastRight: Math.round(lastHead.getBoundingClientRect().right), boxRight: Math.round(box.right) };
    })()`)) as { scrolls: boolean; last: string; lastRight: number; boxRight: number };
    await screenshots(page, shot);
    expect(fit.last).toBe(last);
    expect(fit.lastRight).toBeLessThanOrEqual(fit.boxRight);
    expect(fit.scrolls).toBe(false);
  });

  it('the topic editor keeps a long term on one line: the box scrolls sideways instead of wrapping it', async () => {
    const page = browser.page;
    await page.goto(`${base}/topics/espionage/edit`);
    const terms = page.getByLabel(/^Terms/);
    await terms.fill(`1 spying\n2 (${Array.from({ length: 30 }, (_, i) => `state-group-${i}`).join('|')}) hackers\n1 cyberespionage`);
    const box = (await terms.evaluate((t) => ({ scrollWidth: t.scrollWidth, clientWidth: t.clientWidth }))) as { scrollWidth: number; clientWidth: number };
    await screenshots(page, 'long-words-topic-edit');
    expect(box.scrollWidth).toBeGreaterThan(box.clientWidth);
  });
});
