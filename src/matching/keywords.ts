// Channel keywords (`/news keywords add|remove|list`): plain words or phrases, `-term` to exclude.
// They are matched like topic terms (case- and accent-insensitive, whole words, light inflection), never
// as user regular expressions. A keyword typed in Unicode compatibility forms (mathematical bold or
// italic letters, full-width letters, ligatures: 𝐜𝐲𝐛𝐞𝐫, ＡＰＴ, ﬁrewall) is stored in its NFKC form
// (cyber, APT, firewall), the form it matches in: story text is folded the same way (text.ts foldAccents,
// NFKD), and keywordKey compares in NFKC, so keywords stored before keep their key. Invisible format characters (zero-width, joiners, bidi controls, BOM: Unicode
// category Cf) are refused, not stripped: the keyword a channel sees listed is exactly the one matched,
// and feed text has them removed before matching (feeds/html-text.ts), so none can split a word there.
//
// Combining rule, for one channel and one item:
//   accepted = (a subscribed topic matched  OR  an include keyword hit)  AND  no exclude keyword hit
import { followsEvery } from '../domain/following.ts';
import type { MatchField } from '../domain/types.ts';
import { codePoints } from '../lib/bounded-text.ts';
import { UsageError } from '../lib/errors.ts';
import type { MatchDoc, MatchResult } from './compile-topics.ts';
import { FIELDS, FIELD_BIT, TermIndex } from './term-index.ts';
import { foldAccents, looksLikeAcronym, tokenize } from './text.ts';

export const MAX_KEYWORDS_PER_CHANNEL = 50;
export const MAX_KEYWORD_LENGTH = 60;
export const MAX_KEYWORD_WORDS = 6;

export interface Keyword {
  term: string;
  exclude: boolean;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const INVISIBLE = /\p{Cf}/u;

/** "U+200B" for the first invisible format character in `text`. */
function firstInvisible(text: string): string {
  const ch = INVISIBLE.exec(text)![0];
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
const PATTERN_CHARS = /[()[\]{}|*?\\^$<>]/;

/**
 * Parses what a user typed after `/news keywords add`: `espionage`, `"state hackers"`, `-ransomware`.
 * Throws UsageError with one sentence saying what to type instead.
 */
export function parseKeyword(raw: string): Keyword {
  // NFKC first, so a full-width sign or quote (－ransomware, ＂state hackers＂) reads as the ASCII one.
  let text = raw.normalize('NFKC').trim();
  let exclude = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    exclude = text.startsWith('-');
    text = text.slice(1).trim();
  }
  if (text.length >= 2 && /^(["'\u201c\u2018]).*(["'\u201d\u2019])$/.test(text)) text = text.slice(1, -1).trim();
  if (CONTROL.test(text)) throw new UsageError('keyword: it contains a control character; type plain words.');
  if (INVISIBLE.test(text)) {
    throw new UsageError(`keyword: it contains an invisible formatting character (${firstInvisible(text)}, e.g. a zero-width space or a direction mark); type the word again without it.`);
  }
  text = text.replace(/\s+/g, ' ');
  if (text === '') throw new UsageError('keyword: give a word or phrase, e.g. `espionage` or `-ransomware` to exclude.');
  // In characters (code points), as every bound shown to users is (clipText): an emoji or astral letter is one.
  const chars = codePoints(text);
  if (chars > MAX_KEYWORD_LENGTH) {
    throw new UsageError(`keyword: it is ${chars} characters; keep it to ${MAX_KEYWORD_LENGTH} or fewer.`);
  }
  if (PATTERN_CHARS.test(text)) {
    throw new UsageError(`keyword: it has pattern characters; keywords are plain words or phrases, not regular expressions.`);
  }
  const words = tokenize(text).length;
  // The term as typed goes with each sentence quoting it (UsageError.quoted): a chat adapter shows it as typed.
  const quoted = { quoted: [text, ...text.split(',').map((w) => w.trim())] };
  if (words === 0) throw new UsageError(`keyword: "${text}" has no letter or digit to match.`, quoted);
  if (words > MAX_KEYWORD_WORDS) throw new UsageError(`keyword: "${text}" has ${words} words; use at most ${MAX_KEYWORD_WORDS}.`, quoted);
  // `--ransomware` or `+-x` would store a keyword that starts with a sign, which no one can type back.
  if (/^[-+]/.test(text)) throw new UsageError(`keyword: "${text}" starts with a second sign; give one, as -${text.replace(/^[-+]+/, '')} or ${text.replace(/^[-+]+/, '')}.`, quoted);
  // `ransomware,espionage` is two keywords typed as one phrase, which would match only the two words together.
  if (text.includes(',')) throw new UsageError(`keyword: "${text}" has a comma; separate keywords with spaces (/news keywords add ${text.split(',').map((w) => w.trim()).filter((w) => w !== '').join(' ')}), and quote a phrase.`, quoted);
  return { term: text, exclude };
}

/**
 * What a keyword matches, as a key: two terms with one key are one keyword (`Espionage` and `espionage`;
 * `café` and `cafe`; `𝐜𝐲𝐛𝐞𝐫` and `cyber`), while a word in capitals keeps its case, since it matches only
 * in capitals (`APT` is not `apt`, and neither is `ＡＰＴ`, which is `APT`).
 */
export function keywordKey(term: string): string {
  return term
    .normalize('NFKC')
    .split(' ')
    .map((w) => (looksLikeAcronym(w) ? w : foldAccents(w).toLowerCase()))
    .join(' ');
}

/** Throws UsageError when adding `adding` keywords to a channel holding `existing` would pass the cap. */
export function assertKeywordCapacity(existing: number, adding = 1): void {
  if (existing + adding > MAX_KEYWORDS_PER_CHANNEL) {
    throw new UsageError(
      `keyword: this channel has ${existing} keywords and may hold ${MAX_KEYWORDS_PER_CHANNEL}; remove some with /news keywords remove.`,
    );
  }
}

export interface KeywordTest {
  /** An include keyword hit and no exclude keyword did. */
  accepted: boolean;
  /** Include keywords found, as the story wrote them: `"Espionage" in title`, `"APTs" in description (keyword "APT")`. */
  includeHits: string[];
  /** The first exclude keyword found, as the story wrote it, or null. */
  excludedBy: string | null;
}

export interface KeywordFilter {
  test(doc: MatchDoc): KeywordTest;
  readonly includes: readonly string[];
  readonly excludes: readonly string[];
}

function where(mask: number): string {
  return FIELDS.filter((f: MatchField) => (mask & FIELD_BIT[f]) !== 0).join(', ');
}

/** `"APTs" in description (keyword "APT")`: the story's words, the keyword beside when spelled otherwise (as topic reasons quote terms). */
function hitText(index: TermIndex, id: number, mask: number): string {
  const { text, phrase } = index.foundSpelling(id);
  return `"${text}" in ${where(mask)}${phrase ? ` (keyword "${phrase}")` : ''}`;
}

/** Compiles a channel's keywords (already validated by parseKeyword) into one automaton. */
export function compileKeywords(keywords: readonly Keyword[]): KeywordFilter {
  const index = new TermIndex();
  const includes: { id: number; term: string }[] = [];
  const excludes: { id: number; term: string }[] = [];
  for (const k of keywords) {
    const id = index.add(k.term);
    (k.exclude ? excludes : includes).push({ id, term: k.term });
  }
  index.build();
  return {
    includes: includes.map((k) => k.term),
    excludes: excludes.map((k) => k.term),
    test(doc: MatchDoc): KeywordTest {
      if (keywords.length === 0) return { accepted: false, includeHits: [], excludedBy: null };
      const { masks } = index.scan(doc);
      const includeHits = includes
        .filter((k) => (masks[k.id] ?? 0) !== 0)
        .map((k) => hitText(index, k.id, masks[k.id] ?? 0));
      const ex = excludes.find((k) => (masks[k.id] ?? 0) !== 0);
      const excludedBy = ex ? hitText(index, ex.id, masks[ex.id] ?? 0) : null;
      return { accepted: includeHits.length > 0 && excludedBy === null, includeHits, excludedBy };
    },
  };
}

export interface ChannelDecision {
  accepted: boolean;
  /** Subscribed topics that matched. */
  topics: string[];
  includeHits: string[];
  excludedBy: string | null;
  /** One line for logs and `/news status`. */
  reason: string;
}

/**
 * The one call the router makes per channel and item: topic results for the item (from
 * TopicMatcher.match), the channel's subscribed topic ids (EVERY_TOPIC: any topic) and compiled keywords.
 */
export function acceptsForChannel(
  results: readonly MatchResult[],
  subscribedTopicIds: readonly string[],
  filter: KeywordFilter,
  doc: MatchDoc,
): ChannelDecision {
  const subscribed = new Set(subscribedTopicIds);
  const every = followsEvery(subscribedTopicIds);
  const topics = results.filter((r) => r.matched && (every || subscribed.has(r.topicId))).map((r) => r.topicId);
  const kw = filter.test(doc);
  const wanted = topics.length > 0 || kw.includeHits.length > 0;
  const accepted = wanted && kw.excludedBy === null;
  let reason: string;
  if (kw.excludedBy) reason = `excluded by keyword ${kw.excludedBy}`;
  else if (!wanted) reason = 'no subscribed topic matched and no keyword hit';
  else {
    const parts = [...topics.map((t) => `topic ${t}`), ...kw.includeHits.map((h) => `keyword ${h}`)];
    reason = `matched ${parts.join('; ')}`;
  }
  return { accepted, topics, includeHits: kw.includeHits, excludedBy: kw.excludedBy, reason };
}
