// cyberbrief brief --channel ID --dry-run: what the channel's next brief would hold if it were sent now
// (its stories so far, ranked and grouped as the brief will be), and when it is due. Changes nothing: the
// running bot sends each brief at its time.
import { loadTopicsFile } from '../config/topics.ts';
import { describeQuiet, describeSchedule } from '../domain/brief-schedule.ts';
import { shownTime, shownTimeWithUtc } from '../domain/shown-time.ts';
import type { Channel, PlatformName } from '../domain/types.ts';
import { createBriefComposer } from '../delivery/brief-service.ts';
import { UsageError } from '../lib/errors.ts';
import { plainLine } from '../lib/terminal-text.ts';
import { briefText } from '../platforms/console/render.ts';
import type { Storage } from '../storage/index.ts';
import { echoed } from './format.ts';
import type { CliCommand } from './types.ts';

/**
 * The channel named `ref`: its platform id (C0123, a Discord snowflake, console) or `#name` (as `cyberbrief
 * alerts list` shows it), either one after `platform:` when two platforms share it.
 */
async function findChannel(storage: Storage, ref: string): Promise<Channel> {
  const m = /^(slack|discord|console):(.+)$/i.exec(ref);
  const platform = m ? (m[1]!.toLowerCase() as PlatformName) : null;
  const id = m ? m[2]! : ref;
  const named = id.startsWith('#') && id.length > 1 ? id.slice(1) : null;
  const found = (await storage.channels.list()).filter((c) => (named === null ? c.externalId === id : c.name === named) && (!platform || c.platform === platform));
  if (found.length === 0) {
    throw new UsageError(`cyberbrief brief: no channel ${echoed(plainLine(ref))} is known (a channel is known once it has used /news); 'cyberbrief alerts list' shows channels that got alerts.`);
  }
  if (found.length > 1) throw new UsageError(`cyberbrief brief: ${echoed(plainLine(id))} names a channel on ${found.map((c) => c.platform).join(' and ')}; say which, e.g. --channel ${found[0]!.platform}:${echoed(plainLine(id))}.`);
  return found[0]!;
}

export const command: CliCommand = {
  name: 'brief',
  summary: "what a channel's next brief would hold (--channel ID --dry-run)",
  usage: [
    'Usage: cyberbrief brief --channel ID --dry-run [--json]',
    '',
    "Prints what the channel's next brief would hold if it were sent now: its stories so far, grouped by",
    'topic and ranked as the brief ranks them, and when it is due. Changes nothing; the running bot sends',
    'each brief at its time. ID is the platform\'s channel id (Slack C0123ABC, a Discord channel id,',
    "console) or its #name, either one as platform:ID when two platforms share it (slack:#news, as",
    "'cyberbrief alerts list' names channels).",
  ].join('\n'),
  options: {
    channel: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const v = ctx.args.values;
    const ref = v.channel;
    if (typeof ref !== 'string' || ref.trim() === '') throw new UsageError("cyberbrief brief: --channel ID is required; run 'cyberbrief brief --help'.");
    if (!v['dry-run']) throw new UsageError('cyberbrief brief: only --dry-run is supported (the running bot sends each brief at its time); add --dry-run to see what the next one would hold.');
    return ctx.withStorage(async (storage, config) => {
      const channel = await findChannel(storage, ref.trim());
      const topics = await loadTopicsFile(config.topics.file);
      const composer = createBriefComposer({
        source: {
          candidates: (q) => storage.briefs.candidates(q),
          lastPeriodEnd: (id, kind) => storage.briefs.lastPeriodEnd(id, kind),
          delivery: (id) => storage.channels.delivery(id),
          subscriptions: (id) => storage.channels.subscriptions(id),
        },
        topics: topics.map((t) => ({ id: t.id, name: t.name })),
        limits: { maxStories: config.brief.max_stories, perTopic: config.brief.per_topic },
      });
      const now = new Date();
      const p = await composer.preview(channel.id, now);
      const d = p.delivery;
      const name = `${channel.platform}:${channel.externalId}${channel.name ? ` (#${channel.name})` : ''}`;
      if (v.json) {
        ctx.stdout(
          JSON.stringify(
            {
              channel: { id: channel.id, platform: channel.platform, external_id: channel.externalId, name: channel.name },
              mode: d.mode,
              schedule: d.brief ? { every: d.brief.every, weekday: d.brief.weekday, time: d.brief.time, zone: d.brief.zone, text: describeSchedule(d.brief) } : null,
              quiet_hours: d.quiet ? describeQuiet(d.quiet) : null,
              due: p.due?.toISOString() ?? null,
              period_start: p.periodStart.toISOString(),
              as_of: now.toISOString(),
              brief: p.view,
            },
          ),
        );
        return 0;
      }
      const head = d.brief
        ? `Channel ${plainLine(name)}: brief ${describeSchedule(d.brief)}, mode ${d.mode}${d.quiet ? `, quiet hours ${describeQuiet(d.quiet)}` : ''}.`
        : `Channel ${plainLine(name)} has no brief (a channel manager sets one with /news brief daily 08:00 Europe/Berlin); its last 24 hours would hold:`;
      const when = p.due && d.brief ? `Next brief: ${shownTimeWithUtc(p.due, d.brief.zone)}; as of ${shownTime(now)} it would hold:` : d.brief ? `Not sent while the mode is live; as of ${shownTime(now)} it would hold:` : '';
      ctx.stdout([head, ...(when ? [when] : []), '', briefText(p.view)].join('\n'));
      return 0;
    }, { existing: true });
  },
};
