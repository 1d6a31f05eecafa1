// --json output, one convention for every command: JSON Lines on standard output, one JSON object per line,
// nothing else there. A list gives one line per row (`feeds list`, `alerts list`, `actors list`, `poll`,
// `match`, `summarize`, `doctor`); a single result gives one line (`brief --dry-run`, `alerts retry`,
// `secrets rekey`, `match --eval`). An empty list is no line at all with exit status 0, and one sentence on
// standard error says why (no feeds yet, no failed alerts), so a script reads "none" from an empty standard
// output (`| jq -s length` gives 0) while a person running it sees the reason; a failure exits non-zero.
import type { CliContext } from './types.ts';

/** Lines handed to standard output at once (a line per write cost a system call per row). */
const LINES_PER_WRITE = 1000;

/** `rows` as JSON Lines on standard output, or, when there are none, `empty` on standard error. */
export function printJsonLines(ctx: Pick<CliContext, 'stdout' | 'stderr'>, rows: readonly unknown[], empty: string): void {
  if (rows.length === 0) {
    ctx.stderr(empty);
    return;
  }
  writeLines(ctx, rows.map((r) => JSON.stringify(r)));
}

/** `lines` on standard output, many to a write (JSON Lines, and text output with a line per row, e.g. `poll`). */
export function writeLines(ctx: Pick<CliContext, 'stdout'>, lines: readonly string[]): void {
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE) ctx.stdout(lines.slice(i, i + LINES_PER_WRITE).join('\n'));
}
