// /news brief, mode, quiet and threads through the command handler on a real SQLite database, table-driven:
// what each answers, what it stores, who may run it, and one sentence (and no change) for bad input.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { Command, CommandHandler } from '../../src/domain/chat.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

const manager = { userIsAdmin: false, userCanManageChannel: true };
const member = { userIsAdmin: false, userCanManageChannel: false };

function command(text: string, who = manager): Command {
  const [name = '', ...args] = text.split(/\s+/).filter(Boolean);
  return { platform: 'slack', workspaceId: 'T1', channelId: 'C1', channelName: 'news', userId: 'U1', userIsOperator: false, ...who, name, args, text };
}

describe('brief, mode, quiet and threads commands (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let run: (text: string, who?: typeof manager) => Promise<string>;
  // Tuesday 10 March 2026, 12:00 UTC.
  const clock = fixedClock('2026-03-10T12:00:00Z');

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    const handle: CommandHandler = createCommandHandler({ ...commandDepsFor(storage), clock });
    run = async (text, who) => (await handle(command(text, who))).text;
  });
  afterEach(async () => cleanup());

  const delivery = async () => {
    const ch = await storage.channels.find('slack', 'C1');
    return ch ? storage.channels.delivery(ch.id) : null;
  };

  const both = ' Live alerts go on as well; /news mode brief makes the brief the only delivery.';
  it.each([
    { cmd: 'brief daily 8:30 America/New_York', reply: `This channel gets a brief daily at 08:30 America/New_York. The next one is Tue 10 Mar 2026 08:30 America/New_York (12:30 UTC).${both}`, next: '2026-03-10T12:30:00.000Z' },
    // 17:00 in Kolkata today was 11:30 UTC, already past: the next one is tomorrow's.
    { cmd: 'brief daily 17:00 asia/kolkata', reply: `This channel gets a brief daily at 17:00 Asia/Kolkata. The next one is Wed 11 Mar 2026 17:00 Asia/Kolkata (11:30 UTC).${both}`, next: '2026-03-11T11:30:00.000Z' },
    { cmd: 'brief weekly friday 07:00 Australia/Sydney', reply: `This channel gets a brief weekly on Friday at 07:00 Australia/Sydney. The next one is Fri 13 Mar 2026 07:00 Australia/Sydney (20:00 UTC).${both}`, next: '2026-03-12T20:00:00.000Z' },
    { cmd: 'brief weekly mon 08:00 UTC', reply: `This channel gets a brief weekly on Monday at 08:00 UTC. The next one is Mon 16 Mar 2026 08:00 UTC.${both}`, next: '2026-03-16T08:00:00.000Z' },
    // A time alone (Discord: the time option without a schedule): daily, for a channel with no brief yet.
    { cmd: 'brief 8:30 America/New_York', reply: `This channel gets a brief daily at 08:30 America/New_York. The next one is Tue 10 Mar 2026 08:30 America/New_York (12:30 UTC).${both}`, next: '2026-03-10T12:30:00.000Z' },
    // A day without daily or weekly (as on Discord, where a day alone means weekly): weekly, and the reply says so.
    { cmd: 'brief mon 08:00 UTC', reply: `A day alone means a weekly brief: this channel gets a brief weekly on Monday at 08:00 UTC. The next one is Mon 16 Mar 2026 08:00 UTC.${both}`, next: '2026-03-16T08:00:00.000Z' },
    { cmd: 'brief Friday 7:00 australia/sydney', reply: `A day alone means a weekly brief: this channel gets a brief weekly on Friday at 07:00 Australia/Sydney. The next one is Fri 13 Mar 2026 07:00 Australia/Sydney (20:00 UTC).${both}`, next: '2026-03-12T20:00:00.000Z' },
  ])('$cmd', async ({ cmd, reply, next }) => {
    expect(await run(cmd)).toBe(reply);
    expect(await delivery()).toMatchObject({ mode: 'both', briefNextAt: new Date(next) });
  });

  it.each([
    { cmd: 'brief daily 08:00 Europe/Berln', says: '"Europe/Berln" is not a time zone I know; did you mean Europe/Berlin? Otherwise use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.' },
    { cmd: 'brief daily 08:00 +05:30', says: '"+05:30" is not a time zone I know; use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.' },
    { cmd: 'brief daily 8am Europe/Berlin', says: '"8am" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.' },
    { cmd: 'brief daily 24:00 Europe/Berlin', says: '"24:00" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.' },
    { cmd: 'brief weekly someday 08:00 UTC', says: '"someday" is not a day of the week; use mon, tue, wed, thu, fri, sat or sun.' },
    { cmd: 'brief weekly mon', says: 'Say when, for example /news brief weekly mon 08:00 Europe/Berlin.' },
    { cmd: 'brief mon', says: 'Say when, for example /news brief weekly mon 08:00 Europe/Berlin.' },
    { cmd: 'brief tue 8am UTC', says: '"8am" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.' },
    { cmd: 'brief wed 08:00', says: 'Say which time zone the time is in, for example /news brief weekly wed 08:00 Europe/Berlin.' },
    { cmd: 'brief mon 08:00 UTC please', says: '"please" is one word too many after /news brief weekly mon 08:00 UTC; leave it out. Usage: /news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | DAY HH:MM [Zone] | HH:MM [Zone] | off | show, for example /news brief daily 08:00 Europe/Berlin.' },
    { cmd: 'brief daily 08:00', says: 'Say which time zone the time is in, for example /news brief daily 08:00 Europe/Berlin.' },
    // A word after a complete command is named, after what it follows, never blamed on the valid time or zone before it.
    { cmd: 'brief daily 08:00 UTC extra', says: '"extra" is one word too many after /news brief daily 08:00 UTC; leave it out. Usage: /news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | DAY HH:MM [Zone] | HH:MM [Zone] | off | show, for example /news brief daily 08:00 Europe/Berlin.' },
    { cmd: 'brief weekly mon 08:00 europe/berlin please', says: '"please" is one word too many after /news brief weekly mon 08:00 Europe/Berlin; leave it out. Usage: /news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | DAY HH:MM [Zone] | HH:MM [Zone] | off | show, for example /news brief daily 08:00 Europe/Berlin.' },
    { cmd: 'brief off now', says: '"now" is one word too many after /news brief off; leave it out. Usage: /news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | DAY HH:MM [Zone] | HH:MM [Zone] | off | show, for example /news brief daily 08:00 Europe/Berlin.' },
    { cmd: 'quiet 22:00-07:00 Europe/Berlin please', says: '"please" is one word too many after /news quiet 22:00-07:00 Europe/Berlin; leave it out. Usage: /news quiet HH:MM-HH:MM [Zone] | off, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    { cmd: 'quiet 22:00 - 07:00 UTC tonight', says: '"tonight" is one word too many after /news quiet 22:00-07:00 UTC; leave it out. Usage: /news quiet HH:MM-HH:MM [Zone] | off, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    { cmd: 'quiet 22:00 to 07:00 UTC on weekdays', says: '"on" (and 1 more) is one word too many after /news quiet 22:00-07:00 UTC; leave it out. Usage: /news quiet HH:MM-HH:MM [Zone] | off, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    { cmd: 'quiet 23:00 06:30 utc x', says: '"x" is one word too many after /news quiet 23:00-06:30 UTC; leave it out. Usage: /news quiet HH:MM-HH:MM [Zone] | off, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    { cmd: 'quiet off now', says: '"now" is one word too many after /news quiet off; leave it out. Usage: /news quiet HH:MM-HH:MM [Zone] | off, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    // A bad time or zone before the extra word is still the first thing named.
    { cmd: 'quiet 22:00-7pm UTC please', says: '"7pm" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.' },
    { cmd: 'quiet 22:00-07:00 Europe Berlin', says: '"Europe" is not a time zone I know; use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC.' },
    // A day after daily: daily takes none, weekly does; the right form, with what was typed.
    { cmd: 'brief daily mon 08:00 UTC', says: 'A daily brief comes every day and takes no day; for one on Mondays only, use weekly: /news brief weekly mon 08:00 UTC.' },
    { cmd: 'brief daily Friday 7:30', says: 'A daily brief comes every day and takes no day; for one on Fridays only, use weekly: /news brief weekly fri 07:30 Europe/Berlin.' },
    { cmd: 'brief daily sun', says: 'A daily brief comes every day and takes no day; for one on Sundays only, use weekly: /news brief weekly sun 08:00 Europe/Berlin.' },
    { cmd: 'brief hourly', says: 'Usage: /news brief daily HH:MM [Zone] | weekly DAY HH:MM [Zone] | DAY HH:MM [Zone] | HH:MM [Zone] | off | show.' },
    { cmd: 'mode sometimes', says: 'Usage: /news mode live|brief|both (live: alerts as stories come; brief: only the brief; both).' },
    { cmd: 'mode both', says: "Set the brief's time first, for example /news brief daily 08:00 Europe/Berlin; then /news mode both." },
    { cmd: 'quiet 22:00', says: 'Usage: /news quiet HH:MM-HH:MM [Zone] | off, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    { cmd: 'quiet 22:00-7pm UTC', says: '"7pm" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30.' },
    { cmd: 'quiet 22:00-07:00', says: 'Say which time zone the time is in, for example /news quiet 22:00-07:00 Europe/Berlin.' },
    { cmd: 'quiet 22:00-22:00 UTC', says: 'Quiet hours need an end that differs from their start, for example 22:00-07:00.' },
    { cmd: 'threads maybe', says: 'Usage: /news threads on|off.' },
  ])('refuses $cmd in one sentence and changes nothing', async ({ cmd, says }) => {
    expect(await run(cmd)).toBe(says);
    const d = await delivery();
    if (d) expect(d).toMatchObject({ mode: 'live', brief: null, quiet: null, threads: false, briefNextAt: null });
  });

  it.each(['brief daily 08:00 UTC', 'brief mon 08:00 UTC', 'brief off', 'mode brief', 'quiet 22:00-07:00 UTC', 'quiet off', 'threads on'])('refuses %j to someone who cannot manage the channel', async (cmd) => {
    expect(await run(cmd, member)).toMatch(/^Sorry, only workspace admins and owners, or users on the bot's allowlist \(slack\.admin_user_ids\) can change /);
    expect(await delivery()).toBeNull();
  });

  it('moves between modes, keeps the schedule while live, and takes the zone already in use', async () => {
    await run('quiet 23:00 06:30 Europe/Berlin');
    expect((await delivery())!.quiet).toEqual({ start: { hour: 23, minute: 0, second: 0 }, end: { hour: 6, minute: 30, second: 0 }, zone: 'Europe/Berlin' });
    // No zone given: the one the channel's quiet hours use.
    expect(await run('brief daily 08:00')).toMatch(/^This channel gets a brief daily at 08:00 Europe\/Berlin\./);
    expect(await run('mode brief')).toBe('This channel now gets only its brief (daily at 08:00 Europe/Berlin); new stories are held for it.');
    expect(await run('mode brief')).toBe('Nothing changed: this channel already gets only the brief, daily at 08:00 Europe/Berlin (mode brief).');
    expect(await run('mode live')).toBe('This channel now gets live alerts only; its brief (daily at 08:00 Europe/Berlin) is kept but not sent: /news mode both brings it back.');
    expect(await delivery()).toMatchObject({ mode: 'live', briefNextAt: null, brief: { every: 'daily' } });
    expect(await run('brief show', member)).toBe('Brief: daily at 08:00 Europe/Berlin.\nDelivery: live alerts as stories come (mode live).');
    expect(await run('mode both')).toBe('This channel now gets live alerts and its brief (daily at 08:00 Europe/Berlin).');
    expect((await delivery())!.briefNextAt!.toISOString()).toBe('2026-03-11T07:00:00.000Z');
    expect(await run('mode', member)).toBe('Delivery: live alerts and the brief, daily at 08:00 Europe/Berlin (mode both).');
    const status = await run('status', member);
    expect(status).toContain('Delivery: live alerts and the brief, daily at 08:00 Europe/Berlin (mode both).');
    expect(status).toContain('Next brief: Wed 11 Mar 2026 08:00 Europe/Berlin (07:00 UTC).');
    expect(status).toContain('Quiet hours: 23:00-06:30 Europe/Berlin');
    expect(await run('brief off')).toBe("This channel's brief is off; it gets live alerts as stories come.");
    expect(await run('brief off')).toBe('Nothing changed: this channel has no brief.');
    expect(await delivery()).toMatchObject({ mode: 'live', brief: null, briefNextAt: null, quiet: { zone: 'Europe/Berlin' } });
  });

  it('names a zone stored as an abbreviation before they were refused, with the command that sets the zone meant', async () => {
    expect(await run('brief weekly mon 08:00 Europe/Berlin')).toMatch(/^This channel gets a brief weekly/);
    expect(await run('status', member)).not.toContain('abbreviation');
    // As an older version stored them: EST (UTC-5 all year) and CET.
    const ch = (await storage.channels.find('slack', 'C1'))!;
    const at = (hour: number) => ({ hour, minute: 0, second: 0 });
    await storage.channels.setDelivery(ch.id, { mode: 'both', brief: { every: 'weekly', weekday: 1, time: at(8), zone: 'EST' }, quiet: { start: at(22), end: at(7), zone: 'CET' }, threads: false }, null);
    const status = await run('status', member);
    expect(status).toContain("The brief follows EST, an abbreviation read as a fixed offset or another place's clock, not America/New_York time: set the zone again, e.g. /news brief 08:00 America/New_York.");
    expect(status).toContain("The quiet hours follow CET, an abbreviation read as a fixed offset or another place's clock, not Europe/Berlin or Europe/Paris time: set the zone again, e.g. /news quiet 22:00-07:00 Europe/Berlin.");
    // The commands it names do what it says: the brief stays weekly on Monday, and the lines go.
    expect(await run('brief 08:00 America/New_York')).toMatch(/weekly on Monday at 08:00 America\/New_York/);
    expect(await run('quiet 22:00-07:00 Europe/Berlin')).toMatch(/22:00-07:00 Europe\/Berlin/);
    expect(await run('status', member)).not.toContain('abbreviation');
  });

  it('says when quiet hours set now end, on their zone\'s clock with the zone named', async () => {
    expect(await run('quiet 13:00-14:00 Europe/Berlin')).toBe(
      'Quiet hours: 13:00-14:00 Europe/Berlin. Live alerts in that window are held and go out as one message when it ends. It is quiet now, until Tue 10 Mar 2026 14:00 Europe/Berlin.',
    );
  });

  it('a channel shared with another workspace cannot be changed from there', async () => {
    await run('brief daily 08:00 UTC');
    const handle = createCommandHandler({ ...commandDepsFor(storage), clock });
    const r = await handle({ ...command('mode brief'), workspaceId: 'T2' });
    expect(r.text).toBe('This channel is shared with another workspace and belongs to it; only that workspace can change what the channel receives.');
    expect((await delivery())!.mode).toBe('both');
  });
});
