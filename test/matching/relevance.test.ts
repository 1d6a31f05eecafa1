// The relevance scorer: the model decides what is in scope and says why in one line; the rules decide the
// topics (the closest one when only the model said yes); without a model the rules decide alone. Then the
// shipped model and knowledge lists on stories written for this test, one per kind of story the beat
// covers and a few it does not.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile } from '../../src/config/topics.ts';
import type { Topic } from '../../src/domain/types.ts';
import { compileTopics } from '../../src/matching/compile-topics.ts';
import { Knowledge } from '../../src/matching/knowledge/index.ts';
import { loadRelevance, topicsEditedSinceFit } from '../../src/matching/load-relevance.ts';
import { describeFeature, RelevanceScorer, withFittedRules } from '../../src/matching/relevance.ts';
import { modelFromFile } from '../../src/matching/scorer/model-file.ts';
import { tinyModel } from './scorer/model-file.test.ts';

const TOPICS: Topic[] = [
  { id: 'spying', name: 'Spying', description: '', threshold: 4, terms: [{ term: 'espionage', weight: 2 }] },
  { id: 'talks', name: 'Talks', description: '', threshold: 2, terms: [{ term: 'cyber talks', weight: 1 }] },
];
const knowledge = new Knowledge([{ name: 'GhostEmperor', aliases: ['FamousSparrow'], stateSponsor: null, origin: 'China' }]);

describe('RelevanceScorer with a model', () => {
  const scorer = new RelevanceScorer(compileTopics(TOPICS), knowledge, modelFromFile(tinyModel()));

  it('puts a story in scope on the model, files it under the closest topic, and explains it in one line', () => {
    const d = scorer.decide({ title: 'FamousSparrow hackers return', description: 'A new wave of espionage.' });
    expect(d.inScope).toBe(true);
    expect(d.probability).toBeCloseTo(1 / (1 + Math.exp(-(-2 + 3 + 1.5))), 6);
    expect(d.topicIds).toEqual(['spying']);
    expect(d.summary).toBe(
      'in scope: relevance 0.92 >= 0.50; FamousSparrow: China-linked group (MISP galaxy) +3.00; word "espionage" +1.50',
    );
  });

  it('leaves out a story the model scores low, whatever the rules say', () => {
    const d = scorer.decide({ title: 'Espionage thriller tops the charts', description: 'Espionage, espionage.' });
    expect(d.rules.find((r) => r.topicId === 'spying')?.matched).toBe(true);
    expect(d.inScope).toBe(false);
    expect(d.topicIds).toEqual([]);
    expect(d.summary).toMatch(/^out of scope: relevance 0\.\d\d < 0\.50$/);
  });

  it('explains an out-of-scope story when asked', () => {
    const d = scorer.decide({ title: 'Ransomware crime wave', description: 'A cybercrime gang hacked and extorts firms.' }, true);
    expect(d.inScope).toBe(false);
    expect(d.contributions).toEqual([{ feature: 'concept:crime', points: -2, evidence: '"Ransomware" in title' }]);
  });

  it.each([
    { name: 'no topic matched: no knowledge or concept features (words still count)', threshold: 100, want: ['word:espionag'] },
    { name: 'a topic matched: its match is the cyber angle, so the states count', threshold: 4, want: ['fact:two_states', 'word:espionag'] },
  ])('a story with no cyber word, $name', ({ threshold, want }) => {
    const topics = TOPICS.map((t) => (t.id === 'spying' ? { ...t, threshold } : t));
    const s = new RelevanceScorer(compileTopics(topics), knowledge, modelFromFile(tinyModel({ 'fact:actor': 3, 'word:espionag': 1.5, 'fact:two_states': 0.25 })));
    const d = s.decide({ title: 'Espionage thriller fans cheer at the premiere', description: 'Russian and Chinese visitors joined the crowd.' }, true);
    expect(d.rules.find((r) => r.topicId === 'spying')!.matched).toBe(threshold === 4);
    expect(d.contributions.map((c) => c.feature).sort()).toEqual(want);
  });

  it('holds a story no topic rule matched to the stricter threshold, and says which it used', () => {
    const strict = new RelevanceScorer(compileTopics(TOPICS), knowledge, modelFromFile({ ...tinyModel(), threshold_without_rules: 0.8 }));
    // Probability 1/(1+e^-1) = 0.73 either way: over 0.50 with a rule match, under 0.80 without one.
    const withRule = strict.decide({ title: 'Espionage report', description: 'Espionage, espionage.' });
    expect(withRule.rules.some((r) => r.matched)).toBe(true);
    const alone = strict.decide({ title: 'FamousSparrow hackers breach hotels', description: 'Researchers saw backdoors.' });
    expect(alone.rules.some((r) => r.matched)).toBe(false);
    expect(alone.probability).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(alone.inScope).toBe(false);
    expect(alone.summary).toMatch(/^out of scope: relevance 0\.73 < 0\.80 without a rule match/);
    expect(withRule.threshold).toBe(0.5);
  });

  it('lets in a story no topic rule matched only when its kind of story is told in one sentence, and says so', () => {
    // fact:kind for a named group with a cyber act (FamousSparrow hacking): 1/(1+e^-2) = 0.88 over 0.80.
    const file = { ...tinyModel({ 'fact:kind': 4 }), threshold_without_rules: 0.8 };
    const scattered = { title: 'A quiet week for hotels', description: 'Analysts wrote about FamousSparrow on Monday. Separately, a phishing wave hit hotel chains.' };
    const told = { title: 'A quiet week for hotels', description: 'Analysts said FamousSparrow sent a phishing wave to hotel chains.' };
    const gated = new RelevanceScorer(compileTopics(TOPICS), knowledge, modelFromFile({ ...file, one_sentence_without_rules: true }));
    const d = gated.decide(scattered);
    expect(d.rules.some((r) => r.matched)).toBe(false);
    expect(d.probability).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(d.inScope).toBe(false);
    expect(d.topicIds).toEqual([]);
    expect(d.summary).toBe('out of scope: relevance 0.88 >= 0.80 without a rule match, but no kind of story told in its title and one sentence');
    expect(gated.decide(scattered, true).summary).toMatch(/^out of scope: relevance 0\.88 >= 0\.80 without a rule match, but no kind of story told in its title and one sentence$/);
    expect(gated.decide(told)).toMatchObject({ inScope: true, topicIds: ['spying'] });
    // A model file without the mark (older files) decides as before.
    expect(new RelevanceScorer(compileTopics(TOPICS), knowledge, modelFromFile(file)).decide(scattered).inScope).toBe(true);
  });

  it('falls back to the first topic when no topic has a hit', () => {
    expect(scorer.decide({ title: 'FamousSparrow returns', description: 'Backdoors and espionage.' }).topicIds).toEqual(['spying']);
    const onlyActor = scorer.decide({ title: 'FamousSparrow hackers breach hotels', description: 'Researchers saw backdoors.' });
    expect(onlyActor.probability).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(onlyActor.topicIds).toEqual(['spying']);
  });
});

describe('RelevanceScorer without a model', () => {
  it('lets the rules decide', () => {
    const scorer = new RelevanceScorer(compileTopics(TOPICS), null, null);
    const d = scorer.decide({ title: 'Cyber talks resume', description: null });
    expect(d).toMatchObject({ inScope: true, probability: null, topicIds: ['talks'], summary: 'matched talks (rules)' });
  });
});

describe('loadRelevance', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const settings = { scorer: 'model' as const, model_file: path.join(root, 'config', 'relevance-model.json'), actors_file: path.join(root, 'config', 'threat-actors.jsonl') };

  it('uses the rules, and says so, when the model was fitted with none of the topics', async () => {
    const { scorer, notice } = await loadRelevance(TOPICS, settings);
    expect(scorer.model).toBeNull();
    expect(notice).toMatch(/^matching: the relevance model was fitted with other topics \(.*\), so the topics' rules decide what is in scope;/);
  });

  it('reads nothing with scorer: rules', async () => {
    const { scorer, notice } = await loadRelevance(TOPICS, { ...settings, model_file: '/nonexistent', scorer: 'rules' });
    expect(scorer.model).toBeNull();
    expect(notice).toBeNull();
  });

  describe('the shipped model on stories written for this test', async () => {
    const topics = await loadTopicsFile(path.join(root, 'config', 'topics.yaml'));
    const { scorer, notice } = await loadRelevance(topics, settings);
    it('loads without a notice', () => expect(notice).toBeNull());
    it.each([
      { kind: 'a named state-linked group, no state word', title: 'Kimsuky phishing campaign hits think tanks', description: 'Researchers saw the group deliver a new backdoor to policy experts.', want: true },
      { kind: 'state attribution', title: 'China-linked hackers breach telecom networks in Asia', description: 'The state-sponsored group stole call records for months.', want: true },
      { kind: 'sanctions over cyberattacks', title: 'EU sanctions Russian military intelligence officers over cyberattacks', description: 'The Council said the GRU unit attacked parliaments.', want: true },
      { kind: 'cyber talks', title: 'US and China agree to hold high-level talks on cyberespionage', description: 'The two governments will form a cybersecurity working group.', want: true },
      { kind: 'ransomware without a state', title: 'Ransomware gang leaks hospital data', description: 'The cybercrime group demanded a ransom from the clinic.', want: false },
      { kind: 'a patch', title: 'Browser update fixes critical flaw', description: 'The vendor patched a use-after-free bug in version 120.', want: false },
      { kind: 'sport', title: 'Local team wins the cup', description: 'A late goal decided the final.', want: false },
    ])('$kind: in scope = $want, with reasons', ({ title, description, want }) => {
      const d = scorer.decide({ title, description });
      expect(d.inScope).toBe(want);
      if (want) {
        expect(d.topicIds.length).toBeGreaterThan(0);
        expect(d.summary).toMatch(/^in scope: relevance [01]\.\d\d >= 0\.\d\d( without a rule match)?; /);
      }
    });
    it('reads its rule features with the rules it was fitted with: edited topics move the filing, not the score', async () => {
      const story = { title: 'Iranian state hackers hit a US water utility with a destructive cyberattack', description: 'The IRGC-linked group disrupted water treatment systems.' };
      // The infrastructure topic's first group asks for a word no story has: it files nothing now.
      const edited = topics.map((t) => (t.id === 'critical-infrastructure-attacks' ? { ...t, groups: { ...t.groups, allOf: [['zzyzx-no-such-word'], ...t.groups!.allOf!.slice(1)] } } : t));
      const before = scorer.decide(story);
      const after = (await loadRelevance(edited, settings)).scorer.decide(story);
      expect(before.topicIds).toContain('critical-infrastructure-attacks');
      expect(after.topicIds).not.toContain('critical-infrastructure-attacks');
      expect(after.topicIds.length).toBeGreaterThan(0);
      expect(after.probability).toBe(before.probability);
      // The reason says the rule features come from the fitted rules, since they match a topic the filing does not.
      expect(after.summary).toBe(before.summary.replace('a topic matched (', 'a topic matched (fitted rules: ').replace('topic state-cyber-operations matched', 'topic state-cyber-operations matched (fitted rules)'));
      expect(after.summary).toContain('a topic matched (fitted rules: state-cyber-operations, critical-infrastructure-attacks)');
      // A model file from before the rules were kept reads them with the topics in force: the score moves.
      const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-rules-'));
      const { rules: _rules, ...older } = JSON.parse(readFileSync(settings.model_file, 'utf8'));
      writeFileSync(path.join(dir, 'old.json'), JSON.stringify(older));
      const old = (await loadRelevance(edited, { ...settings, model_file: path.join(dir, 'old.json') })).scorer.decide(story);
      expect(old.probability).not.toBe(before.probability);
    });
    it('matches a fitted topic twice only when its rules differ from the one in force, with the same decisions', async () => {
      const fitted = scorer.model!.rules!;
      const ids = fitted.map((t) => t.id);
      const raised = (id: string) => (t: Topic) => (t.id === id ? { ...t, threshold: t.threshold + 3 } : t);
      const blocked = (id: string) => (t: Topic) => (t.id === id ? { ...t, groups: { ...t.groups, allOf: [['zzyzx-no-such-word'], ...(t.groups?.allOf ?? []).slice(1)] } } : t);
      const extra: Topic = { id: 'extra', name: 'Extra', description: '', threshold: 1, terms: [{ term: 'water utility', weight: 1 }] };
      const cases = [
        { name: 'the topics as fitted', topics: fitted },
        { name: 'one threshold raised', topics: fitted.map(raised('critical-infrastructure-attacks')) },
        { name: 'two topics that match nothing now', topics: fitted.map(blocked('critical-infrastructure-attacks')).map(blocked('state-cyber-operations')) },
        { name: 'one topic removed, one added', topics: [...fitted.filter((t) => t.id !== 'state-cyber-operations'), extra] },
      ];
      const stories = [
        { title: 'Iranian state hackers hit a US water utility with a destructive cyberattack', description: 'The IRGC-linked group disrupted water treatment systems.' },
        { title: 'China-linked hackers breach telecom networks in Asia', description: 'The state-sponsored group stole call records for months.' },
        { title: 'US and China agree to hold high-level talks on cyberespionage', description: 'The two governments will form a cybersecurity working group.' },
        { title: 'Ransomware gang leaks hospital data', description: 'The cybercrime group demanded a ransom from the clinic.' },
      ];
      for (const c of cases) {
        const edited = topicsEditedSinceFit(c.topics, fitted);
        expect(withFittedRules(c.topics, fitted, edited).map((t) => t.id), c.name).toEqual([...c.topics.map((t) => t.id), ...ids.filter((id) => edited.includes(id)).map((id) => `fitted:${id}`)]);
        // The score is the one with the fitted rules in force, the rule results those of the topics in force, and
        // the whole decision the one a matcher holding a fitted copy of every topic gives (as the scorer had before).
        const asFitted = new RelevanceScorer(compileTopics(fitted), scorer.knowledge, scorer.model);
        const rulesOnly = new RelevanceScorer(compileTopics(c.topics), null, null);
        const everyCopy = new RelevanceScorer(compileTopics(c.topics), scorer.knowledge, scorer.model, undefined, { matcher: compileTopics(withFittedRules(c.topics, fitted, ids)), edited });
        const loaded = (await loadRelevance(c.topics, settings)).scorer;
        expect(loaded.editedSinceFit, c.name).toEqual(edited);
        for (const story of stories) {
          const d = loaded.decide(story, true);
          expect(d.probability, `${c.name}: ${story.title}`).toBe(asFitted.decide(story).probability);
          expect(d.rules, `${c.name}: ${story.title}`).toEqual(rulesOnly.decide(story).rules);
          expect(d, `${c.name}: ${story.title}`).toEqual(everyCopy.decide(story, true));
        }
      }
      expect(() => new RelevanceScorer(compileTopics(TOPICS), scorer.knowledge, scorer.model, undefined, { matcher: compileTopics(TOPICS), edited: ['spying'] })).toThrow(/the fitted topic state-cyber-operations is neither in force nor among the combined rules/);
      expect(() => new RelevanceScorer(compileTopics(TOPICS), knowledge, modelFromFile(tinyModel()), undefined, { matcher: compileTopics(TOPICS), edited: ['spying'] })).toThrow(/combined rules need a model that keeps the rules it was fitted with/);
    });
    it('names the threat actor in the reasons', () => {
      const d = scorer.decide({ title: 'FamousSparrow targets government networks', description: 'Espionage campaign against ministries.' }, true);
      expect(d.contributions.map((c) => c.evidence ?? '').join(' ')).toContain('FamousSparrow: China-linked group (MISP galaxy)');
    });
  });
});

describe('topicsEditedSinceFit', () => {
  const extra: Topic = { id: 'extra', name: 'Extra', description: '', threshold: 1, terms: [{ term: 'zzyzx', weight: 1 }] };
  it.each([
    { name: 'the same rules', topics: TOPICS, want: [] },
    { name: 'a term added', topics: [{ ...TOPICS[0]!, terms: [...TOPICS[0]!.terms, { term: 'spy', weight: 1 }] }, TOPICS[1]!], want: ['spying'] },
    { name: 'a threshold changed', topics: [TOPICS[0]!, { ...TOPICS[1]!, threshold: 3 }], want: ['talks'] },
    { name: 'a topic added', topics: [...TOPICS, extra], want: ['extra'] },
    { name: 'a topic removed', topics: [TOPICS[1]!], want: ['spying'] },
    { name: 'a name and description changed only (they match nothing)', topics: [{ ...TOPICS[0]!, name: 'Espionage', description: 'Spies.' }, TOPICS[1]!], want: [] },
  ])('$name: $want', ({ topics, want }) => {
    expect(topicsEditedSinceFit(topics, TOPICS)).toEqual(want);
  });
});

describe('describeFeature', () => {
  // Evidence longer than 70 characters is cut, and never between the two halves of an emoji.
  it.each([
    ['concept:espionage', 'short', 'espionage (short)'],
    ['concept:espionage', `${'x'.repeat(68)}🛰 more`, `espionage (${'x'.repeat(68)}🛰…)`],
    ['concept:espionage', `${'🛰'.repeat(80)}`, `espionage (${'🛰'.repeat(69)}…)`],
  ])('%s with %j', (name, evidence, want) => {
    expect(describeFeature(name, evidence)).toBe(want);
  });
});
