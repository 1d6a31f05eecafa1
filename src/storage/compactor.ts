// Runs storage compaction from the running bot: once shortly after start, then every `intervalMs`
// (a day by default). Runs never overlap; stop() waits for one in flight. Idempotent, so several
// instances sharing one PostgreSQL may each run it.
import type { Clock } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { CompactOptions, CompactResult } from './compaction-repo.ts';

const DAY_MS = 86_400_000;

export interface CompactorDeps {
  compaction: { compact(opts: CompactOptions): Promise<CompactResult> };
  clock: Clock;
  logger: Logger;
  /** Told what each run did (metrics). */
  onCompacted?: (r: CompactResult) => void;
}

export interface CompactorOptions {
  /** storage.compact_after_days; 0 disables the compactor. */
  afterDays: number;
  /** Time between runs (default one day). */
  intervalMs?: number;
}

export interface Compactor {
  start(): void;
  stop(): Promise<void>;
  /** One run now (what the timer does); null when disabled or a run is already going. */
  runOnce(): Promise<CompactResult | null>;
}

export function createCompactor(deps: CompactorDeps, opts: CompactorOptions): Compactor {
  const { logger, clock } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<CompactResult | null> | null = null;
  let stopped = false;

  async function run(): Promise<CompactResult | null> {
    const before = new Date(clock.now().getTime() - opts.afterDays * DAY_MS);
    try {
      const r = await deps.compaction.compact({ before });
      deps.onCompacted?.(r);
      if (r.items + r.articleCache > 0) {
        logger.info({ items: r.items, article_cache: r.articleCache, before: before.toISOString() }, `storage: compacted ${r.items} item(s) and ${r.articleCache} article-cache row(s) older than ${opts.afterDays} days`);
      }
      return r;
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'storage: compaction failed; will try again at the next run');
      return null;
    }
  }

  function runOnce(): Promise<CompactResult | null> {
    if (opts.afterDays <= 0 || running || stopped) return Promise.resolve(null);
    const p = run().finally(() => {
      running = null;
    });
    running = p;
    return p;
  }

  return {
    start() {
      if (timer || opts.afterDays <= 0) return;
      stopped = false;
      void runOnce();
      timer = setInterval(() => void runOnce(), opts.intervalMs ?? DAY_MS);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running;
    },
    runOnce,
  };
}
