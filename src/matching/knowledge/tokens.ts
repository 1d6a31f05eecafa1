// A field's tokens as the knowledge and scorer modules read them: surface form (accents folded, case
// kept), lower case, and stem, in parallel arrays. One tokenisation per field serves entities, concepts'
// spans and word features.
import { foldAccents, scanTokens, stem, TokenBuffer, tokenForm } from '../text.ts';

export interface FieldTokens {
  form: string[];
  lower: string[];
  stem: string[];
}

const buffer = new TokenBuffer();

/** Tokenises a field of text (plain text, markup already removed). */
export function fieldTokens(raw: string): FieldTokens {
  const out: FieldTokens = { form: [], lower: [], stem: [] };
  if (!raw) return out;
  const text = foldAccents(raw);
  const count = scanTokens(text, buffer);
  for (let k = 0; k < count; k++) {
    const form = tokenForm(text, buffer.starts[k] ?? 0, buffer.ends[k] ?? 0);
    const lower = form.toLowerCase();
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
