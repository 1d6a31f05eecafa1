// Alerts: the history of the person's channels (status, attempts, last error), filtered by channel and
// status, and the dead letters with a retry. Retrying sends a failed alert to its own channel again, so it
// takes the right to manage that channel (what /news asks before changing what a channel receives).
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { allowed, refusal } from '../../commands/permissions.ts';
import { coveredBy } from '../../domain/coverage.ts';
import type { AlertStatus } from '../../domain/types.ts';
import { commandFor, type Kit, type WebEnv } from '../kit.tsx';
import { channelScope, type TenantView, type Viewer, type ChannelView } from '../types.ts';
import { ChannelName, channelLabel, Csrf, StoryLink, Time } from '../views/layout.tsx';

const STATUSES: AlertStatus[] = ['pending', 'sending', 'sent', 'dead'];
const LIMIT = 100;

function channelOf(viewer: Viewer, id: number): { view: ChannelView; tenant: TenantView | null } | null {
  for (const t of viewer.tenants) {
    const view = t.channels.find((c) => c.channel.id === id);
    if (view) return { view, tenant: t };
  }
  const view = viewer.operator ? viewer.channels.find((c) => c.channel.id === id) : undefined;
  return view ? { view, tenant: null } : null;
}

const mayRetry = (viewer: Viewer, at: { view: ChannelView; tenant: TenantView | null }) => allowed(commandFor(viewer, { tenant: at.tenant, channel: at.view }, 'alerts', ['retry']), 'manage_channel');

export function registerAlerts(app: Hono<WebEnv>, kit: Kit): void {
  const { deps } = kit;

  app.get('/alerts', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const csrf = c.get('session')!.csrf;
    const scope = channelScope(viewer);
    const channelParam = c.req.query('channel');
    const channel = channelParam && /^\d{1,15}$/.test(channelParam) ? Number(channelParam) : undefined;
    if (channel !== undefined && !channelOf(viewer, channel)) return kit.page(c, 404, { title: 'Not found', body: <p>There is no such channel among the ones you can see.</p> });
    const statusParam = c.req.query('status') as AlertStatus | undefined;
    const status = statusParam && STATUSES.includes(statusParam) ? statusParam : undefined;
    const [rows, dead] = await Promise.all([
      deps.storage.dashboard.alerts({ channels: scope, channel, status, limit: LIMIT }),
      deps.storage.dashboard.alerts({ channels: scope, channel, status: 'dead', limit: LIMIT }),
    ]);
    return kit.page(c, 200, {
      title: 'Alerts',
      path: '/alerts',
      body: (
        <div>
          <form method="get" action="/alerts" class="row">
            <div>
              <label for="channel">Channel</label>
              <select id="channel" name="channel">
                <option value="">All your channels</option>
                {viewer.channels.map((v) => (
                  <option value={String(v.channel.id)} selected={v.channel.id === channel}>
                    {channelLabel(v.channel)}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="status">Status</label>
              <select id="status" name="status">
                <option value="">Any</option>
                {STATUSES.map((s) => (
                  <option value={s} selected={s === status}>
                    {s === 'dead' ? 'dead (failed for good)' : s}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="secondary">
              Show
            </button>
          </form>
          <section aria-labelledby="dead">
            <h2 id="dead">Dead letters</h2>
            {dead.length === 0 ? (
              <p class="muted">None: every alert was delivered or is still being tried.</p>
            ) : (
              <ul class="stories">
                {dead.map((a) => {
                  const at = channelOf(viewer, a.channelId);
                  return (
                    <li>
                      <StoryLink title={a.title} url={a.url} />
                      <p class="muted">
                        {`Alert ${a.id} to `}
                        <ChannelName platform={a.platform} name={a.channelName} externalId={a.externalId} />
                        {` · ${a.attempts} failed ${a.attempts === 1 ? 'send' : 'sends'} · last error: ${a.lastError ?? 'none recorded'}`}
                      </p>
                      {at && mayRetry(viewer, at) ? (
                        <form method="post" action={`/alerts/${a.id}/retry`}>
                          <Csrf token={csrf} />
                          <button type="submit" aria-label={`Retry alert ${a.id}: ${a.title}`}>
                            Retry
                          </button>
                        </form>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <section aria-labelledby="history">
            <h2 id="history">History</h2>
            {rows.length === 0 ? (
              <p class="muted">{status ? `No alert${channel === undefined ? '' : ' of this channel'} has status ${status}.` : channel === undefined ? 'No alerts yet.' : 'This channel has had no alerts yet.'}</p>
            ) : (
              <>
                <p class="muted">{`${rows.length >= LIMIT ? `The newest ${LIMIT} alerts` : `${rows.length} ${rows.length === 1 ? 'alert' : 'alerts'}`}${status ? ` with status ${status}` : ''}. Alert IDs are numbered across every channel and never reused, so one channel's alerts skip numbers.`}</p>
                <div class="table-wrap stack">
                  <table>
                    <caption class="sr-only">Alert history</caption>
                    <thead>
                      <tr>
                        <th scope="col">Alert ID</th>
                        <th scope="col">Story</th>
                        <th scope="col">Channel</th>
                        <th scope="col">Status</th>
                        <th scope="col">Failed sends</th>
                        <th scope="col">Last error</th>
                        <th scope="col">Queued</th>
                        <th scope="col">Sent</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((a) => (
                        <tr>
                          <td data-label="Alert ID">{String(a.id)}</td>
                          <td class="name" data-label="Story">
                            <StoryLink title={a.title} url={a.url} />
                            {a.coverage > 0 ? <div class="muted">{coveredBy(a.coverage)}</div> : null}
                          </td>
                          <td data-label="Channel">
                            <ChannelName platform={a.platform} name={a.channelName} externalId={a.externalId} />
                          </td>
                          <td class={a.status === 'dead' ? 'bad' : a.status === 'sent' ? 'ok' : ''} data-label="Status">{a.status + (a.inDigest ? ' (digest)' : '')}</td>
                          <td data-label="Failed sends">{String(a.attempts)}</td>
                          <td class="text" data-label="Last error">{a.lastError ?? <span class="muted">none</span>}</td>
                          <td data-label="Queued">
                            <Time at={a.createdAt} />
                          </td>
                          <td data-label="Sent">
                            <Time at={a.sentAt} empty="not yet" />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        </div>
      ),
    });
  });

  app.post('/alerts/:id/retry', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const id = Number(c.req.param('id'));
    const alert = Number.isSafeInteger(id) && id > 0 ? await deps.storage.alerts.get(id) : null;
    const at = alert ? channelOf(viewer, alert.channelId) : null;
    if (!alert || !at) return kit.forbidden(c, 'There is no such alert in the channels you can see.');
    const cmd = commandFor(viewer, { tenant: at.tenant, channel: at.view }, 'alerts', ['retry']);
    if (!allowed(cmd, 'manage_channel')) return kit.forbidden(c, refusal(cmd, 'manage_channel', "retry this channel's failed alerts"));
    const requeued = await deps.storage.alerts.retryDead({ ids: [id], now: deps.clock.now() });
    if (requeued.length) {
      deps.notifyDispatcher?.();
      deps.logger.info({ alert: id, user: viewer.label }, `web: dead letter ${id} queued again`);
    }
    return kit.back(c, `/alerts?channel=${alert.channelId}`, { text: requeued.length ? `Alert ${id} is queued again; it goes out within a few seconds.` : `Alert ${id} is not a dead letter (it is ${alert.status}); nothing changed.` });
  });
}
