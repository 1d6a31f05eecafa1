import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notAFolderText } from '../../src/lib/not-a-folder.ts';

describe('notAFolderText', () => {
  it.each<{ name: string; code: string | undefined; opts?: Parameters<typeof notAFolderText>[1]; want: string | null }>([
    { name: 'ENOTDIR, the path by default', code: 'ENOTDIR', want: 'a part of the path is a file, not a folder' },
    { name: 'ENOTDIR, the path named', code: 'ENOTDIR', opts: { path: 'the path to /srv/x' }, want: 'a part of the path to /srv/x is a file, not a folder' },
    { name: 'EEXIST from a recursive mkdir', code: 'EEXIST', opts: { path: 'that path', fromMkdir: true }, want: 'a part of that path is a file, not a folder' },
    { name: 'EEXIST from anything else is a file that exists', code: 'EEXIST', want: null },
    { name: 'ENOENT', code: 'ENOENT', opts: { fromMkdir: true }, want: null },
    { name: 'a SQLite code', code: 'SQLITE_CANTOPEN', opts: { fromMkdir: true }, want: null },
    { name: 'no code', code: undefined, want: null },
    { name: 'an empty code', code: '', opts: { fromMkdir: true }, want: null },
  ])('$name', ({ code, opts, want }) => {
    expect(notAFolderText(code, opts)).toBe(want);
  });

  describe('with the codes the system gives', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-not-a-folder-'));
    const afile = path.join(dir, 'afile');
    writeFileSync(afile, 'x');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as NodeJS.ErrnoException).code;
      }
      throw new Error('expected a system error');
    };

    it.each<{ name: string; fail: () => unknown; fromMkdir: boolean }>([
      { name: 'mkdir -p of a folder that is a file', fail: () => mkdirSync(afile, { recursive: true }), fromMkdir: true },
      { name: 'mkdir -p below a file', fail: () => mkdirSync(path.join(afile, 'deeper'), { recursive: true }), fromMkdir: true },
      { name: 'reading a file below a file', fail: () => readFileSync(path.join(afile, 'more.txt')), fromMkdir: false },
    ])('$name', ({ fail, fromMkdir }) => {
      expect(notAFolderText(codeOf(fail), { fromMkdir })).toBe('a part of the path is a file, not a folder');
    });
  });
});
