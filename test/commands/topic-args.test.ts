// Topic arguments (subscribe, unsubscribe): ones that name nothing are refused, not taken as all topics.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { CommandHandler } from '../../src/domain/chat.ts';
import type { Storage } from '../../src/storage/index.ts';
import { commandDepsFor, MANAGER as manager, slashCommand as command } from '../helpers/command-deps.ts';
import { freshStorage, testDatabases } from '../helpers/databases.ts';


describe('topic arguments that name nothing (SQLite)', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let handle: CommandHandler;

  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(testDatabases[0]!));
    handle = createCommandHandler(commandDepsFor(storage));
  });
  afterEach(async () => cleanup());

  it.each([
    ['subscribe ,', []],
    ['subscribe ,,', []],
    ['unsubscribe ,', ['espionage', 'talks']],
  ])('"%s" asks for topic ids and changes nothing', async (text, left) => {
    await handle(command('subscribe', manager));
    if (left.length === 0) await handle(command('unsubscribe', manager));
    const r = await handle(command(text, manager));
    expect(r.text).toBe('Name topics by id, or none for all; known topics are espionage, talks (see /news topics).');
    const ch = (await storage.channels.find('slack', 'C1'))!;
    expect(await storage.channels.subscriptions(ch.id)).toEqual(left);
  });

  it.each([
    ['subscribe State cyberespionage', ['espionage']],
    ['subscribe cyber TALKS state cyberespionage', ['espionage', 'talks']],
    ['subscribe Cyber talks talks', ['talks']],
  ])('"%s" takes a topic name typed without quotes', async (text, want) => {
    const r = await handle(command(text, manager));
    expect(r.text).not.toMatch(/Unknown topic/);
    const ch = (await storage.channels.find('slack', 'C1'))!;
    expect((await storage.channels.subscriptions(ch.id)).sort()).toEqual(want);
  });

  it.each(['subscribe all espionage', 'subscribe espionage,ALL', 'unsubscribe talks all'])('"%s" says all stands alone and changes nothing', async (text) => {
    const r = await handle(command(text, manager));
    expect(r.text).toBe('"all" means every topic and stands alone; name topics without it, or give all (or nothing) for every topic.');
    expect(await storage.channels.find('slack', 'C1').then((ch) => (ch ? storage.channels.subscriptions(ch.id) : []))).toEqual([]);
  });
});
