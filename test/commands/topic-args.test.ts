// Topic arguments (subscribe, unsubscribe): ones that name nothing are refused, not taken as all topics.
import { describe, expect, it } from 'vitest';
import type { Topic } from '../../src/domain/types.ts';
import { commandsOnFreshSqlite, MANAGER as manager, slashCommand as command } from '../helpers/command-deps.ts';


describe('topic arguments that name nothing (SQLite)', () => {
  const bot = commandsOnFreshSqlite();

  it.each([
    ['subscribe ,', []],
    ['subscribe ,,', []],
    ['unsubscribe ,', ['*']],
  ])('"%s" asks for topic ids and changes nothing', async (text, left) => {
    await bot.handle(command('subscribe', manager));
    if (left.length === 0) await bot.handle(command('unsubscribe', manager));
    const r = await bot.handle(command(text, manager));
    expect(r.text).toBe('Name topics by id, or none for all; known topics are espionage, talks (see /news topics).');
    const ch = (await bot.storage.channels.find('slack', 'C1'))!;
    expect(await bot.storage.channels.subscriptions(ch.id)).toEqual(left);
  });

  it.each([
    ['subscribe State cyberespionage', ['espionage']],
    ['subscribe cyber TALKS state cyberespionage', ['espionage', 'talks']],
    ['subscribe Cyber talks talks', ['talks']],
  ])('"%s" takes a topic name typed without quotes', async (text, want) => {
    const r = await bot.handle(command(text, manager));
    expect(r.text).not.toMatch(/Unknown topic/);
    const ch = (await bot.storage.channels.find('slack', 'C1'))!;
    expect((await bot.storage.channels.subscriptions(ch.id)).sort()).toEqual(want);
  });

  it.each(['subscribe all espionage', 'subscribe espionage,ALL', 'unsubscribe talks all'])('"%s" says all stands alone and changes nothing', async (text) => {
    const r = await bot.handle(command(text, manager));
    expect(r.text).toBe('"all" means every topic and stands alone; name topics without it, or give all (or nothing) for every topic.');
    expect(await bot.storage.channels.find('slack', 'C1').then((ch) => (ch ? bot.storage.channels.subscriptions(ch.id) : []))).toEqual([]);
  });
});

// Names as the default topics file has them: some hold a comma.
const NAMED_TOPICS: Topic[] = [
  { id: 'cyber-diplomacy', name: 'Cyber talks, agreements and norms', description: 'x', terms: [{ term: 'cyber talks', weight: 3 }], threshold: 2 },
  { id: 'accusations', name: 'Accusations, indictments and sanctions', description: 'x', terms: [{ term: 'indictment', weight: 3 }], threshold: 2 },
  { id: 'state-spyware', name: 'Commercial spyware', description: 'x', terms: [{ term: 'spyware', weight: 3 }], threshold: 2 },
];

describe('topic names, look-alike letters and typos (SQLite)', () => {
  const bot = commandsOnFreshSqlite({ topics: NAMED_TOPICS });
  const followed = async () => {
    const ch = await bot.storage.channels.find('slack', 'C1');
    return ch ? (await bot.storage.channels.subscriptions(ch.id)).sort() : [];
  };

  it.each([
    ['subscribe "Cyber talks, agreements and norms"', ['cyber-diplomacy']],
    ['subscribe \u201ccyber talks, agreements and norms\u201d', ['cyber-diplomacy']],
    ['subscribe "Cyber talks, agreements and norms", state-spyware', ['cyber-diplomacy', 'state-spyware']],
    ['subscribe "Cyber talks, agreements and norms" "Accusations, indictments and sanctions"', ['accusations', 'cyber-diplomacy']],
    ['subscribe Cyber talks, agreements and norms, state-spyware', ['cyber-diplomacy', 'state-spyware']],
    ['subscribe ｓｔａｔｅ-spyware', ['state-spyware']],
    ['subscribe "Ｃommercial spyware"', ['state-spyware']],
  ])('"%s" follows the topics it names', async (text, want) => {
    const r = await bot.handle(command(text, manager));
    expect(r.text).toMatch(/^This channel now follows /);
    expect(await followed()).toEqual(want);
  });

  it('unsubscribe takes a quoted name with a comma', async () => {
    await bot.handle(command('subscribe', manager));
    const r = await bot.handle(command('unsubscribe "Accusations, indictments and sanctions"', manager));
    expect(r.text).toMatch(/^This channel no longer follows Accusations, indictments and sanctions\./);
    expect(await followed()).toEqual(['cyber-diplomacy', 'state-spyware']);
  });

  const KNOWN = 'Known topics are cyber-diplomacy, accusations, state-spyware';
  it.each([
    ['subscribe state-spywar', `Unknown topic "state-spywar"; did you mean state-spyware? ${KNOWN} (see /news topics).`],
    ['subscribe cyber\u2010diplomacy', `Unknown topic "cyber\u2010diplomacy"; did you mean cyber-diplomacy? ${KNOWN} (see /news topics).`],
    ['subscribe cyber-diplomac\u0443', `Unknown topic "cyber-diplomac\u0443"; did you mean cyber-diplomacy? ${KNOWN} (see /news topics).`],
    ['unsubscribe acusations', `Unknown topic "acusations"; did you mean accusations? ${KNOWN} (see /news topics).`],
    ['latest state-spywar 3', `Unknown topic "state-spywar"; did you mean state-spyware? ${KNOWN} (see /news topics).`],
    ['subscribe cats', `Unknown topic "cats"; ${KNOWN.replace('K', 'k')} (see /news topics).`],
    ['subscribe state-spywar cats', `Unknown topic "state-spywar", "cats"; ${KNOWN.replace('K', 'k')} (see /news topics).`],
    ['latest cats', `Unknown topic "cats"; ${KNOWN.replace('K', 'k')} (see /news topics).`],
  ])('"%s" names the topic meant when one is near, and changes nothing', async (text, want) => {
    const r = await bot.handle(command(text, manager));
    expect(r.text).toBe(want);
    expect(await followed()).toEqual([]);
  });
});
