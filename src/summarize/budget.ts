// Fit text into a character budget without cutting a word: cut at the last whitespace that leaves room for
// an ellipsis, and drop dangling punctuation before it.

export function fitToBudget(text: string, maxChars: number): string {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t.length <= maxChars) return t;
  if (maxChars <= 1) return '';
  const room = t.slice(0, maxChars); // the ellipsis takes the place of the cut space
  const cut = room.lastIndexOf(' ');
  if (cut <= 0) return '';
  return `${trimDangling(room.slice(0, cut))}…`;
}

const DANGLING = new Set([' ', ',', ';', ':', '–', '—', '-']);

/** Drops trailing spaces and dangling punctuation (a loop: `/[\s,;:–—-]+$/` rescans a long run from each of its characters). */
function trimDangling(s: string): string {
  let end = s.length;
  while (end > 0 && DANGLING.has(s[end - 1]!)) end--;
  return s.slice(0, end);
}
