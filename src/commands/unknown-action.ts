// The sentence for a subcommand or value a command does not know (`/news brief dialy`, `/news threads onn`):
// the one meant when exactly one is near, then the command's usage.
import { closest } from '../lib/closest.ts';
import { UsageError } from '../lib/errors.ts';
import { typedQuoted, typedUsage } from './typed-text.ts';

export function unknownAction(command: string, typed: string, known: readonly string[], usage: string): UsageError {
  const meant = closest(typed, known);
  return meant ? typedUsage(`/news ${command} has no ${typedQuoted(typed)}; did you mean /news ${command} ${meant}? Usage: ${usage}.`, typedQuoted(typed)) : new UsageError(`Usage: ${usage}.`);
}
