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

/** HTML elements with no end tag, and ones whose end tag is optional (not counted either way). */
const NOT_NESTING = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'thead', 'tbody', 'tfoot', 'colgroup', 'rt', 'rp',
]);

/**
 * True when elements nest deeper than `limit` somewhere in `s` (comments, CDATA, processing instructions
 * and declarations skipped; `html`: void elements and those with optional end tags not counted). One
 * linear pass, for refusing documents that would make a DOM or XML parser recurse or crawl.
 */
export function nestsDeeperThan(s: string, limit: number, html = false): boolean {
  let depth = 0;
  let i = s.indexOf('<');
  let gt = -1; // the next '>' at or after i, found once and reused, so broken tags cost linear time
  while (i >= 0 && i < s.length) {
    const skipTo = (close: string): number => {
      const end = s.indexOf(close, i);
      return end < 0 ? -1 : end + close.length;
    };
    let next: number;
    if (s.startsWith('<!--', i)) next = skipTo('-->');
    else if (s.startsWith('<![CDATA[', i)) next = skipTo(']]>');
    else if (s.startsWith('<?', i)) next = skipTo('?>');
    else {
      if (gt < i) gt = s.indexOf('>', i);
      if (gt < 0) return false;
      const lt = s.indexOf('<', i + 1);
      if (lt >= 0 && lt < gt) {
        next = lt; // "<" inside text or a broken tag: not a tag
      } else {
        next = gt + 1;
        const c = s.charCodeAt(i + 1);
        if (c === 47 /* / */) {
          if (!html || !NOT_NESTING.has(tagName(s, i + 2))) depth = Math.max(0, depth - 1);
        } else if (c !== 33 /* ! */ && s.charCodeAt(gt - 1) !== 47 /* / */ && !(html && NOT_NESTING.has(tagName(s, i + 1)))) {
          if (++depth > limit) return true;
        }
      }
    }
    if (next < 0) return false;
    i = s.indexOf('<', next);
  }
  return false;
}

function tagName(s: string, from: number): string {
  let end = from;
  while (end < s.length && end - from < 20) {
    const c = s.charCodeAt(end);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 58)) break;
    end++;
  }
  return s.slice(from, end).toLowerCase();
}
