// One reading of "a state's name, then words": the state as what is attacked ("Russian government networks")
// or as who acts ("Russian government hackers"). The scorer's features and a topic term with
// `not_before_target` share it (session 19, docs/relevance-check/README.md). Phrases written for this test.
import { describe, expect, it } from 'vitest';
import { parseTopics, topicsToFile } from '../../../src/config/topics.ts';
import type { Topic } from '../../../src/domain/types.ts';
import { compileTopics } from '../../../src/matching/index.ts';
import { arrayTokens, targetAfterState } from '../../../src/matching/knowledge/target-phrase.ts';
import { fieldTokens, prepare } from '../../../src/matching/knowledge/tokens.ts';
import { FIELD_BIT } from '../../../src/matching/term-index.ts';

const cases: { text: string; victim: boolean }[] = [
  { text: 'Russian government networks were hacked', victim: true },
  { text: 'Chinese military systems breached', victim: true },
  { text: 'North Korean government websites defaced', victim: true },
  { text: 'Russian military and government servers taken offline', victim: true },
  { text: 'Russian government hackers broke in', victim: false },
  { text: 'Chinese military hackers target satellite firms', victim: false },
  { text: 'Russian military units target diplomats abroad', victim: false },
  { text: 'the Chinese government ran a hacking campaign', victim: false },
  { text: 'Russian government, networks and all', victim: false },
];

const term = '(russian|chinese|north korean) (government|military|intelligence)';
const topic = (notBeforeTarget: boolean): Topic => ({
  id: 't',
  name: 'T',
  description: '',
  terms: [{ term, weight: 1, ...(notBeforeTarget ? { notBeforeTarget: true as const } : {}) }],
  groups: { allOf: [[notBeforeTarget ? { term, notBeforeTarget: true } : term]] },
  threshold: 1,
});

describe('targetAfterState', () => {
  it.each(cases)('"$text": the state is the victim: $victim', ({ text, victim }) => {
    const t = fieldTokens(text);
    const after = t.lower[0] === 'north' ? 2 : 1;
    expect(targetAfterState(arrayTokens(t), after) >= 0).toBe(victim);
  });
});

describe('a term with not_before_target', () => {
  const plain = compileTopics([topic(false)]);
  const actor = compileTopics([topic(true)]);
  it.each(cases)('"$text" a victim: $victim', ({ text, victim }) => {
    expect(plain.match({ title: text })[0]!.matched).toBe(true);
    expect(actor.match({ title: text })[0]!.matched).toBe(!victim);
    // The scorer's path: fields tokenised once, scanned prepared.
    expect(actor.matchPrepared([prepare(fieldTokens(text), FIELD_BIT.title, false)])[0]!.matched).toBe(!victim);
  });

  it('drops only the hit that names a target: another hit of the term in the field still counts', () => {
    const text = 'Russian government networks hacked; Russian government hackers blamed';
    expect(actor.match({ title: text })[0]!.matched).toBe(true);
    expect(actor.match({ title: 'Russian government networks hacked', description: 'Chinese military hackers blamed' })[0]!.matched).toBe(true);
  });

  it('is read from and written back to a topics file, in terms and groups', () => {
    const raw = {
      topics: [{ id: 't', name: 'T', terms: [{ term, weight: 2, not_before_target: true }], groups: { all_of: [[{ term, not_before_target: true }]] }, threshold: 1 }],
    };
    const topics = parseTopics(raw, 'test.yaml');
    expect(topics[0]!.terms[0]).toEqual({ term, weight: 2, notBeforeTarget: true });
    expect(topics[0]!.groups!.allOf![0]![0]).toEqual({ term, notBeforeTarget: true });
    expect(parseTopics(JSON.parse(JSON.stringify(topicsToFile(topics))), 'saved')).toEqual(topics);
    expect(() => parseTopics({ topics: [{ ...raw.topics[0], terms: [{ term, not_before_target: 'yes' }] }] }, 'bad.yaml')).toThrow(/not_before_target/);
  });
});
