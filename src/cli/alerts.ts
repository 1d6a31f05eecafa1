// cyberbrief alerts: the outbox from a shell. `list` shows recent alerts (`--failed`: the dead letters),
// `retry` puts dead letters back in the queue for the running bot to send.
import { coveredBy } from '../domain/coverage.ts';
import { UsageError } from '../lib/errors.ts';
import type { AlertListRow } from '../storage/index.ts';
import { didYouMean, echoed, rowId, someOf, when } from './format.ts';
import { printJsonLines } from './json-lines.ts';
import type { CliCommand } from './types.ts';

function alertJson(a: AlertListRow) {
  return {
    id: a.id,
    status: a.status,
    channel: { id: a.channelId, platform: a.platform, external_id: a.externalId, name: a.channelName },
    cluster_id: a.clusterId,
    item_id: a.itemId,
    title: a.title,
    url: a.url,
    attempts: a.attempts,
    last_error: a.lastError,
    message_id: a.messageId,
    in_digest: a.inDigest,
    needs_update: a.needsUpdate,
    created_at: a.createdAt.toISOString(),
    next_attempt_at: a.nextAttemptAt.toISOString(),
    sent_at: a.sentAt?.toISOString() ?? null,
    also_covered_by: a.coverage,
  };
}

function alertLines(a: AlertListRow): string[] {
  const channel = `${a.platform}:${a.channelName ? `#${a.channelName}` : a.externalId}`;
  const lines = [`${String(a.id).padStart(5)}  ${a.status.padEnd(7)} ${channel}  ${a.title}`];
  if (a.coverage > 0) lines.push(`       ${coveredBy(a.coverage)}`);
  if (a.status === 'sent') lines.push(`       sent ${when(a.sentAt)}${a.inDigest ? ' in a digest' : ''}  message ${a.messageId ?? '-'}${a.needsUpdate ? '  (edit pending)' : ''}`);
  else if (a.status === 'held') lines.push('       held for the channel\'s brief or until its quiet hours end');
  else lines.push(`       attempts ${a.attempts}  ${a.status === 'dead' ? 'dead-lettered' : `next attempt ${when(a.nextAttemptAt)}`}`);
  if (a.lastError) lines.push(`       last error: ${a.lastError}`);
  return lines;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 50;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10_000) throw new UsageError(`cyberbrief alerts: --limit must be a number from 1 to 10000, got '${echoed(raw)}'.`);
  return Number(raw);
}

/** Alert ids one `alerts retry` takes (--all has no bound). */
const MAX_RETRY_IDS = 1000;

export const command: CliCommand = {
  name: 'alerts',
  summary: 'list alerts (--failed for dead letters) and retry them',
  usage: [
    'Usage: cyberbrief alerts <action> [...]',
    '',
    'Actions:',
    '  list [--failed] [--limit N] [--json]   the newest alerts (50, or --limit N); --failed: dead letters only;',
    '                                         --json: one JSON object per alert (JSON Lines; none: no line)',
    '  retry ID [ID...] | --all               queue dead-lettered alerts again (the running bot sends them)',
    '',
    'An alert is dead-lettered after delivery.max_attempts failed sends. Alerts of a paused channel wait',
    'instead; /news status in the channel says why it was paused.',
  ].join('\n'),
  options: {
    failed: { type: 'boolean' },
    json: { type: 'boolean' },
    all: { type: 'boolean' },
    limit: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [action, ...rest] = ctx.args.positionals;
    const v = ctx.args.values;
    if (action === 'list') {
      if (rest.length) throw new UsageError(`cyberbrief alerts list: unexpected '${rest.join(' ')}'; run 'cyberbrief alerts --help'.`);
      const limit = parseLimit(v.limit as string | undefined);
      return ctx.withStorage(async (storage) => {
        // One row past the page tells whether there are more than it shows.
        const page = await storage.alerts.list({ limit: limit + 1, ...(v.failed ? { status: 'dead' as const } : {}) });
        const rows = page.slice(0, limit);
        const none = v.failed ? 'No failed alerts.' : 'No alerts yet.';
        // A full page may not be all of them: say so, rather than count a page as the whole.
        const more = page.length > limit ? `the newest ${limit} shown; --limit N shows more` : '';
        if (v.json) {
          printJsonLines(ctx, rows.map(alertJson), none);
          if (more) ctx.stderr(`cyberbrief alerts list: ${more}.`);
          return 0;
        }
        if (rows.length === 0) {
          ctx.stdout(none);
          return 0;
        }
        ctx.stdout(rows.flatMap(alertLines).join('\n'));
        if (v.failed) ctx.stdout(`\n${more ? `${limit} failed alerts or more (${more})` : `${rows.length} failed alert${rows.length === 1 ? '' : 's'}`}; 'cyberbrief alerts retry --all' queues them again.`);
        else if (more) ctx.stdout(`\n(${more}.)`);
        return 0;
      }, { existing: true });
    }
    if (action === 'retry') {
      if (v.all && rest.length) throw new UsageError("cyberbrief alerts retry: give alert ids or --all, not both.");
      if (!v.all && rest.length === 0) throw new UsageError("cyberbrief alerts retry: give alert ids (see 'cyberbrief alerts list --failed') or --all.");
      const bad = rest.find((r) => rowId(r) === null);
      if (bad !== undefined) throw new UsageError(`cyberbrief alerts retry: '${echoed(bad)}' is not an alert id.`);
      const ids = [...new Set(rest.map((r) => rowId(r)!))];
      if (ids.length > MAX_RETRY_IDS) throw new UsageError(`cyberbrief alerts retry: ${ids.length} alert ids given; give at most ${MAX_RETRY_IDS} at a time, or --all for every dead letter.`);
      return ctx.withStorage(async (storage) => {
        const requeued = await storage.alerts.retryDead({ ...(v.all ? {} : { ids }), now: new Date() });
        const missed = ids.filter((id) => !requeued.includes(id));
        if (v.json) {
          ctx.stdout(JSON.stringify({ requeued, not_dead: missed }));
        } else {
          // Ids given and none of them queued: the sentence on standard error says it all.
          if (requeued.length || v.all) ctx.stdout(requeued.length ? `Queued ${requeued.length} alert${requeued.length === 1 ? '' : 's'} again: ${someOf(requeued, 50)}.` : 'No failed alerts to retry.');
          if (missed.length) {
            const found = await Promise.all(missed.map((id) => storage.alerts.get(id)));
            const notDead = found.flatMap((a) => (a ? [`${a.id} (${a.status})`] : []));
            const unknown = missed.filter((_, i) => !found[i]);
            const parts = [
              ...(notDead.length ? [`${someOf(notDead)} ${notDead.length === 1 ? 'is' : 'are'} not dead-lettered`] : []),
              ...(unknown.length ? [`there is no alert ${someOf(unknown)}`] : []),
            ];
            ctx.stderr(`cyberbrief alerts retry: ${parts.join('; ')} (see 'cyberbrief alerts list --failed').`);
          }
        }
        return missed.length && !v.all ? 1 : 0;
      }, { existing: true });
    }
    ctx.stderr(`cyberbrief alerts: expected 'list' or 'retry'${action ? `, got '${echoed(action)}'${didYouMean(action, ['list', 'retry'])}` : ''}; run 'cyberbrief alerts --help'.`);
    return 2;
  },
};
