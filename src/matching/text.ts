// Text normalisation shared by the topic compiler, the matcher and derive-topics: one tokenizer, one
// stemmer, so a term and the text it should match are always reduced the same way.

const COMBINING_MARKS = /\p{M}+/gu;
const NON_ASCII = /[^\x00-\x7f]/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Folds accents (NFKD, marks removed) and typographic quotes; keeps case. */
export function foldAccents(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').replace(/[\u2018\u2019\u02bc]/g, "'");
}

function isWordCode(code: number, text: string, i: number): boolean {
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
  }
  if (code >= 0xd800 && code <= 0xdfff) return isAstralWordUnit(code, text, i);
  return WORD_CHAR.test(text[i] ?? '');
}

/**
 * A letter or digit outside the BMP (a CJK extension ideograph, Deseret, Osage) is two code units, a
 * surrogate pair: both units are word characters, so the token spans the pair. A surrogate without its
 * partner is not a word character.
 */
function isAstralWordUnit(code: number, text: string, i: number): boolean {
  const cp = text.codePointAt(code <= 0xdbff ? i : i - 1);
  return cp !== undefined && cp > 0xffff && WORD_CHAR.test(String.fromCodePoint(cp));
}

function isLetterCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

/**
 * Token boundaries of `text` (already accent-folded) written into `out` as [start, end) pairs.
 * Words are runs of letters and digits. A possessive `'s` is dropped ("China's" -> "China"), and dotted
 * single-letter acronyms are joined ("U.S." -> one token whose form is "US", see tokenForm).
 * Returns the number of tokens.
 */
export function scanTokens(text: string, out: TokenBuffer): number {
  let count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (!isWordCode(code, text, i)) {
      i++;
      continue;
    }
    const start = i;
    i++;
    // An underscore between word characters joins them: "Sandworm_Mode" is one name, not "Sandworm".
    while (i < n && (isWordCode(text.charCodeAt(i), text, i) || (text.charCodeAt(i) === 95 && isWordCode(text.charCodeAt(i + 1), text, i + 1)))) i++;
    let end = i;
    // Dotted acronym: U.S. / U.K. / U.S.A. (single letters separated by dots).
    if (end - start === 1 && isLetterCode(code) && text.charCodeAt(i) === 46) {
      let j = i;
      while (
        text.charCodeAt(j) === 46 &&
        isLetterCode(text.charCodeAt(j + 1)) &&
        !isWordCode(text.charCodeAt(j + 2), text, j + 2)
      ) {
        j += 2;
      }
      if (j > i) {
        end = text.charCodeAt(j) === 46 ? j + 1 : j;
        i = end;
      }
    }
    // Possessive 's after an apostrophe: skip it.
    const c = text.charCodeAt(i);
    if ((c === 39 || c === 0x2019) && (text.charCodeAt(i + 1) | 32) === 115 && !isWordCode(text.charCodeAt(i + 2), text, i + 2)) {
      i += 2;
    }
    out.push(count, start, end);
    count++;
  }
  return count;
}

/** The surface form of a token: its characters without the dots of a dotted acronym. */
export function tokenForm(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  return raw.includes('.') ? raw.replace(/\./g, '') : raw;
}

/** Growable [start, end) storage reused across documents to avoid allocation per token. */
export class TokenBuffer {
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  push(index: number, start: number, end: number): void {
    if (index >= this.starts.length) {
      const starts = new Int32Array(this.starts.length * 2);
      starts.set(this.starts);
      const ends = new Int32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[index] = start;
    this.ends[index] = end;
  }
}

/**
 * Light, deterministic inflection stripping (not a linguistic stemmer): plural and -ing/-ed endings,
 * then a final e. spy/spies/spying/spied -> "spy"; hackers -> "hacker"; state/states -> "stat".
 * Input must be lower case. Words of three letters or fewer are left alone.
 */
export function stem(word: string): string {
  let w = word;
  const n = w.length;
  if (n <= 3 || !/[a-z]$/.test(w) || KEEP.has(w)) return w;
  if (n > 4 && (w.endsWith('ies') || w.endsWith('ied'))) return w.slice(0, -3) + 'y';
  if (n > 5 && w.endsWith('ying')) return w.slice(0, -3);
  if (n > 5 && w.endsWith('ing')) {
    w = undouble(w.slice(0, -3));
  } else if (n > 4 && w.endsWith('ed') && !w.endsWith('eed')) {
    w = undouble(w.slice(0, -2));
  } else if (w.endsWith('sses')) {
    w = w.slice(0, -2);
  } else if (n > 4 && /(?:ch|sh|x|z)es$/.test(w)) {
    w = w.slice(0, -2);
  } else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.slice(0, -1);
  }
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** The stems of whitespace-separated words, as a set (word lists that match by stem). */
export const stemSet = (words: string): Set<string> => new Set(words.split(/\s+/).filter((w) => w !== '').map((w) => stem(w.toLowerCase())));

/** Words whose ending is not an inflection ("according" is not a form of "accord"). */
const KEEP = new Set([
  'according', 'during', 'morning', 'evening', 'nothing', 'something', 'anything', 'everything', 'thing',
  'things', 'spring', 'string', 'strings', 'ceiling', 'wedding', 'pudding', 'darling', 'news', 'series',
  'species', 'analysis', 'crisis', 'bias', 'gas', 'lens', 'always', 'perhaps', 'nexus', 'towards',
]);

function undouble(w: string): string {
  const n = w.length;
  if (n >= 4 && w[n - 1] === w[n - 2] && !'lsz'.includes(w[n - 1] ?? '')) return w.slice(0, -1);
  return w;
}

/** Case form used by exact-case terms: trailing plural `s` of an all-caps token dropped (APTs -> APT). */
export function caseForm(form: string): string {
  if (form.length > 2 && form.endsWith('s')) {
    const head = form.slice(0, -1);
    if (head === head.toUpperCase() && /[A-Z]/.test(head)) return head;
  }
  return form;
}

/** A token written with capitals and no lower-case letter (APT, GRU, APT28, US) is matched by case. */
export function looksLikeAcronym(form: string): boolean {
  return form.length >= 2 && /[A-Z]/.test(form) && !/[a-z]/.test(form);
}

/** True when most letters of `text` are capitals: acronyms cannot be told from words there. */
export function isShouting(text: string): boolean {
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  return upper + lower >= 12 && lower * 5 < upper;
}

/** Removes HTML tags and decodes the common entities; linear, for feed descriptions holding markup. */
export function stripMarkup(text: string): string {
  if (!text.includes('<') && !text.includes('&')) return text;
  return text
    .replace(/<[^<>]*>/g, ' ') // `[^<>]`: an unclosed `<` stops at the next one, so `<<<<...` stays linear
    .replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos|nbsp));/gi, (_m, dec: string, hex: string, name: string) => {
      const code = dec ? Number(dec) : hex ? parseInt(hex, 16) : -1;
      if (code >= 0) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[name.toLowerCase()] ?? ' ';
    });
}

export interface SimpleToken {
  /** Surface form, accents folded, case kept. */
  form: string;
  lower: string;
  stem: string;
}

/** Tokenizes a short string (terms, keywords, derive-topics input); the matcher uses scanTokens directly. */
export function tokenize(text: string): SimpleToken[] {
  const folded = foldAccents(text);
  const buf = new TokenBuffer();
  const count = scanTokens(folded, buf);
  const tokens: SimpleToken[] = [];
  for (let k = 0; k < count; k++) {
    const form = tokenForm(folded, buf.starts[k] ?? 0, buf.ends[k] ?? 0);
    const lower = form.toLowerCase();
    tokens.push({ form, lower, stem: stem(lower) });
  }
  return tokens;
}
