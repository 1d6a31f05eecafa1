// The brief scheduler: every few seconds it writes the briefs that are due into the brief outbox, and the
// messages that release what quiet hours held once the window is over. Scheduling is data: each channel
// row carries `brief_next_at`; a due channel gets the brief of the latest occurrence of its schedule (one
// row per channel and period key, unique in the schema, so instances racing, or a tick repeated after a
// crash, write it once), and its next time moves to the following occurrence. A bot that was down across
// several occurrences sends one brief, covering the whole time since the last one. The dispatcher sends them.
import {
  briefPeriodKey, inQuietHours, lastQuietEnd, latestOccurrence, nextOccurrence, previousOccurrence, quietPeriodKey,
  type ChannelDelivery,
} from '../domain/brief-schedule.ts';
import type { Clock } from '../lib/clock.ts';
import { errorMessage, isStorageFailure } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { waitMs } from '../lib/retry-storage.ts';

/** The brief outbox as the scheduler uses it (BriefsRepo satisfies it). */
export interface BriefScheduleStore {
  dueBriefs(now: Date, limit?: number): Promise<{ channelId: number; delivery: ChannelDelivery; briefNextAt: Date }[]>;
  channelsHolding(limit?: number): Promise<{ channelId: number; delivery: ChannelDelivery }[]>;
  advanceBrief(channelId: number, from: Date, to: Date): Promise<void>;
  lastPeriodEnd(channelId: number, kind?: 'brief' | 'quiet'): Promise<Date | null>;
  enqueue(b: { channelId: number; kind: 'brief' | 'quiet'; periodKey: string; start: Date; end: Date; at: Date }): Promise<{ id: number; held: number } | null>;
}

export interface BriefSchedulerDeps {
  store: BriefScheduleStore;
  clock: Clock;
  logger: Logger;
  /** Called when rows were written, to wake the dispatcher. */
  onEnqueued?: () => void;
  /** Resolves when the database is worth trying again after a storage error. */
  storageReady?: (signal?: AbortSignal) => Promise<void>;
}

export interface BriefSchedulerOptions {
  /** How often to look for due briefs and ended quiet hours. */
  checkMs: number;
}

export interface BriefScheduler {
  /** One look at the clock: writes what is due; returns how many briefs and releases were written. */
  runOnce(): Promise<{ briefs: number; releases: number }>;
  start(): void;
  stop(): Promise<void>;
}

export function createBriefScheduler(deps: BriefSchedulerDeps, opts: BriefSchedulerOptions): BriefScheduler {
  const { store, clock, logger: log } = deps;
  const stopCtl = new AbortController();
  const storageReady = deps.storageReady ?? waitMs(opts.checkMs);
  let loop: Promise<void> | null = null;

  async function dueBriefs(now: Date): Promise<number> {
    let written = 0;
    for (const due of await store.dueBriefs(now)) {
      const s = due.delivery.brief;
      if (!s) continue;
      const o = latestOccurrence(s, now.getTime());
      const next = new Date(nextOccurrence(s, Math.max(o.at, now.getTime())).at);
      // A next time that is not an occurrence of the schedule (edited by hand) only moves on.
      if (o.at >= due.briefNextAt.getTime()) {
        // The period runs from the occurrence before the first one due (so occurrences missed while the bot
        // was down are covered), or from the last brief if that is later (the schedule changed since).
        const last = await store.lastPeriodEnd(due.channelId, 'brief');
        const nominal = previousOccurrence(s, latestOccurrence(s, due.briefNextAt.getTime())).at;
        const start = last && last.getTime() < o.at ? Math.max(nominal, last.getTime()) : nominal;
        const r = await store.enqueue({ channelId: due.channelId, kind: 'brief', periodKey: briefPeriodKey(s, o), start: new Date(start), end: new Date(o.at), at: now });
        if (r) {
          written++;
          log.info({ channel_id: due.channelId, brief_id: r.id, period_end: new Date(o.at).toISOString(), held: r.held }, 'brief scheduler: brief due; queued');
        }
      }
      await store.advanceBrief(due.channelId, due.briefNextAt, next);
    }
    return written;
  }

  /** Held alerts of channels whose quiet hours are over (or that left brief mode) go out as one message. */
  async function releases(now: Date): Promise<number> {
    let written = 0;
    for (const h of await store.channelsHolding()) {
      const d = h.delivery;
      if (d.mode === 'brief' && d.brief) continue;
      if (d.quiet && inQuietHours(d.quiet, now.getTime())) continue;
      const end = d.quiet ? lastQuietEnd(d.quiet, now.getTime()) : null;
      const start = d.quiet && end ? latestOccurrence({ every: 'daily', weekday: null, time: d.quiet.start, zone: d.quiet.zone }, end.at).at : now.getTime();
      // One release per window; held alerts left after it (the mode changed since) get one of their own.
      const keys = [...(d.quiet && end ? [quietPeriodKey(d.quiet, end)] : []), `release:${now.toISOString().slice(0, 16)}`];
      for (const periodKey of keys) {
        const r = await store.enqueue({ channelId: h.channelId, kind: 'quiet', periodKey, start: new Date(Math.min(start, now.getTime())), end: now, at: now });
        if (r) {
          written++;
          log.info({ channel_id: h.channelId, brief_id: r.id, held: r.held }, 'brief scheduler: quiet hours over; the stories they held are queued as one message');
          break;
        }
      }
    }
    return written;
  }

  async function runOnce() {
    const now = clock.now();
    const briefs = await dueBriefs(now);
    const released = await releases(now);
    if (briefs || released) deps.onEnqueued?.();
    return { briefs, releases: released };
  }

  return {
    runOnce,
    start() {
      if (loop) return;
      loop = (async () => {
        while (!stopCtl.signal.aborted) {
          try {
            await runOnce();
          } catch (err) {
            if (isStorageFailure(err)) {
              log.debug({ err: errorMessage(err) }, 'brief scheduler: stopped by a storage error; waiting for the database');
              await storageReady(stopCtl.signal);
            } else {
              log.error({ err: errorMessage(err) }, 'brief scheduler: a check failed; trying again shortly');
            }
          }
          await waitMs(opts.checkMs)(stopCtl.signal);
        }
      })();
    },
    async stop() {
      stopCtl.abort();
      await loop;
    },
  };
}
