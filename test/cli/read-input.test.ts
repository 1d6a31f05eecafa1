import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { MAX_LINE_CHARS, parseJsonLines, readInput } from '../../src/cli/read-input.ts';
import { UsageError } from '../../src/lib/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-read-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'ten.txt'), '0123456789');
mkdirSync(path.join(dir, 'folder'));
const ctx = (stdin: string | Error = '') => ({ cwd: dir, readStdin: () => (typeof stdin === 'string' ? Promise.resolve(stdin) : Promise.reject(stdin)) });

describe('readInput', () => {
  const cases: Array<{ name: string; file: string; stdin?: string | Error; max?: number; want?: string; error?: string }> = [
    { name: 'a file relative to cwd', file: 'ten.txt', want: '0123456789' },
    { name: 'standard input for -', file: '-', stdin: 'abc', want: 'abc' },
    // The error code alone ("(ENOENT)") said neither what was wrong nor what to do.
    { name: 'a missing file', file: 'nope.txt', error: 'x: cannot read nope.txt: there is no such file (ENOENT); check the path.' },
    { name: 'a directory', file: 'folder', error: 'x: cannot read folder: it is a folder, not a file (EISDIR); check the path.' },
    { name: 'a path through a file', file: 'ten.txt/more.txt', error: 'x: cannot read ten.txt/more.txt: a part of the path is a file, not a folder (ENOTDIR); check the path.' },
    { name: 'a file over the cap', file: 'ten.txt', max: 9, error: 'x: ten.txt is larger than 9 bytes; split it into smaller files.' },
    { name: 'standard input over the cap', file: '-', stdin: 'abcdef', max: 5, error: 'x: standard input is larger than 5 bytes; split it into smaller files.' },
    { name: 'a device that never ends, read only up to the cap', file: '/dev/zero', max: 1024 * 1024, error: 'x: /dev/zero is larger than 1 MiB; split it into smaller files.' },
    { name: 'an empty device', file: '/dev/null', want: '' },
    {
      name: 'standard input the reader stopped at the cap (its own message replaced by the command\'s)',
      file: '-',
      stdin: new UsageError('cyberbrief: standard input is larger than 134217728 bytes; split it into smaller files.'),
      error: 'x: standard input is larger than 128 MiB; split it into smaller files.',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const p = readInput(ctx(c.stdin), c.file, 'x', c.max);
      if (c.error) {
        const err = await p.then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).toBe(c.error);
      } else {
        expect(await p).toBe(c.want);
      }
    });
  }
});

describe('parseJsonLines', () => {
  const parse = (line: string, where: string) => {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== 'number') throw new Error(`${where}: not a number`);
    return v;
  };
  const cases: Array<{ name: string; text: string; max?: number; want?: number[]; error?: string }> = [
    { name: 'skips blank lines, keeps order', text: '3\n\n  \n1\n2', want: [3, 1, 2] },
    { name: 'names the command and the bad line, in one sentence', text: '1\n"a"\n', error: 'x: f.jsonl:2: not a number.' },
    { name: 'refuses a line over the cap', text: '1\n123456\n', max: 5, error: 'x: f.jsonl:2 is longer than 5 characters; one line holds one item (is this JSON Lines?).' },
    { name: 'counts a blank but long line too', text: `${' '.repeat(6)}\n1`, max: 5, error: 'f.jsonl:1 is longer than 5 characters' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = () => parseJsonLines(c.text, 'f.jsonl', parse, 'x', c.max);
      if (c.error) {
        expect(run).toThrow(UsageError);
        expect(run).toThrow(c.error);
      } else {
        expect(run()).toEqual(c.want);
      }
    });
  }
});

describe('commands refuse an over-long line in one sentence', () => {
  const huge = path.join(dir, 'huge.jsonl');
  writeFileSync(huge, `{"id":"a","title":"ok","text":"ok"}\n{"id":"b","title":"${'x'.repeat(MAX_LINE_CHARS)}","text":"x"}\n`);
  const topics = path.join(dir, 'topics.yaml');
  writeFileSync(topics, 'topics:\n  - { id: t, name: T, threshold: 1, terms: [cyber] }\n');
  for (const argv of [['match', '--input', huge, '--topics', topics, '--scorer', 'rules'], ['summarize', '--input', huge]]) {
    it(argv[0]!, async () => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env: {}, cwd: dir });
      expect(code).toBe(2);
      expect(out).toEqual([]);
      expect(err).toEqual([`cyberbrief ${argv[0]}: ${huge}:2 is longer than ${MAX_LINE_CHARS} characters; one line holds one item (is this JSON Lines?).`]);
    });
  }
});
