import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanFlag } from '../../src/cli/format.ts';

describe('didYouMean', () => {
  it.each<{ name: string; typed: string | undefined; names: string[]; quote?: string; want: string }>([
    { name: 'a near miss', typed: 'migrat', names: ['migrate', 'compact'], want: " (did you mean 'migrate'?)" },
    { name: 'in double quotes', typed: 'shw', names: ['fit', 'show'], quote: '"', want: ' (did you mean "show"?)' },
    { name: 'nothing near', typed: 'frobnicate', names: ['list', 'import'], want: '' },
    { name: 'nothing typed', typed: undefined, names: ['rekey'], want: '' },
    { name: 'an empty word', typed: '', names: ['rekey'], want: '' },
  ])('$name', ({ typed, names, quote, want }) => {
    expect(didYouMean(typed, names, quote)).toBe(want);
  });
});

describe('didYouMeanFlag', () => {
  const FLAGS = ['json', 'failed', 'dry-run', 'once'];
  it.each<{ name: string; typed: string; flags: string[]; want: string }>([
    { name: 'a long option one letter off', typed: '--jsn', flags: FLAGS, want: " (did you mean '--json'?)" },
    { name: 'a hyphenated one', typed: '--dryrun', flags: FLAGS, want: " (did you mean '--dry-run'?)" },
    { name: 'the top-level flags', typed: '--verison', flags: ['help', 'version'], want: " (did you mean '--version'?)" },
    { name: 'a short option names nothing', typed: '-jsn', flags: FLAGS, want: '' },
    { name: 'no dashes names nothing', typed: 'jsn', flags: FLAGS, want: '' },
    { name: 'dashes alone', typed: '--', flags: FLAGS, want: '' },
    { name: 'nothing near', typed: '--frobnicate', flags: FLAGS, want: '' },
  ])('$name', ({ typed, flags, want }) => {
    expect(didYouMeanFlag(typed, flags)).toBe(want);
  });
});
