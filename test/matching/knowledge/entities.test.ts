// States and threat actors found in text: case-aware, an ordinary-word alias only next to an actor cue, a
// one-word alias only in a story about cyber activity, and a language ("Chinese-speaking") is not a state.
import { describe, expect, it } from 'vitest';
import { Knowledge } from '../../../src/matching/knowledge/index.ts';
import type { ThreatActor } from '../../../src/matching/knowledge/actors.ts';

const ACTORS: ThreatActor[] = [
  { name: 'FamousSparrow', aliases: [], stateSponsor: 'China', origin: 'China' },
  { name: 'Turla', aliases: ['Venomous Bear', 'Snake'], stateSponsor: 'Russia', origin: 'Russia' },
  { name: 'Mercury', aliases: ['MuddyWater'], stateSponsor: 'Iran', origin: 'Iran' },
  { name: 'APT28', aliases: ['Fancy Bear'], stateSponsor: 'Russia', origin: 'Russia' },
  { name: 'Carbon Crew', aliases: [], stateSponsor: null, origin: 'Vietnam' },
];
const k = new Knowledge(ACTORS);

function found(title: string, lead = ''): string[] {
  const a = k.analyse(title, lead);
  return [...a.titleEntities, ...a.leadEntities].map((e) => `${e.kind}:${e.key}`);
}

describe('entities', () => {
  it.each([
    { title: 'FamousSparrow targets hotels', want: ['actor:FamousSparrow'] },
    { title: 'APT28 returns', want: ['actor:APT28'] },
    { title: 'Turla hackers breach embassies', want: ['actor:Turla'] },
    { title: 'Turla announces a new album', want: [] },
    { title: 'turla hackers breach embassies', want: [] },
    { title: 'Snake malware dismantled', want: [] },
    { title: 'The Snake hacking group returns', want: ['actor:Turla'] },
    { title: 'Researchers track Snake hackers', want: ['actor:Turla'] },
    { title: 'Espionage group tracked as Mercury hits ministries', want: ['actor:Mercury'] },
    { title: 'Mercury Insurance hit by a cyberattack', want: [] },
    { title: 'Fancy Bear phishing wave', want: ['actor:APT28'] },
    { title: 'A fancy bear costume wins a prize', want: [] },
    { title: 'Carbon Crew malware spreads', want: ['actor:Carbon Crew'] },
    { title: 'China-linked hackers hit Czech ministries', want: ['state:China', 'state:Czech Republic'] },
    { title: 'Chinese-speaking fraudsters run scams', want: [] },
    { title: 'U.S. and North Korean officials meet', want: ['state:United States', 'state:North Korea'] },
    { title: 'Let us meet in the turkey shop', want: [] },
  ])('$title', ({ title, want }) => {
    expect(found(title)).toEqual(want);
  });

  it('gives an actor its state and a one-line reason', () => {
    const a = k.analyse('Campaign linked to FamousSparrow', 'Researchers saw backdoors.');
    expect(a.titleEntities[0]).toMatchObject({ kind: 'actor', state: 'China', sponsored: true, reason: 'FamousSparrow: China-sponsored group (MISP galaxy)' });
  });

  it('finds concepts with the fields they are in', () => {
    const a = k.analyse('Cyberespionage at the foreign ministry', 'Officials blamed Moscow for the intrusion.');
    expect(a.concepts.get('espionage')).toBe(1);
    expect(a.concepts.get('gov_target')).toBe(1);
    expect(a.concepts.get('gov_action')).toBe(2);
    expect(a.concepts.get('cyber')).toBe(3);
  });
});
