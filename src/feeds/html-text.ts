// Clean text from feed HTML for matching and summaries: scripts, styles and comments dropped, block
// elements turned into line breaks, tags stripped, entities decoded, controls and invisible format
// characters removed, whitespace tidied. The original HTML is kept elsewhere; this is only the text view
// of it. Linear in the input, however broken the markup.
import { removeComments, removeElements, unwrapCdata } from '../lib/markup-spans.ts';

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', bull: '•', middot: '·',
  copy: '©', reg: '®', trade: '™', pound: '£', euro: '€', yen: '¥', cent: '¢', deg: '°', times: '×',
  eacute: 'é', egrave: 'è', ecirc: 'ê', aacute: 'á', agrave: 'à', acirc: 'â', oacute: 'ó', ocirc: 'ô',
  uacute: 'ú', iacute: 'í', ntilde: 'ñ', ouml: 'ö', uuml: 'ü', auml: 'ä', ccedil: 'ç', szlig: 'ß',
  Eacute: 'É', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', thinsp: ' ', ensp: ' ', emsp: ' ', shy: '', zwnj: '', zwj: '',
  rarr: '→', larr: '←', sect: '§', para: '¶', frac12: '½', iexcl: '¡', iquest: '¿',
};

/** What HTML makes of &#128;..&#159; (Windows-1252, as old feeds mean them): &#146; is ’, not a control. */
const WINDOWS_1252: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02c6,
  0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c,
  0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a,
  0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return ' ';
      return String.fromCodePoint(WINDOWS_1252[code] ?? code);
    }
    return NAMED[body] ?? NAMED[body.toLowerCase()] ?? whole;
  });
}

// `[^<>]*`, not `[^>]*`: a tag ends before the next `<`, so an unclosed `<a<a<a...` costs linear time.
const BLOCK = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|section|article|header|footer|tr|td|th|table|figure|figcaption|pre|hr|dd|dt|dl)\b[^<>]*>/gi;

const INVISIBLE_OR_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cf}/gu;

/** What makes the line-by-line tidying below do more than trim: line breaks, tabs, wide spaces, two spaces. */
const NEEDS_TIDY = /[\t\n\r\u00a0\u2000-\u200a\u202f\u205f\u3000]| {2}/;

/** Plain text of an HTML fragment (or of plain text that merely contains entities). */
export function htmlToText(html: string | null | undefined): string {
  if (!html) return '';
  let s = html;
  if (s.includes('<')) {
    s = unwrapCdata(removeElements(removeComments(s, ' '), ['script', 'style', 'noscript', 'iframe', 'svg', 'template'], ' ', false))
      .replace(BLOCK, '\n')
      .replace(/<\/?[a-z][^<>]*>/gi, '');
  }
  // Controls (C0 but tab and line breaks, DEL, C1) and every invisible format character (Unicode Cf:
  // zero-width space and joiners, word joiner, bidi marks, overrides and isolates, BOM, soft hyphen, tags)
  // go, so "ransom\u2060ware" is one word to the matcher and no override reorders a title on screen.
  s = decodeEntities(s).replace(INVISIBLE_OR_CONTROL, '');
  // Most titles and many descriptions are one line with single spaces: the tidying would only trim them.
  if (!NEEDS_TIDY.test(s)) return s.trim();
  // Collapse runs of spaces, keep one newline between blocks.
  const lines = s.split(/\r?\n|\r/);
  const out: string[] = [];
  for (const line of lines) {
    const t = line.replace(/[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+/g, ' ').trim();
    if (t) out.push(t);
  }
  return out.join('\n');
}

/** Text on one line (titles). */
export function oneLine(s: string | null | undefined): string {
  return htmlToText(s).replace(/\s+/g, ' ').trim();
}
