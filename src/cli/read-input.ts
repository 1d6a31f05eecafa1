// Input files for the CLI commands that read documents or JSON Lines (match, summarize, derive-topics,
// feeds import): `-` reads standard input, an unreadable file is a usage error naming it, and a bad line
// is a usage error naming the file and line.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import type { CliContext } from './types.ts';

/**
 * Reads `file` (relative to the context's cwd), or standard input for `-`. `prefix` starts the error
 * sentence, e.g. "match" or "cyberbrief feeds import".
 */
export async function readInput(ctx: Pick<CliContext, 'cwd' | 'readStdin'>, file: string, prefix: string): Promise<string> {
  if (file === '-') return ctx.readStdin();
  try {
    return await readFile(path.resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`${prefix}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

/**
 * Parses each non-blank line with `parse(line, "file:line")`, in order. A parse error becomes a
 * UsageError with the parser's message.
 */
export function parseJsonLines<T>(text: string, file: string, parse: (line: string, where: string) => T): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    try {
      out.push(parse(line, `${file}:${i + 1}`));
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError((err as Error).message);
    }
  }
  return out;
}
