// The database may come and go, end to end: the real bot (`cyberbrief run`, a child process) on PostgreSQL
// with the Slack and Discord emulators and a local feed whose stories arrive while it runs.
// (a) Every connection of the bot is terminated (pg_terminate_backend, as a failover or a restart does)
//     every 50 ms for 60 s: the bot stays up, and once the storm is over every story arrives exactly once.
// (b) On a private cluster of the test's own: a restart (pg_ctl restart -m fast), then a stop, a pause
//     and a start: /healthz says 503 while the server is down and 200 when it is back, /metrics shows it,
//     the outage is logged once, and every story arrives exactly once.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../emulators/discord.ts';
import { waitFor } from '../emulators/http-util.ts';
import { alive, announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { testDatabases } from '../helpers/databases.ts';
import { findPostgresBin, startPrivateCluster, type PrivateCluster } from '../helpers/private-postgres.ts';
import { CHANNELS, prepareStoryBot, type StoryBot } from './story-bot.ts';

const postgres = testDatabases.find((d) => d.name === 'postgres');
if (!postgres) console.log('PostgreSQL outage test (a) skipped: TEST_DATABASE_URL is not set.');
const pgBin = findPostgresBin();
if (!pgBin) console.log('PostgreSQL restart test (b) skipped: initdb and pg_ctl were not found (install the PostgreSQL server package).');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function health(port: number): Promise<{ status: number; body: { ok: boolean; checks: Record<string, { ok: boolean; detail?: string }> } }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { ok: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
  return { status: res.status, body };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

/** Every alert of `total` stories sent, none waiting, none dead, and as many posts: read through `query`. */
async function outboxDone(query: (sql: string) => Promise<pg.QueryResult>, posts: number, total: number): Promise<boolean> {
  const r = await query('select status, count(*)::int as n from alerts group by status');
  const c = Object.fromEntries(r.rows.map((x: { status: string; n: number }) => [x.status, x.n]));
  return (c.sent ?? 0) === total && !c.pending && !c.sending && !c.dead && posts === total;
}

/** The feed's first poll is over (its backlog stored, its lease given back): stories added now are new. */
async function firstPollDone(query: (sql: string) => Promise<pg.QueryResult>): Promise<boolean> {
  const r = await query('select primed, lease_owner from feeds');
  return r.rows.length === 1 && Number(r.rows[0].primed) === 1 && r.rows[0].lease_owner === null;
}

/** The sentences behind each /healthz answer of "database unreachable", as the bot logged them when the answer changed. */
function unreachableReasons(bot: Bot): string[] {
  const out: string[] = [];
  for (const line of bot.output().split('\n')) {
    if (!line.includes('"database unreachable\\" (503)')) continue;
    const entry = JSON.parse(line) as { msg: string; detail?: string };
    if (entry.msg.startsWith('health: /healthz reports "database unreachable" (503)')) out.push(entry.detail ?? '');
  }
  return out;
}

const outageLines = (bot: Bot) => bot.output().split('\n').filter((l) => /"msg":"storage: .* is not answering/.test(l));
const recoveryLines = (bot: Bot) => bot.output().split('\n').filter((l) => /"msg":"storage: .* answers again/.test(l));

describe('PostgreSQL coming and going under a running bot', () => {
  let bot: Bot | null = null;
  let story: StoryBot | null = null;
  let admin: pg.Client | null = null;
  let cluster: PrivateCluster | null = null;
  let drop: (() => Promise<void>) | null = null;

  afterEach(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await bot?.exited;
    bot = null;
    await admin?.end().catch(() => undefined);
    admin = null;
    await story?.close();
    story = null;
    await drop?.();
    drop = null;
    await cluster?.destroy();
    cluster = null;
  });

  it.skipIf(!postgres)('(a) survives pg_terminate_backend of all its connections every 50 ms for 60 s, then delivers every story exactly once', async () => {
    const db = await postgres!.create();
    drop = db.drop;
    const dbName = new URL(db.url).pathname.slice(1);
    const s = (story = await prepareStoryBot(db.url));
    const b = (bot = startBotProcess(s.dir, s.env));
    const port = await announcedPort(b, 45_000);
    // The test's own connection to the bot's database: it moves the feed's schedule and kills the
    // others (never itself, and never a connection to any other database).
    const a = (admin = new pg.Client({ connectionString: db.url }));
    await a.connect();
    const makeDue = () => a.query('update feeds set next_check_at = $1', [Date.now()]);
    const delivered = (timeoutMs: number) => waitFor(`${s.total} stories delivered`, async () => alive(b) && (await outboxDone((q) => a.query(q), s.posts().length, s.total)), timeoutMs);
    await waitFor('the first poll recorded', async () => alive(b) && (await firstPollDone((q) => a.query(q))), 30_000);

    // Before: a few stories on a quiet database.
    s.addStories(6);
    await makeDue();
    await delivered(30_000);

    // The storm: every backend of the bot's database terminated every 50 ms, while stories keep coming.
    const stormMs = 60_000;
    const end = Date.now() + stormMs;
    let terminated = 0;
    let rounds = 0;
    const killer = (async () => {
      while (Date.now() < end) {
        const r = await a.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
        terminated += r.rowCount ?? 0;
        rounds++;
        await sleep(50);
      }
    })();
    const arrivals = (async () => {
      while (Date.now() < end - 4_000) {
        s.addStories(2);
        await makeDue();
        await sleep(2_000);
        alive(b);
      }
    })();
    const healthDuringStorm: number[] = [];
    const prober = (async () => {
      while (Date.now() < end) {
        healthDuringStorm.push((await health(port)).status);
        await sleep(500);
      }
    })();
    const postedBeforeStorm = s.posts().length;
    await Promise.all([killer, arrivals, prober]);
    alive(b);
    const postedDuringStorm = s.posts().length - postedBeforeStorm;
    expect(terminated).toBeGreaterThan(200);

    // After: the last stories, and then everything exactly once.
    s.addStories(3);
    await makeDue();
    await delivered(120_000);
    s.expectExactlyOnce();
    // /healthz reuses the database's answer for a second (HEALTH_REUSE_MS), so the storm's last answer, a 503,
    // can still be given if the last stories are delivered within that second: a fresh answer is waited for.
    await waitFor('/healthz to answer 200 after the storm', async () => (await health(port)).status === 200, 30_000);
    expect(await metric(port, 'cyberbrief_storage_up')).toBe(1);
    const connectionErrors = await metric(port, 'cyberbrief_storage_connection_errors_total');
    expect(connectionErrors).toBeGreaterThan(0);
    // Logged once per outage, not once per failed query.
    const outages = await metric(port, 'cyberbrief_storage_outages_total');
    expect(outageLines(b)).toHaveLength(outages);
    expect(outages).toBeLessThan(connectionErrors);
    expect(b.output()).not.toContain('Unhandled');
    console.log(
      `terminate storm: ${terminated} backends terminated in ${rounds} rounds over ${stormMs / 1000} s; ${s.total} stories, ${postedDuringStorm} posted during the storm, all exactly once after it; ` +
        `${connectionErrors} connection errors counted, ${outages} outage(s) logged; /healthz during the storm: ${healthDuringStorm.filter((x) => x === 200).length}x 200, ${healthDuringStorm.filter((x) => x === 503).length}x 503`,
    );
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 300_000);

  it.skipIf(!pgBin)('(b) survives a restart, and a stop, a pause and a start, with /healthz 503 while down; then every story exactly once', async () => {
    const c = (cluster = await startPrivateCluster(pgBin!));
    const setup = new pg.Client({ connectionString: c.url() });
    await setup.connect();
    await setup.query('create database cyberbrief');
    await setup.end();
    const url = c.url('cyberbrief');
    const s = (story = await prepareStoryBot(url));
    const b = (bot = startBotProcess(s.dir, s.env));
    const port = await announcedPort(b, 45_000);
    // The test's connection dies with each restart too: reconnect when needed.
    const query = async (text: string, values?: unknown[]) => {
      for (let i = 0; ; i++) {
        try {
          if (!admin) {
            admin = new pg.Client({ connectionString: url });
            admin.on('error', () => undefined);
            await admin.connect();
          }
          return await admin.query(text, values);
        } catch (err) {
          await admin?.end().catch(() => undefined);
          admin = null;
          if (i >= 50) throw err;
          await sleep(200);
        }
      }
    };
    const makeDue = () => query('update feeds set next_check_at = $1', [Date.now()]);
    const delivered = (timeoutMs: number) => waitFor(`${s.total} stories delivered`, async () => alive(b) && (await outboxDone((q) => query(q), s.posts().length, s.total)), timeoutMs);
    await waitFor('the first poll recorded', async () => alive(b) && (await firstPollDone((q) => query(q))), 30_000);
    s.addStories(4);
    await makeDue();
    await delivered(30_000);

    // A restart (as an upgrade or a failover does) while stories are on their way.
    s.addStories(4);
    await makeDue();
    await c.restart();
    alive(b);
    await makeDue();
    await delivered(60_000);
    expect((await health(port)).status).toBe(200);

    // A stop: /healthz says so at once and /metrics too; the bot waits, stories keep arriving at the feed.
    await c.stop();
    s.addStories(5);
    const down = await waitFor('/healthz to say the database is down', async () => {
      const h = await health(port);
      return h.status === 503 ? h : undefined;
    }, 20_000);
    expect(down.body.checks.database).toEqual({ ok: false, detail: 'database unreachable' });
    // At once: the 503 rests on the stopped server's refusal (a refused or cut connection, heard at once), not on
    // the health check's own ping timeout (2 s) running out, which is how waiting for a dead server ends. The
    // sentence behind the answer, logged when it changed, tells which.
    const reason = await waitFor('the reason for the 503 in the log', () => unreachableReasons(b).at(-1), 10_000);
    expect(reason).toMatch(/ is not answering \(/);
    expect(reason).not.toContain('did not answer within');
    expect(await metric(port, 'cyberbrief_storage_up')).toBe(0);
    // The pause: the bot stays up and keeps answering.
    for (let i = 0; i < 8; i++) {
      await sleep(500);
      alive(b);
      expect((await health(port)).status).toBe(503);
    }
    await c.start();
    await waitFor('/healthz to say the database is back', async () => alive(b) && (await health(port)).status === 200, 30_000);
    await makeDue();
    await delivered(60_000);
    s.expectExactlyOnce();
    expect(await metric(port, 'cyberbrief_storage_up')).toBe(1);
    await waitFor('the outage to be logged as over', () => recoveryLines(b).length >= 1, 20_000);
    // Commands work again: the Discord gateway (whose lock went with the database connection) is back.
    await waitFor('the Discord gateway back', () => alive(b) && s.discord.gatewayConnections === 1 && s.discord.identifies.length >= 2, 30_000);
    const interaction = s.discord.sendInteraction({ guildId: s.discordGuild, channelId: CHANNELS[1]!.id, userId: '600000000000000099', permissions: PERMISSIONS.ViewChannel | PERMISSIONS.SendMessages, subcommand: 'status', options: [] });
    const reply = await waitFor('the reply to /news status', () => s.discord.interactionReplies.find((r) => r.interactionId === interaction), 15_000);
    expect((reply.body.data as { content: string }).content).toContain(`This channel follows ${CHANNELS[1]!.word}.`);
    // The restart and the stop: one line each when they began and when they were over, not one per query.
    expect(outageLines(b).length).toBeGreaterThanOrEqual(1);
    expect(outageLines(b).length).toBeLessThanOrEqual(3);
    console.log(
      `restart test: ${s.total} stories exactly once across a restart and a ${'stop, 4 s pause and start'}; outage lines ${outageLines(b).length}, recovery lines ${recoveryLines(b).length}; ` +
        `${await metric(port, 'cyberbrief_storage_connection_errors_total')} connection errors counted`,
    );
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 240_000);
});
