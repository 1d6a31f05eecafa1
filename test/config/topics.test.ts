import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicsFile, MAX_TOPICS_FILE_BYTES } from '../../src/config/topics.ts';
import { ConfigError } from '../../src/lib/errors.ts';
import { FORMER_DEFAULT_TOPICS } from '../../src/storage/migrations/017_follow_every_topic.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-topics-'));
let n = 0;
function file(text: string): string {
  const p = path.join(dir, `topics-${n++}.yaml`);
  writeFileSync(p, text);
  return p;
}

const GOOD = `
topics:
  - id: spying
    name: State spying
    description: Cyberespionage by states.
    threshold: 4
    terms:
      - cyberespionage
      - &apt { term: APT, weight: 3, case: exact }
      - { term: ransomware, weight: -2 }
    groups:
      all_of:
        - &state [state-sponsored, "(Chinese|Russian) hackers"]
        - [cyber, hack]
      any_of: [government, ministry, *apt]
      none_of: [webinar]
  - id: talks
    name: Talks
    threshold: 2
    terms: [cyber talks]
    groups:
      all_of: [*state]
`;

describe('loadTopicsFile', () => {
  it('loads topics, defaults and YAML aliases', async () => {
    const topics = await loadTopicsFile(file(GOOD));
    expect(topics).toHaveLength(2);
    expect(topics[0]).toEqual({
      id: 'spying',
      name: 'State spying',
      description: 'Cyberespionage by states.',
      threshold: 4,
      terms: [
        { term: 'cyberespionage', weight: 1 },
        { term: 'APT', weight: 3, case: 'exact' },
        { term: 'ransomware', weight: -2 },
      ],
      groups: {
        allOf: [['state-sponsored', '(Chinese|Russian) hackers'], ['cyber', 'hack']],
        anyOf: ['government', 'ministry', { term: 'APT', case: 'exact' }],
        noneOf: ['webinar'],
      },
    });
    expect(topics[1]?.description).toBe('');
    expect(topics[1]?.groups?.allOf).toEqual([['state-sponsored', '(Chinese|Russian) hackers']]);
  });

  it('loads the shipped config/topics.yaml', async () => {
    const topics = await loadTopicsFile(path.resolve(process.cwd(), 'config', 'topics.yaml'));
    // The nine defaults migration 017 knows (a channel that followed all of them follows every topic now), then the tenth.
    expect(topics.map((t) => t.id)).toEqual([...FORMER_DEFAULT_TOPICS, 'cyber-strategy']);
  });

  const topic = (body: string) => `topics:\n  - id: a\n    name: A\n${body}`;
  const bad: [string, string, RegExp][] = [
    ['unknown top-level key', `${topic('    threshold: 1\n    terms: [x]\n')}extra: 1\n`, /\(top level\) has unknown key "extra"; allowed keys are topics\./],
    ['unknown topic key', topic('    threshold: 1\n    terms: [x]\n    colour: red\n'), /topics\.0 has unknown key "colour"; allowed keys are id, name, description, terms, groups, threshold\./],
    ['unknown term key', topic('    threshold: 1\n    terms: [{ term: x, wieght: 2 }]\n'), /topics\.0\.terms\.0 has unknown key "wieght"; allowed keys are term, weight, case, not_before_target\./],
    ['weight not a number', topic('    threshold: 1\n    terms: [{ term: x, weight: high }]\n'), /topics\.0\.terms\.0\.weight = "high" is invalid; expected a number\./],
    ['weight out of range', topic('    threshold: 1\n    terms: [{ term: x, weight: 500 }]\n'), /topics\.0\.terms\.0\.weight = 500 is invalid; expected a number <= 100\./],
    ['bad case mode', topic('    threshold: 1\n    terms: [{ term: x, case: upper }]\n'), /topics\.0\.terms\.0\.case = "upper" is invalid; expected one of "auto", "exact", "fold"\./],
    ['missing threshold', topic('    terms: [x]\n'), /topics\.0\.threshold is missing; expected a number\./],
    ['bad id', 'topics:\n  - id: Bad Id\n    name: A\n    threshold: 1\n    terms: [x]\n', /topics\.0\.id = "Bad Id" is invalid; expected lower-case letters/],
    [
      'terms that expand to too many phrases',
      topic(`    threshold: 1\n    terms: [${Array.from({ length: 300 }, (_, i) => `"(a|b|c|d|e|f|g|h|i|j) (k|l|m|n|o|p|q|r|s|t) (u|v|w|x|y|z|aa|bb|cc|dd) w${i}"`).join(', ')}]\n`),
      /\.yaml: the terms expand to more than 200000 phrases and spellings in all \(reached at topics\.0\.terms\.\d+\); use fewer terms or \(a\|b\) alternatives\./,
    ],
    ['unknown key in an any_of term', topic('    threshold: 1\n    terms: [x]\n    groups: { any_of: [{ term: y, cas: exact }] }\n'), /topics\.0\.groups\.any_of\.0 has unknown key "cas"; allowed keys are term, weight, case, not_before_target\./],
    ['unknown key in an all_of term', topic('    threshold: 1\n    terms: [x]\n    groups: { all_of: [[{ term: y, wieght: 1 }]] }\n'), /topics\.0\.groups\.all_of\.0\.0 has unknown key "wieght"; allowed keys are term, weight, case, not_before_target\./],
    ['unknown key in a none_of term', topic('    threshold: 1\n    terms: [x]\n    groups: { none_of: [{ term: y, mode: exact }] }\n'), /topics\.0\.groups\.none_of\.0 has unknown key "mode"; allowed keys are term, weight, case, not_before_target\./],
    ['unknown group key', topic('    threshold: 1\n    terms: [x]\n    groups: { one_of: [y] }\n'), /topics\.0\.groups has unknown key "one_of"; allowed keys are all_of, any_of, none_of\./],
    ['empty terms', topic('    threshold: 1\n    terms: []\n'), /topics\.0\.terms = \[\] is invalid; expected at least 1 entries\./],
    ['unbalanced alternative', topic('    threshold: 1\n    terms: ["(a|b c"]\n'), /topics\.0\.terms\.0 = "\(a\|b c" is invalid: .*without "\)"/],
    ['term without letters', topic('    threshold: 1\n    terms: [x]\n    groups: { any_of: ["--"] }\n'), /topics\.0\.groups\.any_of\.0 = "--" is invalid: .*no letter or digit/],
    ['duplicate id', 'topics:\n  - { id: a, name: A, threshold: 1, terms: [x] }\n  - { id: a, name: B, threshold: 1, terms: [y] }\n', /topics\.1\.id = "a" is a duplicate/],
    ['not YAML', 'topics: [\n', /is not valid YAML: Flow sequence .* at line 2, column 1; fix the file\.$/],
    ['an empty file', '', /is empty; it needs a "topics:" list \(see config\/topics\.yaml\)\.$/],
    ['a file of comments only', '# nothing yet\n', /is empty; it needs a "topics:" list/],
  ];
  it.each(bad)('rejects %s in one sentence naming file, key and value', async (_name, text, message) => {
    const p = file(text);
    const err = await loadTopicsFile(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(p);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });

  it('refuses a topics file over 5 MiB before reading it', async () => {
    const p = file(`${topic('    threshold: 1\n    terms: [x]\n')}# ${'x'.repeat(MAX_TOPICS_FILE_BYTES)}\n`);
    await expect(loadTopicsFile(p)).rejects.toThrow(`topics: ${p} is larger than 5 MiB; a topics file holds terms, not documents.`);
  });

  it('says when the file cannot be read', async () => {
    await expect(loadTopicsFile(path.join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read .*missing\.yaml: there is no such file \(ENOENT\); check the path given in topics\.file or --topics\./);
    await expect(loadTopicsFile('/dev/zero')).rejects.toThrow(/^topics: \/dev\/zero is not a regular file; topics\.file or --topics must name a YAML file\.$/);
  });
});
