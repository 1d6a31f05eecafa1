// Runs claimed feeds through polls with a global cap that may change between starts (the adaptive cap)
// and a fixed per-host limit, claiming more feeds from storage whenever fewer are waiting than the cap
// allows: one claim query hands over many feeds, and the work never waits for the slowest feed of a batch.
// A feed whose host is busy waits while later feeds go ahead; a feed may carry a start time (jitter).
import type { DueFeed } from '../storage/feeds-repo.ts';

export interface PumpStart {
  /** The global cap was full once this poll started (the cap, not the work available, was the limit). */
  capped: boolean;
  /**
   * Frees the feed's place under the caps before its work ends (the fetch is done; what is left is waiting
   * for its write to commit, which the write batcher's backlog bounds). Idempotent; done when the work ends.
   */
  release(): void;
}

export interface PumpDeps<T> {
  /** Claims up to `limit` more feeds; an empty list means none is left. */
  claim(limit: number): Promise<DueFeed[]>;
  work(feed: DueFeed, start: PumpStart): Promise<T>;
  /** The global cap now. */
  cap(): number;
  perHost: number;
  /** Not before this time (ms since the epoch) for a feed; undefined: at once. */
  startAt?(feed: DueFeed): number | undefined;
  /**
   * Called once each time every poll left has released its place and nothing more will start (no feed
   * waiting, none left to claim): what is left only waits for its writes, so they need not wait for company.
   */
  onIdle?(): void;
  /** Once aborted, nothing new starts: feeds waiting are handed back in `skipped`. */
  signal?: AbortSignal;
  now?(): number;
}

export interface PumpOutcome<T> {
  results: T[];
  /** Claimed but never started (stopped). */
  skipped: DueFeed[];
  /** A claim that failed (a storage error); the feeds claimed before it ran to the end. */
  claimError?: unknown;
  /** The most polls in flight at once. */
  peak: number;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

export function pumpFeeds<T>(deps: PumpDeps<T>): Promise<PumpOutcome<T>> {
  const now = deps.now ?? Date.now;
  let queue: Array<{ feed: DueFeed; host: string; at: number }> = [];
  const perHost = new Map<string, number>();
  const results: T[] = [];
  const skipped: DueFeed[] = [];
  let active = 0;
  /** Work started and not ended (some of it released from the caps already). */
  let unfinished = 0;
  let peak = 0;
  let claiming = false;
  let exhausted = false;
  let claimError: unknown;
  let timer: NodeJS.Timeout | null = null;
  let finished = false;
  let idleTold = false;

  return new Promise((resolve) => {
    const pump = (): void => {
      if (finished) return;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (deps.signal?.aborted) {
        skipped.push(...queue.map((q) => q.feed));
        queue = [];
        exhausted = true;
      }
      const t = now();
      let earliest = Infinity;
      while (active < deps.cap() && queue.length) {
        let idx = -1;
        for (let i = 0; i < queue.length; i++) {
          const q = queue[i]!;
          if ((perHost.get(q.host) ?? 0) >= deps.perHost) continue;
          if (q.at > t) {
            earliest = Math.min(earliest, q.at);
            continue;
          }
          idx = i;
          break;
        }
        if (idx < 0) break;
        // Nearly always the first: shift() drops it without moving the rest, as splice(0, 1) would.
        const { feed, host } = idx === 0 ? queue.shift()! : queue.splice(idx, 1)[0]!;
        perHost.set(host, (perHost.get(host) ?? 0) + 1);
        active++;
        unfinished++;
        peak = Math.max(peak, active);
        const capped = active >= deps.cap();
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          active--;
          const left = (perHost.get(host) ?? 1) - 1;
          if (left > 0) perHost.set(host, left);
          else perHost.delete(host);
          queueMicrotask(pump);
        };
        let run: Promise<T>;
        try {
          run = deps.work(feed, { capped, release });
        } catch (err) {
          run = Promise.reject(err);
        }
        const ended = () => {
          unfinished--;
          if (released) pump();
          else release();
        };
        run.then(
          (r) => {
            results.push(r);
            ended();
          },
          ended,
        );
      }
      if (!exhausted && !claiming && queue.length < deps.cap()) {
        claiming = true;
        const limit = Math.max(1, deps.cap() * 2 - queue.length);
        deps
          .claim(limit)
          .then((feeds) => {
            if (feeds.length === 0) exhausted = true;
            const t2 = now();
            for (const feed of feeds) queue.push({ feed, host: hostOf(feed.url), at: deps.startAt?.(feed) ?? t2 });
          })
          .catch((err: unknown) => {
            claimError = err;
            exhausted = true;
          })
          .finally(() => {
            claiming = false;
            pump();
          });
      }
      if (earliest < Infinity && active < deps.cap()) timer = setTimeout(pump, Math.max(1, earliest - t));
      if (active > 0 || queue.length > 0) idleTold = false;
      else if (unfinished > 0 && exhausted && !claiming && !idleTold) {
        idleTold = true;
        deps.onIdle?.();
      }
      if (unfinished === 0 && queue.length === 0 && exhausted && !claiming) {
        finished = true;
        deps.signal?.removeEventListener('abort', pump);
        resolve({ results, skipped, ...(claimError !== undefined ? { claimError } : {}), peak });
      }
    };
    deps.signal?.addEventListener('abort', pump);
    pump();
  });
}
