// A set of terms compiled into one token automaton. scan() reads each field of a document once and
// reports, per term, the fields it was found in. Shared by topics and channel keywords.
import type { MatchField } from '../domain/types.ts';
import { clipText } from '../lib/bounded-text.ts';
import { caseForm, foldAccents, isShouting, scanTokens, stem, TokenBuffer, tokenForm } from './text.ts';
import { TokenAutomaton } from './token-automaton.ts';
import { targetAfterState, type PhraseTokens } from './knowledge/target-phrase.ts';
import { termVariants, type CaseMode } from './term-variants.ts';

export interface MatchDoc {
  title: string;
  description?: string | null;
  content?: string | null;
}

export const FIELDS: readonly MatchField[] = ['title', 'description', 'content'];
export const FIELD_BIT: Record<MatchField, number> = { title: 1, description: 2, content: 4 };

interface Pattern {
  term: number;
  phrase: string;
  length: number;
  /** Per token: required case form, or null. Null overall when no token is case-sensitive. */
  exact: (string | null)[] | null;
  /** A hit does not count when its words from the second on name what is attacked (TermOptions). */
  notBeforeTarget: boolean;
}

/** How a term's hits are read beyond its words. */
export interface TermOptions {
  /**
   * The term begins with a state's name ("Russian government"): a hit does not count when the words after
   * that name (the hit's second word on) make the state what is attacked ("Russian government networks"),
   * as the relevance scorer reads them (knowledge/target-phrase.ts).
   */
  notBeforeTarget?: boolean;
}

/** A field already tokenised (knowledge/tokens.ts): its text as tokenised, token spans, forms and stems. */
export interface TokenizedField {
  /** The text the spans index (accents folded, as fieldTokens tokenised it). */
  text: string;
  starts: ArrayLike<number>;
  ends: ArrayLike<number>;
  form: readonly string[];
  stem: readonly string[];
  bit: number;
  shouting: boolean;
}

/** Characters of found text kept for a reason (a phrase of up to four words fits). */
const FOUND_TEXT_CHARS = 60;

export interface ScanResult {
  /** Bit mask of fields (FIELD_BIT) per term id; valid until the next scan. */
  readonly masks: Uint8Array;
  /** Ids of the terms found, in first-found order. */
  readonly found: readonly number[];
}

export class TermIndex {
  private readonly automaton = new TokenAutomaton();
  private readonly symbols = new Map<string, number>();
  private readonly patterns: Pattern[] = [];
  private readonly keys = new Map<string, number>();
  private readonly terms: string[] = [];
  private readonly buffer = new TokenBuffer();
  private masks = new Uint8Array(0);
  private firstPattern = new Int32Array(0);
  /** Where each term was first found in the last scan: the field's text and the span's characters. */
  private firstText: string[] = [];
  private firstFrom = new Int32Array(0);
  private firstTo = new Int32Array(0);
  private found: number[] = [];
  private hasExact = false;
  private built = false;

  /** Registers a term (deduplicated by text and case mode); returns its id. Throws Error on a bad term. */
  add(term: string, mode: CaseMode = 'auto', options: TermOptions = {}): number {
    const notBeforeTarget = options.notBeforeTarget === true;
    const key = `${mode}\u0000${notBeforeTarget ? 'T' : ''}\u0000${term}`;
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    if (this.built) throw new Error('matcher: cannot add terms after build()');
    const id = this.terms.length;
    for (const v of termVariants(term, mode)) {
      const exact = v.exact.some((e) => e !== null) ? v.exact : null;
      if (exact) this.hasExact = true;
      const patternId = this.patterns.length;
      this.patterns.push({ term: id, phrase: v.phrase, length: v.stems.length, exact, notBeforeTarget });
      this.automaton.add(v.stems.map((s) => this.symbolFor(s)), patternId);
    }
    this.terms.push(term);
    this.keys.set(key, id);
    return id;
  }

  /** The phrase of `id` found first by the last scan (the term itself when it has no alternatives). */
  foundPhrase(id: number): string {
    if ((this.masks[id] ?? 0) === 0) return this.termText(id);
    return this.patterns[this.firstPattern[id] ?? 0]?.phrase ?? this.termText(id);
  }

  /**
   * The words of the document that `id` matched first in the last scan, as written there ("cyberespionage"
   * for the term "cyber espionage", "U.S." for "US"), runs of space made one, clipped; the term itself
   * when it was not found.
   */
  foundText(id: number): string {
    if ((this.masks[id] ?? 0) === 0) return this.termText(id);
    const words = (this.firstText[id] ?? '').slice(this.firstFrom[id] ?? 0, this.firstTo[id] ?? 0);
    // One token holds no space; a phrase's words may stand apart by any run of it.
    const one = (this.patterns[this.firstPattern[id] ?? 0]?.length ?? 1) === 1 ? words : words.replace(/\s+/g, ' ');
    return clipText(one, FOUND_TEXT_CHARS);
  }

  /**
   * What a reason quotes for `id` after the last scan: the document's words (foundText), and the phrase that
   * matched when those words spell it otherwise beyond case (`Cyber-espionage` for `cyberespionage`), so a
   * reader can tell which term or keyword it was; null when they are the same.
   */
  foundSpelling(id: number): { text: string; phrase: string | null } {
    const text = this.foundText(id);
    const phrase = this.foundPhrase(id);
    const same = text === phrase || (text.length === phrase.length && text.toLowerCase() === phrase.toLowerCase());
    return { text, phrase: same ? null : phrase };
  }

  termText(id: number): string {
    return this.terms[id] ?? '';
  }

  get termCount(): number {
    return this.terms.length;
  }

  build(): this {
    this.automaton.build();
    this.masks = new Uint8Array(this.terms.length);
    this.firstPattern = new Int32Array(this.terms.length);
    this.firstText = new Array<string>(this.terms.length).fill('');
    this.firstFrom = new Int32Array(this.terms.length);
    this.firstTo = new Int32Array(this.terms.length);
    this.built = true;
    return this;
  }

  private symbolFor(s: string): number {
    let id = this.symbols.get(s);
    if (id === undefined) {
      id = this.symbols.size;
      if (id >= TokenAutomaton.SYMBOL_SPACE) throw new Error('matcher: too many distinct words in terms');
      this.symbols.set(s, id);
    }
    return id;
  }

  /** A token's symbol (-1 when no term uses its stem). Not cached: stemming is a few character tests, cheaper
   * than a cache of every word ever seen, which thrashes on news text. */
  private lookup(form: string): number {
    return this.symbols.get(stem(form.toLowerCase())) ?? -1;
  }

  /** Finds every term in the document's fields. Not re-entrant: the result is reused by the next scan. */
  scan(doc: MatchDoc): ScanResult {
    if (!this.built) throw new Error('matcher: build() must be called before scan()');
    for (const id of this.found) this.masks[id] = 0;
    this.found = [];
    this.scanField(doc.title, FIELD_BIT.title);
    if (doc.description) this.scanField(doc.description, FIELD_BIT.description);
    if (doc.content) this.scanField(doc.content, FIELD_BIT.content);
    return { masks: this.masks, found: this.found };
  }

  /**
   * Like scan(), over fields already tokenised (forms with case, and stems), so a caller that needs the
   * tokens anyway does not tokenise twice. `shouting` per field as isShouting() of its text.
   */
  scanPrepared(fields: readonly TokenizedField[]): ScanResult {
    if (!this.built) throw new Error('matcher: build() must be called before scan()');
    for (const id of this.found) this.masks[id] = 0;
    this.found = [];
    for (const f of fields) {
      let state = 0;
      for (let k = 0; k < f.stem.length; k++) {
        const sym = this.symbols.get(f.stem[k]!) ?? -1;
        state = this.automaton.advance(state, sym);
        if (state === 0) continue;
        for (const p of this.automaton.outputsOf(state)) {
          const pattern = this.patterns[p];
          if (!pattern) continue;
          if (pattern.exact && (f.shouting || !this.caseMatchesForms(f.form, k, pattern.exact))) continue;
          if (pattern.notBeforeTarget && this.preparedTarget(f, k - pattern.length + 2)) continue;
          const term = pattern.term;
          const mask = this.masks[term] ?? 0;
          if (mask === 0) this.first(term, p, f.text, f.starts[k - pattern.length + 1] ?? 0, f.ends[k] ?? 0);
          this.masks[term] = mask | f.bit;
        }
      }
    }
    return { masks: this.masks, found: this.found };
  }

  /** A term found for the first time in this scan, by pattern `p`, at characters [from, to) of `text`. */
  private first(term: number, p: number, text: string, from: number, to: number): void {
    this.found.push(term);
    this.firstPattern[term] = p;
    this.firstText[term] = text;
    this.firstFrom[term] = from;
    this.firstTo[term] = to;
  }

  /** Whether the words of a prepared field from token `from` on name what is attacked. */
  private preparedTarget(f: TokenizedField, from: number): boolean {
    const tokens: PhraseTokens = {
      text: f.text,
      starts: f.starts,
      ends: f.ends,
      count: f.stem.length,
      lower: (k) => (f.form[k] ?? '').toLowerCase(),
      stem: (k) => f.stem[k] ?? '',
    };
    return targetAfterState(tokens, from) >= 0;
  }

  /** The same over the field scanField is reading (its tokens in this.buffer). */
  private rawTarget(text: string, count: number, from: number): boolean {
    const buf = this.buffer;
    const lower = (k: number) => tokenForm(text, buf.starts[k] ?? 0, buf.ends[k] ?? 0).toLowerCase();
    const tokens: PhraseTokens = { text, starts: buf.starts, ends: buf.ends, count, lower, stem: (k) => stem(lower(k)) };
    return targetAfterState(tokens, from) >= 0;
  }

  private caseMatchesForms(forms: readonly string[], lastToken: number, exact: (string | null)[]): boolean {
    const first = lastToken - exact.length + 1;
    for (let j = 0; j < exact.length; j++) {
      const want = exact[j];
      if (want === null || want === undefined) continue;
      if (caseForm(forms[first + j] ?? '') !== want) return false;
    }
    return true;
  }

  private scanField(raw: string, bit: number): void {
    if (!raw) return;
    const text = foldAccents(raw);
    const buf = this.buffer;
    const count = scanTokens(text, buf);
    const shouting = this.hasExact && isShouting(text);
    let state = 0;
    for (let k = 0; k < count; k++) {
      const start = buf.starts[k] ?? 0;
      const end = buf.ends[k] ?? 0;
      const sym = this.lookup(tokenForm(text, start, end));
      state = this.automaton.advance(state, sym);
      if (state === 0) continue;
      for (const p of this.automaton.outputsOf(state)) {
        const pattern = this.patterns[p];
        if (!pattern) continue;
        if (pattern.exact && (shouting || !this.caseMatches(text, k, pattern.exact))) continue;
        if (pattern.notBeforeTarget && this.rawTarget(text, count, k - pattern.length + 2)) continue;
        const term = pattern.term;
        const mask = this.masks[term] ?? 0;
        if (mask === 0) this.first(term, p, text, buf.starts[k - pattern.length + 1] ?? 0, end);
        this.masks[term] = mask | bit;
      }
    }
  }

  private caseMatches(text: string, lastToken: number, exact: (string | null)[]): boolean {
    const first = lastToken - exact.length + 1;
    for (let j = 0; j < exact.length; j++) {
      const want = exact[j];
      if (want === null || want === undefined) continue;
      const k = first + j;
      const form = tokenForm(text, this.buffer.starts[k] ?? 0, this.buffer.ends[k] ?? 0);
      if (caseForm(form) !== want) return false;
    }
    return true;
  }
}
