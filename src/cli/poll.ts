// cyberbrief poll --once [--all] [--json]: polls due feeds (or every enabled feed) once, stores new items,
// prints one line per feed. A failing feed is reported on its line; it never stops the run.
import { syncConfigFeeds } from '../feeds/config-feeds.ts';
import { createScopedFetcher } from '../feeds/scoped-fetcher.ts';
import { fetcherOptionsFrom, schedulerOptionsFrom } from '../feeds/options.ts';
import type { PollResult } from '../feeds/poller.ts';
import { createScheduler } from '../feeds/scheduler.ts';
import { createWorkers } from '../workers/index.ts';
import type { Storage } from '../storage/index.ts';
import { shownTime } from '../domain/shown-time.ts';
import { printJsonLines, writeLines } from './json-lines.ts';
import type { CliCommand } from './types.ts';

/**
 * A poll's status as the command shows it, in text and JSON alike: a document read (the poller's 'new')
 * with no item stored for the first time is 'nothing_new'.
 */
export function pollStatus(r: PollResult): 'new' | 'nothing_new' | 'not_modified' | 'error' {
  return r.status === 'new' && r.new === 0 ? 'nothing_new' : r.status;
}

export function formatPollLine(r: PollResult): string {
  const counts = r.status === 'new' ? `${r.items} ${r.items === 1 ? 'item' : 'items'}, ${r.new} new${r.updated ? `, ${r.updated} changed` : ''}` : r.status === 'not_modified' ? 'not modified' : 'failed';
  const err = r.error ? `  ${r.error.class}: ${r.error.message}` : '';
  return `${pollStatus(r).padEnd(12)} ${counts.padEnd(28)} ${String(r.ms).padStart(6)} ms  ${r.url}${err}${r.disabled ? ' (feed disabled)' : ''}`;
}

/** A poll's result as its --json line holds it. */
export function pollRow(r: PollResult) {
  return { url: r.url, status: pollStatus(r), items: r.items, new: r.new, ms: r.ms, error: r.error ?? null };
}

/** Why a run polled nothing, and what to do: there are no feeds, none is enabled, or none was due (and when one is). */
async function nothingPolled(storage: Storage, all: boolean): Promise<string> {
  const feeds = await storage.feeds.tally();
  if (feeds.total === 0) return 'No feeds yet: add one with `cyberbrief feeds add URL` (or under feeds: in the configuration).';
  const disabled = feeds.total - feeds.enabled;
  if (feeds.enabled === 0) return `No feed is enabled (${disabled} disabled): 'cyberbrief feeds enable ID' polls one again.`;
  if (all) return 'No enabled feed could be polled now (each is being polled by another process).';
  const next = feeds.nextCheckAt ? `; the next is due ${shownTime(feeds.nextCheckAt)}` : '';
  return `No feed was due${next} (use --all to poll every enabled feed).`;
}

export const command: CliCommand = {
  name: 'poll',
  summary: 'poll feeds once and print one line per feed (--once [--all] [--json])',
  usage: [
    'Usage: cyberbrief poll --once [--all] [--json]',
    '',
    'Polls the feeds that are due (with --all: every enabled feed) once, stores new items, and prints one',
    'line per feed: status (new | nothing_new | not_modified | error), items, new items, time taken, and the',
    'error if any. nothing_new: the feed was read again and none of its items is new (some may have changed).',
    'With --json, one JSON object per line: {"url","status","items","new","ms","error":{"class","message"}|null}; none',
    'polled: no line, and why on standard error.',
    'Feeds in the configuration are added first. A failing feed never stops the run. Ctrl-C or SIGTERM lets',
    'the polls under way finish and gives the other feeds back (exit 130 or 143); a second one stops at once.',
    'Exit status 1 when every feed polled failed; 0 otherwise, also when some failed or none was due.',
    '',
    'Options:',
    '  --once   poll once and exit (required; `cyberbrief run` polls on schedule)',
    '  --all    poll every enabled feed, not only the due ones',
    '  --json   JSON lines instead of text',
  ].join('\n'),
  options: {
    once: { type: 'boolean' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    if (!ctx.args.values.once) {
      ctx.stderr("cyberbrief poll: --once is required (`cyberbrief run` polls on schedule); run 'cyberbrief poll --help'.");
      return 2;
    }
    const config = await ctx.loadConfig();
    // The command prints one line per feed itself: per-feed info logs would repeat them, so only warnings
    // and errors are logged unless LOG_LEVEL asks for more.
    const logger = ctx.createLogger(ctx.env.LOG_LEVEL ? config : { ...config, log: { ...config.log, level: 'error' } });
    // A poll of many feeds writes much: a SQLite file's log is copied into it on another thread meanwhile,
    // so closing has little left to copy.
    const storage = await ctx.openStorage(config, { backgroundCheckpoint: true });
    const fetcher = createScopedFetcher(fetcherOptionsFrom(config.polling), config.polling.allow_hosts_for_chat_feeds);
    // Bodies are read on worker threads with a deadline (workers.parse_timeout_ms); a run of 304s starts none.
    const workers = createWorkers(config.workers, logger);
    // Ctrl-C or SIGTERM: no new poll, the ones under way finish and every other lease is given back, so the
    // feeds are not held from the next poll or the bot for the lease's length (a minute and a half); a
    // second signal exits at once.
    let signalled: NodeJS.Signals | null = null;
    let stopping: Promise<void> | null = null;
    let scheduler: ReturnType<typeof createScheduler> | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
      signalled = sig;
      ctx.stderr(`cyberbrief poll: ${sig} received; finishing the polls under way and giving the other feeds back (again to stop at once).`);
      stopping = scheduler?.stop() ?? null;
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Side by side: the database's last copying runs on its own thread while the main one ends the workers
    // and the connections, and writes the lines.
    let closing: Promise<unknown> | null = null;
    const closeAll = () => (closing ??= Promise.all([workers.close(), fetcher.close(), storage.close()]));
    try {
      await syncConfigFeeds(storage.feeds, config.feeds);
      scheduler = createScheduler({ storage, fetcher, readFeed: workers.readFeed, options: schedulerOptionsFrom(config.polling), logger });
      const results = signalled ? [] : await scheduler.runOnce({ all: !!ctx.args.values.all });
      await stopping;
      // The last read of the database: why nothing was polled.
      const none = signalled ? `No feed polled before ${signalled}.` : results.length === 0 ? await nothingPolled(storage, !!ctx.args.values.all) : '';
      void closeAll().catch(() => undefined); // awaited below, where a failure is thrown
      // Many lines per write: a line per write cost a system call per feed (10,000 in a cycle).
      if (ctx.args.values.json) {
        // Nothing polled is no line, and the reason on standard error (cli/json-lines.ts).
        printJsonLines(ctx, results.map(pollRow), none);
      } else {
        writeLines(ctx, results.map(formatPollLine));
        const failed = results.filter((r) => r.status === 'error').length;
        const fresh = results.reduce((n, r) => n + r.new, 0);
        const counts = `${fresh} ${fresh === 1 ? 'new item' : 'new items'}, ${failed} failed.`;
        const polled = `${results.length} ${results.length === 1 ? 'feed' : 'feeds'} polled`;
        ctx.stderr(signalled ? `${polled} before ${signalled}, ${counts}` : results.length === 0 ? none : `${polled}, ${counts}`);
      }
      if (signalled) return 128 + (signalled === 'SIGINT' ? 2 : 15);
      // Every feed polled failed: a script or a cron job must see it (a run where some feeds fail is the
      // everyday case, reported on their lines).
      return results.length > 0 && results.every((r) => r.status === 'error') ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await closeAll();
    }
  },
};
