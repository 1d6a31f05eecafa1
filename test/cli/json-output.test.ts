// --json, one convention for every command (src/cli/json-lines.ts): JSON Lines on standard output, one JSON
// object per line and nothing else; an empty list is no line at all, exit 0, with the reason on standard
// error. Before, `alerts list --json` printed an indented array, `brief --dry-run --json` an indented object,
// and `feeds list`, `actors list` and `poll --once` printed nothing at all for an empty list, not even why.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';
import { runCli } from '../helpers/cli-run.ts';

/** A fresh SQLite database (migrated, empty) and a configuration that lists no feeds. */
async function emptyDatabase(): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-json-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, 'feeds: []\n');
  const env = { CYBERBRIEF_CONFIG: config, DATABASE_URL: path.join(dir, 'j.db'), LOG_LEVEL: 'silent' };
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  return env;
}

/** The same with a feed, a Slack channel and three alerts to it. */
async function withAlerts(): Promise<Record<string, string>> {
  const env = await emptyDatabase();
  const storage = await openStorage(env.DATABASE_URL!);
  try {
    const t0 = new Date('2026-03-02T10:00:00Z');
    const { itemIds } = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [1, 2, 3].map((n) => ({ key: `k${n}`, title: `Story ${n}` })), t0);
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    await seedAlerts(storage, ch, itemIds, t0);
  } finally {
    await storage.close();
  }
  return env;
}

/** Every line of standard output, each a JSON object (never an array, never indented). */
function jsonLines(stdout: string): Record<string, unknown>[] {
  if (stdout === '') return [];
  return stdout.split('\n').map((line) => {
    const v = JSON.parse(line) as unknown;
    expect(typeof v === 'object' && v !== null && !Array.isArray(v), `not a JSON object: ${line.slice(0, 80)}`).toBe(true);
    return v as Record<string, unknown>;
  });
}

describe('--json: JSON Lines everywhere, an empty list no line with the reason on standard error', () => {
  it.each([
    { name: 'feeds list, no feeds', db: emptyDatabase, argv: ['feeds', 'list', '--json'], lines: 0, stderr: /^No feeds yet\. Add one with `cyberbrief feeds add URL`/ },
    { name: 'feeds list --failing, a healthy feed', db: withAlerts, argv: ['feeds', 'list', '--failing', '--json'], lines: 0, stderr: /^No feed is failing or disabled \(of 1\)\.$/ },
    { name: 'feeds list, a feed', db: withAlerts, argv: ['feeds', 'list', '--json'], lines: 1, stderr: /^$/ },
    { name: 'alerts list, no alerts', db: emptyDatabase, argv: ['alerts', 'list', '--json'], lines: 0, stderr: /^No alerts yet\.$/ },
    { name: 'alerts list --failed, none failed', db: withAlerts, argv: ['alerts', 'list', '--failed', '--json'], lines: 0, stderr: /^No failed alerts\.$/ },
    { name: 'alerts list, three alerts', db: withAlerts, argv: ['alerts', 'list', '--json'], lines: 3, stderr: /^$/ },
    { name: 'alerts list, a page of one', db: withAlerts, argv: ['alerts', 'list', '--limit', '1', '--json'], lines: 1, stderr: /^cyberbrief alerts list: the newest 1 shown; --limit N shows more\.$/ },
    { name: 'actors list, a state with none', db: emptyDatabase, argv: ['actors', 'list', '--state', 'Atlantis', '--json'], lines: 0, stderr: /^No actor is listed for Atlantis\.$/ },
    { name: 'poll --once, no feeds', db: emptyDatabase, argv: ['poll', '--once', '--json'], lines: 0, stderr: /^No feeds yet: add one with `cyberbrief feeds add URL`/ },
    { name: 'brief --dry-run, one result', db: withAlerts, argv: ['brief', '--channel', 'slack:C1', '--dry-run', '--json'], lines: 1, stderr: /^$/ },
  ])('$name', async ({ db, argv, lines, stderr }) => {
    const r = await runCli(argv, await db());
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(lines);
    expect(r.stderr).toMatch(stderr);
  });
});
