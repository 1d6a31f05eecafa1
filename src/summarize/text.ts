// Plain text from whatever a feed or page hands us: HTML leftovers (tags, entities, scripts) removed,
// block-level breaks kept as paragraph breaks, whitespace tidied. Pure and synchronous; linear in the input.
import { removeComments, removeElements } from '../lib/markup-spans.ts';

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', bull: '•', middot: '·',
  copy: '©', reg: '®', trade: '™', pound: '£', euro: '€', yen: '¥', cent: '¢', deg: '°', times: '×',
  eacute: 'é', egrave: 'è', aacute: 'á', agrave: 'à', oacute: 'ó', uacute: 'ú', iacute: 'í', ntilde: 'ñ',
  ouml: 'ö', uuml: 'ü', auml: 'ä', ccedil: 'ç', szlig: 'ß', thinsp: ' ', ensp: ' ', emsp: ' ', shy: '',
  zwnj: '', zwj: '',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return ' ';
      try {
        return String.fromCodePoint(code);
      } catch {
        return ' ';
      }
    }
    const named = NAMED_ENTITIES[body.toLowerCase()];
    return named ?? whole;
  });
}

// `[^<>]*`, not `[^>]*`: a tag ends before the next `<`, so an unclosed `<p<p<p...` costs linear time.
const BLOCK_TAG = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|section|article|header|footer|tr|td|th|table|figure|figcaption|pre|hr|dd|dt|dl)\b[^<>]*>/gi;

/**
 * Strip HTML leftovers and tidy whitespace. Paragraph breaks (block tags, blank lines) become "\n\n";
 * single newlines are kept so the sentence splitter can decide what they mean.
 */
export function cleanText(input: string): string {
  let t = input;
  // Two passes: feeds often escape their HTML twice ("&lt;a href=...&gt;"), which decodes into tags.
  for (let pass = 0; pass < 2 && /<[a-z!/]|&[#a-z0-9]+;/i.test(t); pass++) {
    t = removeElements(removeComments(t, ' '), ['script', 'style', 'noscript', 'template', 'svg', 'iframe'], ' ')
      .replace(BLOCK_TAG, '\n\n')
      .replace(/<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi, ' ');
    t = decodeEntities(t);
  }
  return t
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000\t\f\v]/g, ' ')
    .replace(/\u00ad|\u200c|\u200d|\ufeff/g, '')
    .replace(/ +/g, ' ')
    .replace(/ ?\n ?/g, '\n') // runs of spaces are single by now
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// The line a publisher's feed ends each item with: "The post <title> appeared first on <site>." (WordPress SEO
// plugins' default footer) or "This article, "<title>" first appeared on <site>". It repeats the title, so an
// extractive summary that favours title words picks it, and it makes a short excerpt look long enough to keep.
const FOOTER_VERBS = [' appeared first on ', ' first appeared on '];
const FOOTER_OPENERS = ['The post ', 'This article', 'This post ', 'This story'];
/** How far before its verb the footer's opener may be (a long title), and how long the site's name may run. */
const FOOTER_TITLE_MAX = 600;
const FOOTER_SITE_MAX = 120;
/** What may follow the footer and go with it (a "Discuss this article in our forums" line). */
const FOOTER_AFTER_MAX = 200;
/** The most of a line a footer can take: its title, its longest verb and its site. */
const FOOTER_MAX = FOOTER_TITLE_MAX + Math.max(...FOOTER_VERBS.map((v) => v.length)) + FOOTER_SITE_MAX;

/**
 * The text without the publisher's footer at its end (see above), and without the whitespace before it; the
 * text as it is when it has none. Only the last few lines are read, each with a few indexOf scans: linear,
 * whatever the input.
 */
export function withoutPublisherFooter(text: string): string {
  const end = text.trimEnd().length;
  // The footer's line, or that line followed by at most FOOTER_AFTER_MAX characters of other lines.
  let lineEnd = end;
  while (lineEnd > 0 && end - lineEnd <= FOOTER_AFTER_MAX) {
    const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
    const cut = footerStart(text, lineStart, lineEnd);
    if (cut >= 0) return text.slice(0, cut).trimEnd();
    if (lineStart === 0) break;
    lineEnd = lineStart - 1;
    while (lineEnd > 0 && text[lineEnd - 1] === '\n') lineEnd--;
  }
  return text;
}

/** Where a footer ending the line text[from, to) starts, or -1. Reads at most the line's last FOOTER_MAX characters. */
function footerStart(text: string, from: number, to: number): number {
  const base = Math.max(from, to - FOOTER_MAX);
  const line = text.slice(base, to);
  let verb = -1;
  let verbLength = 0;
  for (const v of FOOTER_VERBS) {
    const at = line.lastIndexOf(v);
    if (at > verb) [verb, verbLength] = [at, v.length];
  }
  if (verb < 0) return -1;
  const site = line.slice(verb + verbLength);
  if (site.length > FOOTER_SITE_MAX || !/\p{L}/u.test(site)) return -1;
  let opener = -1;
  for (const o of FOOTER_OPENERS) {
    const at = line.lastIndexOf(o, verb - 1);
    if (at > opener && verb - at <= FOOTER_TITLE_MAX && (base + at === from || /\s/.test(line[at - 1] ?? ''))) opener = at;
  }
  return opener < 0 ? -1 : base + opener;
}

// A feed excerpt's last words that are the publisher's link to the rest, not the story: "[…]" or "[...]"
// (WordPress's excerpt end), "Continue reading...", "Read more »". A summary made from the excerpt would
// show them as if they were the story's words.
const READ_ON = /(?:\[\s*(?:…|\.{3})\s*\]|\b(?:continue reading|keep reading|read more|read the full (?:story|article))(?:\s*(?:…|\.{3}|»|→|›|>>))?)\s*$/iu;
/** The end of a sentence (or of a cut one, "…", "[…]"), after which a link label stands on its own. */
const SENTENCE_END = /(?:[.!?…]["”’)]?|\.{3}|\[\s*(?:…|\.{3})\s*\])$/u;
/** How much of the text's end is read: the longest label with its spaces. */
const READ_ON_TAIL = 80;

/**
 * The text without the link to the rest of the story at its end (see above). A "Read more" label goes only
 * where it stands on its own line or after a sentence (one that ends a sentence of the story stays); a
 * bracketed "[…]" after a cut sentence becomes "…", so the cut still shows. Reads only the text's last few
 * dozen characters.
 */
export function withoutReadOn(text: string): string {
  const trimmed = text.trimEnd();
  let out = trimmed;
  for (let i = 0; i < 3; i++) {
    const tailStart = Math.max(0, out.length - READ_ON_TAIL);
    const m = READ_ON.exec(out.slice(tailStart));
    if (!m) break;
    const before = out.slice(0, tailStart + m.index).trimEnd();
    const bracket = m[0].trimStart().startsWith('[');
    // On a line of its own, or after a sentence: a label, not the story's words.
    const ownLine = out.slice(before.length, tailStart + m.index).includes('\n');
    if (before === '' || ownLine || SENTENCE_END.test(before)) out = before;
    else if (bracket) out = `${before}…`;
    else break;
  }
  return out === trimmed ? text : out;
}
