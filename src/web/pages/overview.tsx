// Overview: the health of the feeds the person can see, alerts sent per day over 14 days (inline SVG),
// pending and dead alerts of their channels, and the latest matched stories with topics and summary.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { feedHealth, type Feed } from '../../domain/types.ts';
import { cleanFeedTitle } from '../../feeds/feed-title.ts';
import { clipText } from '../../lib/bounded-text.ts';
import type { Kit, WebEnv } from '../kit.tsx';
import { channelScope, feedScope, type Viewer } from '../types.ts';
import { SentChart, type DayCount } from '../views/chart.tsx';
import { StoryLink, Time } from '../views/layout.tsx';
import { dashboardQuietRule } from './feeds.tsx';
import { InstallLinks } from './sign-in.tsx';

const DAYS = 14;
const DAY_MS = 86_400_000;
/** Characters of a story's summary shown. */
const SUMMARY_MAX = 500;

/** The feeds a person sees: every feed for the operator, else the global ones and their tenants' own. */
export async function visibleFeeds(kit: Kit, viewer: Viewer): Promise<Feed[]> {
  const feeds = kit.deps.storage.feeds;
  if (viewer.operator) return feeds.list();
  const byId = new Map<number, Feed>();
  const lists = viewer.tenants.length ? await Promise.all(viewer.tenants.map((t) => feeds.visibleTo(t.tenant))) : [(await feeds.list()).filter((f) => f.global)];
  for (const list of lists) for (const f of list) byId.set(f.id, f);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

export function registerOverview(app: Hono<WebEnv>, kit: Kit): void {
  const { deps } = kit;
  app.get('/', kit.signedIn, async (c) => {
    const viewer = kit.viewer(c);
    const now = deps.clock.now();
    const channels = channelScope(viewer);
    const today = Math.floor(now.getTime() / DAY_MS);
    const [feeds, perDay, counts, stories] = await Promise.all([
      visibleFeeds(kit, viewer),
      deps.storage.dashboard.sentPerDay(channels, new Date((today - DAYS + 1) * DAY_MS)),
      deps.storage.dashboard.alertCounts(channels),
      deps.storage.dashboard.latestMatched(feedScope(viewer), 10),
    ]);
    const enabled = feeds.filter((f) => f.enabled);
    const failing = enabled.filter((f) => f.errorCount > 0);
    const fresh = enabled.filter((f) => feedHealth(f) === 'new').length;
    const rule = dashboardQuietRule(kit);
    const quiet = enabled.filter((f) => feedHealth(f, rule) === 'quiet');
    const days: DayCount[] = Array.from({ length: DAYS }, (_, i) => {
      const d = today - DAYS + 1 + i;
      return { day: new Date(d * DAY_MS).toISOString().slice(0, 10), count: perDay.get(d) ?? 0 };
    });
    const names = new Map(deps.topics.current().topics.map((t) => [t.id, t.name]));
    return kit.page(c, 200, {
      title: 'Overview',
      path: '/',
      body: (
        <div>
          <section aria-labelledby="health">
            <h2 id="health">Feeds</h2>
            <ul class="cards">
              <li class="card">
                <span class="n ok">{String(enabled.length - failing.length - fresh - quiet.length)}</span> OK
              </li>
              {quiet.length ? (
                <li class="card">
                  <span class="n warn">{String(quiet.length)}</span> quiet
                </li>
              ) : null}
              {fresh ? (
                <li class="card">
                  <span class="n">{String(fresh)}</span> new, not read yet
                </li>
              ) : null}
              <li class="card">
                <span class={failing.length ? 'n bad' : 'n'}>{String(failing.length)}</span> failing
              </li>
              <li class="card">
                <span class="n">{String(feeds.length - enabled.length)}</span> disabled
              </li>
            </ul>
            {failing.length ? (
              <p>
                Failing: {failing.slice(0, 5).map((f) => cleanFeedTitle(f.title) ?? f.url).join(', ')}
                {failing.length > 5 ? ` and ${failing.length - 5} more` : ''}. <a href="/feeds">See the feeds</a>.
              </p>
            ) : null}
            {quiet.length ? (
              <p>
                {`Quiet (they answer, but nothing new for ${rule.afterDays} days): `}
                {quiet.slice(0, 5).map((f) => cleanFeedTitle(f.title) ?? f.url).join(', ')}
                {quiet.length > 5 ? ` and ${quiet.length - 5} more` : ''}. Check that their sites still publish there.
              </p>
            ) : null}
          </section>
          <section aria-labelledby="alerts">
            <h2 id="alerts">Alerts{viewer.operator ? '' : ' in your channels'}</h2>
            <ul class="cards">
              <li class="card">
                <span class="n">{String(counts.pending + counts.sending)}</span> waiting
              </li>
              <li class="card">
                <span class={counts.dead ? 'n bad' : 'n'}>{String(counts.dead)}</span> dead letters
              </li>
              <li class="card">
                <span class="n">{String(days.reduce((a, d) => a + d.count, 0))}</span> sent in {DAYS} days
              </li>
            </ul>
            <SentChart days={days} />
            {counts.dead ? (
              <p>
                <a href="/alerts?status=dead">Review and retry dead letters</a>
              </p>
            ) : null}
          </section>
          <section aria-labelledby="latest">
            <h2 id="latest">Latest matched stories</h2>
            {stories.length === 0 ? (
              <p class="muted">No story has matched a topic yet.</p>
            ) : (
              <ul class="stories">
                {stories.map((s) => (
                  <li>
                    <h3>
                      <StoryLink title={s.title} url={s.url} />
                    </h3>
                    <p class="muted">
                      {s.source} · <Time at={s.publishedAt ?? s.fetchedAt} />
                    </p>
                    <p>
                      {s.topics.map((t) => (
                        <span class="tag">{names.get(t.topicId) ?? t.topicId}</span>
                      ))}
                    </p>
                    <p>{clipText(s.summary, SUMMARY_MAX)}</p>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <InstallLinks kit={kit} />
        </div>
      ),
    });
  });
}
