import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../src/commands/index.ts';

describe('parseCommandText', () => {
  it.each([
    { text: '', name: '', args: [] },
    { text: '   ', name: '', args: [] },
    { text: 'Subscribe espionage talks', name: 'subscribe', args: ['espionage', 'talks'] },
    { text: 'keywords add "trade secrets" -sports', name: 'keywords', args: ['add', 'trade secrets', '-sports'] },
    { text: 'keywords add \u201ctrade secrets\u201d', name: 'keywords', args: ['add', 'trade secrets'] },
    { text: 'keywords add -"salt typhoon"', name: 'keywords', args: ['add', '-salt typhoon'] },
    { text: 'keywords add "unclosed quote', name: 'keywords', args: ['add', 'unclosed quote'] },
    { text: 'latest\ttalks\n3', name: 'latest', args: ['talks', '3'] },
    { text: 'keywords add don\'t', name: 'keywords', args: ['add', "don't"] },
  ])('$text', ({ text, name, args }) => {
    expect(parseCommandText(text)).toEqual({ name, args });
  });
});
