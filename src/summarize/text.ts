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
