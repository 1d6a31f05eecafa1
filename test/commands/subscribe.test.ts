// /news subscribe, unsubscribe and status name the channel's topics once each, in the topics file's order
// (not sorted by id, which shown as names reads as no order at all).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { CommandHandler } from '../../src/domain/chat.ts';
import type { Topic } from '../../src/domain/types.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor, MANAGER, slashCommand as command } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';

// In the file's order, which is not the ids' alphabetical order.
const TOPICS: Topic[] = [
  { id: 'state-ops', name: 'State operations', description: 'x', terms: [{ term: 'state hackers', weight: 3 }], threshold: 2 },
  { id: 'diplomacy', name: 'Cyber diplomacy', description: 'x', terms: [{ term: 'cyber talks', weight: 3 }], threshold: 2 },
  { id: 'infrastructure', name: 'Attacks on infrastructure', description: 'x', terms: [{ term: 'power grid', weight: 3 }], threshold: 2 },
];

describe('/news subscribe and unsubscribe replies (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    handle = createCommandHandler(commandDepsFor(storage, TOPICS));
  });
  afterEach(async () => cleanup());

  it.each([
    {
      name: 'every topic: named once, in the file order, and said to include later ones',
      before: [],
      text: 'subscribe',
      reply: 'This channel now follows every topic, and any added later: State operations, Cyber diplomacy, Attacks on infrastructure.',
    },
    {
      name: 'every topic again: nothing changed',
      before: ['subscribe'],
      text: 'subscribe all',
      reply: 'Nothing changed: this channel already follows every topic, and any added later.',
    },
    {
      name: 'a topic named while following every topic: nothing changed',
      before: ['subscribe'],
      text: 'subscribe diplomacy',
      reply: 'Nothing changed: this channel follows every topic, those included.',
    },
    {
      name: 'every topic after some: the list gives way',
      before: ['subscribe diplomacy'],
      text: 'subscribe',
      reply: 'This channel now follows every topic, and any added later: State operations, Cyber diplomacy, Attacks on infrastructure.',
    },
    {
      name: 'topics named out of order: the file order',
      before: [],
      text: 'subscribe infrastructure state-ops',
      reply: 'This channel now follows State operations, Attacks on infrastructure.',
    },
    {
      name: 'one more beside one followed: what was added, then all that is followed',
      before: ['subscribe infrastructure'],
      text: 'subscribe diplomacy',
      reply: 'This channel now follows Cyber diplomacy. Followed topics: Cyber diplomacy, Attacks on infrastructure.',
    },
    {
      name: 'nothing new: what is followed',
      before: ['subscribe infrastructure state-ops'],
      text: 'subscribe infrastructure',
      reply: 'Nothing changed: this channel already follows those topics. Followed topics: State operations, Attacks on infrastructure.',
    },
    {
      name: 'unsubscribe: what is still followed, in the file order',
      before: ['subscribe state-ops diplomacy infrastructure'],
      text: 'unsubscribe diplomacy',
      reply: 'This channel no longer follows Cyber diplomacy. Still followed: State operations, Attacks on infrastructure.',
    },
    {
      name: 'unsubscribe from every topic: the rest, and that later topics are not followed',
      before: ['subscribe'],
      text: 'unsubscribe diplomacy',
      reply: 'This channel no longer follows Cyber diplomacy. Still followed: State operations, Attacks on infrastructure; topics added later will not be (/news subscribe follows every topic again).',
    },
    {
      name: 'status: every topic',
      before: ['subscribe'],
      text: 'status',
      reply: /^This channel follows every topic, and any added later: State operations, Cyber diplomacy, Attacks on infrastructure\.\n/,
    },
    {
      name: 'topics: every one marked, and the head says so',
      before: ['subscribe'],
      text: 'topics',
      reply: /^Topics \(this channel follows every topic, and any added later\):\n\[following\] state-ops .*\n\[following\] diplomacy .*\n\[following\] infrastructure /,
    },
    {
      name: 'status: the followed topics in the file order',
      before: ['subscribe infrastructure diplomacy state-ops'],
      text: 'status',
      reply: /^This channel follows State operations, Cyber diplomacy, Attacks on infrastructure\.\n/,
    },
  ])('$name', async ({ before, text, reply }) => {
    for (const b of before) await handle(command(b, MANAGER));
    const r = await handle(command(text, MANAGER));
    if (typeof reply === 'string') expect(r.text).toBe(reply);
    else expect(r.text).toMatch(reply);
  });
});

// A topic added after a channel subscribed (a new default topic, one saved on the dashboard) reaches the channels
// that follow every topic, and not those that named theirs.
describe('a topic added later (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
  });
  afterEach(async () => cleanup());

  it('is followed by a channel that follows every topic, and not by one that named its topics', async () => {
    const before = createCommandHandler(commandDepsFor(storage, TOPICS));
    await before(command('subscribe', MANAGER, { channelId: 'C1' }));
    await before(command('subscribe state-ops diplomacy infrastructure', MANAGER, { channelId: 'C2' }));
    const later: Topic = { id: 'strategy', name: 'Cyber strategy', description: 'x', terms: [{ term: 'cyber strategy', weight: 3 }], threshold: 2 };
    const after = createCommandHandler(commandDepsFor(storage, [...TOPICS, later]));
    expect((await after(command('status', MANAGER, { channelId: 'C1' }))).text).toMatch(/^This channel follows every topic, and any added later: State operations, Cyber diplomacy, Attacks on infrastructure, Cyber strategy\.\n/);
    expect((await after(command('status', MANAGER, { channelId: 'C2' }))).text).toMatch(/^This channel follows State operations, Cyber diplomacy, Attacks on infrastructure\.\n/);
    const c1 = (await storage.channels.find('slack', 'C1'))!;
    const c2 = (await storage.channels.find('slack', 'C2'))!;
    expect((await storage.channels.subscribers('strategy')).map((c) => c.id)).toEqual([c1.id]);
    expect((await storage.channels.subscribers('diplomacy')).map((c) => c.id)).toEqual([c1.id, c2.id]);
  });
});
