// The poller's FeedReader on the worker pool: the body is copied to a worker (not moved), read there with a
// deadline, and a read past it fails that feed alone with `parse_timeout`; a worker that runs out of memory
// fails it with `parse`. Either way the poller records the failure and backs the feed off.
import { FeedParseError, FeedParseTimeoutError } from '../feeds/fetch-error.ts';
import type { FeedReader } from '../feeds/read-feed.ts';
import type { Logger } from '../lib/logger.ts';
import type { Jobs } from './jobs.ts';
import { JobTimeoutError, WorkerCrashError, type WorkerPool } from './pool.ts';

/**
 * The bytes in a buffer of their own: a message copies a typed array's whole ArrayBuffer, so a body that is a
 * view into a larger one (a pooled Buffer under 4 KB shares an 8 KB slab) is copied to its own size first.
 *
 * The body is copied to the worker, never moved (transferred): the first ArrayBuffer this thread detaches
 * invalidates V8's ArrayBufferDetaching protector, which deoptimised every optimised function of the main thread
 * that reads a typed array (URL parsing, async hooks, the lean client's header checks: 7-8 functions in a
 * cycle), and from then on every typed-array access the main thread's optimised code makes checks for a detached
 * buffer. A feed body is a few KB to a few MB; a copy of it costs less than that, and the pool copies every job's
 * input anyway, so a job queued in a worker that stops can go to another.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/**
 * `logger` (debug) brackets each read with 'workers: reading a feed' and 'workers: feed read', both written
 * by the main thread: whatever it logs between the two (a signal, a command) it did while the feed was read.
 */
export function pooledFeedReader(pool: WorkerPool<Jobs>, deadlineMs: number, logger?: Logger): FeedReader {
  return async (input) => {
    const bytes = ownBuffer(input.bytes);
    const kb = Math.ceil(bytes.byteLength / 1024);
    const fields = { feed_id: input.feedId, url: input.url, kb };
    logger?.debug(fields, 'workers: reading a feed');
    let outcome = 'failed';
    try {
      const read = await pool.run('readFeed', { ...input, bytes }, { deadlineMs });
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
