// Which topics a channel follows. A channel that asked for every topic (/news subscribe with no topic, the
// console at first start) stores EVERY_TOPIC instead of the list of the day, so a topic added later (a new
// default, one saved on the dashboard) reaches it too; a channel that named topics follows those only.

/** The stored subscription that stands for every topic, now and later. Never a topic id (ids are a-z, 0-9, -). */
export const EVERY_TOPIC = '*';

export function followsEvery(stored: readonly string[]): boolean {
  return stored.includes(EVERY_TOPIC);
}

/** The topic ids a channel follows now: every current topic when it follows every topic, else what it stored. */
export function followedTopicIds(stored: readonly string[], topics: readonly { id: string }[]): string[] {
  return followsEvery(stored) ? topics.map((t) => t.id) : [...stored];
}
