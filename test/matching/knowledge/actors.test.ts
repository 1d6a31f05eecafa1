// The threat-actor list: the project's JSON Lines form and MISP galaxy files in, one sentence on bad input,
// and each alias's recognition rule.
import { describe, expect, it } from 'vitest';
import { actorReason, aliasRule, parseActorsJsonl, parseMispGalaxy, renderActorsJsonl } from '../../../src/matching/knowledge/actors.ts';

describe('parseActorsJsonl', () => {
  it('reads records, makes states canonical, drops duplicate aliases and records with no state', () => {
    const text = [
      JSON.stringify({ name: 'Paper Heron', aliases: ['PAPER HERON', 'Heron Team', 'Heron Team'], state_sponsor: "People's Republic of China", origin: 'CN' }),
      JSON.stringify({ name: 'Lonely Crew', aliases: [], state_sponsor: null, origin: null }),
      '',
      JSON.stringify({ name: 'Glass Otter', aliases: ['G\u200bOtter'], state_sponsor: null, origin: 'RU' }),
    ].join('\n');
    expect(parseActorsJsonl(text, 'a.jsonl')).toEqual([
      { name: 'Paper Heron', aliases: ['Heron Team'], stateSponsor: 'China', origin: 'China' },
      { name: 'Glass Otter', aliases: ['GOtter'], stateSponsor: null, origin: 'Russia' },
    ]);
  });

  it.each([
    { name: 'not JSON', text: '{"name": "x"\n', error: 'actors: a.jsonl:1 is not valid JSON; expected {"name", "aliases", "state_sponsor", "origin"}.' },
    { name: 'no name', text: '{"aliases": []}\n', error: 'actors: a.jsonl:1 needs a string "name" (and "aliases", "state_sponsor", "origin").' },
  ])('refuses a line that is $name, naming it', ({ text, error }) => {
    expect(() => parseActorsJsonl(text, 'a.jsonl')).toThrow(error);
  });

  it('writes what it reads (sorted by name)', () => {
    const actors = [
      { name: 'Zeta Wolf', aliases: ['ZW-1'], stateSponsor: 'Iran', origin: null },
      { name: 'Alpha Moth', aliases: [], stateSponsor: null, origin: 'North Korea' },
    ];
    const text = renderActorsJsonl(actors);
    expect(text.split('\n')[0]).toBe('{"name":"Alpha Moth","aliases":[],"state_sponsor":null,"origin":"North Korea"}');
    expect(parseActorsJsonl(text, 'x')).toEqual([actors[1], actors[0]]);
  });
});

describe('parseMispGalaxy', () => {
  const galaxy = {
    name: 'Threat Actor',
    values: [
      { value: 'Paper Heron', meta: { synonyms: ['HERON-7'], 'cfr-suspected-state-sponsor': 'China', country: 'CN' } },
      { value: 'Quiet Gang', meta: { synonyms: ['QG'] } },
      { value: 'Glass Otter', meta: { country: 'RU' } },
      'not an object',
    ],
  };

  it('keeps actors with a sponsor or a country', () => {
    expect(parseMispGalaxy(JSON.stringify(galaxy), 'g.json')).toEqual([
      { name: 'Paper Heron', aliases: ['HERON-7'], stateSponsor: 'China', origin: 'China' },
      { name: 'Glass Otter', aliases: [], stateSponsor: null, origin: 'Russia' },
    ]);
  });

  it.each([
    { name: 'not JSON', text: '{', error: /^actors: g\.json is not valid JSON \(.*\); expected a MISP galaxy threat-actor\.json\.$/ },
    { name: 'without values', text: '{"name": "x"}', error: 'actors: g.json has no "values" list; expected a MISP galaxy cluster file such as threat-actor.json.' },
    { name: 'without any state', text: '{"values": [{"value": "A"}]}', error: 'actors: g.json has no actor with a state sponsor or country; nothing to load.' },
  ])('refuses a file $name', ({ text, error }) => {
    expect(() => parseMispGalaxy(text, 'g.json')).toThrow(error);
  });
});

describe('aliasRule', () => {
  it.each([
    { alias: 'APT28', context: 'distinctive' },
    { alias: 'UNC1151', context: 'distinctive' },
    { alias: 'FamousSparrow', context: 'distinctive' },
    { alias: 'Kimsuky', context: 'cyber' },
    { alias: 'Fancy Bear', context: 'cyber' },
    { alias: 'COMMENT PANDA', context: 'cyber' },
    { alias: 'Mercury', context: 'cue' },
    { alias: 'LEAD', context: 'cue' },
    { alias: 'Snake', context: 'cue' },
    { alias: 'UPS', context: 'cue' },
    { alias: 'Group 3', context: null },
    { alias: 'APT', context: null },
    { alias: 'X1', context: null },
  ])('$alias: $context', ({ alias, context }) => {
    expect(aliasRule(alias)?.context ?? null).toBe(context);
  });
});

it('says which state an actor speaks for, sponsor first', () => {
  expect(actorReason({ name: 'GhostEmperor', aliases: ['FamousSparrow'], stateSponsor: null, origin: 'China' }, 'FamousSparrow')).toBe('FamousSparrow: China-linked group (MISP galaxy)');
  expect(actorReason({ name: 'APT28', aliases: [], stateSponsor: 'Russia', origin: 'Russia' }, 'APT28')).toBe('APT28: Russia-sponsored group (MISP galaxy)');
});
