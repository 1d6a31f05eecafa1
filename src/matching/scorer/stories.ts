// Groups labelled items that tell the same story (several outlets, several days), so that cross-validation
// keeps a story's items in one fold and a word counts toward the vocabulary only when several different
// stories use it. Two items are one story when their titles share at least half of their content words
// (Jaccard >= 0.5 over lower-cased words of 3+ letters outside the stop list), taken transitively.
import { STOP_WORDS } from '../stopwords.ts';
import { fieldTokens } from '../knowledge/tokens.ts';

function titleWords(title: string): Set<string> {
  const t = fieldTokens(title);
  return new Set(t.stem.filter((s, i) => s.length >= 3 && !STOP_WORDS.has(t.lower[i]!) && !/^\d+$/.test(s)));
}

/** A story number per title (0-based, in order of first appearance). */
export function storyGroups(titles: readonly string[], minJaccard = 0.5): number[] {
  const sets = titles.map(titleWords);
  const parent = titles.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  // Index words to compare only titles that share one.
  const byWord = new Map<string, number[]>();
  sets.forEach((s, i) => s.forEach((w) => (byWord.get(w) ?? byWord.set(w, []).get(w)!).push(i)));
  for (let i = 0; i < sets.length; i++) {
    const a = sets[i]!;
    if (a.size === 0) continue;
    const seen = new Set<number>();
    for (const w of a) {
      for (const j of byWord.get(w) ?? []) {
        if (j <= i || seen.has(j)) continue;
        seen.add(j);
        const b = sets[j]!;
        let shared = 0;
        for (const x of a) if (b.has(x)) shared++;
        if (shared / (a.size + b.size - shared) >= minJaccard) parent[find(j)] = find(i);
      }
    }
  }
  const ids = new Map<number, number>();
  return titles.map((_, i) => {
    const root = find(i);
    let id = ids.get(root);
    if (id === undefined) ids.set(root, (id = ids.size));
    return id;
  });
}
