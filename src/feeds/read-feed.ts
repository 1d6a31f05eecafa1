// A fetched body to the items to store, in one pure step (decode, parse, normalise): the CPU work of a poll,
// whose cost grows with the body. The poller takes it as a port so the bot can run it on a worker thread with
// a deadline (src/workers); `readFeed` is the work itself, linear in the body, and what runs there.
// A poll passes the feed's entry marks (entry-marks.ts): entries the feed already had are then cut out
// before the document is read, and the marks of this version come back to be stored.
import type { NewItem } from '../domain/types.ts';
import { decodeMarks, encodeMarks, entryMark, entrySpans, readingContext, withoutSpans, type EntrySpan } from './entry-marks.ts';
import { normaliseFeed } from './normalise.ts';
import { decodeFeed, parseFeedText, type DecodedFeed, type ParsedFeed } from './parser.ts';

export interface ReadFeedInput {
  bytes: Uint8Array;
  contentType: string | null;
  /** The URL the body came from (after redirects): base for relative links, and named in messages. */
  url: string;
  feedId: number;
  /** Cap when the body turns out to be gzip without Content-Encoding. */
  maxBytes?: number;
  /**
   * The marks stored by the feed's last poll (null: none yet). Given (even null), the read skips the entries
   * they know and returns this version's marks; left out (a pushed body, which may hold only some entries),
   * the whole document is read and no marks come back.
   */
  entryMarks?: string | null;
}

/** What a poll keeps from a feed body. */
export interface FeedRead {
  /** The items read: with marks, only those of new or edited entries (the others are stored already). */
  items: NewItem[];
  title: string | null;
  siteUrl: string | null;
  ttlMinutes: number | null;
  via: ParsedFeed['via'];
  /** Entries in the document (read or recognised), and entries beyond the cap left out. */
  kept: number;
  dropped: number;
  /** Entries recognised by their marks and not read again. */
  skipped: number;
  /** Marks to store for the next poll; null to clear them (this document cannot use them); absent: no change. */
  entryMarks?: string | null;
}

/** Reads a feed body; throws FeedParseError (class `parse`), or FeedParseTimeoutError when run with a deadline. */
export type FeedReader = (input: ReadFeedInput) => Promise<FeedRead>;

export async function readFeed(input: ReadFeedInput): Promise<FeedRead> {
  const decoded = decodeFeed(input.bytes, { contentType: input.contentType, url: input.url, ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}) });
  if (input.entryMarks === undefined) return (await readText(decoded, input)).result;
  const spans = decoded.json ? null : entrySpans(decoded.text);
  if (!spans) return { ...(await readText(decoded, input)).result, entryMarks: null };
  const marks = spans.map((s) => entryMark(decoded.text.slice(s.start, s.end)));
  const known = decodeMarks(input.entryMarks);
  if (known) {
    const seen: EntrySpan[] = [];
    for (let i = 0; i < spans.length; i++) if (known.marks.has(marks[i]!)) seen.push(spans[i]!);
    try {
      const { result, parsed } = await readText({ ...decoded, text: withoutSpans(decoded.text, seen) }, input);
      if (parsed.entries.length === spans.length - seen.length && markable(parsed, result.items) && readingContext(parsed, input.url) === known.context) {
        return { ...result, kept: spans.length, skipped: seen.length, entryMarks: encodeMarks(known.context, marks) };
      }
    } catch {
      // The part read alone failed: the whole document is read below, and says what is wrong with it.
    }
  }
  const { result, parsed } = await readText(decoded, input);
  const usable = parsed.entries.length === spans.length && markable(parsed, result.items);
  return { ...result, entryMarks: usable ? encodeMarks(readingContext(parsed, input.url), marks) : null };
}

/** Items whose keys depend on their own entry alone: read strictly, each keyed by its guid. */
function markable(parsed: ParsedFeed, items: readonly NewItem[]): boolean {
  return parsed.via === 'strict' && !parsed.dropped && items.every((it) => it.key.startsWith('g:'));
}

async function readText(decoded: DecodedFeed, input: ReadFeedInput): Promise<{ result: FeedRead; parsed: ParsedFeed }> {
  const parsed = await parseFeedText(decoded, { url: input.url });
  const items = normaliseFeed(parsed, { feedId: input.feedId, feedUrl: input.url });
  return { parsed, result: { items, title: parsed.title, siteUrl: parsed.siteUrl, ttlMinutes: parsed.ttlMinutes, via: parsed.via, kept: parsed.entries.length, dropped: parsed.dropped ?? 0, skipped: 0 } };
}
