// Clean text from feed HTML for matching and summaries: scripts, styles and comments dropped, block
// elements turned into line breaks, tags stripped, entities decoded, whitespace tidied. The original HTML
// is kept elsewhere; this is only the text view of it. Linear in the input, however broken the markup.
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

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return ' ';
      return String.fromCodePoint(code);
    }
    return NAMED[body] ?? NAMED[body.toLowerCase()] ?? whole;
  });
}

// `[^<>]*`, not `[^>]*`: a tag ends before the next `<`, so an unclosed `<a<a<a...` costs linear time.
const BLOCK = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|section|article|header|footer|tr|td|th|table|figure|figcaption|pre|hr|dd|dt|dl)\b[^<>]*>/gi;

/** Plain text of an HTML fragment (or of plain text that merely contains entities). */
export function htmlToText(html: string | null | undefined): string {
  if (!html) return '';
  let s = html;
  if (s.includes('<')) {
    s = unwrapCdata(removeElements(removeComments(s, ' '), ['script', 'style', 'noscript', 'iframe', 'svg', 'template'], ' ', false))
      .replace(BLOCK, '\n')
      .replace(/<\/?[a-z][^<>]*>/gi, '');
  }
  s = decodeEntities(s).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b]/g, '');
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
