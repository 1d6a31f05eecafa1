import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-summarize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Hand-written articles: in "b" a byline and a timestamp come first, so Lead-3 spends two of its sentences on them.
const ARTICLES = [
  {
    id: 'a',
    title: 'Cyber talks open',
    text: 'Two governments agreed to open talks on cyber espionage. The first round will be held in Geneva next month. Officials said trade secrets would be on the agenda. The talks follow years of accusations. Critics called the move overdue.',
  },
  {
    id: 'b',
    text: 'By Jane Example\n\nPUBLISHED: 10:02 GMT, 3 March 2026\n\nThe energy ministry said hackers had broken into the control systems of two power plants. The intrusion into the power plants was stopped before any outage, the energy ministry said. Investigators blamed a state-backed group for the power plant hack.',
  },
  { id: 'c', title: 'Short', text: 'Just one short line about a data breach' },
];
const REFS = [
  { id: 'a', summary: 'Two governments agreed to open talks on cyber espionage. Trade secrets are on the agenda.' },
  { id: 'b', summary: 'Hackers broke into the control systems of two power plants. A state-backed group is blamed.' },
  { id: 'x', summary: 'No article has this id.' },
];
const articles = path.join(dir, 'articles.jsonl');
const refs = path.join(dir, 'refs.jsonl');
writeFileSync(articles, `${ARTICLES.map((a) => JSON.stringify(a)).join('\n')}\n`);
writeFileSync(refs, `${REFS.map((r) => JSON.stringify(r)).join('\n')}\n\n`);

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['summarize', ...argv], { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env: {}, cwd: dir });
  return { code, out, err };
}

describe('cyberbrief summarize', () => {
  it('writes {id, summary} per line in input order with --json', async () => {
    const { code, out } = await run('--input', articles, '--json', '--sentences', '2');
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as { id: string; summary: string });
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(lines[0]?.summary).toMatch(/^Two governments agreed to open talks on cyber espionage\. [A-Z][^.]+\.$/);
    expect(lines[1]?.summary).not.toMatch(/By Jane|PUBLISHED/);
    expect(lines[1]?.summary).toContain('control systems of two power plants');
    expect(lines[2]?.summary).toBe('Just one short line about a data breach');
  });

  it('respects --max-chars and prints id<TAB>summary without --json', async () => {
    const { code, out } = await run('--input', articles, '--max-chars', '80');
    expect(code).toBe(0);
    expect(out).toHaveLength(3);
    for (const line of out) {
      const [, summary = ''] = line.split('\t');
      expect(summary.length).toBeGreaterThan(0);
      expect(summary.length).toBeLessThanOrEqual(80);
    }
  });

  it('--eval prints ROUGE for ours and for Lead-3 on the items with references', async () => {
    const text = await run('--input', articles, '--sentences', '3', '--eval', refs);
    expect(text.code).toBe(0);
    expect(text.out[0]).toBe(`items 2  (1 reference id not in ${articles})`);
    expect(text.out[1]).toMatch(/^ours {4}ROUGE-1 \d+\.\d\d {2}ROUGE-2 \d+\.\d\d {2}ROUGE-L \d+\.\d\d$/);
    expect(text.out[2]).toMatch(/^lead-3 {2}ROUGE-1 /);
    const json = await run('--input', articles, '--sentences', '3', '--eval', refs, '--json');
    const ev = JSON.parse(json.out[0] ?? '{}') as { items: number; missing: number; ours: Record<'rouge1' | 'rouge2' | 'rougeL', number>; lead3: Record<'rouge1' | 'rouge2' | 'rougeL', number> };
    expect(ev.items).toBe(2);
    expect(ev.missing).toBe(1);
    // On "b" Lead-3 includes the byline and the timestamp; ours does not.
    expect(ev.ours.rouge1).toBeGreaterThan(ev.lead3.rouge1);
    for (const k of ['rouge1', 'rouge2', 'rougeL'] as const) {
      expect(ev.ours[k]).toBeGreaterThan(0);
      expect(ev.ours[k]).toBeLessThanOrEqual(1);
    }
  });

  const usage: Array<{ name: string; argv: string[]; message: RegExp }> = [
    { name: 'missing --input', argv: [], message: /--input ARTICLES.jsonl is required/ },
    { name: 'bad --sentences', argv: ['--input', articles, '--sentences', 'three'], message: /--sentences expects a positive whole number/ },
    { name: 'zero --max-chars', argv: ['--input', articles, '--max-chars', '0'], message: /--max-chars expects a positive whole number/ },
    { name: 'unreadable input', argv: ['--input', path.join(dir, 'nope.jsonl')], message: /cannot read .*nope.jsonl: there is no such file \(ENOENT\); check the path\./ },
    { name: 'unknown flag', argv: ['--input', articles, '--bogus'], message: /unknown option '--bogus'/ },
    { name: '--sentences with --max-chars', argv: ['--input', articles, '--sentences', '2', '--max-chars', '100'], message: /^cyberbrief summarize: --sentences and --max-chars are alternatives; give one of them\.$/ },
  ];
  for (const u of usage) {
    it(`exits 2 on ${u.name}`, async () => {
      const { code, err } = await run(...u.argv);
      expect(code).toBe(2);
      expect(err.join('\n')).toMatch(u.message);
    });
  }

  it('names the file and line of a bad JSON line', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id": "a", "text": "fine"}\n{"id": "b"}\n');
    const { code, err } = await run('--input', bad);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(`${bad}:2: "text" must be a string`);
  });

  it('exits 1 when no article matches a reference', async () => {
    const other = path.join(dir, 'other-refs.jsonl');
    writeFileSync(other, '{"id": "zzz", "summary": "x"}\n');
    const { code, err } = await run('--input', articles, '--eval', other);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/no article .* has a reference/);
  });
});
