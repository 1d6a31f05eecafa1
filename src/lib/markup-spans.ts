// Linear-time removal of HTML spans (comments, CDATA sections, script-like elements) from untrusted text.
// The obvious regexes (`<!--[\s\S]*?-->`, `<script\b[\s\S]*?<\/script>`) rescan to the end of the input
// from every unclosed opener, which turns a few hundred kilobytes of `<!--<!--...` in a feed into minutes
// of CPU. Here each search starts where the last one stopped, and once a closer is known to be missing no
// later opener looks for it again. An unclosed span is left as it is, as those regexes left it.

/** Replaces every `<!-- ... -->` by `replacement`. */
export function removeComments(s: string, replacement: string): string {
  return replaceDelimited(s, '<!--', '-->', () => replacement);
}

/** Replaces every `<![CDATA[ ... ]]>` by its inner text. */
export function unwrapCdata(s: string): string {
  return replaceDelimited(s, '<![CDATA[', ']]>', (inner) => inner);
}

function replaceDelimited(s: string, open: string, close: string, replace: (inner: string) => string): string {
  let at = s.indexOf(open);
  if (at < 0) return s;
  const out: string[] = [];
  let from = 0;
  while (at >= 0) {
    const end = s.indexOf(close, at + open.length);
    if (end < 0) break;
    out.push(s.slice(from, at), replace(s.slice(at + open.length, end)));
    from = end + close.length;
    at = s.indexOf(open, from);
  }
  out.push(s.slice(from));
  return out.join('');
}

/**
 * Replaces each element named in `names` (case-insensitive), from its start tag through its end tag, by
 * `replacement`. `requireTagEnd`: the start tag must be closed by `>` before the next `<` (else any text
 * after the name up to the end tag counts, as `<script\b[\s\S]*?<\/script\s*>` did).
 */
export function removeElements(s: string, names: readonly string[], replacement: string, requireTagEnd = true): string {
  if (!s.includes('<')) return s;
  const alternatives = names.join('|');
  const opener = new RegExp(`<(${alternatives})\\b${requireTagEnd ? '[^<>]*>' : ''}`, 'gi');
  const closers = new Map<string, RegExp>();
  const unclosed = new Set<string>();
  const out: string[] = [];
  let from = 0;
  for (let m = opener.exec(s); m; m = opener.exec(s)) {
    const name = m[1]!.toLowerCase();
    if (unclosed.has(name)) continue;
    let closer = closers.get(name);
    if (!closer) {
      closer = new RegExp(`<\\/${name}\\s*>`, 'gi');
      closers.set(name, closer);
    }
    closer.lastIndex = m.index + m[0].length;
    const c = closer.exec(s);
    if (!c) {
      unclosed.add(name);
      continue;
    }
    out.push(s.slice(from, m.index), replacement);
    from = c.index + c[0].length;
    opener.lastIndex = from;
  }
  if (out.length === 0) return s;
  out.push(s.slice(from));
  return out.join('');
}
