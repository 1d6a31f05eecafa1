// Composing briefs from storage: the stories a brief row holds (its held alerts, and in its period the
// channel's other alerts), the channel's topics and settings, through the composer. The dispatcher
// composes a brief at its first claim; `cyberbrief brief --dry-run` previews the next one.
import { latestOccurrence, nextOccurrence, previousOccurrence, type ChannelDelivery } from '../domain/brief-schedule.ts';
import type { BriefView } from '../domain/chat.ts';
import { composeBrief, type BriefLimits, type BriefStoryInput } from './brief-compose.ts';

/** What composing reads (BriefsRepo and ChannelsRepo satisfy it together). */
export interface BriefSource {
  candidates(q: { channelId: number; held: number | 'unassigned'; since: Date | null; until: Date }): Promise<BriefStoryInput[]>;
  lastPeriodEnd(channelId: number, kind?: 'brief' | 'quiet'): Promise<Date | null>;
  delivery(channelId: number): Promise<ChannelDelivery & { briefNextAt: Date | null }>;
  subscriptions(channelId: number): Promise<string[]>;
}

export interface BriefPreview {
  /** When the brief is due (null: the channel has no brief, or its mode is live). */
  due: Date | null;
  periodStart: Date;
  delivery: ChannelDelivery;
  /** What it would hold if it were sent now. */
  view: BriefView;
}

export interface BriefComposer {
  compose(b: { id: number; channelId: number; kind: 'brief' | 'quiet'; periodStart: Date; periodEnd: Date }): Promise<BriefView>;
  preview(channelId: number, now: Date): Promise<BriefPreview>;
}

export function createBriefComposer(deps: {
  source: BriefSource;
  /** The topics in force (a function: saved topic versions apply without a restart). */
  topics: readonly { id: string; name: string }[] | (() => readonly { id: string; name: string }[]);
  limits: BriefLimits;
}): BriefComposer {
  const topicsNow = () => (typeof deps.topics === 'function' ? deps.topics() : deps.topics);
  const { source } = deps;
  return {
    async compose(b) {
      const [d, subscriptions] = await Promise.all([source.delivery(b.channelId), source.subscriptions(b.channelId)]);
      // A release carries only what it holds; a brief also lists the period's stories already sent live.
      const stories = await source.candidates({ channelId: b.channelId, held: b.id, since: b.kind === 'brief' ? b.periodStart : null, until: b.periodEnd });
      return composeBrief({ kind: b.kind, schedule: d.brief, quiet: d.quiet, periodStart: b.periodStart, periodEnd: b.periodEnd, stories, subscriptions, topics: topicsNow(), limits: deps.limits });
    },
    async preview(channelId, now) {
      const [d, subscriptions] = await Promise.all([source.delivery(channelId), source.subscriptions(channelId)]);
      const s = d.brief;
      const due = s && d.mode !== 'live' ? (d.briefNextAt ?? new Date(nextOccurrence(s, now.getTime()).at)) : null;
      // The period the scheduler will give it: since the previous occurrence, or the last brief if later.
      let start: number;
      if (s) {
        const o = latestOccurrence(s, (due ?? new Date(nextOccurrence(s, now.getTime()).at)).getTime());
        const nominal = previousOccurrence(s, o).at;
        const last = await source.lastPeriodEnd(channelId, 'brief');
        start = last && last.getTime() < o.at ? Math.max(nominal, last.getTime()) : nominal;
      } else {
        start = now.getTime() - 86_400_000;
      }
      const stories = await source.candidates({ channelId, held: 'unassigned', since: new Date(start), until: now });
      const view = composeBrief({ kind: 'brief', schedule: s, quiet: d.quiet, periodStart: new Date(start), periodEnd: due ?? now, stories, subscriptions, topics: topicsNow(), limits: deps.limits });
      return { due, periodStart: new Date(start), delivery: d, view };
    },
  };
}
