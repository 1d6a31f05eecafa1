// Pieces of the one-sentence messages for invalid configuration and topics files: the value found at an
// issue's path, shown short, and what the schema allows there.
import type { z } from 'zod';
import { clipText } from '../lib/bounded-text.ts';

/** The value at `keyPath` in the raw (unvalidated) document, or undefined. */
export function valueAt(raw: unknown, keyPath: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const k of keyPath) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

/** A value as JSON, cut to 80 characters (lib/bounded-text.ts clipText); `missing` for undefined. */
export function show(v: unknown): string {
  if (v === undefined) return 'missing';
  // JSON has no infinity or NaN (it would print null): shown as YAML spells them.
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  const s = JSON.stringify(v) ?? String(v);
  return clipText(s, 80);
}

/** zod's type names, as the values a person writes in YAML. */
const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
  record: 'a mapping of keys',
};

/** What is allowed, for the common issue codes ("expected at most 20 entries"). */
export function allowedText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // zod names the type ('number', 'int', 'array'): said as the value a person would write.
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `expected at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'entries' : 'characters'}`
        : `expected a number >= ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `expected at most ${String(issue.maximum)} ${issue.origin === 'array' ? 'entries' : 'characters'}`
        : `expected a number <= ${String(issue.maximum)}`;
    default:
      return issue.message.replace(/\.$/, '');
  }
}

/**
 * The yaml package's error as one clause: its first line ("... at line 2, column 1:" introduces a code
 * frame on the next lines), without the colon that pointed at the frame.
 */
export function yamlProblem(err: unknown): string {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return first.replace(/[\s:.]+$/, '');
}
