import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-match-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const TOPICS = write(
  'topics.yaml',
  `topics:
  - id: spying
    name: Spying
    threshold: 4
    terms: [{ term: cyberespionage, weight: 2 }, { term: APT, weight: 2 }]
  - id: talks
    name: Talks
    threshold: 2
    terms: [cyber talks]
`,
);
const ITEMS = write(
  'items.jsonl',
  [
    { id: 'b', title: 'Cyber-espionage charges', description: 'An <b>APT</b> group' },
    { id: 'a', title: 'Football results', description: null },
    { id: 'c', title: 'Cyber talks resume', content: 'Officials met.' },
  ]
    .map((x) => JSON.stringify(x))
    .join('\n') + '\n',
);

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd: dir });
  return { code, out, err };
}

describe('cyberbrief match', () => {
  it('writes one JSON line per item, in input order, with scores and reasons', async () => {
    const { code, out } = await run(['match', '--input', ITEMS, '--topics', TOPICS, '--scorer', 'rules', '--json']);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(['b', 'a', 'c']);
    expect(lines[0]).toEqual({
      id: 'b',
      matched: true,
      filed: ['spying'],
      why: 'matched spying (rules)',
      topics: [
        {
          id: 'spying',
          score: 10,
          matched: true,
          reasons: ['"Cyber-espionage" in title (term "cyberespionage", +6.0)', '"APT" in description (+4.0)'],
        },
      ],
    });
    expect(lines[1]).toEqual({ id: 'a', matched: false, filed: [], why: 'no topic matched (rules)', topics: [] });
    expect(lines[2]).toMatchObject({ id: 'c', matched: true, topics: [{ id: 'talks', score: 3 }] });
  });

  // --explain quoted the lists' and terms' forms: "cyber espionage", "cyber-espionage" and "U.S." where the
  // item said "cyberespionage" and "US", "accused" for "accuses", "hacker" for "hackers".
  it('--explain quotes the words as the item wrote them (a topic term beside them when it differs)', async () => {
    const item = { id: 'x1', title: 'US accuses China of cyberespionage against defense firms', description: 'Officials said the cyberespionage campaign stole trade secrets from contractors; hackers targeted the power grid.' };
    const input = write('explain.jsonl', `${JSON.stringify(item)}\n`);
    const { code, out } = await run(['match', '--input', input, '--explain']);
    expect(code).toBe(0);
    const text = `${item.title} ${item.description}`.toLowerCase();
    // Terms a group lacks are the topic's, quoted as written in it: left out here.
    const quoted = out.join('\n').replace(/not met \(none of .*?(?=; |$)/gm, '').matchAll(/(term )?"([^"]+)"/g);
    const notInItem = [...quoted].filter((m) => !m[1] && !text.includes(m[2]!.toLowerCase())).map((m) => m[2]);
    expect(notInItem).toEqual([]);
    expect(out.join('\n')).not.toContain('U.S.');
    expect(out.join('\n')).toMatch(/"cyberespionage" in title, description \(term "cyber espionage", \+\d/);
  });

  it('prints precision, recall and F1 with --eval', async () => {
    const labels = write('labels.jsonl', '{"id":"b","label":1}\n{"id":"a","label":1}\n{"id":"c","label":0}\n');
    const { code, out } = await run(['match', '--input', ITEMS, '--topics', TOPICS, '--scorer', 'rules', '--eval', labels]);
    expect(code).toBe(0);
    expect(out).toEqual(['items 3  tp 1  fp 1  fn 1  tn 0', 'precision 50.0%  recall 50.0%  F1 50.0%']);
  });

  it('names the bad line of the input', async () => {
    const bad = write('bad.jsonl', '{"id":"x","title":"ok"}\n{"id":1}\n');
    const { code, err } = await run(['match', '--input', bad, '--topics', TOPICS, '--scorer', 'rules', '--json']);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(`${bad}:2 needs a string "id" and "title"`);
  });

  it('prints nothing when a later line is bad (every line is checked first)', async () => {
    const bad = write('bad-late.jsonl', '{"id":"b","title":"Cyberespionage charges"}\n{"id":"x"\n');
    const { code, out, err } = await run(['match', '--input', bad, '--topics', TOPICS, '--scorer', 'rules', '--json']);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([`cyberbrief match: ${bad}:2 is not valid JSON; expected {"id", "title", "description"?, "content"?}.`]);
  });

  const usage: Array<{ name: string; argv: () => string[]; message: string }> = [
    {
      name: 'a labels line that is not JSON',
      argv: () => ['--eval', write('bad-labels.jsonl', '{"id":"b","label":1}\nnope\n')],
      message: `cyberbrief match: ${path.join(dir, 'bad-labels.jsonl')}:2: not valid JSON; expected {"id": "...", "label": 0 or 1}.`,
    },
    {
      name: 'a label that is not 0 or 1',
      argv: () => ['--eval', write('bad-label.jsonl', '{"id":"b","label":"yes"}\n')],
      message: `cyberbrief match: ${path.join(dir, 'bad-label.jsonl')}:1: expected {"id": "...", "label": 0 or 1}.`,
    },
    { name: '--errors without --eval', argv: () => ['--errors'], message: 'cyberbrief match: --errors lists the errors of --eval; give --eval LABELS.jsonl too.' },
    { name: 'standard input for both files', argv: () => ['--input', '-', '--eval', '-'], message: 'cyberbrief match: --input and --eval cannot both read standard input.' },
  ];
  for (const u of usage) {
    it(`exits 2 with one sentence on ${u.name}`, async () => {
      const argv = u.argv();
      const { code, out, err } = await run(['match', ...(argv.includes('--input') ? [] : ['--input', ITEMS]), '--topics', TOPICS, '--scorer', 'rules', ...argv]);
      expect(code).toBe(2);
      expect(out).toEqual([]);
      expect(err).toEqual([u.message]);
    });
  }

  const noFigures: Array<{ name: string; labels: () => string; message: (f: string) => string }> = [
    { name: 'an empty labels file', labels: () => write('no-labels.jsonl', ''), message: (f) => `cyberbrief match: ${f} holds no labels; give one {"id", "label": 0|1} per line.` },
    { name: 'labels of other ids', labels: () => write('other-labels.jsonl', '{"id":"zzz","label":1}\n'), message: (f) => `cyberbrief match: no item in ${ITEMS} has a label in ${f} (ids must match).` },
  ];
  for (const c of noFigures) {
    it(`exits 1 with one sentence, and no figures, on ${c.name}`, async () => {
      const labels = c.labels();
      const { code, out, err } = await run(['match', '--input', ITEMS, '--topics', TOPICS, '--scorer', 'rules', '--eval', labels]);
      expect(code).toBe(1);
      expect(out).toEqual([]);
      expect(err).toEqual([c.message(labels)]);
    });
  }

  it('reports an invalid topics file in one sentence', async () => {
    const topics = write('bad-topics.yaml', 'topics:\n  - { id: x, name: X, threshold: 1, terms: [y], colour: red }\n');
    const { code, err } = await run(['match', '--input', ITEMS, '--topics', topics]);
    expect(code).not.toBe(0);
    expect(err.join('\n')).toContain('has unknown key "colour"');
  });
});

describe('cyberbrief derive-topics', () => {
  it('prints a topic as YAML', async () => {
    const doc = write(
      'ref.txt',
      'Harbour cranes hacked in port sabotage\nInvestigators said harbour cranes were hacked and harbour cranes stopped, a port sabotage that closed the port.\n',
    );
    const { code, out } = await run(['derive-topics', doc, '--id', 'ports', '--max-terms', '5']);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(`#   - ${doc}`);
    expect(text).toContain('  - id: ports');
    expect(text).toMatch(/term: "harbour cranes", weight: 5/);
  });

  const refused: Array<{ name: string; argv: () => string[]; message: () => string }> = [
    {
      name: 'an empty document',
      argv: () => [write('empty.txt', '')],
      message: () => `cyberbrief derive-topics: ${path.join(dir, 'empty.txt')} holds no readable text; give plain-text articles (first line: the title).`,
    },
    {
      name: 'a binary document',
      argv: () => [write('binary.txt', 'PK\u0003\u0004\u0000\u0000 word document')],
      message: () => `cyberbrief derive-topics: ${path.join(dir, 'binary.txt')} holds no readable text; give plain-text articles (first line: the title).`,
    },
    {
      name: 'a document of stop words only',
      argv: () => [write('stop.txt', 'The and of a\n')],
      message: () => `cyberbrief derive-topics: found no words or phrases to propose in ${path.join(dir, 'stop.txt')}; give articles of a few paragraphs.`,
    },
    {
      name: 'a background with no item line',
      argv: () => [write('doc.txt', 'Port sabotage\nHarbour cranes were hacked.\n'), '--background', write('bg.jsonl', 'not json\n{"id": 1}\n')],
      message: () => `cyberbrief derive-topics: --background ${path.join(dir, 'bg.jsonl')} has no JSON line with a "title" or "description"; give JSON Lines of news items.`,
    },
    { name: 'an empty --name', argv: () => [write('named.txt', 'Port sabotage\nHarbour cranes were hacked.\n'), '--name', ' '], message: () => 'cyberbrief derive-topics: --name must be 1 to 100 characters (a topics file accepts no other), got 0.' },
    { name: 'a --name over 100 characters', argv: () => [write('named.txt', 'Port sabotage\nHarbour cranes were hacked.\n'), '--name', 'N'.repeat(101)], message: () => 'cyberbrief derive-topics: --name must be 1 to 100 characters (a topics file accepts no other), got 101.' },
    {
      name: 'standard input twice',
      argv: () => ['-', '--background', '-'],
      message: () => 'cyberbrief derive-topics: standard input (-) can be read once; give the other documents as files.',
    },
    {
      name: 'standard input as two documents',
      argv: () => [write('one.txt', 'Port sabotage\nHarbour cranes were hacked.\n'), '-', '-'],
      message: () => 'cyberbrief derive-topics: standard input (-) can be read once; give the other documents as files.',
    },
  ];
  for (const r of refused) {
    it(`refuses ${r.name} in one sentence, printing nothing`, async () => {
      const { code, out, err } = await run(['derive-topics', ...r.argv()]);
      expect(code).toBe(2);
      expect(out).toEqual([]);
      expect(err).toEqual([r.message()]);
    });
  }

  it('rejects a bad --max-terms', async () => {
    const { code, err } = await run(['derive-topics', 'x.txt', '--max-terms', 'lots']);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--max-terms "lots" must be a whole number');
  });
});
