// The order a feed's new entries are stored and handed on in: oldest first by publication date, so a channel
// that gets several stories at once (a feed's burst, a catch-up after downtime) reads them in the order they
// happened, the newest at the bottom, as chat is read. Feeds mostly list their newest entry first. Entries with
// the same date keep the feed's order; when any entry has no date, none can be placed by date, and the feed's
// order is kept as it is. Pure; the input is not changed.

/** A list's entries oldest first (see the module comment). */
export function oldestFirst<T extends { publishedAt: Date | null }>(entries: readonly T[]): T[] {
  const times = entries.map((e) => e.publishedAt?.getTime());
  if (times.some((t) => t === undefined || !Number.isFinite(t))) return [...entries];
  const order = entries.map((_, i) => i);
  order.sort((a, b) => times[a]! - times[b]! || a - b);
  return order.map((i) => entries[i]!);
}

/** When a stored item happened, for ordering and clustering: its publication date, unless missing or later than its fetch. */
export function storyTime(item: { publishedAt: Date | null; fetchedAt: Date }): Date {
  if (!item.publishedAt || item.publishedAt.getTime() > item.fetchedAt.getTime()) return item.fetchedAt;
  return item.publishedAt;
}
