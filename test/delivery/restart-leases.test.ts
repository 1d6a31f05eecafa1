// After a SIGKILL the restarted bot takes its dead predecessor's leases back at once: the alerts the dead
// process had claimed go out within seconds of the restart, not when their leases expire
// (delivery.lease_seconds: 60 here), and still exactly once. The real bot as a child process, against the
// Slack emulator, on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { waitFor } from '../emulators/http-util.ts';
import { startFakeSlack, type FakeSlack } from '../emulators/slack.ts';
import { announcedPort, alive, freezeWhen, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { seedChannel, seedFeed } from './fixtures.ts';

notePostgresSkip();

const TOKEN = 'xoxb-test-restart-leases-token';
const CHANNEL = 'C0RESTART';
const TOTAL = 40;
const LEASE_SECONDS = 60;
const word = (n: number, salt: number) => `w${((n * 7919 + salt * 104729) % 1_000_003).toString(36)}x`;
const title = (n: number) => `Cyberespionage ${word(n, 1)} ${word(n, 2)} ${word(n, 3)} number ${n}`;
const TOPICS = 'topics:\n  - id: spying\n    name: Spying\n    description: Stories about spying\n    threshold: 3\n    terms:\n      - { term: cyberespionage, weight: 3 }\n';

describe.each(testDatabases)('restart after SIGKILL on $name', (database) => {
  let slack: FakeSlack | null = null;
  let bots: Bot[] = [];
  let drop: (() => Promise<void>) | null = null;

  afterEach(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    bots = [];
    await slack?.close();
    slack = null;
    await drop?.();
    drop = null;
  });

  it('takes back the dead instance\'s leases at once and delivers the rest exactly once', async () => {
    const db = await database.create();
    drop = db.drop;
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-restart-'));
    writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'feeds: []',
        'server:\n  host: 127.0.0.1',
        `topics:\n  file: ${JSON.stringify(path.join(dir, 'topics.yaml'))}`,
        'summary:\n  fetch_article: false',
        `delivery:\n  max_attempts: 50\n  burst_per_channel: 100\n  channel_interval_ms: 150\n  lease_seconds: ${LEASE_SECONDS}`,
      ].join('\n'),
    );
    const storage = await openStorage(db.url);
    try {
      await seedChannel(storage, 'slack', CHANNEL, ['spying']);
      const t0 = new Date(Date.now() - 3600_000);
      const items = Array.from({ length: TOTAL }, (_, i) => ({ key: `item-${i + 1}`, title: title(i + 1), summary: `${title(i + 1)}.`, publishedAt: t0 }));
      const { feedId } = await seedFeed(storage, { url: 'http://127.0.0.1:9/feed.xml', title: 'Local Wire' }, items, t0);
      await storage.feeds.setEnabled(feedId, false);
    } finally {
      await storage.close();
    }
    slack = await startFakeSlack({ token: TOKEN });
    const s = slack;
    const env = { PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: db.url, CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'test-signing-secret-restart', SLACK_API_URL: s.apiUrl };
    const posts = () => s.messages.filter((m) => m.method === 'chat.postMessage' && m.channel === CHANNEL).map((m) => m.text);

    // Killed once it has posted 8 and holds leases on at least 2 of the rest: alerts are claimed batch by batch as
    // the pipeline makes them, so right after the 8th post the process can hold none (its claimed batch all sent,
    // the next not yet claimed), and the restart would have nothing to take back. The check runs on its own
    // connection; a post (one each 150 ms here) can come between it and the kill, so 2, not 1.
    const check = await openStorage(db.url, { migrate: false });
    const unsentLeased = async (): Promise<number> => {
      const rows = await Promise.all(Array.from({ length: TOTAL }, (_, i) => check.alerts.get(i + 1)));
      const until = Date.now() + (LEASE_SECONDS - 20) * 1000;
      return rows.filter((r) => r && r.status !== 'sent' && r.leaseOwner && r.leaseUntil && r.leaseUntil.getTime() > until).length;
    };
    let leased: number;
    try {
      const first = startBotProcess(dir, env);
      bots.push(first);
      // Frozen while it holds them, so none is sent between the look and the SIGKILL.
      await freezeWhen(first, '8 stories posted and leases held on 2 more', async () => posts().length >= 8 && (await unsentLeased()) >= 2, 60_000);
      first.child.kill('SIGKILL');
      await first.exited;
      // The dead process still holds leases on the rest, good for most of a minute.
      leased = await unsentLeased();
    } finally {
      await check.close();
    }
    const postedBefore = posts().length;
    expect(postedBefore).toBeLessThan(TOTAL);
    expect(leased).toBeGreaterThan(0);

    const second = startBotProcess(dir, env);
    bots.push(second);
    await announcedPort(second);
    const restartedAt = Date.now();
    await waitFor('a post after the restart', () => alive(second) && posts().length > postedBefore, 15_000);
    await waitFor('every story posted', () => alive(second) && posts().length >= TOTAL, 30_000);
    const tookMs = Date.now() - restartedAt;
    console.log(`restart on ${database.name}: ${leased} leased alert(s) taken back; the remaining ${TOTAL - postedBefore} posted ${tookMs} ms after the restart (lease ${LEASE_SECONDS} s)`);
    // The leased alerts were taken back at start-up, not waited out: the new process says it took back at
    // least as many alert leases as were still held (a clock bound here would be a timing assertion).
    const tookBack = /took back \d+ feed, (\d+) alert, \d+ brief and \d+ WebSub subscription lease\(s\) of run@/.exec(second.output());
    expect(tookBack, second.output()).not.toBeNull();
    expect(Number(tookBack![1])).toBeGreaterThanOrEqual(leased);

    // A few more rounds: nothing more is posted; each story exactly once, in order.
    await new Promise((r) => setTimeout(r, 1500));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const got = posts();
    const seen = Array.from({ length: TOTAL }, (_, i) => got.filter((t) => t.includes(title(i + 1))).length);
    expect(seen.filter((n) => n !== 1)).toEqual([]);
    expect(got).toHaveLength(TOTAL);
    const order = got.map((t) => Array.from({ length: TOTAL }, (_, i) => title(i + 1)).findIndex((x) => t.includes(x)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }, 180_000);
});
