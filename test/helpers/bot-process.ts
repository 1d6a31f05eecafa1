// The real bot (`cyberbrief run`) as a child process, for end-to-end tests that crash it, restart it or
// run several copies at once: bin/cyberbrief, which runs the build in dist/ as users do (vitest's global
// setup rebuilds it whenever src/ changed). Output (logs and the start-up announcement) is kept for
// assertions and for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../emulators/http-util.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cyberbrief');

export interface Bot {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Standard output and error, interleaved as they arrived. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `cyberbrief run` in `cwd` with only PATH, HOME and `env` in its environment. */
export function startBotProcess(cwd: string, env: Record<string, string>): Bot {
  const child = spawn(process.execPath, [BIN, 'run'], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, stdout: () => stdout, stderr: () => stderr };
}

/** Throws when the bot died on its own (so a test fails at once, with its output). */
export function alive(bot: Bot): true {
  if (bot.child.exitCode !== null) throw new Error(`the bot exited with ${bot.child.exitCode}:\n${bot.output().slice(-4000)}`);
  return true;
}

/** The HTTP port the bot announced at start-up ("Health at http://host:PORT/healthz"). */
export async function announcedPort(bot: Bot, timeoutMs = 30_000): Promise<number> {
  const m = await waitFor('the bot to announce its port', () => alive(bot) && (/Health at http:\/\/[^:/]+:(\d+)\/healthz/.exec(bot.output()) ?? undefined), timeoutMs);
  return Number(m[1]);
}

/** mulberry32: a small seeded generator, 0 <= x < 1. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Freezes the bot (SIGSTOP) at a moment `ready` holds while it is frozen, so the state `ready` saw stays as it was
 * (a SIGKILL then lands on exactly that state); between tries the bot runs on (SIGCONT). Queries it had already
 * sent land before `ready` looks.
 */
export async function freezeWhen(bot: Bot, what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await waitFor(
    what,
    async () => {
      alive(bot);
      bot.child.kill('SIGSTOP');
      await sleep(100);
      if (await ready()) return true;
      bot.child.kill('SIGCONT');
      await sleep(50);
      return false;
    },
    timeoutMs,
  );
}
