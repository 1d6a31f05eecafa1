// The known name a typo was most likely meant as: "did you mean poll?" for `cyberbrief pol`, "subscribe"
// for `/news subscrbe`. Pure; names are short, so a plain edit distance is cheap.

/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours), capped at `max + 1`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The one candidate within a small edit distance of `word` (1 for words up to 4 letters, else 2), or a
 * prefix of one (`feed` for `feeds`); null when there is none or the nearest is not unique.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  if (w.length < 2 || w.length > 40) return null;
  const max = w.length <= 4 ? 1 : 2;
  let best: string[] = [];
  let bestD = max + 1;
  for (const c of candidates) {
    const dist = c.startsWith(w) && w.length >= 3 ? 1 : distance(w, c, max);
    if (dist < bestD) {
      bestD = dist;
      best = [c];
    } else if (dist === bestD) {
      best.push(c);
    }
  }
  return bestD <= max && best.length === 1 ? best[0]! : null;
}
