// Commands that read (or change what exists) given a SQLite path that is not there, as with a mistyped
// DATABASE_URL: one sentence naming the file, exit 1, and nothing created (no file, no folder), where they
// used to create a migrated database and answer "No alerts yet.". Commands that add things still create it.
// The built CLI as a child process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');
const KEY = 'a'.repeat(64);

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a SQLite file that does not exist', () => {
  it.each([
    { name: 'alerts list', args: ['alerts', 'list'] },
    { name: 'alerts list --failed --json', args: ['alerts', 'list', '--failed', '--json'] },
    { name: 'alerts retry', args: ['alerts', 'retry', '7'] },
    { name: 'feeds list', args: ['feeds', 'list'] },
    { name: 'feeds export', args: ['feeds', 'export'] },
    { name: 'feeds remove', args: ['feeds', 'remove', '3'] },
    { name: 'feeds disable', args: ['feeds', 'disable', '3'] },
    { name: 'brief --dry-run', args: ['brief', '--channel', 'C1', '--dry-run'] },
    { name: 'db compact --dry-run', args: ['db', 'compact', '--dry-run'] },
    { name: 'secrets rekey --dry-run', args: ['secrets', 'rekey', '--dry-run'] },
    { name: 'model fit --with-feedback', args: ['model', 'fit', '--with-feedback'] },
    { name: 'model fit --with-feedback --dry-run', args: ['model', 'fit', '--with-feedback', '--dry-run'] },
  ])('$name is refused in one sentence naming it, and nothing is created', async ({ args }) => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-missing-'));
    const file = path.join(dir, 'dta', 'cyberbrief.db'); // a mistyped folder
    const r = await cli(args, { DATABASE_URL: file, CYBERBRIEF_ENCRYPTION_KEY: KEY });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`storage: SQLite file ${file} does not exist; check DATABASE_URL (\`cyberbrief run\` or \`cyberbrief db migrate\` creates it; nothing was created).`);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is still created by a command that adds to it, and read afterwards', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-missing-'));
    const env = { DATABASE_URL: path.join(dir, 'data', 'cyberbrief.db') };
    expect((await cli(['feeds', 'add', 'https://news.example/rss'], env)).code).toBe(0);
    const listed = await cli(['alerts', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim()).toBe('No alerts yet.');
  });
});
