// Small formatting helpers shared by the CLI's text output.
import { shownTime } from '../domain/shown-time.ts';
import { clipText } from '../lib/bounded-text.ts';
import { closest } from '../lib/closest.ts';

/**
 * A time in a text table as every face of the product shows it (domain/shown-time.ts): `Mon 23 Nov 2026 18:04
 * UTC`, to the minute, with its weekday, or `-` when there is none. --json output keeps ISO 8601 (to the
 * millisecond) for scripts.
 */
export const when = (d: Date | null): string => (d ? shownTime(d) : '-');

/** Longest piece of an argument echoed back in a message: a pasted blob must not become the message. */
export const MAX_ECHOED = 80;

/** An argument as a message shows it: cut to `max` characters with an ellipsis, as every shown text is (lib/bounded-text.ts clipText). */
export const echoed = (raw: string, max = MAX_ECHOED): string => clipText(raw, max);

/**
 * A row id typed on the command line (`alerts retry 12`, `feeds enable 3`): digits that make a whole number
 * from 1 up to what a JavaScript number holds exactly, else null (a longer one names no row, and would reach
 * the database as a value out of its column's range).
 */
export function rowId(raw: string): number | null {
  if (!/^\d{1,16}$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

/** Numbers for a message: the first `max`, then how many more. */
export function someOf(values: readonly (number | string)[], max = 20): string {
  return values.length > max ? `${values.slice(0, max).join(', ')} and ${values.length - max} more` : values.join(', ');
}

/**
 * ` (did you mean 'migrate'?)` for a near miss of one of `names` (as `cyberbrief pol` names poll), else ''.
 * `prefix` goes before the name shown (`--` for a flag: see didYouMeanFlag).
 */
export function didYouMean(typed: string | undefined, names: readonly string[], quote = "'", prefix = ''): string {
  const meant = typed ? closest(typed, names) : null;
  return meant ? ` (did you mean ${quote}${prefix}${meant}${quote}?)` : '';
}

/**
 * ` (did you mean '--json'?)` for `--jsn`, a near miss of one of `flags` (long names, without their dashes),
 * else '': only a long option is matched (`-x` names nothing).
 */
export const didYouMeanFlag = (typed: string, flags: readonly string[]): string => (typed.startsWith('--') ? didYouMean(typed.slice(2), flags, "'", '--') : '');
