// A field's tokens as the knowledge and scorer modules read them: surface form (accents folded, case
// kept), lower case, and stem, in parallel arrays. One tokenisation per field serves entities, concepts'
// spans and word features.
import type { TokenizedField } from '../term-index.ts';
import { foldAccents, scanTokens, stem, TokenBuffer, tokenForm } from '../text.ts';

export interface FieldTokens {
  /** The text tokenised (accents folded); token k is text.slice(starts[k], ends[k]). */
  text: string;
  starts: number[];
  ends: number[];
  form: string[];
  lower: string[];
  stem: string[];
}

const buffer = new TokenBuffer();

/** Tokenises a field of text (plain text, markup already removed). */
export function fieldTokens(raw: string): FieldTokens {
  const out: FieldTokens = { text: '', starts: [], ends: [], form: [], lower: [], stem: [] };
  if (!raw) return out;
  const text = foldAccents(raw);
  out.text = text;
  const count = scanTokens(text, buffer);
  for (let k = 0; k < count; k++) {
    const start = buffer.starts[k] ?? 0;
    const end = buffer.ends[k] ?? 0;
    const form = tokenForm(text, start, end);
    const lower = form.toLowerCase();
    out.starts.push(start);
    out.ends.push(end);
    out.form.push(form);
    out.lower.push(lower);
    out.stem.push(stem(lower));
  }
  return out;
}

/** Short strings (aliases, names): form and lower case per token. */
export function simpleTokens(text: string): { form: string; lower: string }[] {
  const t = fieldTokens(text);
  return t.form.map((form, i) => ({ form, lower: t.lower[i]! }));
}

/** Tokens [start, end) of a field as the text wrote them ("China-linked", "U.S."), runs of space made one. */
export function spanText(t: FieldTokens, start: number, end: number): string {
  if (end <= start) return '';
  const text = t.text.slice(t.starts[start] ?? 0, t.ends[end - 1] ?? 0);
  return end - start === 1 ? text : text.replace(/\s+/g, ' ');
}

/**
 * A field's tokens as TermIndex.scanPrepared reads them, with its FIELD_BIT and whether its text is shouting.
 * A literal of one shape, not a spread: spread copies gave the scan objects of many shapes (half the
 * scorer's speed).
 */
export function prepare(t: FieldTokens, bit: number, shouting: boolean): TokenizedField {
  return { text: t.text, starts: t.starts, ends: t.ends, form: t.form, stem: t.stem, bit, shouting };
}
