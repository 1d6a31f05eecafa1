// Feeds: the table (title, URL, who gets it, health, last success and error, next check, items; searched,
// filtered to the failing and disabled, a hundred a page), and the
// changes /news feeds makes (add, remove; global ones by operators), run as those commands. Enabling and
// disabling a feed affects everyone who reads it, so only operators may, and only for feeds they manage
// (the dashboard operator: any; a chat operator: the global ones). OPML import adds each feed as /news feeds
// add would; export writes the feeds the person sees.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { allowed } from '../../commands/permissions.ts';
import type { FeedAudience } from '../../domain/tenancy.ts';
import { feedHealth, feedNeedsAttention, quietRule, quietSince, type Feed, type QuietRule } from '../../domain/types.ts';
import { cleanFeedTitle } from '../../feeds/feed-title.ts';
import { MAX_OPML_FEEDS, parseOpml, renderOpml } from '../../feeds/opml.ts';
import { boundedText } from '../../lib/bounded-text.ts';
import { errorMessage } from '../../lib/errors.ts';
import { commandFor, field, type Ctx, type Kit, type WebEnv } from '../kit.tsx';
import type { TenantView, Viewer } from '../types.ts';
import { Csrf, Time } from '../views/layout.tsx';

/** Feeds one OPML import may add (a larger list is split, or added with the CLI). */
export const IMPORT_MAX_FEEDS = 200;

/** Feeds per page of the table (a deployment of 10,000 feeds is 100 pages, not one page of 15 MB). */
export const FEEDS_PER_PAGE = 100;

/** Which feeds the table shows: a search in title and URL, only those failing or disabled, one page. */
export interface FeedsView {
  q: string;
  problems: boolean;
  page: number;
}

/** The view a query string asks for; anything malformed reads as the default (the search is capped at 200 characters). */
export function feedsView(get: (name: string) => string | undefined): FeedsView {
  const page = Number(get('page'));
  return { q: (get('q') ?? '').trim().slice(0, 200), problems: get('show') === 'problems', page: Number.isInteger(page) && page >= 1 ? page : 1 };
}

/** The query string of a view (and of the acting tenant), for links and for coming back after a change. */
export function feedsQuery(as: string, v: FeedsView, page = v.page): string {
  const p = new URLSearchParams();
  if (as) p.set('as', as);
  if (v.q) p.set('q', v.q);
  if (v.problems) p.set('show', 'problems');
  if (page > 1) p.set('page', String(page));
  const q = p.toString();
  return q ? `?${q}` : '';
}

/** The table's first page, unsearched and unfiltered, for the acting tenant. */
const listUrl = (as: string): string => `/feeds${feedsQuery(as, { q: '', problems: false, page: 1 })}`;

/** The rows a view selects, and the page of them it shows (a page past the end shows the last). */
export function viewRows<R extends { feed: Feed }>(rows: readonly R[], v: FeedsView): { shown: R[]; matching: number; page: number; pages: number } {
  const q = v.q.toLowerCase();
  const matching = rows.filter((r) => (!v.problems || feedNeedsAttention(r.feed)) && (!q || r.feed.url.toLowerCase().includes(q) || (r.feed.title ?? '').toLowerCase().includes(q)));
  const pages = Math.max(1, Math.ceil(matching.length / FEEDS_PER_PAGE));
  const page = Math.min(v.page, pages);
  return { shown: matching.slice((page - 1) * FEEDS_PER_PAGE, page * FEEDS_PER_PAGE), matching: matching.length, page, pages };
}

interface Row {
  feed: Feed;
  /** The acting tenant has its own link to it. */
  owned: boolean;
  audience: FeedAudience | undefined;
}

/** Whom the dashboard acts for on this page: the operator (everything), or one of the person's tenants. */
function actingAs(viewer: Viewer, key: string | undefined): { tenant: TenantView | null } | null {
  if (viewer.operator) return { tenant: null };
  if (viewer.tenants.length === 0) return null;
  if (!key) return { tenant: viewer.tenants[0]! };
  const t = viewer.tenants.find((x) => x.key === key);
  return t ? { tenant: t } : null;
}

async function rowsFor(kit: Kit, acting: { tenant: TenantView | null }): Promise<Row[]> {
  const { feeds } = kit.deps.storage;
  const audiences = await feeds.audiences();
  if (!acting.tenant) return (await feeds.list()).map((f) => ({ feed: f, owned: false, audience: audiences.get(f.id) }));
  return (await feeds.visibleTo(acting.tenant.tenant)).map((f) => ({ feed: f, owned: f.owned, audience: audiences.get(f.id) }));
}

/** May switch a feed on or off: it affects every reader, so operators only (chat operators: global feeds). */
function mayToggle(viewer: Viewer, tenant: TenantView | null, feed: Feed): boolean {
  if (viewer.operator) return true;
  return !!tenant && feed.global && allowed(commandFor(viewer, { tenant }, 'feeds', ['add', 'global', '-']), 'operator');
}

function reach(row: Row, tenant: TenantView | null): string {
  if (!tenant) {
    const owners = row.audience?.tenants ?? [];
    if (row.feed.global) return owners.length ? `every channel; also added by ${owners.join(', ')}` : 'every channel (global)';
    return `the channels of ${owners.join(', ') || 'nobody'}`;
  }
  const noun = tenant.tenant.platform === 'slack' ? 'workspace' : 'server';
  if (row.feed.global) return row.owned ? `every channel (global); also this ${noun}'s own` : 'every channel (global)';
  return `this ${noun}'s channels`;
}

/** When the dashboard calls a feed quiet (polling.quiet_after_days), as of this request. */
export const dashboardQuietRule = (kit: Kit): QuietRule => quietRule(kit.deps.clock.now(), kit.deps.settings.quietAfterDays);

function State(props: { feed: Feed; quiet: QuietRule }) {
  const f = props.feed;
  if (!f.enabled) return <span class="bad">{`disabled${f.disabledReason ? `: ${f.disabledReason}` : ''}`}</span>;
  if (f.errorCount > 0) return <span class="warn">{`failing (${f.errorCount}x)`}</span>;
  const health = feedHealth(f, props.quiet);
  if (health === 'new') return <span class="muted">new: not read yet</span>;
  if (health === 'quiet') {
    return (
      <span class="warn">
        {f.lastNewItemAt ? 'quiet: nothing new since ' : 'quiet: nothing at all since it was added '}
        <Time at={quietSince(f)} />
      </span>
    );
  }
  return <span class="ok">ok</span>;
}

interface Listing {
  view: FeedsView;
  /** Feeds the person sees, before the view's search and filter. */
  total: number;
  matching: number;
  page: number;
  pages: number;
}

/**
 * The search, the filter and the pages: plain links and a GET form, so they work without script. With no
 * feeds at all, only `empty`: the sentence saying so and how to add one (there is nothing to search).
 */
function ListingControls(props: { as: string; listing: Listing; empty: string }) {
  const { as, listing } = props;
  if (listing.total === 0) return <p>{props.empty}</p>;
  const v = { ...listing.view, page: listing.page };
  const from = listing.matching === 0 ? 0 : (listing.page - 1) * FEEDS_PER_PAGE + 1;
  const to = Math.min(listing.page * FEEDS_PER_PAGE, listing.matching);
  const filtered = v.q || v.problems;
  return (
    <div>
      <form method="get" action="/feeds" class="row" role="search">
        {as ? <input type="hidden" name="as" value={as} /> : null}
        <div>
          <label for="q">Search title or URL</label>
          <input id="q" name="q" type="text" maxlength={200} value={v.q} />
        </div>
        <label class="check">
          <input type="checkbox" name="show" value="problems" checked={v.problems} /> Only failing or disabled
        </label>
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <p aria-live="polite">
        {listing.matching === 0
          ? `No feed matches (of ${listing.total}).`
          : `Feeds ${from}-${to} of ${listing.matching}${filtered ? ` matching (${listing.total} in all)` : ''}.`}
        {filtered ? (
          <>
            {' '}
            <a href={listUrl(as)}>Show all</a>
          </>
        ) : null}
      </p>
      {listing.pages > 1 ? (
        <nav aria-label="Pages of feeds" class="actions">
          {listing.page > 1 ? <a href={`/feeds${feedsQuery(as, v, listing.page - 1)}`} rel="prev">Previous page</a> : null}
          <span>{`Page ${listing.page} of ${listing.pages}`}</span>
          {listing.page < listing.pages ? <a href={`/feeds${feedsQuery(as, v, listing.page + 1)}`} rel="next">Next page</a> : null}
        </nav>
      ) : null}
    </div>
  );
}

/** How a person adds the first feed: the forms below (and the CLI, for the operator), or by asking an admin. */
function emptyAdvice(operator: boolean, canAdd: boolean): string {
  if (operator) return 'add one below, import an OPML file, or run cyberbrief feeds add URL';
  return canAdd ? 'add one below or import an OPML file' : 'an admin of your workspace or server can add one';
}

function FeedsPage(props: { kit: Kit; viewer: Viewer; csrf: string; tenant: TenantView | null; rows: Row[]; counts: Map<number, number>; listing: Listing }) {
  const { viewer, tenant, rows, csrf, listing } = props;
  const as = tenant?.key ?? '';
  const back = feedsQuery('', { ...listing.view, page: listing.page });
  const canAddOwn = !!tenant && tenant.isAdmin;
  const canAddGlobal = viewer.operator || (!!tenant && tenant.isOperator);
  const noun = tenant ? (tenant.tenant.platform === 'slack' ? 'workspace' : 'server') : null;
  const quiet = dashboardQuietRule(props.kit);
  return (
    <div>
      {viewer.operator ? (
        <p>As the operator you see every feed; feeds you add here are global (every subscribed channel gets them).</p>
      ) : viewer.tenants.length > 1 ? (
        <form method="get" action="/feeds" class="row">
          <div>
            <label for="as">Workspace or server</label>
            <select id="as" name="as">
              {viewer.tenants.map((t) => (
                <option value={t.key} selected={t.key === as}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="secondary">
            Show
          </button>
        </form>
      ) : tenant ? (
        <p>{`The global feeds, and ${tenant.name}'s own.`}</p>
      ) : (
        <p class="muted">You belong to no workspace or server where cyberbrief is installed; these are the global feeds.</p>
      )}
      <ListingControls as={as} listing={listing} empty={`No feeds are watched yet; ${emptyAdvice(viewer.operator, canAddOwn || canAddGlobal)}.`} />
      {rows.length === 0 ? null : (
        <div class="table-wrap stack">
          <table>
            <caption class="sr-only">Feeds</caption>
            <thead>
              <tr>
                <th scope="col">Feed</th>
                <th scope="col">For</th>
                <th scope="col">State</th>
                <th scope="col">Last success</th>
                <th scope="col">Last error</th>
                <th scope="col">Next check</th>
                <th scope="col">Items</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const f = r.feed;
                const title = cleanFeedTitle(f.title) ?? '(no title yet)';
                const removeOwn = !!tenant && tenant.isAdmin && r.owned;
                const removeGlobal = f.global && canAddGlobal;
                const toggle = mayToggle(viewer, tenant, f);
                return (
                  <tr>
                    <td class="name" data-label="Feed">
                      <strong>{title}</strong>
                      <br />
                      <span class="url">{f.url}</span>
                    </td>
                    <td data-label="For">{reach(r, tenant)}</td>
                    <td data-label="State">
                      <State feed={f} quiet={quiet} />
                    </td>
                    <td data-label="Last success">
                      <Time at={f.lastSuccessAt} />
                    </td>
                    <td class="text" data-label="Last error">{f.lastError ? <span>{boundedText(f.lastError, 300)} (<Time at={f.lastErrorAt} />)</span> : <span class="muted">none</span>}</td>
                    <td data-label="Next check">{f.enabled ? <Time at={f.nextCheckAt} /> : <span class="muted">not checked</span>}</td>
                    <td data-label="Items">{String(props.counts.get(f.id) ?? 0)}</td>
                    <td data-label="Actions">
                      <div class="actions">
                        {removeOwn ? (
                          <form method="post" action={`/feeds/${f.id}/remove`}>
                            <Csrf token={csrf} />
                            <input type="hidden" name="as" value={as} />
                            <input type="hidden" name="back" value={back} />
                            <button type="submit" class="danger" aria-label={`Remove ${title} from this ${noun}`}>
                              Remove
                            </button>
                          </form>
                        ) : null}
                        {removeGlobal && !removeOwn ? (
                          <form method="post" action={`/feeds/${f.id}/remove`}>
                            <Csrf token={csrf} />
                            <input type="hidden" name="as" value={as} />
                            <input type="hidden" name="back" value={back} />
                            <input type="hidden" name="scope" value="global" />
                            <button type="submit" class="danger" aria-label={`Remove global feed ${title}`}>
                              Remove global
                            </button>
                          </form>
                        ) : null}
                        {toggle ? (
                          <form method="post" action={`/feeds/${f.id}/${f.enabled ? 'disable' : 'enable'}`}>
                            <Csrf token={csrf} />
                            <input type="hidden" name="as" value={as} />
                            <input type="hidden" name="back" value={back} />
                            <button type="submit" class="secondary" aria-label={`${f.enabled ? 'Disable' : 'Enable'} ${title}`}>
                              {f.enabled ? 'Disable' : 'Enable'}
                            </button>
                          </form>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canAddOwn || canAddGlobal ? (
        <div class="grid2">
          <section aria-labelledby="add">
            <h2 id="add">Add a feed</h2>
            <form method="post" action="/feeds/add">
              <Csrf token={csrf} />
              <input type="hidden" name="as" value={as} />
              <label for="url">Feed URL</label>
              <input id="url" name="url" type="url" required maxlength={2048} placeholder="https://example.com/feed.xml" />
              {canAddOwn && canAddGlobal ? (
                <label class="check">
                  <input type="checkbox" name="scope" value="global" /> Global: for every subscribed channel, not only this {noun}'s
                </label>
              ) : !canAddOwn ? (
                <input type="hidden" name="scope" value="global" />
              ) : null}
              <p>
                <button type="submit">Add feed</button>
              </p>
            </form>
          </section>
          <section aria-labelledby="opml">
            <h2 id="opml">OPML</h2>
            <form method="post" action="/feeds/import" enctype="multipart/form-data">
              <Csrf token={csrf} />
              <input type="hidden" name="as" value={as} />
              {!canAddOwn ? <input type="hidden" name="scope" value="global" /> : null}
              <label for="file">Import an OPML file (at most {IMPORT_MAX_FEEDS} feeds)</label>
              <input id="file" name="file" type="file" accept=".opml,.xml,text/xml,application/xml" required />
              <p>
                <button type="submit" class="secondary">
                  Import
                </button>
              </p>
            </form>
            <p>
              <a href={`/feeds/export.opml${as ? `?as=${encodeURIComponent(as)}` : ''}`}>Export these feeds as OPML</a>
            </p>
          </section>
        </div>
      ) : (
        <p>
          <a href={`/feeds/export.opml${as ? `?as=${encodeURIComponent(as)}` : ''}`}>Export these feeds as OPML</a>
        </p>
      )}
    </div>
  );
}

export function registerFeeds(app: Hono<WebEnv>, kit: Kit): void {
  const { deps } = kit;

  app.get('/feeds', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const acting = actingAs(viewer, c.req.query('as'));
    if (!acting && viewer.tenants.length > 0) return kit.forbidden(c, 'You do not belong to that workspace or server.');
    const tenant = acting?.tenant ?? null;
    const all = acting ? await rowsFor(kit, acting) : (await deps.storage.feeds.list()).filter((f) => f.global).map((f) => ({ feed: f, owned: false, audience: undefined }));
    const view = feedsView((name) => c.req.query(name));
    const { shown, matching, page, pages } = viewRows(all, view);
    const counts = await deps.storage.dashboard.itemCounts(shown.map((r) => r.feed.id));
    const listing: Listing = { view, total: all.length, matching, page, pages };
    return kit.page(c, 200, { title: 'Feeds', path: '/feeds', body: <FeedsPage kit={kit} viewer={viewer} csrf={c.get('session')!.csrf} tenant={tenant} rows={shown} counts={counts} listing={listing} /> });
  });

  /** The acting tenant of a form, or a 403 page when the form names one the person does not belong to. */
  async function formTarget(c: Ctx) {
    const viewer = kit.viewer(c);
    const form = await kit.form(c);
    const as = field(form, 'as');
    const acting = actingAs(viewer, as || undefined);
    // Back to the page of the table the change was made from: only the view's own keys are read from it.
    const from = new URLSearchParams(field(form, 'back').replace(/^\?/, ''));
    const back = `/feeds${feedsQuery(as, feedsView((name) => from.get(name) ?? undefined))}`;
    return { viewer, form, as, acting, back };
  }

  app.post('/feeds/add', kit.signedIn, async (c) => {
    const { viewer, form, as, acting } = await formTarget(c);
    if (!acting) return kit.forbidden(c, 'You do not belong to that workspace or server.');
    const url = field(form, 'url').trim();
    const global = field(form, 'scope') === 'global';
    const r = await kit.run(viewer, { tenant: acting.tenant }, 'feeds', global && acting.tenant ? ['add', 'global', url] : ['add', url]);
    if (!r.ok) return kit.forbidden(c, r.refusal);
    return kit.back(c, listUrl(as), { text: r.text });
  });

  app.post('/feeds/:id/remove', kit.signedIn, async (c) => {
    const { viewer, form, acting, back } = await formTarget(c);
    if (!acting) return kit.forbidden(c, 'You do not belong to that workspace or server.');
    const id = Number(c.req.param('id'));
    const rows = await rowsFor(kit, acting);
    if (!rows.some((r) => r.feed.id === id)) return kit.forbidden(c, 'There is no such feed among the ones you can see.');
    const global = field(form, 'scope') === 'global';
    const r = await kit.run(viewer, { tenant: acting.tenant }, 'feeds', global && acting.tenant ? ['remove', 'global', String(id)] : ['remove', String(id)]);
    if (!r.ok) return kit.forbidden(c, r.refusal);
    return kit.back(c, back, { text: r.text });
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post(`/feeds/:id/${action}`, kit.signedIn, async (c) => {
      const { viewer, acting, back } = await formTarget(c);
      if (!acting) return kit.forbidden(c, 'You do not belong to that workspace or server.');
      const id = Number(c.req.param('id'));
      const row = (await rowsFor(kit, acting)).find((r) => r.feed.id === id);
      if (!row) return kit.forbidden(c, 'There is no such feed among the ones you can see.');
      if (!mayToggle(viewer, acting.tenant, row.feed)) {
        return kit.forbidden(c, `Only the bot's operators can ${action} ${row.feed.global ? 'a global feed' : "a workspace's or server's feed"}: it changes what every channel reading it gets.`);
      }
      await deps.storage.feeds.setEnabled(id, action === 'enable', deps.clock.now());
      deps.logger.info({ feed_id: id, user: viewer.label }, `web: feed ${id} ${action}d`);
      return kit.back(c, back, { text: `Feed ${id} (${row.feed.url}) is ${action}d.${action === 'enable' ? ' It will be checked within a minute.' : ''}` });
    });
  }

  app.post('/feeds/import', kit.signedIn, async (c) => {
    const { viewer, form, as, acting } = await formTarget(c);
    if (!acting) return kit.forbidden(c, 'You do not belong to that workspace or server.');
    const file = form.file;
    const text = file instanceof File ? await file.text() : typeof file === 'string' ? file : '';
    let feeds;
    try {
      feeds = parseOpml(text);
    } catch (err) {
      return kit.back(c, listUrl(as), { text: errorMessage(err), error: true });
    }
    if (feeds.length === 0) return kit.back(c, listUrl(as), { text: 'The OPML file lists no feeds (outlines with an xmlUrl).', error: true });
    if (feeds.length > IMPORT_MAX_FEEDS) return kit.back(c, listUrl(as), { text: `The OPML file lists ${feeds.length} feeds; import at most ${IMPORT_MAX_FEEDS} at a time (or use cyberbrief feeds import, up to ${MAX_OPML_FEEDS}).`, error: true });
    const global = field(form, 'scope') === 'global';
    const args = (url: string) => (global && acting.tenant ? ['add', 'global', url] : ['add', url]);
    // The permission check of the first add refuses the whole import: nothing changes.
    const first = await kit.run(viewer, { tenant: acting.tenant }, 'feeds', args(feeds[0]!.url));
    if (!first.ok) return kit.forbidden(c, first.refusal);
    const results = [first.text];
    for (const f of feeds.slice(1)) {
      const r = await kit.run(viewer, { tenant: acting.tenant }, 'feeds', args(f.url));
      results.push(r.ok ? r.text : r.refusal);
    }
    const added = results.filter((t) => /^Added /.test(t)).length;
    const problems = results.filter((t) => !/^(Added |Feed \d+ .*(already|is global now|is a global feed))/.test(t));
    const summary = `Imported ${feeds.length} ${feeds.length === 1 ? 'feed' : 'feeds'} from OPML: ${added} added, ${feeds.length - added - problems.length} already watched${problems.length ? `, ${problems.length} refused (first: ${problems[0]})` : ''}.`;
    return kit.back(c, listUrl(as), { text: summary, error: problems.length > 0 && added === 0 });
  });

  app.get('/feeds/export.opml', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const acting = actingAs(viewer, c.req.query('as'));
    if (!acting && viewer.tenants.length > 0) return kit.forbidden(c, 'You do not belong to that workspace or server.');
    const rows = acting ? await rowsFor(kit, acting) : (await deps.storage.feeds.list()).filter((f) => f.global).map((f) => ({ feed: f }));
    const body = renderOpml(rows.map((r) => ({ url: r.feed.url, title: r.feed.title, siteUrl: r.feed.siteUrl })), { title: 'cyberbrief feeds', now: deps.clock.now() });
    return c.body(body, 200, { 'content-type': 'text/x-opml; charset=utf-8', 'content-disposition': 'attachment; filename="cyberbrief-feeds.opml"' });
  });
}
