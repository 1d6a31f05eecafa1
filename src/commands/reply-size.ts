// How much text one command reply may carry: what every platform shows in answer to one command. Discord
// is the tighter: at most 5 messages of 2,000 characters (platforms/discord/reply-messages.ts; Slack takes
// 5 of 36,000). Lines are not cut across messages and escaping lengthens text (`_` becomes `\_`), so room
// is kept; a reply that still overflows is cut by the adapter, with its own note.
import { notShown, type Noun } from '../lib/not-shown.ts';

export const REPLY_TEXT_MAX = 8000;

/**
 * `lines` joined with line breaks, whole lines only, within `max` characters; when some do not fit, the
 * last line says how many were left out (`…3 more topics not shown.`), counted with `noun` (singular, plural).
 */
export function fitLines(lines: readonly string[], noun: Noun, max = REPLY_TEXT_MAX): string {
  const all = lines.join('\n');
  if (all.length <= max) return all;
  // Room for the note at its longest (the count of every line).
  const note = (n: number) => `${notShown(n, noun)}.`;
  const room = max - note(lines.length).length - 1;
  let text = '';
  let shown = 0;
  for (const line of lines) {
    const next = shown === 0 ? line : `${text}\n${line}`;
    if (next.length > room) break;
    text = next;
    shown++;
  }
  return shown === 0 ? note(lines.length) : `${text}\n${note(lines.length - shown)}`;
}
