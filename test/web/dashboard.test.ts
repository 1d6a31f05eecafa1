// The dashboard as `cyberbrief run` wires it, over real HTTP on loopback, on SQLite and PostgreSQL: a
// console-only install (no chat tokens) with the operator password. Security headers, sign-in (CSRF, hashed
// comparison, rate limit, session cookie attributes, sessions kept as hashes), every page, feed changes as
// /news commands, OPML in and out, channel settings, dead-letter retry, topic edits with a preview that the
// next poll then uses, revert, sign-out; and the page that says the dashboard is off.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { storySignature } from '../../src/delivery/cluster.ts';
import { EVERY_TOPIC } from '../../src/domain/following.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createApp, type App } from '../../src/main.ts';
import { openDatabase, parseDatabaseUrl } from '../../src/storage/db.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/web/security.ts';
import { newItem, seedFeed } from '../delivery/fixtures.ts';
import { startFeedServer, type FeedServer } from '../emulators/feed-server.ts';
import { waitFor } from '../emulators/http-util.ts';
import { notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { rawExchange } from '../helpers/raw-http.ts';
import { csrfOf, webClient, type WebClient } from '../helpers/web-client.ts';

notePostgresSkip();

const PASSWORD = 'correct horse battery staple';
// Not in the ids' alphabetical order: pages list topics in the file's order.
const TOPICS = `topics:
  - id: talks
    name: Cyber talks
    terms:
      - { term: working group, weight: 3 }
    threshold: 2
  - id: espionage
    name: State cyberespionage
    description: Spying by states
    terms:
      - cyberespionage
      - { term: spying, weight: 2 }
    threshold: 2
`;

async function startBot(dir: string, databaseUrl: string, feedUrl: string, env: Record<string, string>, out: string[]): Promise<App> {
  writeFileSync(path.join(dir, 'topics.yaml'), TOPICS);
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      'server: { host: 127.0.0.1, port: 0 }',
      'polling: { tick: "* * * * * *", interval_seconds: 60, jitter_seconds: 0, backfill: 0, allow_hosts: ["127.0.0.1"] }',
      `feeds: [{ url: "${feedUrl}", title: Local Wire }]`,
      `topics: { file: "${path.join(dir, 'topics.yaml')}" }`,
      'matching: { scorer: rules }',
      'summary: { fetch_article: false }',
      'delivery: { channel_interval_ms: 0 }',
      'web: { sign_in_attempts: 3, topics_check_seconds: 1 }',
    ].join('\n'),
  );
  const config = await loadConfig({ cwd: dir, env: { CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: databaseUrl, ...env } });
  const app = createApp({ config, logger: silentLogger(), cwd: dir, consoleWrite: (t) => out.push(t) });
  await app.start();
  return app;
}

/** A client of its own, signed in with the operator password. */
async function signedIn(base: string): Promise<WebClient> {
  const c = webClient(base);
  await c.get('/sign-in');
  const r = await c.post('/sign-in/password', { password: PASSWORD });
  if (r.status !== 303) throw new Error(`signing the operator in: ${r.status} ${r.plain.slice(0, 200)}`);
  return c;
}

describe.each(testDatabases)('the dashboard (operator password, console install) on $name', (database) => {
  let dir: string;
  let drop: () => Promise<void> = async () => {};
  let url = '';
  let feed: FeedServer;
  let app: App;
  let base: string;
  const consoleOut: string[] = [];
  let op: WebClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-web-'));
    feed = await startFeedServer('Local Wire');
    const now = Date.now();
    feed.items.push(
      { guid: 'a', title: 'Ministry reports cyberespionage by state hackers', link: 'http://127.0.0.1/a', description: 'Officials describe spying on diplomats.', pubDate: new Date(now - 3_600_000) },
      { guid: 'b', title: 'Shipping firm hit by ransomware gang', link: 'http://127.0.0.1/b', description: 'A ransomware attack stopped the port.', pubDate: new Date(now - 3_000_000) },
    );
    const db = await database.create();
    url = db.url;
    drop = db.drop;
    app = await startBot(dir, url, feed.url, { DASHBOARD_PASSWORD: PASSWORD }, consoleOut);
    base = `http://127.0.0.1:${app.port}`;
    await waitFor('the first poll', async () => ((await app.storage!.feeds.list())[0]?.primed ? true : undefined), 15_000);
  }, 60_000);

  // Each case starts with no failed sign-in on record (the rate-limit cases leave their addresses locked for
  // 15 minutes) and with an operator signed in on a client of its own (the sign-out case ends its session).
  beforeEach(async () => {
    await app.storage!.webSessions.prune(new Date(), new Date(Date.now() + 60_000));
    op = await signedIn(base);
  });

  afterAll(async () => {
    await app?.stop();
    await feed?.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends security headers with every page and file, and leaves Slack, health and metrics alone', async () => {
    for (const p of ['/', '/sign-in', '/static/app.css', '/no-such-page']) {
      const res = await fetch(base + p, { redirect: 'manual' });
      expect(res.headers.get('content-security-policy'), p).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), p).toBe('same-origin');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('sends a signed-out browser to the sign-in page and refuses its form posts', async () => {
    const anon = webClient(base);
    for (const p of ['/', '/feeds', '/topics', '/channels', '/alerts', '/topics/espionage/edit']) {
      const r = await anon.get(p);
      expect([r.status, r.location], p).toEqual([303, '/sign-in']);
    }
    const page = await anon.get('/sign-in');
    expect(page.text).toContain('Operator password');
    const r = await anon.post('/feeds/add', { url: 'https://example.com/feed.xml' });
    expect(r.status).toBe(403);
    expect(await app.storage!.feeds.getByUrl('https://example.com/feed.xml')).toBeNull();
  });

  it.each([
    { head: ['OPTIONS / HTTP/1.1'], statuses: [204], allow: 'GET, HEAD, OPTIONS' },
    { head: ['OPTIONS /feeds/add HTTP/1.1'], statuses: [204], allow: 'POST, OPTIONS' },
    { head: ['OPTIONS /static/app.css HTTP/1.1'], statuses: [204], allow: 'GET, HEAD, OPTIONS' },
    { head: ['DELETE /feeds HTTP/1.1'], statuses: [405], allow: 'GET, HEAD, OPTIONS' },
    { head: ['PUT /feeds/add HTTP/1.1', 'Content-Length: 0'], statuses: [405], allow: 'POST, OPTIONS' },
    { head: ['POST /feeds HTTP/1.1', 'Content-Length: 3', 'Expect: 100-continue'], statuses: [405], allow: 'GET, HEAD, OPTIONS' },
    { head: ['DELETE /no-such-page HTTP/1.1'], statuses: [404], allow: undefined },
    { head: ['OPTIONS /no-such-page HTTP/1.1'], statuses: [404], allow: undefined },
    { head: ['POST /no-such-page HTTP/1.1', 'Content-Length: 3', 'Expect: 100-continue'], statuses: [404], allow: undefined },
    // A form the dashboard reads (for its CSRF token) gets 100 Continue, then the refusal.
    { head: ['POST /sign-in/password HTTP/1.1', 'Content-Length: 3', 'Content-Type: application/x-www-form-urlencoded', 'Expect: 100-continue'], statuses: [100, 403], allow: undefined },
  ])('answers $head.0 with $statuses (Allow: $allow), a body sent only after 100 Continue', async ({ head, statuses, allow }) => {
    const r = await rawExchange(app.port!, [...head, `Host: 127.0.0.1:${app.port}`], { body: 'a=b' });
    expect(r.statuses).toEqual(statuses);
    expect(r.header('allow')).toBe(allow);
    expect(r.header('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('signs the operator in only with the CSRF token and the right password; the cookie is HttpOnly and SameSite; the database keeps only its hash', async () => {
    // A client not signed in yet, and no session in the database but the one it makes.
    const op = webClient(base);
    const cleanup = openDatabase(parseDatabaseUrl(url));
    try {
      await sql`delete from web_sessions`.execute(cleanup.db);
    } finally {
      await cleanup.close();
    }
    await op.get('/sign-in');
    expect((await op.post('/sign-in/password', { password: PASSWORD }, { csrf: false })).status).toBe(403);
    expect((await op.post('/sign-in/password', { password: PASSWORD }, { csrf: 'forged-token' })).status).toBe(403);
    const wrong = await op.post('/sign-in/password', { password: 'not it' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That password is not right.');
    const ok = await op.post('/sign-in/password', { password: PASSWORD });
    expect([ok.status, ok.location]).toEqual([303, '/']);
    const cookie = op.setCookies.find((c) => c.startsWith('cb_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const token = decodeURIComponent(op.cookies.get('cb_session')!).split('.')[0]!;
    const handle = openDatabase(parseDatabaseUrl(url));
    try {
      const rows = (await sql<{ id: string; user_json: string }>`select id, user_json from web_sessions`.execute(handle.db)).rows;
      expect(rows.map((r) => r.id)).toEqual([createHash('sha256').update(token).digest('hex')]);
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      await handle.close();
    }
  });

  it.each([
    ['/', 'Overview'],
    ['/feeds', 'Feeds'],
    ['/topics', 'Topics'],
    ['/channels', 'Channels'],
    ['/alerts', 'Alerts'],
    ['/topics/espionage/edit', 'Edit State cyberespionage'],
  ])('shows %s with its title, landmarks and navigation', async (p, title) => {
    const r = await op.get(p);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
    expect(r.text).toContain(`<title>${title} · cyberbrief</title>`);
    expect(r.text).toContain('<main id="main"');
    expect(r.text).toContain('<nav aria-label="Main">');
    expect(r.text).not.toMatch(/<script>|\sstyle="|\son[a-z]+="/);
  });

  it('the overview counts the feeds and draws 14 days of sent alerts', async () => {
    // A feed not read yet (due next year) is counted as new, not OK, and so shown on the Feeds page.
    const { feed: fresh } = await app.storage!.feeds.add({ url: 'https://fresh.example/rss', source: 'cli', nextCheckAt: new Date(Date.now() + 365 * 86_400_000) });
    const r = await op.get('/');
    const feedsPage = await op.get('/feeds?q=fresh.example');
    await app.storage!.feeds.remove(fresh.id);
    expect(r.text).toMatch(/<span class="n ok">1<\/span> OK/);
    expect(r.text).toContain('<span class="n">1</span> new, not read yet');
    expect(feedsPage.text).toContain('<span class="muted">new: not read yet</span>');
    expect(r.text).not.toContain('quiet');
    expect(r.text).toContain('<svg viewBox="0 0 560 180" role="img"');
    expect((r.text.match(/<rect class="bar"/g) ?? []).length).toBe(14);
  });

  it('counts and names the quiet feeds: they answer, but nothing new came for 30 days', async () => {
    // Never polled here (checks a year off): one whose last new item came 40 days ago, one that never had one.
    const day = 86_400_000;
    const now = Date.now();
    const later = new Date(now + 365 * day);
    const { feed: stale } = await app.storage!.feeds.add({ url: 'https://stale.example/rss', title: 'Stale Desk', source: 'cli', nextCheckAt: later }, new Date(now - 60 * day));
    const { feed: empty } = await app.storage!.feeds.add({ url: 'https://empty.example/rss', title: 'Empty Desk', source: 'cli', nextCheckAt: later }, new Date(now - 60 * day));
    // Stored as a backlog (processed, so the running pipeline leaves it alone), undated: its fetch counts.
    await app.storage!.items.storeForFeed(stale.id, [newItem(stale.id, { key: 'old', title: 'An old story' })], { fetchedAt: new Date(now - 40 * day), alertKeys: new Set() });
    for (const f of [stale, empty]) await app.storage!.feeds.recordSuccess(f.id, { at: new Date(now - day), nextCheckAt: later, etag: null, lastModified: null });
    const r = await op.get('/');
    const feedsPage = await op.get('/feeds?q=.example%2Frss');
    await app.storage!.feeds.remove(stale.id);
    await app.storage!.feeds.remove(empty.id);
    expect(r.text).toContain('<span class="n warn">2</span> quiet');
    expect(r.text).toMatch(/<span class="n ok">1<\/span> OK/);
    expect(r.text).toContain('Quiet (they answer, but nothing new for 30 days): Stale Desk, Empty Desk. Check that their sites still publish there.');
    expect(feedsPage.text).toMatch(/<span class="warn">quiet: nothing new since <time datetime="[^"]+">[^<]+<\/time><\/span>/);
    expect(feedsPage.text).toMatch(/<span class="warn">quiet: nothing at all since it was added <time datetime="[^"]+">[^<]+<\/time><\/span>/);
  });

  it('adds a feed with the same checks as /news feeds add, and refuses a form without or with a wrong CSRF token or from another origin', async () => {
    await op.get('/feeds');
    const before = (await app.storage!.feeds.list()).length;
    expect((await op.post('/feeds/add', { url: 'https://news.example.org/rss' }, { csrf: false })).status).toBe(403);
    expect((await op.post('/feeds/add', { url: 'https://news.example.org/rss' }, { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await op.post('/feeds/add', { url: 'https://news.example.org/rss' }, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await op.post('/feeds/add', { url: 'https://news.example.org/rss' }, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await app.storage!.feeds.list()).length).toBe(before);
    // The private-address guard of /news feeds add holds here too.
    const refused = await op.post('/feeds/add', { url: 'http://10.0.0.8/feed' });
    expect(refused.status).toBe(303);
    expect((await op.get(refused.location!)).text).toContain('10.0.0.8 is a private, loopback or reserved address');
    const added = await op.post('/feeds/add', { url: 'https://news.example.org/rss' });
    expect(added.status).toBe(303);
    const page = await op.get(added.location!);
    expect(page.text).toMatch(/Added global feed \d+: https:\/\/news\.example\.org\/rss/);
    expect((await app.storage!.feeds.getByUrl('https://news.example.org/rss'))?.global).toBe(true);
    // Not left for the other cases' feed counts.
    await app.storage!.feeds.removeGlobal((await app.storage!.feeds.getByUrl('https://news.example.org/rss'))!.id);
  });

  it('reads only form bodies, and at most 64 KiB of one', async () => {
    const cookie = [...op.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const json = await fetch(`${base}/feeds/add`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://json.example/rss', _csrf: op.csrf() }) });
    expect(json.status).toBe(415);
    const big = await op.post('/feeds/add', { url: 'https://big.example/rss', pad: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(await app.storage!.feeds.getByUrl('https://json.example/rss')).toBeNull();
    expect(await app.storage!.feeds.getByUrl('https://big.example/rss')).toBeNull();
  });

  it('disables and enables a feed, and removes the global one', async () => {
    // A global feed of its own (as the dashboard's add makes), not due while the case runs.
    const { feed: f } = await app.storage!.feeds.add({ url: 'https://toggle.example.org/rss', source: 'cli', nextCheckAt: new Date(Date.now() + 86_400_000) });
    expect(f.global).toBe(true);
    await op.get('/feeds');
    await op.post(`/feeds/${f.id}/disable`, {});
    expect((await app.storage!.feeds.get(f.id))!.enabled).toBe(false);
    await op.post(`/feeds/${f.id}/enable`, {});
    expect((await app.storage!.feeds.get(f.id))!.enabled).toBe(true);
    const r = await op.post(`/feeds/${f.id}/remove`, {});
    expect((await op.get(r.location!)).text).toContain(`Removed global feed ${f.id}`);
    expect(await app.storage!.feeds.get(f.id)).toBeNull();
    expect((await op.post('/feeds/999999/remove', {})).status).toBe(403);
  });

  it('imports OPML as /news feeds add would, and exports the feeds', async () => {
    await op.get('/feeds');
    const opml = `<?xml version="1.0"?><opml version="2.0"><body><outline text="A" xmlUrl="https://a.example.com/feed"/><outline text="Bad" xmlUrl="ftp://b.example.com/feed"/></body></opml>`;
    const r = await op.postFile('/feeds/import', {}, { name: 'subs.opml', field: 'file', body: opml });
    expect(r.status).toBe(303);
    const page = await op.get(r.location!);
    expect(page.text).toContain('Imported 2 feeds from OPML: 1 added, 0 already watched, 1 refused (first: Feed URLs must use http or https, not ftp.)');
    expect((await app.storage!.feeds.getByUrl('https://a.example.com/feed'))?.global).toBe(true);
    const out = await op.get('/feeds/export.opml');
    expect(out.headers.get('content-type')).toMatch(/^text\/x-opml/);
    expect(out.text).toContain('xmlUrl="https://a.example.com/feed"');
    expect(out.text).toContain(`xmlUrl="${feed.url}"`);
    // Not left for the other cases' feed counts.
    await app.storage!.feeds.removeGlobal((await app.storage!.feeds.getByUrl('https://a.example.com/feed'))!.id);
  });

  it("changes the console channel's topics and keywords as /news would", async () => {
    const ch = (await app.storage!.channels.find('console', 'console'))!;
    // The console follows every topic from its first start, and any added later.
    expect(await app.storage!.channels.subscriptions(ch.id)).toEqual([EVERY_TOPIC]);
    const page = await op.get(`/channels/${ch.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<input type="checkbox" name="every" value="1" checked=""/> <strong>Every topic, and any added later</strong>');
    expect(page.text).toContain('<input type="checkbox" name="topic" value="talks" checked=""/>');
    // Unticking "every topic" alone changes nothing, and says how to follow only some.
    const kept = await op.post(`/channels/${ch.id}/topics`, { topic: ['espionage', 'talks'] });
    expect((await op.get(kept.location!)).plain).toContain('Nothing changed: this channel still follows every topic. To follow only some, untick the ones it should not follow.');
    expect(await app.storage!.channels.subscriptions(ch.id)).toEqual([EVERY_TOPIC]);
    // A browser counts maxlength in UTF-16 code units: room for 60 characters of two units each, a sign and quotes.
    expect(page.text).toContain('<input id="term" name="term" type="text" required="" maxlength="123"/>');
    await op.post(`/channels/${ch.id}/topics`, { topic: ['espionage'] });
    expect(await app.storage!.channels.subscriptions(ch.id)).toEqual(['espionage']);
    const kw = await op.post(`/channels/${ch.id}/keywords/add`, { term: '-sports' });
    expect((await op.get(kw.location!)).plain).toContain('Added -"sports".');
    expect(await app.storage!.channels.keywords(ch.id)).toEqual([{ channelId: ch.id, term: 'sports', exclude: true }]);
    await op.post(`/channels/${ch.id}/keywords/remove`, { term: 'sports' });
    expect(await app.storage!.channels.keywords(ch.id)).toEqual([]);
    const bad = await op.post(`/channels/${ch.id}/keywords/add`, { term: 'spy\u200bware' });
    expect((await op.get(bad.location!)).text).toContain('is not valid');
    await app.storage!.channels.pause(ch.id, 'the bot was removed');
    expect((await op.get(`/channels/${ch.id}`)).text).toContain('Alerts are paused: the bot was removed.');
    await op.post(`/channels/${ch.id}/resume`, {});
    expect((await app.storage!.channels.get(ch.id))!.paused).toBe(false);
    expect((await op.post('/channels/999999/topics', { topic: ['talks'] })).status).toBe(403);
    await op.post(`/channels/${ch.id}/topics`, { topic: ['espionage', 'talks'] });
    // The channels table names them in the topics file's order, as /news status does.
    expect((await op.get('/channels')).plain).toContain('<td data-label="Topics">Cyber talks, State cyberespionage</td>');
    // Ticking "every topic" again: /news subscribe with no topic.
    const every = await op.post(`/channels/${ch.id}/topics`, { every: '1', topic: ['talks'] });
    expect((await op.get(every.location!)).plain).toContain('This channel now follows every topic, and any added later:');
    expect(await app.storage!.channels.subscriptions(ch.id)).toEqual([EVERY_TOPIC]);
    expect((await op.get('/channels')).plain).toContain('<td data-label="Topics">every topic</td>');
    await app.storage!.channels.pause(ch.id, 'the bot was removed');
    await op.post(`/channels/${ch.id}/resume`, {});
    expect((await app.storage!.channels.get(ch.id))!.paused).toBe(false);
    expect(await app.storage!.channels.subscriptions(ch.id)).toEqual([EVERY_TOPIC]);
  });

  it('previews a topic edit over stored stories, saves it as a version the next poll uses, and reverts it', async () => {
    // Before any version: the file this deployment loaded (topics.file) is named for the operator.
    expect((await op.get('/topics')).plain).toContain(`In force: the topics file ${path.join(dir, 'topics.yaml')}.`);
    await op.get('/topics/espionage/edit');
    const form = { base: '0', threshold: '2', terms: '1 cyberespionage\n2 spying\n3 ransomware', days: '7' };
    const preview = await op.post('/topics/espionage/preview', form, { headers: { 'x-preview': 'fragment' } });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Newly matched (1)');
    expect(preview.text).toContain('Shipping firm hit by ransomware gang');
    expect(preview.text).toMatch(/topic score 15 \(threshold 2\)/);
    expect(preview.plain).toContain('"ransomware" in title, description (+15.0)');
    expect(preview.text).toContain('No longer matched (0)');
    expect(preview.plain).toContain('Over the 2 stored stories of the last 7 days: 1 filed under this topic now, 2 with the change');
    expect((await op.post('/topics/espionage/preview', { ...form, days: '1' })).plain).toContain('Over the 2 stored stories of the last day: ');
    const higher = await op.post('/topics/espionage/preview', { ...form, threshold: '20' });
    expect(higher.text).toContain('No longer matched (1)');
    expect(higher.text).toContain('Ministry reports cyberespionage by state hackers');
    const invalid = await op.post('/topics/espionage/preview', { ...form, terms: '500 spying' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('Line 1: the weight must be between -100 and 100.');

    const saved = await op.post('/topics/espionage/save', form);
    expect(saved.status).toBe(303);
    expect((await op.get(saved.location!)).plain).toContain('Saved version 1: espionage: +"ransomware" (3).');
    const versions = await app.storage!.topicVersions.list();
    expect(versions.map((v) => [v.id, v.summary, v.createdBy])).toEqual([[1, 'espionage: +"ransomware" (3)', 'operator (dashboard password)']]);
    // A stale form (opened before version 1) saves nothing.
    const stale = await op.post('/topics/espionage/save', { ...form, terms: '1 cyberespionage' });
    expect(stale.status).toBe(409);
    expect((await app.storage!.topicVersions.list()).length).toBe(1);

    // The next poll files a new ransomware story under the topic and sends it.
    feed.items.push({ guid: 'c', title: 'Ransomware crew freezes a city council', link: 'http://127.0.0.1/c', description: 'The ransomware attack hit payroll.', pubDate: new Date() });
    await app.storage!.feeds.makeAllDue(new Date());
    await waitFor('the ransomware story on the console', () => consoleOut.some((l) => l.includes('Ransomware crew freezes a city council')) || undefined, 20_000);

    const page = await op.get('/topics');
    expect(page.text).toContain('In force: version 1');
    const back = await op.post('/topics/revert', { to: '0' });
    expect((await op.get(back.location!)).text).toContain('Saved version 2: Back to the topics file.');
    expect((await app.storage!.topicVersions.get(2))).toMatchObject({ topicsJson: null, revertsTo: 0 });
  }, 40_000);

  /**
   * Story a (stored by the first poll, not sent then: no backfill) in a cluster of its own, queued for the
   * console channel as the pipeline would (once: a second call finds the alert there).
   */
  async function queueStoryA() {
    const storage = app.storage!;
    const story = (await storage.stories.byUrl('http://127.0.0.1/a'))!;
    const now = new Date();
    const clusterId = story.clusterId ?? (await storage.clusters.create({ signature: storySignature({ title: story.title, summary: story.summary }), title: story.title, firstItemId: story.itemId, at: now, createdAt: now })).id;
    if (story.clusterId === null) await storage.clusters.assignCluster(story.itemId, clusterId);
    const consoleChannel = (await storage.channels.find('console', 'console'))!;
    await storage.alerts.enqueue({ channelId: consoleChannel.id, clusterId, itemId: story.itemId, at: now });
    return { storage, story, clusterId, consoleChannel, now };
  }

  it('retries a dead letter of a visible channel', async () => {
    // An alert of its own, sent: story a, queued now, so the newest alert.
    await queueStoryA();
    await waitFor('story a on the console', async () => ((await app.storage!.alerts.list({ limit: 1 }))[0]?.status === 'sent' ? true : undefined), 15_000);
    const [alert] = await app.storage!.alerts.list({ limit: 1 });
    expect(alert).toBeDefined();
    const handle = openDatabase(parseDatabaseUrl(url));
    try {
      await sql`update alerts set status = 'dead', last_error = 'channel_not_found', attempts = 3 where id = ${alert!.id}`.execute(handle.db);
    } finally {
      await handle.close();
    }
    const page = await op.get('/alerts?status=dead');
    expect(page.text).toContain('channel_not_found');
    // An alert's number is an id shared by every channel (not a count of this channel's alerts): named so.
    for (const [what, want] of [
      ['the dead letter', `Alert ${alert!.id} to `],
      ['the history column', '<th scope="col">Alert ID</th>'],
      ['why numbers skip', 'Alert IDs are numbered across every channel and never reused'],
      ['how many the history shows', '<p class="muted">1 alert with status dead.'],
      ['the channel choice, named as in the tables', '>console (Console)</option>'],
    ] as const) expect(page.text, what).toContain(want);
    // The count is of failed sends (a sent alert has 0): said so, not "attempts".
    expect(page.plain).toMatch(/ · 3 failed sends · last error: channel_not_found/);
    expect(page.text).toContain('<th scope="col">Failed sends</th>');
    // No alert of a status: said in words, not as a table with no rows.
    const none = await op.get('/alerts?status=sending');
    expect(none.text).toContain('<p class="muted">No alert has status sending.</p>');
    expect(none.text).not.toContain('<caption class="sr-only">Alert history</caption>');
    expect(page.text).not.toContain(`#${alert!.id} to `);
    const r = await op.post(`/alerts/${alert!.id}/retry`, {});
    expect(r.status).toBe(303);
    expect((await op.get(r.location!)).text).toContain(`Alert ${alert!.id} is queued again`);
    await waitFor('the retried alert to be sent', async () => ((await app.storage!.alerts.get(alert!.id))?.status === 'sent' ? true : undefined), 15_000);
  });

  it("says under an alert's story how many other feeds covered it", async () => {
    const { storage, story, clusterId, consoleChannel, now } = await queueStoryA();
    const alertId = (await storage.alerts.forCluster(clusterId)).find((r) => r.channelId === consoleChannel.id)!.id;
    /** What the history's row of that alert says under the story ('' when nothing). */
    const said = async () => {
      const row = new RegExp(`<td data-label="Alert ID">${alertId}</td>([\\s\\S]*?)</tr>`).exec((await op.get('/alerts')).text)?.[1];
      expect(row, 'the alert in the history').toBeDefined();
      return /also covered by \d+ other feeds?/.exec(row!)?.[0] ?? '';
    };
    const n = Number(/\d+/.exec(await said())?.[0] ?? 0);
    // A feed the running bot neither polls (its check is a year off) nor whose item it processes: nothing of it
    // changes while the other cases look at the feeds.
    const others = await seedFeed(storage, { url: `https://other-${Date.now()}.example/rss`, title: 'Other Wire' }, [{ key: `o${Date.now()}`, title: `${story.title}, as Other Wire tells it` }], now, {
      processed: true,
      nextCheckAt: new Date(now.getTime() + 365 * 24 * 3600_000),
    });
    await storage.clusters.assignCluster(others.itemIds[0]!, clusterId);
    expect(await said()).toBe(`also covered by ${n + 1} other ${n + 1 === 1 ? 'feed' : 'feeds'}`);
  });

  it('shows a hundred feeds a page, searches title and URL, filters to the failing and disabled, and comes back to the page a change was made from', async () => {
    const storage = app.storage!;
    const added: number[] = [];
    // Not due for a day: the running bot's poller would otherwise record their failures (bulk.example does not
    // resolve here) while the test counts the failing ones.
    const later = new Date(Date.now() + 86_400_000);
    for (let i = 0; i < 230; i++) added.push((await storage.feeds.add({ url: `https://bulk.example/feed-${String(i).padStart(4, '0')}.xml`, title: i === 117 ? 'The Needle Gazette' : null, source: 'cli', nextCheckAt: later })).feed.id);
    try {
      for (const id of [added[5]!, added[150]!]) await storage.feeds.setEnabled(id, false);
      const all = (await storage.feeds.list()).filter((f) => f.global);
      const rowsOf = (html: string) => (html.match(/<td class="name" data-label="Feed">/g) ?? []).length;
      const first = await op.get('/feeds');
      expect(first.status).toBe(200);
      expect(rowsOf(first.text)).toBe(100);
      expect(first.plain).toContain(`Feeds 1-100 of ${all.length}.`);
      expect(first.text).toContain('href="/feeds?page=2" rel="next"');
      const pages = Math.ceil(all.length / 100);
      const last = await op.get(`/feeds?page=${pages}`);
      expect(rowsOf(last.text)).toBe(all.length - (pages - 1) * 100);
      expect(last.text).not.toContain('rel="next"');
      // A page past the end shows the last; a malformed one the first.
      expect(rowsOf((await op.get('/feeds?page=999')).text)).toBe(all.length - (pages - 1) * 100);
      expect((await op.get('/feeds?page=-2x')).plain).toContain(`Feeds 1-100 of ${all.length}.`);
      // Search by title and by URL, case-insensitively.
      const needle = await op.get('/feeds?q=needle');
      expect(rowsOf(needle.text)).toBe(1);
      expect(needle.plain).toContain(`Feeds 1-1 of 1 matching (${all.length} in all).`);
      expect(needle.text).toContain('https://bulk.example/feed-0117.xml');
      expect(rowsOf((await op.get('/feeds?q=FEED-02')).text)).toBe(30);
      expect((await op.get('/feeds?q=nothing-like-this')).plain).toContain(`No feed matches (of ${all.length}).`);
      // Only the failing and the disabled.
      const problems = all.filter((f) => !f.enabled || f.errorCount > 0);
      const shown = await op.get('/feeds?show=problems');
      expect(rowsOf(shown.text)).toBe(problems.length);
      expect(problems.map((f) => f.id)).toEqual(expect.arrayContaining([added[5], added[150]]));
      // A change made on page 2 of a search comes back to it; the way back keeps only the view's own keys.
      const target = added[120]!;
      await op.get('/feeds?q=bulk&page=2');
      const r = await op.post(`/feeds/${target}/disable`, { back: '?q=bulk&page=2' });
      expect(r.status).toBe(303);
      expect(r.location).toBe('/feeds?q=bulk&page=2');
      const hostile = await op.post(`/feeds/${target}/enable`, { back: '?page=2&next=https://evil.example/&as=x' });
      expect(hostile.location).toBe('/feeds?page=2');
      expect((await storage.feeds.get(target))!.enabled).toBe(true);
    } finally {
      for (const id of added) await storage.feeds.removeGlobal(id);
    }
  });

  it('shows hostile feed titles, URLs, errors, channel names and paused reasons as text on every page', async () => {
    const storage = app.storage!;
    const mark = (where: string) => `<script>alert("${where}")</script><img src=x onerror=alert(1)>`;
    const added = await storage.feeds.add({ url: 'https://hostile.example/rss?a="><svg/onload=alert(1)>', title: mark('title'), source: 'cli' });
    const feedId = added.feed.id;
    await storage.feeds.recordFailure(feedId, { at: new Date(), nextCheckAt: new Date(Date.now() + 3_600_000), error: mark('error') });
    const channel = await storage.channels.upsert({ platform: 'console', externalId: 'hostile', workspaceId: 'console', name: mark('channel') });
    await storage.channels.subscribe(channel.id, ['espionage'], 'operator');
    await storage.channels.pause(channel.id, mark('paused'));
    try {
      for (const p of ['/', '/feeds', '/feeds?show=problems', '/channels', `/channels/${channel.id}`, '/alerts', `/alerts?channel=${channel.id}`]) {
        const r = await op.get(p);
        expect(r.status, p).toBe(200);
        // A tag or attribute of ours only if it came through unescaped (escaped text keeps "onerror=" as text).
        const hit = /<script>alert|<img src=x|<svg\/onload/i.exec(r.text);
        expect(hit ? r.text.slice(Math.max(0, hit.index - 200), hit.index + 100) : null, p).toBeNull();
        expect(r.text, p).not.toContain('href="javascript:');
      }
      const feeds = await op.get('/feeds');
      expect(feeds.plain).toContain(mark('title'));
      expect(feeds.plain).toContain(mark('error'));
      const ch = await op.get(`/channels/${channel.id}`);
      expect(ch.plain).toContain(mark('channel'));
    } finally {
      await storage.feeds.removeGlobal(feedId);
      await storage.channels.unpause(channel.id);
      await storage.channels.unsubscribe(channel.id, ['espionage']);
    }
  });

  it('signs out: the session row goes, and the old cookie opens nothing', async () => {
    await op.get('/');
    const cookie = op.cookies.get('cb_session')!;
    const out = await op.post('/sign-out', {});
    expect([out.status, out.location]).toEqual([303, '/sign-in']);
    const replay = await fetch(`${base}/`, { redirect: 'manual', headers: { cookie: `cb_session=${cookie}` } });
    expect([replay.status, replay.headers.get('location')]).toEqual([303, '/sign-in']);
  });

  it('counts password tries sent all at once: no more than the limit are checked (from another loopback address)', async () => {
    // 127.0.0.2 is this machine too, but another client address to the limiter than the other tests' 127.0.0.1.
    const port = new URL(base).port;
    const send = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body = '') =>
      new Promise<{ status: number; cookies: string[]; text: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, localAddress: '127.0.0.2', method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const page = await send('GET', '/sign-in', {});
    const cookie = page.cookies.map((c) => c.split(';')[0]).join('; ');
    const csrf = csrfOf(page.text)!;
    const tryPassword = async (password: string) =>
      (await send('POST', '/sign-in/password', { cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ _csrf: csrf, password }).toString())).status;
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => tryPassword(`parallel guess ${i}`)));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
    expect(await tryPassword(PASSWORD)).toBe(429);
  });

  it('rate-limits failed password sign-ins per address, the right password included', async () => {
    const c = webClient(base);
    await c.get('/sign-in');
    for (let i = 0; i < 3; i++) expect((await c.post('/sign-in/password', { password: `guess ${i}` })).status).toBe(401);
    const locked = await c.post('/sign-in/password', { password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Too many failed sign-ins from your address; try again in 15 minutes.');
    expect(c.cookies.has('cb_session')).toBe(false);
  });
});

describe('the dashboard without a sign-in method', () => {
  it('is off and says so; nothing else is served', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-web-off-'));
    const feed = await startFeedServer();
    const app = await startBot(dir, path.join(dir, 'db.sqlite'), feed.url, {}, []);
    try {
      const base = `http://127.0.0.1:${app.port}`;
      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      const text = await home.text();
      expect(text).toContain('The dashboard is off');
      expect(text).toContain('DASHBOARD_PASSWORD');
      expect(csrfOf(text)).toBeNull();
      expect((await fetch(`${base}/feeds`)).status).toBe(404);
      expect((await fetch(`${base}/sign-in`)).status).toBe(404);
      for (const [head, status, allow] of [
        ['OPTIONS / HTTP/1.1', 204, 'GET, HEAD, OPTIONS'],
        ['DELETE / HTTP/1.1', 405, 'GET, HEAD, OPTIONS'],
        ['OPTIONS /feeds HTTP/1.1', 404, undefined],
      ] as const) {
        const r = await rawExchange(app.port!, [head, 'Host: x']);
        expect([r.statuses, r.header('allow')], head).toEqual([[status], allow]);
      }
    } finally {
      await app.stop();
      await feed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
