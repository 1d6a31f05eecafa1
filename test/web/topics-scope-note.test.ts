// The Topics page says who decides what: with the relevance model, the model decides whether a story is in scope
// and the topics where it is filed, and the topics whose rules differ from the ones the model was fitted with are
// named (the shipped files differ in two); with the rules alone, the rules decide both. Through the real app on a
// SQLite file, signed in with the operator password.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { webClient } from '../helpers/web-client.ts';

const PASSWORD = 'topics page operator password';
const ROOT = process.cwd();
const dirs: string[] = [];
const apps: App[] = [];

afterAll(async () => {
  for (const app of apps) await app.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The Topics page's text, as the operator sees it, of an app started with these config lines. */
async function topicsPage(lines: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-topics-note-'));
  dirs.push(dir);
  const fitted = JSON.parse(readFileSync(path.join(ROOT, 'config', 'relevance-model.json'), 'utf8')).rules;
  writeFileSync(path.join(dir, 'fitted-topics.yaml'), JSON.stringify({ topics: fitted }));
  const paths = [
    `topics: { file: ${JSON.stringify(path.join(ROOT, 'config', 'topics.yaml'))} }`,
    `matching: { model_file: ${JSON.stringify(path.join(ROOT, 'config', 'relevance-model.json'))}, actors_file: ${JSON.stringify(path.join(ROOT, 'config', 'threat-actors.jsonl'))} }`,
  ];
  const over = (key: string) => lines.some((l) => l.startsWith(key));
  const config = ['server: { host: 127.0.0.1, port: 0 }', 'feeds: []', 'summary: { fetch_article: false }', ...paths.filter((l) => !over(l.split(':')[0]!)), ...lines].join('\n').replaceAll('FITTED', path.join(dir, 'fitted-topics.yaml'));
  writeFileSync(path.join(dir, 'config.yaml'), config);
  const app = createApp({ config: await loadConfig({ cwd: dir, env: { CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: path.join(dir, 'bot.db'), DASHBOARD_PASSWORD: PASSWORD } }), logger: silentLogger(), cwd: dir, consoleWrite: () => {} });
  apps.push(app);
  await app.start();
  const op = webClient(`http://127.0.0.1:${app.port}`);
  await op.get('/sign-in');
  expect((await op.post('/sign-in/password', { password: PASSWORD })).status).toBe(303);
  const page = await op.get('/topics');
  expect(page.status).toBe(200);
  return page.plain;
}

const MARK = "rules edited since the model's fit";

describe('the Topics page says who decides what', () => {
  it.each([
    {
      name: 'the shipped topics and model: two topics differ from the fitted rules',
      lines: [],
      says: ['decides whether a story is in scope; these topics decide which of them it is filed under.', 'The rules of Accusations, indictments and sanctions over hacking and State attacks on critical infrastructure differ from the ones the model was fitted with', 'until cyberbrief model fit refits it with these.', 'An edit moves stories between topics, not into or out of scope.'],
      marked: ['cyber-accusations-sanctions', 'critical-infrastructure-attacks'],
    },
    {
      name: 'the fitted rules as the topics: nothing differs',
      lines: ['topics: { file: FITTED }'],
      says: ['decides whether a story is in scope; these topics decide which of them it is filed under.', 'An edit moves stories between topics, not into or out of scope.'],
      marked: [],
    },
    {
      name: 'the rules alone',
      lines: ['matching: { scorer: rules }'],
      says: ["These topics' rules decide both whether a story is in scope and which topics it is filed under."],
      marked: [],
    },
  ])('$name', async ({ lines, says, marked }) => {
    const text = await topicsPage(lines);
    for (const s of says) expect(text).toContain(s);
    if (marked.length === 0) expect(text).not.toContain('differ from the ones the model was fitted with');
    // Each topic's line under its heading: "<id> · threshold N · K terms", and the mark when its rules differ.
    expect([...text.matchAll(/<p class="muted">([a-z-]+) · [^<]*<\/p>/g)].filter((m) => m[0].includes(MARK)).map((m) => m[1])).toEqual(marked);
    expect([...text.matchAll(/<p class="muted">([a-z-]+) · [^<]*<\/p>/g)]).toHaveLength(10);
  }, 60_000);
});
