// Input files for the CLI commands that read documents or JSON Lines (match, summarize, derive-topics,
// feeds import): `-` reads standard input, an unreadable file is a usage error naming it, and a bad line
// is a usage error naming the file and line. Inputs are bounded: a file (or standard input) up to
// MAX_INPUT_BYTES, a JSON line up to MAX_LINE_CHARS.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileErrorText } from '../config/file-error-text.ts';
import { UsageError } from '../lib/errors.ts';
import type { CliContext } from './types.ts';

/** Largest input file read whole (the largest data set we evaluate on is 13 MB). */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;
/** Longest JSON line (one item or article; real ones stay under 20 kB). */
export const MAX_LINE_CHARS = 1024 * 1024;

const size = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/**
 * Reads `file` (relative to the context's cwd), or standard input for `-`. `prefix` starts the error
 * sentence, e.g. "match" or "cyberbrief feeds import".
 */
export async function readInput(
  ctx: Pick<CliContext, 'cwd' | 'readStdin'>,
  file: string,
  prefix: string,
  maxBytes: number = MAX_INPUT_BYTES,
): Promise<string> {
  const tooLarge = () => new UsageError(`${prefix}: ${file === '-' ? 'standard input' : file} is larger than ${size(maxBytes)}; split it into smaller files.`);
  if (file === '-') {
    // The CLI's reader stops at the cap with a message of its own; the command's sentence is the one shown.
    const text = await ctx.readStdin(maxBytes).catch((err: unknown) => {
      throw err instanceof UsageError ? tooLarge() : err;
    });
    if (text.length > maxBytes) throw tooLarge();
    return text;
  }
  const full = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (info.size > maxBytes) throw tooLarge();
    // A pipe (--input <(zcat items.jsonl.gz)) or a device has no size to check first: read it up to the cap.
    text = info.isFile() ? await readFile(full, 'utf8') : await readCapped(full, maxBytes, tooLarge);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${prefix}: cannot read ${file}: ${fileErrorText(err)}; check the path.`);
  }
  // A file that grew between stat and read.
  if (text.length > maxBytes) throw tooLarge();
  return text;
}

/** Reads a stream-like file whole, failing with `tooLarge()` as soon as it passes `maxBytes`. */
async function readCapped(file: string, maxBytes: number, tooLarge: () => UsageError): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = createReadStream(file);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses each non-blank line with `parse(line, "file:line")`, in order. A parse error becomes a
 * UsageError with the parser's message; a line longer than `maxLineChars` one naming the line.
 */
export function parseJsonLines<T>(
  text: string,
  file: string,
  parse: (line: string, where: string) => T,
  prefix: string,
  maxLineChars: number = MAX_LINE_CHARS,
): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > maxLineChars) {
      throw new UsageError(`${prefix}: ${file}:${i + 1} is longer than ${maxLineChars} characters; one line holds one item (is this JSON Lines?).`);
    }
    if (line.trim() === '') continue;
    try {
      out.push(parse(line, `${file}:${i + 1}`));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // One sentence that names the command: "match: labels.jsonl:2: not valid JSON; ...".
      const message = (err as Error).message.replace(/\.?$/, '.');
      throw new UsageError(message.startsWith(`${prefix}:`) ? message : `${prefix}: ${message}`);
    }
  }
  return out;
}
