import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseTopics } from '../../src/config/topics.ts';
import type { Topic } from '../../src/domain/types.ts';
import {
  buildBackground,
  compileTopics,
  deriveTopic,
  deriveTopicDetailed,
  renderDerivedTopicYaml,
  renderTopicsYaml,
} from '../../src/matching/index.ts';

// Hand-written reference documents: two reports on the same story sharing an author bio.
const BIO = 'Jane Roe is a staff writer who has covered technology, science and the arts for many years at the paper.';
const DOC_A = [
  'Norway and Chile open talks on undersea cable sabotage',
  'Jane Roe',
  BIO,
  'Norway and Chile agreed to open talks on undersea cable sabotage after a series of cable cuts in the north.',
  'Officials said undersea cable sabotage threatens both countries, and the talks will cover cable repair ships.',
].join('\n');
const DOC_B = [
  'Undersea cable sabotage talks begin',
  BIO,
  'The talks on undersea cable sabotage began on Monday. Norway wants faster cable repair and shared patrols.',
  'Chile said undersea cable sabotage is a shared risk and repair ships must be protected.',
].join('\n');

describe('deriveTopic', () => {
  it('ranks the recurring phrases and skips the shared bio', () => {
    const d = deriveTopicDetailed([DOC_A, DOC_B], { maxTerms: 8, id: 'cables' });
    const terms = d.terms.map((t) => t.term.toLowerCase());
    expect(terms[0]).toBe('undersea cable sabotage');
    expect(terms).toContain('talks');
    expect(terms.some((t) => t.includes('writer') || t.includes('jane'))).toBe(false);
    expect(d.droppedParagraphs).toBeGreaterThanOrEqual(2);
    expect(d.topic.id).toBe('cables');
    expect(d.topic.terms[0]?.weight).toBe(5);
    for (const t of d.topic.terms) expect(t.weight).toBeGreaterThanOrEqual(1);
  });

  it('down-weights words common in the background corpus', () => {
    const background = buildBackground(
      Array.from({ length: 50 }, (_, i) => `Talks resume on item ${i}; countries meet for talks`),
      'test corpus',
    );
    const withBg = deriveTopicDetailed([DOC_A, DOC_B], { maxTerms: 20, background });
    const rank = (name: string) => withBg.terms.findIndex((t) => t.term.toLowerCase() === name);
    expect(rank('talks')).toBeGreaterThan(rank('undersea cable sabotage'));
    expect(withBg.background).toBe('test corpus');
  });

  it('renders YAML that loads as a topics file and matches its own story', () => {
    const d = deriveTopicDetailed([DOC_A, DOC_B], { maxTerms: 10, id: 'cables' });
    const yaml = renderDerivedTopicYaml(d, ['a.txt', 'b.txt']);
    expect(yaml).toMatch(/^# Proposed by `cyberbrief derive-topics` from:\n# {3}- a\.txt/);
    const topics = parseTopics(parse(yaml), 'derived.yaml');
    expect(topics[0]?.id).toBe('cables');
    const [result] = compileTopics(topics).match({ title: 'Sweden joins undersea cable sabotage talks', description: 'Talks on cable repair continue.' });
    expect(result?.matched).toBe(true);
  });
});

describe('renderTopicsYaml', () => {
  it('round-trips topics with groups, case modes and not_before_target through the topics file schema', () => {
    const topic: Topic = {
      ...deriveTopic([DOC_A, DOC_B], { id: 'cables', maxTerms: 3 }),
      groups: { allOf: [['cable', { term: 'NATO', case: 'exact' }, { term: 'Russian military', notBeforeTarget: true }]], anyOf: ['sabotage'], noneOf: ['webinar'] },
    };
    topic.terms.push({ term: 'GRU', weight: 2, case: 'exact' }, { term: 'Russian military', weight: 3, notBeforeTarget: true });
    const yaml = renderTopicsYaml([topic], ['made by a test']);
    expect(yaml.startsWith('# made by a test\ntopics:\n')).toBe(true);
    expect(parseTopics(parse(yaml), 'round-trip.yaml')).toEqual([topic]);
  });
});
