// Concepts found in text. Words with an everyday sense ("breaching sanctions", "exploiting workers", "a dental
// implant", "lies and disinformation", "foreign interference" in an election) count as cyber activity or an
// influence operation only in a story that is about computers, networks or platforms; the context concept itself is never a feature or a reason.
import { describe, expect, it } from 'vitest';
import { Knowledge } from '../../../src/matching/knowledge/index.ts';
import { CONCEPTS } from '../../../src/matching/knowledge/concepts.ts';

const k = new Knowledge([]);

function concepts(title: string, lead = ''): string[] {
  return [...k.analyse(title, lead).concepts.keys()].sort();
}

describe('loose words need a computing context', () => {
  it.each([
    { text: 'Report says the country kept breaching sanctions on coal exports', concept: 'cyber', want: false },
    { text: 'Hackers breach the ministry email servers', concept: 'cyber', want: true },
    { text: 'A data breach at the ministry exposed records', concept: 'cyber', want: true },
    { text: 'Breach of the network went unnoticed for months', concept: 'cyber', want: true },
    { text: 'The athlete accused the regime of exploiting women as political tools', concept: 'cyber', want: false },
    { text: 'Attackers are exploiting a flaw in the VPN appliance', concept: 'cyber', want: true },
    { text: 'Officials struck a backdoor deal on the budget', concept: 'cyber', want: false },
    { text: 'Researchers found a backdoor in router firmware', concept: 'cyber', want: true },
    { text: 'The clinic recalls a faulty dental implant', concept: 'cyber', want: false },
    { text: 'Police say protesters tried to infiltrate the parliament grounds', concept: 'cyber', want: false },
    { text: 'Spies tried to infiltrate government networks', concept: 'cyber', want: true },
    { text: 'New loader spreads through fake installers', concept: 'cyber', want: true },
    { text: 'The foreign ministry called the sanctions lies and disinformation', concept: 'influence', want: false },
    { text: 'Disinformation about the vote spread through hundreds of social media accounts', concept: 'influence', want: true },
    { text: 'A disinformation campaign targeted voters', concept: 'influence', want: true },
    { text: 'Senators pressed the nominee on foreign interference in the next election', concept: 'influence', want: false },
    { text: 'The candidate dismissed talk of election meddling as a partisan attack', concept: 'influence', want: false },
    { text: 'Foreign interference ran through thousands of social media accounts', concept: 'influence', want: true },
    { text: 'Election interference by hackers who leaked the campaign emails', concept: 'influence', want: true },
  ])('$concept in "$text": $want', ({ text, concept, want }) => {
    expect(concepts(text).includes(concept)).toBe(want);
  });

  it('a loose word found in the title marks the title once the story is licensed', () => {
    const a = k.analyse('Ministry breach confirmed', 'Attackers stole data from its servers.');
    expect(a.concepts.get('cyber')).toBeDefined();
    expect(a.conceptPhrases.get('cyber')).toBeTruthy();
  });

  it('the computing context is never reported as a concept of its own', () => {
    const contextOnly = CONCEPTS.filter((c) => c.contextOnly).map((c) => c.id);
    expect(contextOnly).toEqual(['computing']);
    expect(concepts('Software update for email servers and cloud accounts')).not.toContain('computing');
  });

  it('every concept with loose words names a context concept that exists', () => {
    const ids = new Set(CONCEPTS.map((c) => c.id));
    for (const c of CONCEPTS.filter((x) => x.loose)) {
      expect(c.context?.length, c.id).toBeGreaterThan(0);
      for (const x of c.context ?? []) expect(ids.has(x), `${c.id} -> ${x}`).toBe(true);
    }
  });
});

// "govt" is the headline spelling of "government" (session 16, docs/relevance-check/README.md).
describe('a government as the target', () => {
  it.each([
    { text: 'Hackers target govt agencies with a fake update', want: true },
    { text: 'Spyware found on govt servers', want: true },
    { text: 'Phishing campaign targeting govt staff', want: true },
    { text: 'Hackers target the airline with a fake update', want: false },
  ])('gov_target in "$text": $want', ({ text, want }) => {
    expect(concepts(text).includes('gov_target')).toBe(want);
  });
});
