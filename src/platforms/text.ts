// Platform-neutral text hygiene for feed text on its way to a chat platform: invisible characters out,
// lengths capped on code point boundaries, only http(s) links kept. Each adapter adds its own escaping.
import { clipText } from '../lib/bounded-text.ts';

// The class lists lone combining/format code points on purpose (they are what we remove).
/** Zero-width, joiner, bidi-control, BOM and other invisible format characters, plus C0/C1 controls except \n and \t. */
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** http(s) URLs in running text (an adapter trims or keeps what follows them as its syntax needs). */
export const URL_IN_TEXT = /https?:\/\/[^\s<>]+/gi;

export function stripInvisible(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '');
}

/** At most `max` characters (code points), ending in an ellipsis when cut (lib/bounded-text.ts clipText). */
export const truncate = clipText;

/** Collapses runs of spaces and blank lines; trims. */
export function tidy(text: string): string {
  return text.replace(/[ \t\u00A0]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

/** Feed text made plain and safe to embed: invisible characters removed, whitespace tidied, length capped. */
export function cleanFeedText(text: string, max: number): string {
  return truncate(tidy(stripInvisible(text)), max);
}

/** The URL, normalised, when it is an absolute http(s) URL without credentials; null otherwise. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(stripInvisible(url).trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password) return null;
    if (u.href.length > 2000) return null;
    return u.href;
  } catch {
    return null;
  }
}

/**
 * Said instead of a command reply with no text (nothing but white space or invisible characters) and no
 * stories: Discord refuses an empty message and Slack an empty block, which would leave the user with an
 * error or nothing at all. The core never means to give one.
 */
export const NO_ANSWER = 'This command gave no answer to show; try /news help, or tell the operator if one was expected.';

/** "Also covered by" under a live alert: at most this many outlets, each with its own headline clipped to ALSO_TITLE_MAX. */
export const ALSO_MAX = 5;
export const ALSO_TITLE_MAX = 120;

/**
 * How many of `lines`, from the first, fit in `max` characters, each counted with the line break after it: no
 * line is cut (a link's markup stays closed).
 */
export function linesThatFit(lines: readonly string[], max: number): number {
  let n = 0;
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > max) break;
    size += line.length + 1;
    n++;
  }
  return n;
}

/** `lines` joined by line breaks, the first ones whose whole fits in `max` characters (joined, one break fewer than linesThatFit counts). */
export function linesWithin(lines: readonly string[], max: number): string {
  return lines.slice(0, linesThatFit(lines, max + 1)).join('\n');
}
