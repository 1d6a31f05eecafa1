// Briefs with several instances on one PostgreSQL: two real bots (`cyberbrief run` as child processes)
// share a fresh database and the emulators. Both look for due briefs every second and race to claim them;
// still each channel gets one brief per period (multi-part briefs included, each part once) and one release
// when its quiet hours end. In the second period the instance sending a brief is killed with SIGKILL just
// after Slack took its first part; the other takes the brief over when the lease runs out, finds that part
// by its ref and sends the rest.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { alive, announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { testDatabases } from '../helpers/databases.ts';
import { expectPipelineUntouched, prepareBriefBot, type BriefBot, type BriefChannel } from './brief-bot.ts';

const postgres = testDatabases.find((d) => d.name === 'postgres');
if (!postgres) console.log('brief multi-instance test skipped: TEST_DATABASE_URL is not set (several instances need PostgreSQL).');

const BIG_SLACK: BriefChannel = { platform: 'slack', id: 'C0BIG' };
const SMALL_SLACK: BriefChannel = { platform: 'slack', id: 'C0SMALL' };
const BIG_DISCORD: BriefChannel = { platform: 'discord', id: '710000000000000201' };
const SMALL_DISCORD: BriefChannel = { platform: 'discord', id: '710000000000000202' };
const QUIET: BriefChannel = { platform: 'slack', id: 'C0QUIET' };
const BRIEFS = [BIG_SLACK, SMALL_SLACK, BIG_DISCORD, SMALL_DISCORD];
const size = (c: BriefChannel) => (c === BIG_SLACK || c === BIG_DISCORD ? 50 : 8);

describe.skipIf(!postgres)('briefs with several instances on one PostgreSQL', () => {
  const bots: Bot[] = [];
  let b: BriefBot | null = null;
  let admin: pg.Client | null = null;
  let drop: () => Promise<void> = async () => {};

  afterAll(async () => {
    for (const x of bots) if (x.child.exitCode === null && x.child.signalCode === null) x.child.kill('SIGKILL');
    await Promise.all(bots.map((x) => x.exited));
    await admin?.end();
    await b?.close();
    await drop();
  });

  it('sends one brief per channel and period across two instances, and survives the sender dying mid-brief', async () => {
    const db = await postgres!.create();
    drop = db.drop;
    const bot = (b = await prepareBriefBot(db.url, [...BRIEFS, QUIET]));
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const sqlc = admin;
    bots.push(startBotProcess(bot.dir, bot.env), startBotProcess(bot.dir, bot.env));
    await Promise.all(bots.map((x) => announcedPort(x, 45_000)));
    const inSeconds = (s: number) => new Date(Math.ceil((Date.now() + s * 1000) / 1000) * 1000);

    const briefRows = async () =>
      (await sqlc.query<{ channel: string; kind: string; status: string; period_key: string }>(
        'select c.external_id as channel, b.kind, b.status, b.period_key from briefs b join channels c on c.id = b.channel_id order by b.id',
      )).rows;
    const allSent = (n: number) => async () => {
      bots.filter((x) => x.child.signalCode === null).forEach(alive);
      const rows = await briefRows();
      return rows.length === n && rows.every((r) => r.status === 'sent') ? rows : undefined;
    };

    // Period 1: four briefs (two of them several messages long) and one release, due in the same second.
    const due1 = inSeconds(4);
    for (const c of BRIEFS) await bot.briefAt(c, due1, size(c), `p1${c.id.slice(-3)}`);
    await bot.quietUntil(QUIET, due1, 6, 'q1');
    const first = await waitFor('period 1 sent', allSent(5), 60_000);
    expect(first.map((r) => [r.channel, r.kind]).sort()).toEqual([...BRIEFS.map((c) => [c.id, 'brief']), [QUIET.id, 'quiet']].sort());
    for (const c of BRIEFS) bot.expectOnce(c, `p1${c.id.slice(-3)}`, size(c));
    bot.expectOnce(QUIET, 'q1', 6);
    expect(bot.parts(BIG_SLACK).length).toBeGreaterThan(1);
    expect(bot.parts(BIG_DISCORD).length).toBeGreaterThan(1);

    // Period 2: the instance sending the big Slack brief dies just after Slack took its first part.
    let killed: Bot | null = null;
    bot.slack.beforeAnswer = async ({ args }) => {
      const ref = (args.metadata as { event_payload?: { ref?: string } } | undefined)?.event_payload?.ref ?? '';
      const m = /^cyberbrief-brief-(\d+)-1$/.exec(ref);
      if (killed || !m || args.channel !== BIG_SLACK.id || first.length === (await briefRows()).length) return;
      const owner = (await sqlc.query<{ lease_owner: string | null }>('select lease_owner from briefs where id = $1', [Number(m[1])])).rows[0]?.lease_owner ?? '';
      const sender = bots.find((x) => owner.includes(`:${x.child.pid}:`));
      if (!sender) return;
      killed = sender;
      sender.child.kill('SIGKILL');
      await sender.exited;
    };
    const due2 = inSeconds(3);
    for (const c of BRIEFS) await bot.briefAt(c, due2, size(c), `p2${c.id.slice(-3)}`);
    const second = await waitFor('period 2 sent', allSent(9), 60_000);
    expect(killed).not.toBeNull();
    for (const c of BRIEFS) {
      expect(second.filter((r) => r.channel === c.id).map((r) => r.period_key)).toHaveLength(2);
      bot.expectOnce(c, `p1${c.id.slice(-3)}`, size(c));
      bot.expectOnce(c, `p2${c.id.slice(-3)}`, size(c));
    }
    const survivor = bots.find((x) => x !== killed)!;
    expect(survivor.output()).toContain('a brief part had been posted before a restart or a failed attempt; recorded it');
    expectPipelineUntouched(bots.map((x) => x.output()).join('\n'));
    const queued = bots.map((x) => x.output().split('"msg":"brief scheduler: brief due; queued"').length - 1);
    const parts = bots.map((x) => x.output().split('"msg":"dispatcher: brief part posted"').length - 1);
    console.log(
      `brief multi-instance: ${second.length} briefs and releases over ${BRIEFS.length + 1} channels, each once; briefs queued per instance ${JSON.stringify(queued)}, parts posted per instance ${JSON.stringify(parts)}; the sender of a Slack brief killed after its part 1, the other instance finished it`,
    );
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  }, 180_000);
});
