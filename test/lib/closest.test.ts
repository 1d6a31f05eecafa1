import { describe, expect, it } from 'vitest';
import { closest } from '../../src/lib/closest.ts';

const CLI = ['run', 'poll', 'match', 'summarize', 'model', 'actors', 'derive-topics', 'feeds', 'alerts', 'brief', 'db', 'secrets', 'doctor'];
const NEWS = ['subscribe', 'unsubscribe', 'latest', 'keywords', 'brief', 'mode', 'quiet', 'threads', 'topics', 'feeds', 'status', 'why', 'help'];

describe('closest', () => {
  it.each([
    ['a missing letter', 'pol', CLI, 'poll'],
    ['a swapped pair', 'doctro', CLI, 'doctor'],
    ['a prefix', 'summ', CLI, 'summarize'],
    ['a wrong letter', 'feefs', CLI, 'feeds'],
    ['capitals', 'DOCTOR', CLI, 'doctor'],
    ['a slash-command typo', 'subscrbe', NEWS, 'subscribe'],
    ['a singular', 'keyword', NEWS, 'keywords'],
    ['too far from anything', 'frobnicate', CLI, null],
    ['one letter', 'x', CLI, null],
    ['two equally near', 'tppics', ['topics', 'tapics'], null],
    ['a short word two edits away', 'xy', CLI, null],
  ])('%s', (_name, word, candidates, want) => {
    expect(closest(word, candidates)).toBe(want);
  });
});
