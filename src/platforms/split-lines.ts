// Long text cut into pieces a platform takes (a Slack section's 3,000 characters, say), so a long reply
// arrives whole: at line breaks, then, for a line too long on its own, at spaces, so no word or link is cut.
// Only a single word longer than a piece (no space in `max` characters) is cut inside, and never inside
// a surrogate pair or an HTML entity (`&amp;`), so what an adapter escaped stays escaped. An adapter may
// name spans of a line that are never cut either (Discord: a link, a code span, a backslash escape).

/** Spans of a line, `[start, end)`, that a cut must not fall inside (nor a space inside them be cut at). */
export type Unbreakable = (line: string) => ReadonlyArray<readonly [number, number]>;

/** `text` in pieces of at most `max` UTF-16 units, in order; joining them with line breaks or spaces gives `text` back. */
export function splitAtLines(text: string, max: number, unbreakable?: Unbreakable): string[] {
  if (max < 16) throw new Error(`splitAtLines: max ${max} is too small`);
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    if (current !== '') pieces.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const joined = current === '' ? line : `${current}\n${line}`;
    if (joined.length <= max) {
      current = joined;
      continue;
    }
    flush();
    if (line.length <= max) current = line;
    else for (const part of splitLine(line, max, unbreakable)) pieces.push(part);
  }
  flush();
  return pieces.length ? pieces : [''];
}

/** A line longer than `max`, cut at spaces (the space at a cut is dropped), never inside an unbreakable span but one longer than `max`. */
function splitLine(line: string, max: number, unbreakable?: Unbreakable): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const spans = unbreakable ? unbreakable(rest) : [];
    const spanAt = (at: number) => spans.find(([s, e]) => s < at && at < e);
    let space = rest.lastIndexOf(' ', max);
    while (space > 0 && spans.some(([s, e]) => s <= space && space < e)) space = rest.lastIndexOf(' ', space - 1);
    if (space > 0) {
      out.push(rest.slice(0, space));
      rest = rest.slice(space + 1);
    } else {
      let at = safeCut(rest, max);
      // A span longer than a piece is cut inside: there is no other way to send it.
      const span = spanAt(at);
      if (span && span[0] > 0) at = span[0];
      out.push(rest.slice(0, at));
      rest = rest.slice(at);
    }
  }
  if (rest !== '') out.push(rest);
  return out;
}

/** The largest cut at or before `max` that is neither inside a surrogate pair nor inside an entity such as `&amp;`. */
function safeCut(text: string, max: number): number {
  let at = max;
  const amp = text.lastIndexOf('&', at - 1);
  if (amp >= 0 && amp > at - 10 && /^&(?:#\d+|#x[0-9a-f]+|[a-z]+);/i.test(text.slice(amp, amp + 12)) && text.indexOf(';', amp) >= at) at = amp;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at -= 1;
  return at > 0 ? at : max;
}
