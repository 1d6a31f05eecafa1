// A SQLite path whose folder cannot be made (a part of it is a file) is refused in
// one sentence naming the folder and the reason, instead of an unexpected EEXIST from mkdir; nothing is made.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const scratch = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'cyberbrief-folder-'));
  dirs.push(d);
  return d;
};

describe('opening a SQLite file whose folder cannot be made', () => {
  it.each([
    ['the folder is a file', (d: string) => (writeFileSync(path.join(d, 'afile'), 'x'), path.join(d, 'afile', 'bot.db')), /a part of that path is a file, not a folder \((EEXIST|ENOTDIR)\)/],
    ['a folder above it is a file', (d: string) => (writeFileSync(path.join(d, 'afile'), 'x'), path.join(d, 'afile', 'deeper', 'bot.db')), /a part of that path is a file, not a folder \((EEXIST|ENOTDIR)\)/],
  ])('%s', async (_name, place, why) => {
    const file = place(scratch());
    const err = await openStorage(file).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(new RegExp(`^storage: cannot create the folder ${path.dirname(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} for SQLite file .+bot\\.db: `));
    expect(err?.message).toMatch(why);
    expect(err?.message).toMatch(/; check the path in DATABASE_URL\.$/);
    expect(existsSync(file)).toBe(false);
  });

});
