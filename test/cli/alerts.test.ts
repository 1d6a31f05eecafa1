import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { seedAlerts, seedChannel, seedFeed } from '../delivery/fixtures.ts';
import { runCli } from '../helpers/cli-run.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

const cli = (argv: string[], dbFile: string) => runCli(argv, { DATABASE_URL: dbFile });

/** A database with three alerts: one sent (its story also covered by another feed), one dead, one pending. */
async function seeded(): Promise<{ file: string; ids: number[] }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-alerts-')), 'a.db');
  const storage = await openStorage(file);
  try {
    const t0 = new Date('2026-03-02T10:00:00Z');
    const { itemIds } = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [1, 2, 3].map((n) => ({ key: `k${n}`, title: `Story ${n}` })), t0);
    const ch = await seedChannel(storage, 'slack', 'C1', ['espionage']);
    const ids = await seedAlerts(storage, ch, itemIds, t0);
    // Another feed's item joins the first story.
    const beta = await seedFeed(storage, { url: 'https://beta.example/rss', title: 'Beta' }, [{ key: 'b1', title: 'Story 1, as Beta tells it' }], t0);
    await storage.clusters.assignCluster(beta.itemIds[0]!, (await storage.alerts.get(ids[0]!))!.clusterId);
    await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'x', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
    await storage.alerts.markSent(ids[0]!, 'x', { messageId: '1700.01', at: t0, inDigest: false, updateCount: 0 });
    await storage.alerts.recordFailure(ids[1]!, 'x', { error: 'transient: HTTP 500 from slack', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 1 });
    await storage.alerts.release([ids[2]!], 'x');
    return { file, ids };
  } finally {
    await storage.close();
  }
}

describe('cyberbrief alerts', () => {
  it('list --failed shows the dead letters with their last error', async () => {
    const { file, ids } = await seeded();
    const r = await cli(['alerts', 'list', '--failed'], file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ids[1]}  dead    slack:#C1  Story 2`);
    expect(r.stdout).toContain('last error: transient: HTTP 500 from slack');
    expect(r.stdout).not.toContain('Story 1');
    expect(r.stdout).toMatch(/1 failed alert; 'cyberbrief alerts retry --all' queues them again\./);
  });

  // Times in the text as chat and the dashboard show them (shownTime: weekday, to the minute, UTC said), not ISO.
  it('list shows times as every face of the product does', async () => {
    const { file, ids } = await seeded();
    const r = await cli(['alerts', 'list'], file);
    expect(r.stdout).toContain(`${ids[0]}  sent    slack:#C1  Story 1\n       also covered by 1 other feed\n       sent Mon 2 Mar 2026 10:00 UTC  message 1700.01`);
    expect(r.stdout).toContain(`${ids[1]}  dead    slack:#C1  Story 2\n       attempts`);
    expect(r.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('list --json gives every alert, newest first', async () => {
    const { file, ids } = await seeded();
    const r = await cli(['alerts', 'list', '--json'], file);
    // JSON Lines, as every --json output (cli/json-lines.ts).
    const rows = r.stdout.split('\n').map((l) => JSON.parse(l) as { id: number; status: string; message_id: string | null; also_covered_by: number });
    expect(rows.map((x) => [x.id, x.status, x.message_id, x.also_covered_by])).toEqual([[ids[2], 'pending', null, 0], [ids[1], 'dead', null, 0], [ids[0], 'sent', '1700.01', 1]]);
  });

  it('retry queues dead letters again; ids that are not dead are reported', async () => {
    const { file, ids } = await seeded();
    const r = await cli(['alerts', 'retry', String(ids[1]), String(ids[0])], file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`Queued 1 alert again: ${ids[1]}.`);
    expect(r.stderr).toBe(`cyberbrief alerts retry: ${ids[0]} (sent) is not dead-lettered (see 'cyberbrief alerts list --failed').`);
    expect((await cli(['alerts', 'list', '--failed'], file)).stdout).toBe('No failed alerts.');
    expect((await cli(['alerts', 'retry', '--all'], file)).stdout).toBe('No failed alerts to retry.');
  });

  it.each([
    ['a sent alert', (ids: number[]) => [ids[0]!], (ids: number[]) => `${ids[0]} (sent) is not dead-lettered`],
    ['an alert that does not exist', () => [99999], () => 'there is no alert 99999'],
    ['both', (ids: number[]) => [ids[2]!, ids[0]!, 99998, 99999], (ids: number[]) => `${ids[2]} (pending), ${ids[0]} (sent) are not dead-lettered; there is no alert 99998, 99999`],
  ])('retry of %s only: one sentence on standard error, exit 1, nothing queued', async (_name, pick, message) => {
    const { file, ids } = await seeded();
    const r = await cli(['alerts', 'retry', ...pick(ids).map(String)], file);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: `cyberbrief alerts retry: ${message(ids)} (see 'cyberbrief alerts list --failed').` });
    expect((await cli(['alerts', 'list', '--failed'], file)).stdout).toContain(`${ids[1]}  dead`);
  });

  it.each([
    // A full page was shown as if it were all: '2 failed alerts' with more waiting.
    { name: 'every alert, a page of 2', argv: ['--limit', '2'], last: '(the newest 2 shown; --limit N shows more.)' },
    { name: 'every alert, all on the page', argv: ['--limit', '3'], last: null },
    { name: 'the dead letters, a page of 1', argv: ['--failed', '--limit', '1'], last: "1 failed alerts or more (the newest 1 shown; --limit N shows more); 'cyberbrief alerts retry --all' queues them again." },
    { name: 'the dead letters, all on the page', argv: ['--failed', '--limit', '2'], last: "2 failed alerts; 'cyberbrief alerts retry --all' queues them again." },
  ])('list of $name says whether more are not shown', async ({ argv, last }) => {
    const { file, ids } = await seeded();
    // A second dead letter: the pending alert fails its last attempt too.
    const storage = await openStorage(file);
    const t1 = new Date('2026-03-02T11:00:00Z');
    await storage.alerts.claimDue({ now: t1, limit: 10, owner: 'y', leaseUntil: new Date(t1.getTime() + 60_000), platforms: ['slack'] });
    await storage.alerts.recordFailure(ids[2]!, 'y', { error: 'transient: HTTP 500 from slack', at: t1, retryAt: t1, countAttempt: true, maxAttempts: 1 });
    await storage.close();
    const r = await cli(['alerts', 'list', ...argv], file);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    if (last) expect(lines.at(-1)).toBe(last);
    else expect(r.stdout).not.toMatch(/shows more|failed alert/);
  });

  it.each([
    [['alerts', 'retry'], /give alert ids .* or --all/],
    [['alerts', 'retry', 'abc'], /'abc' is not an alert id/],
    [['alerts', 'list', '--limit', '0'], /--limit must be a number from 1 to 10000/],
    [['alerts', 'resend'], /expected 'list' or 'retry', got 'resend'/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const { file } = await seeded();
    const r = await cli(argv, file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe.each(testDatabases)('cyberbrief alerts retry on $name: ids it cannot take', (db) => {
  notePostgresSkip();
  const many = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

  it.each([
    // Digits past what a row id can be were sent to the database (PostgreSQL: "unexpected error: value ... is out of range for type bigint").
    { name: 'an id past any row', argv: ['99999999999999999999'], code: 2, stderr: "cyberbrief alerts retry: '99999999999999999999' is not an alert id." },
    { name: 'an id of 0', argv: ['0'], code: 2, stderr: "cyberbrief alerts retry: '0' is not an alert id." },
    { name: 'a pasted blob', argv: ['1'.repeat(5000)], code: 2, stderr: `cyberbrief alerts retry: '${'1'.repeat(79)}…' is not an alert id.` },
    // 70,000 ids overflowed the database's bound parameters (SQLite: "unexpected error: too many SQL variables").
    { name: 'more ids than one call takes', argv: many(70_000), code: 2, stderr: 'cyberbrief alerts retry: 70000 alert ids given; give at most 1000 at a time, or --all for every dead letter.' },
    // Each missing id was listed: a message of thousands of numbers.
    { name: 'a thousand ids of no alert', argv: many(1000).map((id) => String(Number(id) + 100)), code: 1, stderr: `cyberbrief alerts retry: there is no alert ${Array.from({ length: 20 }, (_, i) => i + 101).join(', ')} and 980 more (see 'cyberbrief alerts list --failed').` },
  ])('$name: one short sentence, nothing queued', async ({ argv, code, stderr }) => {
    const { storage, url, cleanup } = await freshStorage(db);
    try {
      const t0 = new Date('2026-03-02T10:00:00Z');
      const { itemIds } = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [{ key: 'k1', title: 'Story 1' }], t0);
      const [id] = await seedAlerts(storage, await seedChannel(storage, 'slack', 'C1', ['espionage']), itemIds, t0);
      await storage.alerts.claimDue({ now: t0, limit: 10, owner: 'x', leaseUntil: new Date(t0.getTime() + 60_000), platforms: ['slack'] });
      await storage.alerts.recordFailure(id!, 'x', { error: 'transient: HTTP 500', at: t0, retryAt: t0, countAttempt: true, maxAttempts: 1 });
      const r = await runCli(['alerts', 'retry', ...argv], { DATABASE_URL: url, LOG_LEVEL: 'silent' });
      expect(r).toMatchObject({ code, stdout: '', stderr });
      expect((await storage.alerts.get(id!))?.status).toBe('dead');
    } finally {
      await cleanup();
    }
  });
});
