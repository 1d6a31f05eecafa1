// Names joined as a sentence lists them: `A`, `A and B`, `A, B and C` (or with "or").

/** `A`, `A <conjunction> B`, `A, B <conjunction> C`; empty for none. */
export function wordList(names: readonly string[], conjunction: 'and' | 'or'): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)!}`;
}
