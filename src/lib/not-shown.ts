// The note that ends a list cut short: "…3 more lines not shown". One wording for every place that shortens
// what it shows (a command's lines, a platform's messages, a reply's stories); each caller adds why, or what
// to do about it ("…: Discord takes at most 5 messages", "…; ask for fewer with a count.").

/** A count and its noun, (singular, plural). */
export type Noun = readonly [singular: string, plural: string];

export const LINES: Noun = ['line', 'lines'];
export const STORIES: Noun = ['story', 'stories'];

/** `1 story`, `2 stories`: a count and its noun. */
export function counted(count: number, noun: Noun): string {
  return `${count} ${count === 1 ? noun[0] : noun[1]}`;
}

/** `…N more <noun> not shown`, without a full stop: the caller ends the sentence. */
export function notShown(count: number, noun: Noun): string {
  return `…${count} more ${count === 1 ? noun[0] : noun[1]} not shown`;
}
