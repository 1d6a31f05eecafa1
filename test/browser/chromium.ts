// Debian's Chromium driven by playwright-core for the dashboard's browser tests: a fresh profile each run,
// the flags that keep it from reaching the network, an axe-core check injected from node_modules (over the
// DevTools protocol, so the page's Content Security Policy stays on), and screenshots at desktop and phone
// width saved under docs/screenshots/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumPresent = existsSync(CHROMIUM);
/**
 * Where screenshots go: docs/screenshots/ (shown in the README) when SCREENSHOTS=1 is set, so a normal test
 * run (CI included) takes them all the same but leaves the tracked files alone; a temporary folder otherwise.
 */
export const SCREENSHOTS = process.env.SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : path.join(tmpdir(), 'cyberbrief-screenshots');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'cyberbrief-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: DESKTOP });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's WCAG 2 A/AA rules on the current page; the violations of impact serious or critical. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${AXE};0`);
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`)) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves the page at desktop and phone width: docs/screenshots/<name>-desktop.png and -phone.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true, animations: 'disabled' });
  }
  await page.setViewportSize(DESKTOP);
}

/**
 * The elements that stick out past a phone's screen (nothing should: wide tables scroll in place); [] when
 * the page fits.
 */
export async function widerThanPhone(page: Page): Promise<string[]> {
  await page.setViewportSize(PHONE);
  const wide = (await page.evaluate(`(() => {
    if (document.documentElement.scrollWidth <= ${PHONE.width}) return [];
    // Something sticks out: name it (a table may be wider, inside its own scrolling box).
    const named = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > ${PHONE.width} && !e.closest('.table-wrap'))
      .slice(0, 5)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
    return named.length ? named : ['the document, ' + document.documentElement.scrollWidth + 'px wide'];
  })()`)) as string[];
  await page.setViewportSize(DESKTOP);
  return wide;
}
