// Runs the CLI in this process (src/cli/index.ts main) with its output captured, from a fresh temporary
// working directory: what the CLI tests share.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/index.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The working directory it ran in. */
  cwd: string;
}

export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(path.join(tmpdir(), 'cyberbrief-cli-'));
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ...env }, cwd });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), cwd };
}
