// A fetched body to the items to store, in one pure step (decode, parse, normalise): the CPU work of a poll,
// whose cost grows with the body. The poller takes it as a port so the bot can run it on a worker thread with
// a deadline (src/workers); `readFeed` is the work itself, linear in the body, and what runs there.
import type { NewItem } from '../domain/types.ts';
import { normaliseFeed } from './normalise.ts';
import { parseFeed, type ParsedFeed } from './parser.ts';

export interface ReadFeedInput {
  bytes: Uint8Array;
  contentType: string | null;
  /** The URL the body came from (after redirects): base for relative links, and named in messages. */
  url: string;
  feedId: number;
  /** Cap when the body turns out to be gzip without Content-Encoding. */
  maxBytes?: number;
}

/** What a poll keeps from a feed body. */
export interface FeedRead {
  items: NewItem[];
  title: string | null;
  siteUrl: string | null;
  ttlMinutes: number | null;
  via: ParsedFeed['via'];
  /** Entries read, and entries beyond the cap left out. */
  kept: number;
  dropped: number;
}

/** Reads a feed body; throws FeedParseError (class `parse`), or FeedParseTimeoutError when run with a deadline. */
export type FeedReader = (input: ReadFeedInput) => Promise<FeedRead>;

export async function readFeed(input: ReadFeedInput): Promise<FeedRead> {
  const parsed = await parseFeed(input.bytes, { contentType: input.contentType, url: input.url, ...(input.maxBytes ? { maxBytes: input.maxBytes } : {}) });
  const items = normaliseFeed(parsed, { feedId: input.feedId, feedUrl: input.url });
  return { items, title: parsed.title, siteUrl: parsed.siteUrl, ttlMinutes: parsed.ttlMinutes, via: parsed.via, kept: parsed.entries.length, dropped: parsed.dropped ?? 0 };
}
