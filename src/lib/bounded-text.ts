// Text a remote party controls (a hub's refusal body, a redirect's Location, a platform's error, a hub's
// hub.reason) that becomes part of an error message: stored in a `last_error` column, shown on the
// dashboard, in chat (/news status) and in the CLI, and logged. Bounded here and nowhere else: one line,
// escape sequences, controls and invisible format characters removed (terminal-text.ts), cut on a
// character (code point) boundary, and saying that it was cut.
// clipText is the plain cut for text shown as it is (a summary, a description, a word someone typed): on a
// character boundary too, with an ellipsis; every such cut uses it rather than a raw .slice().
import { errorMessage } from './errors.ts';
import { plainLine } from './terminal-text.ts';

/** Longest error text stored in a `last_error` (or pause / disable reason) column, marker included. */
export const STORED_ERROR_MAX = 1000;
/** Longest pause reason stored for a channel (it quotes a platform's refusal: see REMOTE_ERROR_MAX). */
export const PAUSE_REASON_MAX = 500;
/** Longest piece of a remote party's text quoted inside one of our sentences (a URL, a body). */
export const QUOTE_MAX = 200;
/**
 * Longest error sentence built around a remote answer (a platform's refusal), so it fits, with our own
 * words around it, in a stored error, a channel's pause reason (PAUSE_REASON_MAX) and a notice posted to the channel.
 */
export const REMOTE_ERROR_MAX = 400;

/** Added where text was cut; counts what was left out, so a reader knows the rest exists. */
const cutMarker = (total: number) => ` …[cut: ${total} characters in all]`;

/** How many characters `text` holds as people count them: code points, so an emoji is one, not two code units. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

let graphemes: Intl.Segmenter | null = null;

/**
 * `text` at most `max` characters (code points) long, ending in an ellipsis (one of the `max`) when cut: never
 * inside what a reader sees as one character (a grapheme): not between the two halves of an emoji, nor inside
 * a flag (two regional letters), a family or skin-tone emoji (joined by U+200D) or a letter with its accents.
 * For text shown as it is (a summary, a word someone typed, a value echoed in an error) where boundedText's
 * cleaning and marker are not wanted; only the first `max` + 1 characters are looked at. Every shown cut uses
 * it rather than a raw .slice() and "...".
 */
export function clipText(text: string, max: number): string {
  // Code units count at least as many as code points: text this short is never over.
  if (text.length <= max) return text;
  const head = firstChars(text, max + 1);
  if (codePoints(head) <= max) return text;
  const keep = firstChars(head, max - 1);
  // Two characters under U+0300 always have a grapheme boundary between them but for CR LF (UAX #29: nothing
  // there extends, joins or prepends): then the cut itself is the boundary, and the segmenter, which costs
  // far more than the rest (matching's reasons cut a quote for every hit), is not needed.
  const before = keep.charCodeAt(keep.length - 1);
  const after = head.charCodeAt(keep.length);
  if (before < 0x300 && after < 0x300 && !(before === 13 && after === 10)) return `${keep.trimEnd()}…`;
  // Back to the last grapheme boundary within `keep`; the grapheme that crosses the cut is left out whole
  // (unless one grapheme alone is longer than the room: then it is cut on a code point, never half of one).
  const end = lastGraphemeEnd(head, keep.length);
  return `${(end > 0 ? keep.slice(0, end) : keep).trimEnd()}…`;
}

/** Where the last grapheme of `text` that ends at or before `limit` (code units) ends; 0 when none does. */
function lastGraphemeEnd(text: string, limit: number): number {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let end = 0;
  for (const g of graphemes.segment(text)) {
    if (g.index + g.segment.length > limit) break;
    end = g.index + g.segment.length;
  }
  return end;
}

/** The first `n` characters (code points) of `text`, never half an emoji or other astral character; only they are looked at. */
export function firstChars(text: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < text.length; k++) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
  return text.slice(0, i);
}

/**
 * `text` as one clean line of at most `max` characters (code points), the marker included when it was cut.
 * Only a bounded prefix is cleaned, so a megabyte costs no more than a few kilobytes.
 */
export function boundedText(text: string, max: number = STORED_ERROR_MAX): string {
  // Cleaning only removes or collapses characters, so the first 4 * max + 64 code units always hold at
  // least `max` characters of clean text, unless the text is mostly controls (then it is shorter: fine).
  const window = 4 * max + 64;
  const clean = plainLine(text.length > window ? text.slice(0, window) : text);
  const cleanChars = codePoints(clean);
  if (text.length <= window && cleanChars <= max) return clean;
  const total = text.length > window ? codePoints(text) : cleanChars;
  const marker = cutMarker(total);
  const keep = Math.max(0, max - marker.length);
  return `${plainLine(clean, keep)}${marker}`;
}

/** A remote party's text quoted inside one of our sentences (QUOTE_MAX characters). */
export const quoted = (text: string): string => boundedText(text, QUOTE_MAX);

/** An error text as stored in a `last_error` column and shown from there (STORED_ERROR_MAX characters). */
export const storedError = (text: string): string => boundedText(text, STORED_ERROR_MAX);

/** A channel's pause reason as stored and shown (`/news status`, the dashboard): PAUSE_REASON_MAX characters. */
export const pauseReason = (text: string): string => boundedText(text, PAUSE_REASON_MAX);

/** An error made from a remote answer (a platform's refusal) as one bounded line (REMOTE_ERROR_MAX characters). */
export const remoteErrorText = (err: unknown): string => boundedText(errorMessage(err), REMOTE_ERROR_MAX);
