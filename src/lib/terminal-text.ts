// Text from outside (feed titles, error messages quoting a server) made safe to print and to write as XML.
// A terminal obeys escape sequences (colours, cursor moves, window titles, hyperlinks, even "report"
// requests), C0/C1 controls and bidirectional overrides; none of them may reach it from a feed.
// Every expression here is linear in its input.

/**
 * Escape sequences, removed whole so no "[31m" residue is left: CSI (ESC [ or 8-bit 0x9B) with its
 * parameters; OSC, DCS, SOS, PM and APC strings (ESC ] P X ^ _) up to their terminator (BEL or ST) or the
 * end of the text; any other ESC and the character after it. Other 8-bit C1 controls go one by one (they
 * are more often mis-decoded Windows-1252 than an attack, so the text after them is kept).
 */
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[\]PX^_][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\s\S]?/g;

/** C0 controls except tab and line feed, DEL, C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Bidirectional embeddings, overrides, isolates and marks (they reorder what follows them on screen). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Every invisible format character (Unicode category Cf: zero-width, joiners, bidi, BOM, tags...). */
const FORMAT = /\p{Cf}/gu;

/** Characters outside XML 1.0's Char production (lone surrogates and U+FFFE/U+FFFF included). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/**
 * Multi-line text made safe for a terminal: escape sequences, controls (except tab and newline; a lone
 * carriage return could overwrite the line) and bidi overrides removed. Text without them is unchanged.
 */
export function terminalSafe(text: string): string {
  // A fast path: most output is plain ASCII or ordinary Unicode.
  if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(text)) return text;
  return text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(BIDI, '');
}

/**
 * One line of plain text (a feed title, a stored error): escape sequences, controls, every invisible
 * format character, lone surrogates and the noncharacters U+FFFE/U+FFFF removed, whitespace (line breaks included) collapsed, at most `max` characters
 * (code points). Empty when nothing visible is left.
 */
export function plainLine(text: string, max = Infinity): string {
  const line = text
    .replace(ESCAPE_SEQUENCE, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(FORMAT, '')
    .replace(/\p{Cs}|[\ufffe\uffff]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!Number.isFinite(max)) return line;
  const chars = Array.from(line);
  return chars.length <= max ? line : chars.slice(0, max).join('').trimEnd();
}

/** Text with every character XML 1.0 forbids removed (before escaping `&`, `<`, `>` and quotes). */
export function xmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}
