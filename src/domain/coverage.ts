// How a story's other coverage is told in lists (the CLI's `alerts list`, the dashboard's alert history).

/** "also covered by 1 other feed", "... 3 other feeds": a story's other items the channel may see (one per feed). */
export function coveredBy(n: number): string {
  return `also covered by ${n} other ${n === 1 ? 'feed' : 'feeds'}`;
}
