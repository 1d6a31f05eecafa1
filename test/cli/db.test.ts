import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { NewItem } from '../../src/domain/types.ts';
import { openStorage } from '../../src/storage/index.ts';
import { runCli } from '../helpers/cli-run.ts';

const cli = (argv: string[], env: Record<string, string>) => runCli(argv, env);

const item = (key: string): NewItem => ({
  feedId: 0,
  key,
  guid: key,
  url: `https://alpha.example/${key}`,
  title: `Story ${key}`,
  summary: 'A summary.',
  content: 'The whole text of the story.',
  html: '<p>The whole text of the story.</p>',
  author: null,
  publishedAt: null,
  contentHash: `h-${key}`,
});

/** Two processed items fetched long ago, one fetched now; two old cache rows and a new one. */
async function seeded(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-db-')), 'c.db');
  const storage = await openStorage(file);
  try {
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    const feed = (await storage.feeds.add({ url: 'https://alpha.example/rss', source: 'cli' }, longAgo)).feed.id;
    const old = await storage.items.storeForFeed(feed, [item('a'), item('b')], { fetchedAt: longAgo });
    const recent = await storage.items.storeForFeed(feed, [item('c')], { fetchedAt: new Date() });
    await storage.items.markProcessed([...old.inserted, ...recent.inserted]);
    await storage.articles.put('https://alpha.example/a', 'text', longAgo);
    await storage.articles.put('https://alpha.example/b', null, longAgo);
    await storage.articles.put('https://alpha.example/c', 'text', new Date());
  } finally {
    await storage.close();
  }
  return file;
}

async function bodies(file: string): Promise<string[]> {
  const storage = await openStorage(file);
  try {
    const feed = (await storage.feeds.getByUrl('https://alpha.example/rss'))!;
    return (await storage.items.listByFeed(feed.id)).map((i) => `${i.key}:${i.content}`).sort();
  } finally {
    await storage.close();
  }
}

describe('cyberbrief db', () => {
  it('compact --dry-run counts, compact does it once, a second run finds nothing', async () => {
    const file = await seeded();
    const dry = await cli(['db', 'compact', '--dry-run'], { DATABASE_URL: file });
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toBe(`SQLite file ${file}: would compact 2 items and delete 2 article-cache rows older than 30 days.`);
    expect(await bodies(file)).toEqual(['a:The whole text of the story.', 'b:The whole text of the story.', 'c:The whole text of the story.']);

    const run = await cli(['db', 'compact'], { DATABASE_URL: file });
    expect(run).toMatchObject({ code: 0, stdout: `SQLite file ${file}: compacted 2 items and deleted 2 article-cache rows older than 30 days.` });
    expect(await bodies(file)).toEqual(['a:', 'b:', 'c:The whole text of the story.']);
    expect((await cli(['db', 'compact'], { DATABASE_URL: file })).stdout).toContain('compacted 0 items and deleted 0 article-cache rows');
  });

  it('compact does nothing when storage.compact_after_days is 0', async () => {
    const file = await seeded();
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-cfg-'));
    const cfg = path.join(dir, 'over.yaml');
    writeFileSync(cfg, 'storage:\n  compact_after_days: 0\n');
    const r = await cli(['db', 'compact'], { DATABASE_URL: file, CYBERBRIEF_CONFIG: cfg });
    expect(r).toMatchObject({ code: 0, stdout: 'db compact: compaction is disabled (storage.compact_after_days = 0); nothing done.' });
    expect(await bodies(file)).toEqual(['a:The whole text of the story.', 'b:The whole text of the story.', 'c:The whole text of the story.']);
  });

  it.each([
    ['no action', ['db'], "cyberbrief db: expected 'migrate' or 'compact'; run 'cyberbrief db --help'."],
    ['unknown action', ['db', 'vacuum'], "cyberbrief db: expected 'migrate' or 'compact', got 'vacuum'; run 'cyberbrief db --help'."],
    ['--dry-run on migrate', ['db', 'migrate', '--dry-run'], "cyberbrief db: --dry-run applies to 'compact' only; run 'cyberbrief db --help'."],
  ])('%s is a usage error (exit 2)', async (_name, argv, message) => {
    const r = await cli(argv, { DATABASE_URL: path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-db-')), 'u.db') });
    expect(r).toMatchObject({ code: 2, stderr: message });
  });

  it('migrate still applies the schema', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-db-')), 'm.db');
    const r = await cli(['db', 'migrate'], { DATABASE_URL: file });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/schema is up to date \(applied 001_initial, 002_alert_digest.*\)\.$/);
  });
});

describe('a database migrated by a newer cyberbrief', () => {
  const newer = async (names: string[]) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-db-')), 'newer.db');
    expect((await cli(['db', 'migrate'], { DATABASE_URL: file })).code).toBe(0);
    const raw = new Sqlite(file);
    for (const n of names) raw.prepare('insert into cyberbrief_migrations (name, timestamp) values (?, ?)').run(n, new Date().toISOString());
    raw.close();
    return file;
  };
  const sentence = (file: string, what: string) =>
    `storage: SQLite file ${file} was migrated by a newer cyberbrief (this version does not know its ${what}); run that version or a newer one, or restore a backup from before the upgrade.`;

  it.each([
    ['one unknown migration', ['099_future'], 'migration 099_future'],
    ['several', ['097_a', '098_b', '099_c', '100_d'], 'migrations 097_a, 098_b, 099_c and 1 more'],
  ])('with %s: db migrate and other commands refuse it in one sentence, and doctor fails', async (_name, names, what) => {
    const file = await newer(names);
    expect(await cli(['db', 'migrate'], { DATABASE_URL: file })).toMatchObject({ code: 1, stdout: '', stderr: sentence(file, what) });
    expect(await cli(['alerts', 'list'], { DATABASE_URL: file })).toMatchObject({ code: 1, stdout: '', stderr: sentence(file, what) });
    const doctor = await cli(['doctor', '--offline', '--json'], { DATABASE_URL: file });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout.split('\n').map((l) => JSON.parse(l) as { name: string }).find((c) => c.name === 'database')).toEqual({ name: 'database', ok: false, detail: sentence(file, what).replace(/^storage: /, '') });
  });
});
