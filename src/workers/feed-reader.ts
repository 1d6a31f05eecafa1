// The poller's FeedReader on the worker pool: the body is moved to a worker (not copied), read there with a
// deadline, and a read past it fails that feed alone with `parse_timeout`; a worker that runs out of memory
// fails it with `parse`. Either way the poller records the failure and backs the feed off.
import { FeedParseError, FeedParseTimeoutError } from '../feeds/fetch-error.ts';
import type { FeedReader } from '../feeds/read-feed.ts';
import type { Logger } from '../lib/logger.ts';
import type { Jobs } from './jobs.ts';
import { JobTimeoutError, WorkerCrashError, type WorkerPool } from './pool.ts';

/** The bytes in a buffer of their own, so it can be moved to the worker (a pooled Buffer is copied first). */
function movable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return own ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * `logger` (debug) brackets each read with 'workers: reading a feed' and 'workers: feed read', both written
 * by the main thread: whatever it logs between the two (a signal, a command) it did while the feed was read.
 */
export function pooledFeedReader(pool: WorkerPool<Jobs>, deadlineMs: number, logger?: Logger): FeedReader {
  return async (input) => {
    const bytes = movable(input.bytes);
    const kb = Math.ceil(bytes.byteLength / 1024);
    const fields = { feed_id: input.feedId, url: input.url, kb };
    logger?.debug(fields, 'workers: reading a feed');
    let outcome = 'failed';
    try {
      const read = await pool.run('readFeed', { ...input, bytes }, { deadlineMs, transfer: [bytes.buffer] });
      outcome = 'read';
      return read;
    } catch (err) {
      if (err instanceof JobTimeoutError) {
        throw new FeedParseTimeoutError(`parser: reading ${input.url} (${kb} KB) took longer than ${deadlineMs} ms, so it was stopped; the feed is retried with backoff (raise workers.parse_timeout_ms if it is a real feed this slow).`);
      }
      if (err instanceof WorkerCrashError) {
        throw new FeedParseError(err.outOfMemory ? `parser: reading ${input.url} (${kb} KB) needed more than workers.max_heap_mb of memory; the feed is retried with backoff.` : `parser: ${input.url} could not be read: ${err.message}.`, { cause: err });
      }
      throw err;
    } finally {
      logger?.debug({ ...fields, outcome }, 'workers: feed read');
    }
  };
}
