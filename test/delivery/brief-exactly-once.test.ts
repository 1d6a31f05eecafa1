// Exactly one brief per period with the real bot as a child process, killed with SIGKILL at the wrong
// moments: the emulators take a brief part, and the bot dies before it hears back (Slack: part 1; Discord:
// part 2, after part 1 was recorded); and a brief falls due while no bot is running. Each restart finds
// out what the platform already has (Slack: the part's ref in message metadata; Discord: the nonce, which
// Discord deduplicates) and goes on: every part once, every story once.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../emulators/http-util.ts';
import { alive, announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';
import { expectPipelineUntouched, prepareBriefBot, type BriefBot, type BriefChannel } from '../e2e/brief-bot.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const SLACK: BriefChannel = { platform: 'slack', id: 'C0BRIEF' };
const DISCORD: BriefChannel = { platform: 'discord', id: '710000000000000114' };
const GAP: BriefChannel = { platform: 'slack', id: 'C0GAP' };
const STORIES = 50;

describe('exactly one brief per period through SIGKILLs (SQLite)', () => {
  let bot: BriefBot | null = null;
  const bots: Bot[] = [];

  afterEach(async () => {
    for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    bots.length = 0;
    await bot?.close();
    bot = null;
  });

  it('killed after a platform took a part but before the bot heard, and while a brief fell due, still sends each part once', async () => {
    const { url, cleanup } = await freshStorage(testDatabases[0]!).then(async (f) => {
      await f.storage.close();
      return { url: f.url, cleanup: f.cleanup };
    });
    const b = (bot = await prepareBriefBot(url, [SLACK, DISCORD, GAP]));
    /** A whole second at least `s` seconds from now (brief times are to the second). */
    const inSeconds = (s: number) => new Date(Math.ceil((Date.now() + s * 1000) / 1000) * 1000);
    const start = () => {
      const p = startBotProcess(b.dir, b.env);
      bots.push(p);
      return p;
    };
    let current = start();
    await announcedPort(current);
    const kills: string[] = [];
    // Slack's brief first; then one that falls due while no bot runs; the Discord one once the second bot runs.
    await b.briefAt(SLACK, inSeconds(2), STORIES, 'slack');

    // Slack: part 1 is in the channel, the bot dies before Slack's answer reaches it.
    b.slack.beforeAnswer = async ({ args }) => {
      const ref = (args.metadata as { event_payload?: { ref?: string } } | undefined)?.event_payload?.ref ?? '';
      if (kills.length === 0 && /^cyberbrief-brief-\d+-1$/.test(ref) && args.channel === SLACK.id) {
        kills.push(`slack ${ref}`);
        current.child.kill('SIGKILL');
        await current.exited;
      }
    };
    // Discord: part 2 is in the channel (part 1 was recorded), the bot dies before Discord's answer reaches it.
    b.discord.beforeAnswer = async ({ channelId, body }) => {
      if (kills.length === 1 && channelId === DISCORD.id && /^cyberbrief-brief-\d+-2$/.test(String(body.nonce))) {
        kills.push(`discord ${String(body.nonce)}`);
        current.child.kill('SIGKILL');
        await current.exited;
      }
    };

    await waitFor('the bot killed after Slack took part 1', () => (kills.length === 1 ? true : alive(current) && undefined), 60_000);
    // Down while the third channel's brief falls due.
    const gapAt = inSeconds(2);
    await b.briefAt(GAP, gapAt, 5, 'gap');
    await waitFor('the gap brief to fall due', () => Date.now() > gapAt.getTime() + 1000, 30_000);
    current = start();
    await announcedPort(current);
    await b.briefAt(DISCORD, inSeconds(2), STORIES, 'discord');
    await waitFor('the bot killed after Discord took part 2', () => (kills.length === 2 ? true : alive(current) && undefined), 60_000);
    current = start();

    const done = async () => {
      const s = await b.storage();
      try {
        const rows = await Promise.all([SLACK, DISCORD, GAP].map(async (c) => s.briefs.list((await s.channels.find(c.platform, c.id))!.id)));
        return rows.every((r) => r.length === 1 && r[0]!.status === 'sent') ? rows : undefined;
      } finally {
        await s.close();
      }
    };
    const rows = await waitFor('every brief sent', async () => (alive(current) ? done() : undefined), 90_000).catch(async (err: unknown) => {
      const s = await b.storage();
      const state = await Promise.all([SLACK, DISCORD, GAP].map(async (c) => (await s.briefs.list((await s.channels.find(c.platform, c.id))!.id)).map((r) => ({ status: r.status, parts: r.partsSent, error: r.lastError, attempts: r.attempts }))));
      await s.close();
      throw new Error(`${String(err)}; briefs ${JSON.stringify(state)}; kills ${kills.join(', ')}; last bot output:\n${current.output().slice(-3000)}`);
    });
    expect(kills).toEqual([expect.stringMatching(/^slack cyberbrief-brief-\d+-1$/), expect.stringMatching(/^discord cyberbrief-brief-\d+-2$/)]);
    b.expectOnce(SLACK, 'slack', STORIES);
    b.expectOnce(DISCORD, 'discord', STORIES);
    b.expectOnce(GAP, 'gap', 5);
    expect(b.parts(SLACK).length).toBeGreaterThan(1);
    expect(b.parts(DISCORD).length).toBeGreaterThan(2);
    // The restarts asked before sending again: Slack found part 1 by its ref, Discord answered the repeated part 2 with the message it had.
    const output = bots.map((x) => x.output()).join('\n');
    expect(output).toContain('a brief part had been posted before a restart or a failed attempt; recorded it');
    expectPipelineUntouched(output);
    const nonce = kills[1]!.split(' ')[1]!;
    expect(b.discord.requests.filter((r) => r.method === 'POST' && (r.body as { nonce?: string } | null)?.nonce === nonce).length).toBe(2);
    expect(rows.map((r) => r[0]!.messageIds.length)).toEqual([b.parts(SLACK).length, b.parts(DISCORD).length, b.parts(GAP).length]);
    console.log(
      `brief crash test: killed ${kills.join(' and ')}; Slack ${b.parts(SLACK).length} parts, Discord ${b.parts(DISCORD).length} parts, the brief due while down sent once after the restart`,
    );
    current.child.kill('SIGTERM');
    expect(await current.exited).toBe(0);
    await cleanup();
  }, 240_000);
});
