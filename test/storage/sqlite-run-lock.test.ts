// One `cyberbrief run` per SQLite file: the built CLI as child processes on one file. A second bot is
// refused with one sentence naming the file and the running bot, which goes on unaffected; a one-off
// `poll --once` may run beside it (it claims feeds with leases); a bot killed with SIGKILL leaves nothing
// that blocks the next start. The lock itself is also tested in this process (two holders, release).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeSqliteRunLock } from '../../src/storage/sqlite-run-lock.ts';
import { alive, announcedPort, startBotProcess, type Bot } from '../helpers/bot-process.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');

let dir = '';
const bots: Bot[] = [];
afterEach(async () => {
  for (const b of bots.splice(0)) {
    if (b.child.exitCode === null && b.child.signalCode === null) {
      b.child.kill('SIGKILL');
      await b.exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function setUp(): { env: Record<string, string>; dbFile: string } {
  dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-runlock-'));
  const override = path.join(dir, 'config.yaml');
  writeFileSync(override, 'feeds: []\nserver:\n  host: 127.0.0.1\n');
  const dbFile = path.join(dir, 'data', 'bot.db');
  return { dbFile, env: { PORT: '0', DATABASE_URL: dbFile, CYBERBRIEF_CONFIG: override, LOG_LEVEL: 'info' } };
}

function start(env: Record<string, string>): Bot {
  const bot = startBotProcess(dir, env);
  bots.push(bot);
  return bot;
}

/** A command of the built CLI in `dir`, killed after 20 s (a `run` that was not refused); resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function healthy(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
}

describe('one cyberbrief run per SQLite file (built CLI)', () => {
  it.each([
    { name: 'a second run is refused, naming the file and the running bot', args: ['run'], refused: true },
    { name: 'poll --once runs beside the bot (it respects leases)', args: ['poll', '--once'], refused: false },
  ])('$name; the first bot is unaffected', async ({ args, refused }) => {
    const { env, dbFile } = setUp();
    const first = start(env);
    const port = await announcedPort(first);
    const second = await cli(args, env);
    if (refused) {
      expect(second.code, second.output).toBe(1);
      const pid = first.child.pid!;
      expect(second.output).toContain(`storage: SQLite file ${dbFile} is in use by another cyberbrief run, run@${os.hostname()}:${pid}:`);
      expect(second.output).toContain(`(PID ${pid} on this machine, running since `);
      expect(second.output).toContain('stop that one first, or use PostgreSQL');
      expect(second.output).not.toContain('took back');
      expect(second.output).not.toContain('ready');
    } else {
      expect(second.code, second.output).toBe(0);
    }
    expect(alive(first)).toBe(true);
    expect(await healthy(port)).toBe(200);
    expect(first.output()).not.toContain('took back');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('a bot killed with SIGKILL does not block the next start', async () => {
    const { env } = setUp();
    const first = start(env);
    await announcedPort(first);
    first.child.kill('SIGKILL');
    await first.exited;
    const next = start(env);
    expect(await healthy(await announcedPort(next))).toBe(200);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    // A clean stop, and a start after it, work the same.
    const third = start(env);
    await announcedPort(third);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});

describe('takeSqliteRunLock', () => {
  it('lets one holder at a time have a file, names it to the next, and is free again once released', async () => {
    const { dbFile } = setUp();
    const a = await takeSqliteRunLock(dbFile, 'run@test:1:aaaa');
    expect(existsSync(`${dbFile}.lock`)).toBe(true);
    await expect(takeSqliteRunLock(dbFile, 'run@test:2:bbbb')).rejects.toThrow(`storage: SQLite file ${dbFile} is in use by another cyberbrief run, run@test:1:aaaa (PID ${process.pid} on this machine`);
    a.release();
    a.release();
    const b = await takeSqliteRunLock(dbFile, 'run@test:2:bbbb');
    await expect(takeSqliteRunLock(dbFile, 'run@test:3:cccc')).rejects.toThrow('run@test:2:bbbb');
    b.release();
  });
});

/**
 * A tmpfs of the test's own (root with CAP_SYS_ADMIN; skipped, saying so, otherwise): `full` filled with a
 * file, `readonly` remounted read-only; `lockFirst` takes and releases the lock before (the lock file exists).
 */
function smallDisk(kind: 'full' | 'readonly', lockFirst: boolean): Promise<{ disk: string; unmount: () => void } | null> {
  const disk = mkdtempSync(path.join(tmpdir(), 'cyberbrief-runlock-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk], { stdio: 'pipe' });
  } catch (err) {
    rmSync(disk, { recursive: true, force: true });
    console.log(`run-lock disk test skipped: cannot mount a small tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()}); it needs root with CAP_SYS_ADMIN.`);
    return Promise.resolve(null);
  }
  const unmount = () => {
    execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  };
  return (async () => {
    if (lockFirst) (await takeSqliteRunLock(path.join(disk, 'bot.db'), 'run@test:0:prepare')).release();
    if (kind === 'full') {
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${path.join(disk, 'fill')}`, 'bs=4k'], { stdio: 'pipe' });
      } catch {
        // dd stops at "No space left on device": the disk is full
      }
    } else {
      execFileSync('mount', ['-o', 'remount,ro', disk], { stdio: 'pipe' });
    }
    return { disk, unmount };
  })();
}

describe('takeSqliteRunLock on a disk that cannot take it', () => {
  it.each([
    { name: 'a full disk, no lock file yet', kind: 'full', lockFirst: false, file: 'bot.db', says: /^storage: cannot take the run lock \S+bot\.db\.lock beside SQLite file \S+bot\.db: its disk is full \(.+\); free space on that disk, then start again\.$/ },
    { name: 'a full disk, the lock file there', kind: 'full', lockFirst: true, file: 'bot.db', says: /^storage: cannot take the run lock \S+bot\.db\.lock beside SQLite file \S+bot\.db: its disk is full \(.+\); free space on that disk, then start again\.$/ },
    { name: 'a read-only disk, no lock file yet', kind: 'readonly', lockFirst: false, file: 'bot.db', says: /^storage: cannot take the run lock \S+bot\.db\.lock beside SQLite file \S+bot\.db: the folder \S+ is not writable \(.+\); make it writable \(the bot writes its database and this lock there\) or point DATABASE_URL at a folder that is\.$/ },
    { name: 'a read-only disk, the lock file there', kind: 'readonly', lockFirst: true, file: 'bot.db', says: /^storage: cannot take the run lock \S+bot\.db\.lock beside SQLite file \S+bot\.db: the folder \S+ is not writable \(.+\); make it writable \(the bot writes its database and this lock there\) or point DATABASE_URL at a folder that is\.$/ },
    { name: 'a read-only disk, the folder missing', kind: 'readonly', lockFirst: false, file: 'data/bot.db', says: /^storage: cannot take the run lock \S+bot\.db\.lock beside SQLite file \S+bot\.db: the folder \S+ is not writable \(.+\); make it writable \(the bot writes its database and this lock there\) or point DATABASE_URL at a folder that is\.$/ },
  ] as const)('$name: says so in one sentence (not "in use", not "locks")', async ({ kind, lockFirst, file, says }) => {
    const d = await smallDisk(kind, lockFirst);
    if (!d) return;
    try {
      const err = await takeSqliteRunLock(path.join(d.disk, file), 'run@test:1:aaaa').then(
        (l) => (l.release(), null),
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(says);
      expect(err?.message.split('\n')).toHaveLength(1);
    } finally {
      d.unmount();
    }
  });
});

describe('takeSqliteRunLock where a part of the path is a file', () => {
  it.each([
    ['the folder is a file', ['afile', 'bot.db']],
    ['a folder above it is a file', ['afile', 'deeper', 'bot.db']],
  ])('%s: says so in one sentence (not "locks")', async (_name, parts) => {
    const d = mkdtempSync(path.join(tmpdir(), 'cyberbrief-runlock-file-'));
    try {
      writeFileSync(path.join(d, 'afile'), 'x');
      const err = await takeSqliteRunLock(path.join(d, ...parts), 'run@test:1:aaaa').then(
        (l) => (l.release(), null),
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/^storage: cannot take the run lock \S+bot\.db\.lock beside SQLite file \S+bot\.db: a part of the path to \S+ is a file, not a folder \(.*(EEXIST|ENOTDIR).*\); check the path in DATABASE_URL\.$/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
