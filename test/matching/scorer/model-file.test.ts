// The model file: every field checked on load with one sentence naming the file and field; rendering is
// stable (sorted weights), so the same fit gives the same bytes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_FEATURES } from '../../../src/matching/scorer/features.ts';
import { loadModelFile, MODEL_FORMAT, MODEL_VERSION, parseModel, renderModel, type ModelFile } from '../../../src/matching/scorer/model-file.ts';

export function tinyModel(weights: Record<string, number> = { 'fact:actor': 3, 'word:espionag': 1.5, 'concept:crime': -2 }, threshold = 0.5): ModelFile {
  const m = { precision: 1, recall: 1, f1: 1, tp: 1, fp: 0, fn: 0, tn: 1 };
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    fitted_on: '2026-12-01',
    seed: 1,
    config: { families: ALL_FEATURES, min_stories: 2, lambda: 0.01, positive_weight: 2, word_scale: 1, rule_scale: 1, prior_weight: 0 },
    threshold,
    topics: ['spying'],
    data: { labels: [{ file: 'x.jsonl', items: 2, positive: 1 }], feedback: 0, stories: 2 },
    figures: { cross_validated: { folds: 5, repeats: 1, metrics: m, fold_f1_mean: 1, fold_f1_sd: 0 }, nested_cross_validated: null, checked: [] },
    bias: -2,
    weights,
  };
}

describe('model file', () => {
  it('renders sorted weights and reads back what it wrote', () => {
    const text = renderModel(tinyModel({ 'word:b': 1, 'word:a': -1 }));
    expect(text.indexOf('"word:a"')).toBeLessThan(text.indexOf('"word:b"'));
    const back = parseModel(JSON.parse(text), 'm.json');
    expect(back.file).toEqual(tinyModel({ 'word:a': -1, 'word:b': 1 }));
    expect(back.fitted.weights.get('word:b')).toBe(1);
    expect(renderModel(back.file)).toBe(text);
  });

  it('keeps the mark that a story no rule matched needs its kind told in one sentence', () => {
    const file = { ...tinyModel(), threshold_without_rules: 0.8, one_sentence_without_rules: true };
    const text = renderModel(file);
    expect(parseModel(JSON.parse(text), 'm.json').file.one_sentence_without_rules).toBe(true);
    expect(parseModel(tinyModel(), 'm.json').file.one_sentence_without_rules).toBeUndefined();
  });

  it('keeps the rules it was fitted with, one topic per line, and reads them back as topics', () => {
    const rules = [{ id: 'spying', name: 'Spying', description: 'State spying.', terms: [{ term: 'espionage', weight: 3 }], threshold: 2 }];
    const text = renderModel({ ...tinyModel(), rules });
    expect(text).toContain(`  "rules": [\n    ${JSON.stringify(rules[0])}\n  ],\n  "weights": {`);
    const back = parseModel(JSON.parse(text), 'm.json');
    expect(back.rules).toEqual([{ id: 'spying', name: 'Spying', description: 'State spying.', terms: [{ term: 'espionage', weight: 3 }], threshold: 2 }]);
    expect(renderModel(back.file)).toBe(text);
    // A file from before the rules were kept: none, and the topics in force are read instead.
    expect(parseModel(tinyModel(), 'm.json').rules).toBeNull();
  });

  it.each([
    { name: 'rules that are not topics', rules: [{ id: 'spying' }], error: /^model: topics: m\.json \(rules\): .*Refit it with cyberbrief model fit or restore the shipped file\.$/ },
    {
      name: 'rules for other topics than the fitted ones',
      rules: [{ id: 'other', name: 'Other', description: 'x', terms: ['spy'], threshold: 1 }],
      error: 'model: m.json: rules name the topics other, not the fitted ones (spying); refit it with cyberbrief model fit or restore the shipped file.',
    },
  ])('refuses $name in one sentence', ({ rules, error }) => {
    expect(() => parseModel({ ...tinyModel(), rules }, 'm.json')).toThrow(error);
  });

  it.each([
    { name: 'another format', patch: { format: 'other' }, error: 'model: m.json: format: ' },
    { name: 'a threshold of 1', patch: { threshold: 1 }, error: 'model: m.json: threshold: ' },
    { name: 'an unknown key', patch: { colour: 'red' }, error: 'model: m.json: (top level): ' },
    { name: 'a weight that is not a number', patch: { weights: { 'word:a': 'x' } }, error: 'model: m.json: weights.word:a: ' },
    { name: 'a one-sentence mark that is not true or false', patch: { one_sentence_without_rules: 'yes' }, error: 'model: m.json: one_sentence_without_rules: ' },
  ])('refuses $name in one sentence', ({ patch, error }) => {
    expect(() => parseModel({ ...tinyModel(), ...patch }, 'm.json')).toThrow(error);
  });

  it('says what to do when the file is missing or not JSON', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-model-'));
    await expect(loadModelFile(path.join(dir, 'none.json'))).rejects.toThrow(`model: cannot read ${path.join(dir, 'none.json')} (ENOENT); check matching.model_file, or set matching.scorer: rules.`);
    writeFileSync(path.join(dir, 'bad.json'), '{');
    await expect(loadModelFile(path.join(dir, 'bad.json'))).rejects.toThrow(/^model: .*bad\.json is not valid JSON \(.*\); refit it with cyberbrief model fit, restore config\/relevance-model\.json, or set matching\.scorer: rules\.$/);
  });
});
