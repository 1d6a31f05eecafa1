// Channels: each channel the person can see (platform, topics, keywords, paused reason), and for those they
// may manage, the changes /news makes there: subscribe and unsubscribe (topics), keywords add and remove, and
// resume (subscribing again resumes a paused channel, as in chat). Each runs as that /news command.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { topicNames } from '../../commands/topic-args.ts';
import { followedTopicIds, followsEvery } from '../../domain/following.ts';
import { MAX_KEYWORD_LENGTH } from '../../matching/keywords.ts';
import { fields, field, type Ctx, type Kit, type WebEnv } from '../kit.tsx';
import type { ChannelView, TenantView, Viewer } from '../types.ts';
import { ChannelName, Csrf } from '../views/layout.tsx';

/**
 * The keyword box's maxlength, which browsers count in UTF-16 code units: MAX_KEYWORD_LENGTH characters of
 * two units each (emoji), a sign and two quotes, so the browser never stops a keyword the server takes; the
 * server counts characters and says so in one sentence.
 */
const KEYWORD_INPUT_UNITS = 2 * MAX_KEYWORD_LENGTH + 3;

function find(viewer: Viewer, id: number): { view: ChannelView; tenant: TenantView | null } | null {
  for (const t of viewer.tenants) {
    const view = t.channels.find((c) => c.channel.id === id);
    if (view) return { view, tenant: t };
  }
  const view = viewer.operator ? viewer.channels.find((c) => c.channel.id === id) : undefined;
  return view ? { view, tenant: null } : null;
}

export function registerChannels(app: Hono<WebEnv>, kit: Kit): void {
  const { deps } = kit;
  const { channels } = deps.storage;

  app.get('/channels', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const topics = deps.topics.current().topics;
    const rows = await Promise.all(
      viewer.channels.map(async (v) => ({ v, subs: await channels.subscriptions(v.channel.id), kws: await channels.keywords(v.channel.id) })),
    );
    return kit.page(c, 200, {
      title: 'Channels',
      path: '/channels',
      body: (
        <div>
          {rows.length === 0 ? (
            <p class="muted">You can see no channel yet: a channel appears here once someone ran /news in it (subscribe, keywords...) and you are a member of it.</p>
          ) : (
            <div class="table-wrap stack">
              <table>
                <caption class="sr-only">Channels</caption>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col">Topics</th>
                    <th scope="col">Keywords</th>
                    <th scope="col">Alerts</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(({ v, subs, kws }) => (
                    <tr>
                      <td data-label="Channel">
                        <ChannelName platform={v.channel.platform} name={v.channel.name} externalId={v.channel.externalId} />
                      </td>
                      <td data-label="Topics">{followsEvery(subs) ? 'every topic' : subs.length ? topicNames(topics, subs) : <span class="muted">none</span>}</td>
                      <td data-label="Keywords">{kws.length ? kws.map((k) => `${k.exclude ? '-' : ''}${k.term}`).join(', ') : <span class="muted">none</span>}</td>
                      <td data-label="Alerts">{v.channel.paused ? <span class="bad">{`paused: ${v.channel.pausedReason ?? 'no reason recorded'}`}</span> : <span class="ok">on</span>}</td>
                      <td data-label="">
                        <a href={`/channels/${v.channel.id}`} aria-label={`${v.manage ? 'Manage' : 'View'} ${v.channel.name ?? v.channel.externalId}`}>
                          {v.manage ? 'Manage' : 'View'}
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ),
    });
  });

  app.get('/channels/:id', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const found = find(viewer, Number(c.req.param('id')));
    if (!found) return kit.page(c, 404, { title: 'Not found', body: <p>There is no such channel among the ones you can see. <a href="/channels">Back to the channels</a>.</p> });
    const { view } = found;
    const ch = view.channel;
    const csrf = c.get('session')!.csrf;
    const topics = deps.topics.current().topics;
    const stored = await channels.subscriptions(ch.id);
    const every = followsEvery(stored);
    const subs = new Set(followedTopicIds(stored, topics));
    const kws = await channels.keywords(ch.id);
    const label = `${ch.name ?? ch.externalId}`;
    const disabled = !view.manage;
    return kit.page(c, 200, {
      title: `#${label}`,
      path: '/channels',
      body: (
        <div>
          <p>
            <ChannelName platform={ch.platform} name={ch.name} externalId={ch.externalId} /> · <a href={`/alerts?channel=${ch.id}`}>Its alerts</a>
          </p>
          {view.manage ? null : <p class="notice">You can see this channel but not change it (as with /news here: only channel managers can).</p>}
          {ch.paused ? (
            <div class="notice error">
              <p>{`Alerts are paused: ${ch.pausedReason ?? 'no reason recorded'}.`}</p>
              {view.manage && stored.length > 0 ? (
                <form method="post" action={`/channels/${ch.id}/resume`}>
                  <Csrf token={csrf} />
                  <button type="submit">Resume alerts</button>
                </form>
              ) : null}
            </div>
          ) : null}
          <section aria-labelledby="topics">
            <h2 id="topics">Topics</h2>
            <form method="post" action={`/channels/${ch.id}/topics`}>
              <Csrf token={csrf} />
              <fieldset disabled={disabled}>
                <legend class="sr-only">Topics this channel follows</legend>
                <label class="check">
                  <input type="checkbox" name="every" value="1" checked={every} /> <strong>Every topic, and any added later</strong>
                </label>
                {topics.map((t) => (
                  <label class="check">
                    <input type="checkbox" name="topic" value={t.id} checked={subs.has(t.id)} /> {t.name}
                  </label>
                ))}
              </fieldset>
              {view.manage ? (
                <p>
                  <button type="submit">Save topics</button>
                </p>
              ) : null}
            </form>
          </section>
          <section aria-labelledby="keywords">
            <h2 id="keywords">Keywords</h2>
            <p class="muted">Extra words that bring a story to this channel; a word starting with - keeps stories out.</p>
            {kws.length === 0 ? <p class="muted">No keywords.</p> : null}
            <ul>
              {kws.map((k) => (
                <li>
                  {`${k.exclude ? 'exclude' : 'include'} "${k.term}"`}{' '}
                  {view.manage ? (
                    <form method="post" action={`/channels/${ch.id}/keywords/remove`} class="inline">
                      <Csrf token={csrf} />
                      <input type="hidden" name="term" value={k.term} />
                      <button type="submit" class="secondary" aria-label={`Remove keyword ${k.term}`}>
                        Remove
                      </button>
                    </form>
                  ) : null}
                </li>
              ))}
            </ul>
            {view.manage ? (
              <form method="post" action={`/channels/${ch.id}/keywords/add`} class="row">
                <Csrf token={csrf} />
                <div>
                  <label for="term">Add a keyword (-word to exclude)</label>
                  <input id="term" name="term" type="text" required maxlength={KEYWORD_INPUT_UNITS} />
                </div>
                <button type="submit">Add keyword</button>
              </form>
            ) : null}
          </section>
        </div>
      ),
    });
  });

  /** The channel of a form, or a 403 when the person cannot see it or may not change it. */
  async function target(c: Ctx) {
    const viewer = kit.viewer(c);
    const found = find(viewer, Number(c.req.param('id')));
    return { viewer, found };
  }

  const done = (c: Ctx, id: number, texts: string[]) => kit.back(c, `/channels/${id}`, { text: texts.join('\n') || 'Nothing changed.' });

  app.post('/channels/:id/topics', kit.signedIn, async (c) => {
    const { viewer, found } = await target(c);
    if (!found) return kit.forbidden(c, 'You cannot see that channel, so you cannot change it.');
    const form = await kit.form(c);
    const topics = deps.topics.current().topics;
    const known = new Set(topics.map((t) => t.id));
    const wanted = new Set(fields(form, 'topic').filter((t) => known.has(t)));
    const stored = await channels.subscriptions(found.view.channel.id);
    const have = new Set(followedTopicIds(stored, topics));
    const texts: string[] = [];
    const t = { tenant: found.tenant, channel: found.view };
    const refused = kit.may(viewer, t, 'subscribe', []);
    if (refused) return kit.forbidden(c, refused);
    if (field(form, 'every') === '1') {
      // Every topic, and any added later: /news subscribe with no topic. The boxes below it say nothing then.
      if (followsEvery(stored)) return done(c, found.view.channel.id, []);
      const r = await kit.run(viewer, t, 'subscribe', []);
      if (!r.ok) return kit.forbidden(c, r.refusal);
      return done(c, found.view.channel.id, [r.text]);
    }
    const add = [...wanted].filter((x) => !have.has(x));
    const drop = [...have].filter((x) => !wanted.has(x) && known.has(x));
    if (followsEvery(stored) && drop.length === 0) {
      return done(c, found.view.channel.id, ['Nothing changed: this channel still follows every topic. To follow only some, untick the ones it should not follow.']);
    }
    // Named topics only: an empty /news subscribe or unsubscribe means every topic.
    for (const [name, list] of [['subscribe', add], ['unsubscribe', drop]] as const) {
      if (list.length === 0) continue;
      const r = await kit.run(viewer, t, name, list);
      if (!r.ok) return kit.forbidden(c, r.refusal);
      texts.push(r.text);
    }
    return done(c, found.view.channel.id, texts);
  });

  app.post('/channels/:id/resume', kit.signedIn, async (c) => {
    const { viewer, found } = await target(c);
    if (!found) return kit.forbidden(c, 'You cannot see that channel, so you cannot change it.');
    const subs = await channels.subscriptions(found.view.channel.id);
    if (subs.length === 0) return done(c, found.view.channel.id, ['This channel follows no topics; choose some and save to resume it.']);
    // As in chat: subscribing again resumes a paused channel (with no topic named when it follows every topic).
    const r = await kit.run(viewer, { tenant: found.tenant, channel: found.view }, 'subscribe', followsEvery(subs) ? [] : subs);
    if (!r.ok) return kit.forbidden(c, r.refusal);
    return done(c, found.view.channel.id, ['Alerts are on again.', r.text]);
  });

  for (const action of ['add', 'remove'] as const) {
    app.post(`/channels/:id/keywords/${action}`, kit.signedIn, async (c) => {
      const { viewer, found } = await target(c);
      if (!found) return kit.forbidden(c, 'You cannot see that channel, so you cannot change it.');
      const form = await kit.form(c);
      const term = field(form, 'term').trim();
      if (!term) return done(c, found.view.channel.id, ['Type a keyword first.']);
      const r = await kit.run(viewer, { tenant: found.tenant, channel: found.view }, 'keywords', [action, term]);
      if (!r.ok) return kit.forbidden(c, r.refusal);
      return done(c, found.view.channel.id, [r.text]);
    });
  }
}
