import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextOccurrence, type BriefSchedule } from '../../src/domain/brief-schedule.ts';
import { openStorage } from '../../src/storage/index.ts';
import { seedChannel, seedFeed } from '../delivery/fixtures.ts';
import { runCli } from '../helpers/cli-run.ts';

const cli = (argv: string[], dbFile: string) => runCli(argv, { DATABASE_URL: dbFile });

const schedule: BriefSchedule = { every: 'daily', weekday: null, time: { hour: 8, minute: 0, second: 0 }, zone: 'Europe/Berlin' };

/**
 * A Slack channel in brief mode holding three stories (one covered by two outlets), and a Discord channel
 * with the same id; its next brief is the schedule's next occurrence after `now` (one reading of the clock,
 * so a test can say exactly when it is due).
 */
async function seeded(now = Date.now()): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cyberbrief-brief-cli-')), 'b.db');
  const storage = await openStorage(file);
  try {
    const at = new Date(now - 3600_000);
    const a = await seedFeed(storage, { url: 'https://alpha.example/rss', title: 'Alpha' }, [1, 2, 3].map((n) => ({ key: `k${n}`, title: `Story ${n}`, summary: `Summary of story ${n}. More.` })), at);
    const b = await seedFeed(storage, { url: 'https://beta.example/rss', title: 'Beta' }, [{ key: 'b1', title: 'Story 2, as Beta has it' }], at);
    const ch = await seedChannel(storage, 'slack', 'C0NEWS', ['state-cyber-operations']);
    await seedChannel(storage, 'discord', 'SHARED', []);
    await seedChannel(storage, 'slack', 'SHARED', []);
    // Channels by the names 'cyberbrief alerts list' shows them under (slack:#desk).
    await storage.channels.upsert({ platform: 'slack', externalId: 'C0DESK', workspaceId: 'W1', name: 'desk' });
    await storage.channels.upsert({ platform: 'slack', externalId: 'C0TWIN', workspaceId: 'W1', name: 'twin' });
    await storage.channels.upsert({ platform: 'discord', externalId: '710000000000000001', workspaceId: 'G1', name: 'twin' });
    await storage.channels.setDelivery(ch, { mode: 'brief', brief: schedule, quiet: null, threads: false }, new Date(nextOccurrence(schedule, now).at));
    for (const [i, itemId] of a.itemIds.entries()) {
      const c = await storage.clusters.create({ signature: '00', title: 't', firstItemId: itemId, at, createdAt: at });
      await storage.clusters.assignCluster(itemId, c.id);
      if (i === 1) await storage.clusters.assignCluster(b.itemIds[0]!, c.id);
      await storage.clusters.setItemTopics(itemId, [{ topicId: 'state-cyber-operations', score: 9, reasons: [] }], 0.5 + i / 10);
      await storage.alerts.enqueue({ channelId: ch, clusterId: c.id, itemId, at, held: true });
    }
    return file;
  } finally {
    await storage.close();
  }
}

describe('cyberbrief brief --dry-run', () => {
  it("prints what the channel's next brief would hold, and changes nothing", async () => {
    const file = await seeded();
    const r = await cli(['brief', '--channel', 'C0NEWS', '--dry-run'], file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Channel slack:C0NEWS (#C0NEWS): brief daily at 08:00 Europe/Berlin, mode brief.');
    expect(lines[1]).toMatch(/^Next brief: \w{3} \d+ \w{3} \d{4} 08:00 Europe\/Berlin \(0[67]:00 UTC\); as of \w{3} \d+ \w{3} \d{4} \d\d:\d\d UTC it would hold:$/);
    expect(r.stdout).toContain('■ Daily brief: ');
    // Ranked by relevance: story 3 (0.70), story 2 (0.60, two outlets), story 1 (0.50).
    const order = ['Story 3', 'Story 2 ', 'Story 1'].map((t) => r.stdout.indexOf(`• ${t}`));
    expect(order.every((x) => x > 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(r.stdout).toContain('• Story 2 (Alpha · relevance 0.60 · 2 outlets)');
    expect(r.stdout).toContain('Also covered by: Beta <https://news.example/b1>');
    expect(r.stdout).toContain('That is everything that matched in this period.');
    // Nothing was queued or sent.
    const storage = await openStorage(file);
    try {
      expect(await storage.briefs.list((await storage.channels.find('slack', 'C0NEWS'))!.id)).toEqual([]);
      expect((await storage.alerts.counts()).held).toBe(3);
    } finally {
      await storage.close();
    }
  });

  it('--json gives the schedule, when it is due and the brief as composed', async () => {
    const now = Date.now();
    const file = await seeded(now);
    const r = await cli(['brief', '--channel', 'slack:C0NEWS', '--dry-run', '--json'], file);
    const j = JSON.parse(r.stdout) as { mode: string; schedule: { text: string }; due: string; brief: { total: number; groups: Array<{ stories: Array<{ title: string }> }> } };
    expect(j).toMatchObject({ mode: 'brief', schedule: { text: 'daily at 08:00 Europe/Berlin' }, brief: { total: 3 } });
    expect(j.brief.groups[0]!.stories.map((s) => s.title)).toEqual(['Story 3', 'Story 2', 'Story 1']);
    // The time set when the channel was seeded: later than that moment, whatever the clock says by now (a run
    // at 07:59:59 Berlin time used to find it already past once the CLI had started).
    expect(j.due).toBe(new Date(nextOccurrence(schedule, now).at).toISOString());
    expect(Date.parse(j.due)).toBeGreaterThan(now);
  });

  it.each([
    { argv: ['brief', '--channel', 'C0NEWS'], code: 2, err: 'cyberbrief brief: only --dry-run is supported (the running bot sends each brief at its time); add --dry-run to see what the next one would hold.' },
    { argv: ['brief', '--dry-run'], code: 2, err: "cyberbrief brief: --channel ID is required; run 'cyberbrief brief --help'." },
    { argv: ['brief', '--channel', 'C0NOPE', '--dry-run'], code: 2, err: "cyberbrief brief: no channel C0NOPE is known (a channel is known once it has used /news); 'cyberbrief alerts list' shows channels that got alerts." },
    { argv: ['brief', '--channel', 'SHARED', '--dry-run'], code: 2, err: 'cyberbrief brief: SHARED names a channel on discord and slack; say which, e.g. --channel discord:SHARED.' },
    { argv: ['brief', '--channel', '#twin', '--dry-run'], code: 2, err: 'cyberbrief brief: #twin names a channel on slack and discord; say which, e.g. --channel slack:#twin.' },
    { argv: ['brief', '--channel', '#nope', '--dry-run'], code: 2, err: "cyberbrief brief: no channel #nope is known (a channel is known once it has used /news); 'cyberbrief alerts list' shows channels that got alerts." },
  ])('$argv.2 $argv.3: one sentence, exit $code', async ({ argv, code, err }) => {
    const r = await cli(argv, await seeded());
    expect(r).toMatchObject({ code, stderr: err });
  });

  // 'alerts list' names channels as slack:#desk, and the not-found sentence points there, but only ids were taken.
  it.each([
    { ref: '#desk', want: 'slack:C0DESK (#desk)' },
    { ref: 'slack:#desk', want: 'slack:C0DESK (#desk)' },
    { ref: 'discord:#twin', want: 'discord:710000000000000001 (#twin)' },
    { ref: 'C0DESK', want: 'slack:C0DESK (#desk)' },
  ])('finds the channel $ref', async ({ ref, want }) => {
    const r = await cli(['brief', '--channel', ref, '--dry-run'], await seeded());
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^Channel ${want.replace(/[()]/g, '\\$&')} has no brief`));
  });
});
