// Whether a story tells its kind of story in one place (its title, or its title with one sentence of the
// description), with the shipped threat-actor list. Stories written for this test.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/matching/load-relevance.ts';
import { ALL_FEATURES, extractFeatures } from '../../../src/matching/scorer/features.ts';
import { kindInOneSentence, toldInOneSentence } from '../../../src/matching/scorer/one-sentence.ts';

const knowledge = await loadKnowledge(path.join(process.cwd(), 'config', 'threat-actors.jsonl'));

describe('kindInOneSentence', () => {
  it.each([
    {
      name: 'a state and its cyber act in the title',
      title: 'Russian hackers knock regional ministry websites offline',
      description: 'Officials said services were restored by the evening. An inquiry has begun.',
      want: '',
    },
    {
      name: 'a named group and its intrusion in one sentence of the description',
      title: 'Oil and gas firm hit again',
      description: 'The company restored its mail servers on Friday. Investigators tied the breach of its network to FamousSparrow, a China-linked hacking group.',
      want: 'Investigators tied the breach of its network to FamousSparrow, a China-linked hacking group.',
    },
    {
      name: 'the state in the title, the cyber act in one sentence',
      title: 'Sweden blames Russia',
      description: 'The minister said a cyberattack disabled a heating plant last winter. Repairs took a week.',
      want: 'The minister said a cyberattack disabled a heating plant last winter.',
    },
    {
      name: 'a state in one sentence and malware in another',
      title: 'A long night at the ministry',
      description: 'Officials blamed Russia for the outage. Engineers later found malware on several servers.',
      want: null,
      whole: true,
    },
    {
      name: 'state-affiliated accounts, a breach and a warning, each in its own sentence of a long text',
      title: 'The platform takes a harder line on war photos',
      description:
        'The company will label the accounts of state-affiliated media. It said posts that breach its terms will be taken down. Critics issued a warning about free speech. The rules take effect at once.',
      want: null,
      whole: true,
    },
    {
      name: 'no kind anywhere',
      title: 'Ministers meet on trade',
      description: 'Tariffs were discussed. No agreement was reached.',
      want: null,
    },
  ])('$name', ({ title, description, want, whole }) => {
    expect(kindInOneSentence(knowledge, { title, description }, ALL_FEATURES)).toBe(want);
    // Every story here makes a kind of story as a whole, except the last: scattered is not the same as none.
    expect(extractFeatures(knowledge, { title, description }, ALL_FEATURES).values.has('fact:kind')).toBe(whole ?? want !== null);
  });

  it('reads the start of the content when there is no description', () => {
    const doc = { title: 'A long night at the ministry', content: 'Officials blamed Russia for the outage. Engineers later found malware on several servers.' };
    expect(kindInOneSentence(knowledge, doc, ALL_FEATURES)).toBeNull();
    expect(kindInOneSentence(knowledge, { ...doc, content: 'Officials said Russian hackers planted malware on several servers.' }, ALL_FEATURES)).not.toBeNull();
  });
});

describe('toldInOneSentence', () => {
  it('asks for a kind of story in the whole story and then in one sentence', () => {
    const scattered = { title: 'A long night at the ministry', description: 'Officials blamed Russia for the outage. Engineers later found malware on several servers.' };
    const whole = extractFeatures(knowledge, scattered, ALL_FEATURES).values;
    // The whole text makes a kind of story (a state as the actor, malware): only its sentences apart do not.
    expect(whole.has('fact:kind')).toBe(true);
    expect(toldInOneSentence(knowledge, scattered, whole, ALL_FEATURES)).toBe(false);
    const told = { title: 'A long night at the ministry', description: 'Officials said Russian hackers planted malware on several servers.' };
    expect(toldInOneSentence(knowledge, told, extractFeatures(knowledge, told, ALL_FEATURES).values, ALL_FEATURES)).toBe(true);
    // No kind in the whole story: nothing to look for sentence by sentence.
    expect(toldInOneSentence(knowledge, told, new Map(), ALL_FEATURES)).toBe(false);
  });
});
