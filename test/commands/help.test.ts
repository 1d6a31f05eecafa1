// /news help COMMAND: the command as typed with its slash or /news, and a near miss named.
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { CommandDeps } from '../../src/commands/index.ts';
import { fixedClock } from '../../src/lib/clock.ts';

// help reads no storage: ports that throw prove it.
const none = new Proxy({}, { get: () => () => { throw new Error('help must not read storage'); } });
const handle = createCommandHandler({ channels: none, latest: none, feeds: none, topics: [], parseKeyword: () => ({ term: '', exclude: false }), checkFeedUrl: (u: string) => u, clock: fixedClock('2026-03-10T12:00:00Z') } as unknown as CommandDeps);

const ask = (text: string) => {
  const [name = '', ...args] = text.split(/\s+/).filter(Boolean);
  return handle({ platform: 'slack', workspaceId: 'T1', channelId: 'C1', channelName: 'news', userId: 'U1', userIsAdmin: false, userCanManageChannel: false, userIsOperator: false, name, args, text });
};

describe('/news help COMMAND', () => {
  it.each([
    ['help latest', /^\/news latest \[topic\] \[count\]: the newest matching stories/],
    ['help /news latest', /^\/news latest \[topic\] \[count\]: the newest matching stories/],
    ['help news LATEST', /^\/news latest \[topic\] \[count\]: the newest matching stories/],
    ['help /latest', /^\/news latest \[topic\] \[count\]: the newest matching stories/],
    ['help subscrbe', /^There is no \/news subscrbe command; did you mean \/news subscribe\? \/news subscribe \[topic\.\.\.\]: this channel follows/],
    // Every form /news brief takes, the short ones included (a day first, a time alone).
    ['help brief', /^\/news brief daily HH:MM \[Zone\] \| weekly DAY HH:MM \[Zone\] \| DAY HH:MM \[Zone\] \| HH:MM \[Zone\] \| off \| show: .*a day first means weekly \(mon 08:00\); a time alone moves the brief/],
    ['help keyword', /^There is no \/news keyword command; did you mean \/news keywords\? \/news keywords add/],
  ])('"%s" answers with the one command', async (text, want) => {
    const r = await ask(text);
    expect(r.text).toMatch(want);
    expect(r.text.split('\n')).toHaveLength(1);
  });

  it('lists every command for a name nothing is near', async () => {
    const r = await ask('help frobnicate');
    expect(r.text.split('\n')[0]).toBe('There is no /news frobnicate command. cyberbrief posts sourced summaries of cyber-diplomacy news. Commands:');
    expect(r.text.split('\n')).toHaveLength(14);
  });
});
