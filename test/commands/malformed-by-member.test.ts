// A malformed change typed by someone without the rights for it (a member typing `/news brief 8am`) is told
// what is wrong with it and, in the same answer, who can make the change; a well-formed one is refused as
// before. Either way nothing is stored: the command is tried against storage that refuses every change.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/chat.ts';
import { commandsOnFreshSqlite, MEMBER, slashCommand } from '../helpers/command-deps.ts';

const ADMIN = { userIsAdmin: true, userCanManageChannel: true, userIsOperator: false };
const MANAGE = "Also, only workspace admins and owners, or users on the bot's allowlist (slack.admin_user_ids) can";
const REFUSED = "Sorry, only workspace admins and owners, or users on the bot's allowlist (slack.admin_user_ids) can";

describe('a malformed change by a caller without the rights', () => {
  const t = commandsOnFreshSqlite();

  it.each([
    { text: 'brief 8am', who: MEMBER, want: `"8am" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30. ${MANAGE} change this channel's brief; ask one of them to run it.` },
    { text: 'brief daily 08:00 Europe/Berln', who: MEMBER, want: `"Europe/Berln" is not a time zone I know; did you mean Europe/Berlin? Otherwise use an IANA name (Region/City) such as Europe/Berlin, America/New_York, Asia/Kolkata or Australia/Sydney, or UTC. ${MANAGE} change this channel's brief; ask one of them to run it.` },
    { text: 'brief daily mon 08:00 UTC', who: MEMBER, want: `A daily brief comes every day and takes no day; for one on Mondays only, use weekly: /news brief weekly mon 08:00 UTC. ${MANAGE} change this channel's brief; ask one of them to run it.` },
    { text: 'quiet 22:00-7pm UTC', who: MEMBER, want: `"7pm" is not a time of day; use HH:MM on a 24-hour clock, such as 08:00 or 17:30. ${MANAGE} change this channel's quiet hours; ask one of them to run it.` },
    { text: 'subscribe cats', who: MEMBER, want: `Unknown topic "cats"; known topics are espionage, talks (see /news topics). ${MANAGE} change this channel's subscriptions; ask one of them to run it.` },
    { text: 'mode brief now', who: MEMBER, want: `Usage: /news mode live|brief|both (live: alerts as stories come; brief: only the brief; both). ${MANAGE} change how this channel gets its stories; ask one of them to run it.` },
    { text: 'feeds add notaurl', who: MEMBER, want: '"notaurl" is not an http(s) URL. Also, only workspace admins and owners can add or remove feeds; ask one of them to run it.' },
    { text: 'feeds add global ftp://x.example/rss', who: ADMIN, want: `"ftp://x.example/rss" is not an http(s) URL. Also, only the bot's operators (slack.operator_user_ids) can add or remove global feeds, which reach every channel; ask one of them to run it.` },
    // Well-formed: refused, as before.
    { text: 'brief 08:00 UTC', who: MEMBER, want: `${REFUSED} change this channel's brief; ask one of them to run it.` },
    { text: 'brief daily 08:00 UTC', who: MEMBER, want: `${REFUSED} change this channel's brief; ask one of them to run it.` },
    { text: 'subscribe espionage', who: MEMBER, want: `${REFUSED} change this channel's subscriptions; ask one of them to run it.` },
    { text: 'keywords add apt', who: MEMBER, want: `${REFUSED} change this channel's keywords; ask one of them to run it.` },
    { text: 'feeds add https://x.example/rss', who: MEMBER, want: 'Sorry, only workspace admins and owners can add or remove feeds; ask one of them to run it.' },
  ])('$text', async ({ text, who, want }) => {
    const r = await t.handle(slashCommand(text, who as Pick<Command, 'userIsAdmin' | 'userCanManageChannel' | 'userIsOperator'>));
    expect(r.text).toBe(want);
    expect(r.ephemeral).toBe(true);
    expect(await t.storage.channels.find('slack', 'C1')).toBeNull();
    expect(await t.storage.feeds.list()).toEqual([]);
  });

  it('tries a change against the stored channel without changing it (quiet hours on a channel that has a brief)', async () => {
    const MANAGER = { userIsAdmin: false, userCanManageChannel: true, userIsOperator: false };
    await t.handle(slashCommand('brief daily 08:00 UTC', MANAGER));
    const ch = (await t.storage.channels.find('slack', 'C1'))!;
    const before = await t.storage.channels.delivery(ch.id);
    expect((await t.handle(slashCommand('brief 09:00', MEMBER))).text).toBe(`${REFUSED} change this channel's brief; ask one of them to run it.`);
    expect((await t.handle(slashCommand('quiet 22:00-07:00 Mars/Olympus', MEMBER))).text).toMatch(/^"Mars\/Olympus" is not a time zone I know; .* Also, only workspace admins/);
    expect(await t.storage.channels.delivery(ch.id)).toEqual(before);
  });
});
