import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.ts';
import { parseOpml } from '../../src/feeds/opml.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newItem } from '../delivery/fixtures.ts';
import { runCli } from '../helpers/cli-run.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

/** A title as a hostile feed (or an old row) might hold it: colours, a window-title OSC, C0/C1 controls, bidi. */
const DIRTY_TITLE = 'Cyber \u001b[31mRed\u001b[0m Desk\u001b]0;pwned\u0007\u0000\u0008\u009b2J \u202eevil\u202c\u0085 end';
const CLEAN_TITLE = 'Cyber Red Desk evil end';
/** Anything a terminal would act on, or XML 1.0 forbids. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

const OPML = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'feeds', 'fixtures', 'opml.opml');

describe('cyberbrief feeds', () => {
  let env: Record<string, string>;
  let dir: string;
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['feeds', ...argv], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { LOG_LEVEL: 'silent', ...env }, cwd: dir });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-feeds-'));
    writeFileSync(path.join(dir, 'config.yaml'), 'feeds: []\n');
    env = { CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), DATABASE_URL: path.join(dir, 'feeds.db') };
    // An empty, migrated database: `list`, `remove` and the rest refuse a file that is not there
    // (test/cli/missing-sqlite-file.test.ts).
    await (await openStorage(env.DATABASE_URL!)).close();
  });

  it('add, list, disable, enable, remove', async () => {
    expect((await cli('list')).stdout).toMatch(/No feeds yet/);
    expect(await cli('add', 'https://a.example/rss', '--title', 'A feed')).toMatchObject({ code: 0, stdout: 'Added feed 1: https://a.example/rss' });
    expect((await cli('add', 'https://a.example/rss')).stdout).toBe('Feed 1 already exists: https://a.example/rss');
    const list = await cli('list');
    expect(list.stdout).toMatch(/^ {3}1 {2}new {10}A feed {2}https:\/\/a\.example\/rss\n {6}last success - {3}next check [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC\n {6}for every channel \(global\)$/);
    expect((await cli('disable', '1')).stdout).toBe('Disabled feed 1: https://a.example/rss');
    const json = JSON.parse((await cli('list', '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ id: 1, url: 'https://a.example/rss', enabled: false, global: true, owners: [], last_success_at: null, last_error: null, error_count: 0 });
    expect(json).toHaveProperty('next_check_at');
    // --failing: only the failing or disabled ones.
    expect((await cli('list', '--failing')).stdout).toMatch(/^ {3}1 {2}disabled/);
    expect((await cli('enable', 'https://a.example/rss')).stdout).toBe('Enabled feed 1: https://a.example/rss');
    expect((await cli('list', '--failing')).stdout).toBe('No feed is failing or disabled (of 1).');
    expect((await cli('list', '--failing', '--json')).stdout).toBe('');
    expect((await cli('remove', '1')).stdout).toBe('Removed feed 1: https://a.example/rss');
    expect((await cli('list', '--json')).stdout).toBe('');
  });

  // A feed never checked yet was listed as "ok", as if it had been read.
  it.each([
    { name: 'never checked', outcome: [] as Array<'ok' | 'error'>, state: 'new' },
    { name: 'read once', outcome: ['ok'] as Array<'ok' | 'error'>, state: 'ok' },
    { name: 'failing twice, never read', outcome: ['error', 'error'] as Array<'ok' | 'error'>, state: 'failing x2' },
    { name: 'failing once after a good read', outcome: ['ok', 'error'] as Array<'ok' | 'error'>, state: 'failing x1' },
  ])('states a feed $name as "$state"', async ({ outcome, state }) => {
    await cli('add', 'https://a.example/rss', '--title', 'A feed');
    const storage = await openStorage(env.DATABASE_URL!);
    try {
      const at = new Date('2026-03-02T10:00:00Z');
      for (const o of outcome) {
        if (o === 'ok') await storage.feeds.recordSuccess(1, { at, nextCheckAt: at, etag: null, lastModified: null, title: 'A feed' });
        else await storage.feeds.recordFailure(1, { at, nextCheckAt: at, error: 'fetch_http: HTTP 500' });
      }
    } finally {
      await storage.close();
    }
    expect((await cli('list')).stdout.split('\n')[0]).toBe(`   1  ${state.padEnd(12)} A feed  https://a.example/rss`);
  });

  // A feed that answers but brought nothing new for polling.quiet_after_days (30 by default) is "quiet".
  it.each([
    { name: 'its last new item 40 days ago', lastNewDaysAgo: 40, config: '', state: 'quiet', line: /^ {6}quiet: nothing new since [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC \(polling\.quiet_after_days: 30\); check that the site still publishes here$/ },
    { name: 'no item ever, added 40 days ago', lastNewDaysAgo: null, config: '', state: 'quiet', line: /^ {6}quiet: nothing at all since it was added .* \(polling\.quiet_after_days: 30\)/ },
    { name: 'its last new item 10 days ago', lastNewDaysAgo: 10, config: '', state: 'ok', line: null },
    { name: 'its last new item 40 days ago, quiet_after_days 60', lastNewDaysAgo: 40, config: 'polling:\n  quiet_after_days: 60\n', state: 'ok', line: null },
    { name: 'its last new item 40 days ago, quiet_after_days 0 (off)', lastNewDaysAgo: 40, config: 'polling:\n  quiet_after_days: 0\n', state: 'ok', line: null },
  ])('states a feed with $name as "$state"', async ({ lastNewDaysAgo, config, state, line }) => {
    writeFileSync(path.join(dir, 'config.yaml'), `feeds: []\n${config}`);
    const day = 86_400_000;
    const now = Date.now();
    const storage = await openStorage(env.DATABASE_URL!);
    try {
      const { feed } = await storage.feeds.add({ url: 'https://a.example/rss', title: 'A feed', source: 'cli' }, new Date(now - 40 * day));
      if (lastNewDaysAgo !== null) {
        await storage.items.storeForFeed(feed.id, [newItem(feed.id, { key: 'k1', title: 'A story' })], { fetchedAt: new Date(now - lastNewDaysAgo * day) });
      }
      await storage.feeds.recordSuccess(feed.id, { at: new Date(now - day), nextCheckAt: new Date(now), etag: null, lastModified: null, title: 'A feed' });
    } finally {
      await storage.close();
    }
    const lines = (await cli('list')).stdout.split('\n');
    expect(lines[0]).toBe(`   1  ${state.padEnd(12)} A feed  https://a.example/rss`);
    const quietLine = lines.find((l) => l.startsWith('      quiet: ')) ?? null;
    if (line) expect(quietLine).toMatch(line);
    else expect(quietLine).toBeNull();
    const json = JSON.parse((await cli('list', '--json')).stdout) as { health: string; last_new_item_at: string | null };
    expect(json.health).toBe(state);
    expect(json.last_new_item_at).toBe(lastNewDaysAgo === null ? null : new Date(now - lastNewDaysAgo * day).toISOString());
  });

  it('shows push state (WebSub) without the secret or callback id', async () => {
    const storage = await openStorage(env.DATABASE_URL!);
    const at = new Date('2026-12-01T10:00:00Z');
    try {
      const { feed: a } = await storage.feeds.add({ url: 'https://pushed.example/rss', source: 'cli' }, at);
      const { feed: b } = await storage.feeds.add({ url: 'https://failing.example/rss', source: 'cli' }, at);
      const subA = (await storage.websub.insert({ feedId: a.id, callbackId: 'cb-a-0123456789abcdefghij', hubUrl: 'https://hub.example/', topicUrl: a.url, secret: 'plain:top-secret-a', nextActionAt: at, at }))!;
      await storage.websub.requested(subA.id, { mode: 'subscribe', pendingUntil: new Date(at.getTime() + 60_000), nextActionAt: at, at });
      expect(await storage.websub.verified(subA.id, { mode: 'subscribe', topicUrl: a.url, leaseSeconds: 86_400, nextActionAt: at, at })).toBe(true);
      const subB = (await storage.websub.insert({ feedId: b.id, callbackId: 'cb-b-0123456789abcdefghij', hubUrl: 'https://down.example/', topicUrl: b.url, secret: 'plain:top-secret-b', nextActionAt: at, at }))!;
      await storage.websub.failed(subB.id, { error: 'websub: hub https://down.example refused to subscribe (HTTP 503)\u001b[31m', nextActionAt: new Date('2026-12-01T10:10:00Z'), at });
      // A disabled feed's unsubscribe that keeps failing shows its tries and last error.
      const { feed: c } = await storage.feeds.add({ url: 'https://leaving.example/rss', source: 'cli' }, at);
      await storage.feeds.setEnabled(c.id, false);
      const subC = (await storage.websub.insert({ feedId: c.id, callbackId: 'cb-c-0123456789abcdefghij', hubUrl: 'https://slow.example/', topicUrl: c.url, secret: 'plain:top-secret-c', nextActionAt: at, at }))!;
      for (const next of ['2026-12-01T10:05:00Z', '2026-12-01T10:20:00Z']) {
        await storage.websub.requested(subC.id, { mode: 'unsubscribe', pendingUntil: new Date(at.getTime() + 60_000), nextActionAt: at, at });
        await storage.websub.unsubscribeFailed(subC.id, { error: 'websub: hub https://slow.example did not answer within 10 s', nextActionAt: new Date(next), at });
      }
    } finally {
      await storage.close();
    }
    const list = await cli('list');
    expect(list.stdout).toContain('      push: pushed by https://hub.example/ (lease until Wed 2 Dec 2026 10:00 UTC, last push -)');
    expect(list.stdout).toContain('      push: push failed at https://down.example/, polled as usual; next try Tue 1 Dec 2026 10:10 UTC: websub: hub https://down.example refused to subscribe (HTTP 503)');
    expect(list.stdout).toContain('      push: unsubscribing at https://slow.example/; 2 tries failed, next try Tue 1 Dec 2026 10:20 UTC: websub: hub https://slow.example did not answer within 10 s');
    expect(list.stdout).not.toMatch(TERMINAL_CONTROL);
    const rows = (await cli('list', '--json')).stdout.split('\n').map((l) => JSON.parse(l) as { push: unknown });
    expect(rows[0]!.push).toEqual({ state: 'active', hub: 'https://hub.example/', topic: 'https://pushed.example/rss', lease_expires_at: '2026-12-02T10:00:00.000Z', last_push_at: null, last_error: null, error_count: 0, next_try_at: null });
    expect(rows[1]!.push).toMatchObject({ state: 'failed', error_count: 1, next_try_at: '2026-12-01T10:10:00.000Z' });
    expect(rows[2]!.push).toMatchObject({ state: 'unsubscribing', error_count: 2, next_try_at: '2026-12-01T10:20:00.000Z', last_error: 'websub: hub https://slow.example did not answer within 10 s' });
    expect(list.stdout + JSON.stringify(rows)).not.toMatch(/top-secret|cb-[abc]-/);
  });

  it("shows whose a workspace's own feed is, and an operator's add makes it global", async () => {
    const storage = await openStorage(env.DATABASE_URL!);
    try {
      await storage.feeds.addForTenant({ url: 'https://t.example/rss', source: 'user' }, { platform: 'slack', workspaceId: 'T1' }, 'U1');
      await storage.feeds.addForTenant({ url: 'https://t.example/rss', source: 'user' }, { platform: 'discord', workspaceId: '42' }, '7');
    } finally {
      await storage.close();
    }
    expect((await cli('list')).stdout).toMatch(/\n {6}for the channels of discord:42, slack:T1$/);
    expect(JSON.parse((await cli('list', '--json')).stdout)).toMatchObject({ global: false, owners: ['discord:42', 'slack:T1'] });
    expect((await cli('add', 'https://t.example/rss')).stdout).toBe('Feed 1 is global now (before, only the workspaces or servers that added it got it): https://t.example/rss');
    expect((await cli('list')).stdout).toMatch(/\n {6}for every channel \(global\); also added by discord:42, slack:T1$/);
  });

  it.each([
    [['add', 'ftp://x.example/feed'], /not an http\(s\) URL/],
    [['remove', '42'], /no feed '42'/],
    [['enable'], /expected a feed id or URL/],
    [['frobnicate'], /^cyberbrief feeds: unknown action 'frobnicate' \(list, add, remove/],
    [['lst'], /^cyberbrief feeds: unknown action 'lst' \(did you mean 'list'\? list, add, remove, enable, disable, import, export\); run 'cyberbrief feeds --help'\.$/],
    [[], /an action is required/],
  ])('%j is a usage error', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ['with a #fragment', 'https://a.example/rss#latest'],
    ['in capitals', 'HTTPS://A.EXAMPLE/rss'],
    ['with its default port', 'https://a.example:443/rss'],
  ])('a URL %s is the feed it names: stored without it, found by it, removed by it', async (_name, typed) => {
    expect((await cli('add', typed)).stdout).toBe('Added feed 1: https://a.example/rss');
    expect((await cli('add', 'https://a.example/rss')).stdout).toBe('Feed 1 already exists: https://a.example/rss');
    expect((await cli('disable', typed)).stdout).toBe('Disabled feed 1: https://a.example/rss');
    expect((await cli('remove', typed)).stdout).toBe('Removed feed 1: https://a.example/rss');
  });

  it.each([
    ['a private address', 'http://10.0.0.1/rss', {}, 'cyberbrief feeds add: note: 10.0.0.1 is a private, loopback or reserved address; allow it (polling.allow_hosts or CYBERBRIEF_ALLOW_HOSTS); until then every poll of it is refused.'],
    ['localhost', 'http://localhost:8080/rss', {}, 'cyberbrief feeds add: note: localhost is this machine; allow it (polling.allow_hosts or CYBERBRIEF_ALLOW_HOSTS); until then every poll of it is refused.'],
    ['an allowed private address', 'http://10.0.0.1/rss', { CYBERBRIEF_ALLOW_HOSTS: '10.0.0.0/8' }, ''],
    ['a public host name', 'https://news.example/rss', {}, ''],
  ])('add of %s is done, with a note when every poll of it would be refused', async (_name, url, extra, note) => {
    env = { ...env, ...extra };
    const r = await cli('add', url);
    expect(r).toMatchObject({ code: 0, stdout: `Added feed 1: ${url}`, stderr: note });
  });

  it.each([
    ['private addresses', {}, 'cyberbrief feeds import: note: 2 of these feeds are at a private address or this machine (http://10.0.0.1/rss, http://localhost/rss); every poll of them is refused until allowed (polling.allow_hosts or CYBERBRIEF_ALLOW_HOSTS).'],
    ['private addresses that are allowed', { CYBERBRIEF_ALLOW_HOSTS: '10.0.0.0/8, localhost, 127.0.0.1' }, ''],
  ])('import of an OPML file with %s notes what polling will refuse', async (_name, extra, note) => {
    env = { ...env, ...extra };
    const file = path.join(dir, 'private.opml');
    writeFileSync(file, '<opml version="2.0"><body><outline xmlUrl="http://10.0.0.1/rss"/><outline xmlUrl="http://localhost/rss"/><outline xmlUrl="https://public.example/rss"/></body></opml>');
    expect(await cli('import', file)).toMatchObject({ code: 0, stdout: `Imported 3 feeds from ${file}: 3 added, 0 already present.`, stderr: note });
  });

  it('imports the URLs of an OPML file in the form add stores them', async () => {
    const file = path.join(dir, 'forms.opml');
    writeFileSync(file, '<opml version="2.0"><body><outline xmlUrl="HTTPS://B.EXAMPLE/rss#top"/><outline xmlUrl="https://b.example:443/rss"/></body></opml>');
    expect((await cli('import', file)).stdout).toBe(`Imported 2 feeds from ${file}: 1 added, 1 already present.`);
    expect((await cli('list', '--json')).stdout.split('\n').map((l) => (JSON.parse(l) as { url: string }).url)).toEqual(['https://b.example/rss']);
  });

  it('imports OPML (skipping duplicates and non-http URLs) and exports it back', async () => {
    const r = await cli('import', OPML);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Imported 3 feeds from ${OPML}: 2 added, 0 already present, 1 skipped (not http(s), too long or with credentials: ftp://files.example.org/feed).`);
    expect((await cli('import', OPML)).stdout).toMatch(/0 added, 2 already present/);
    const out = await cli('export');
    expect(out.stdout).toContain('<outline type="rss" text="Cyber Desk" title="Cyber Desk" xmlUrl="https://news.example.org/feed.xml"/>');
    expect(out.stdout).toContain('xmlUrl="https://atom.example.net/atom.xml"');
    expect(out.stdout).toContain('title="Atom &amp; Co"');
  });

  it('an OPML file over 10 MiB is one clear sentence and adds nothing', async () => {
    const big = path.join(dir, 'big.opml');
    writeFileSync(big, `<opml><body><outline xmlUrl="https://a.example/rss"/>${' '.repeat(10 * 1024 * 1024)}</body></opml>`);
    const r = await cli('import', big);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `cyberbrief feeds import: ${big} is larger than 10 MiB; split it into smaller files.` });
    expect((await cli('list')).stdout).toMatch(/No feeds yet/);
  });

  it('refuses feed URLs with credentials or over 2048 characters (without echoing the password) and titles over 200 characters', async () => {
    const cases: Array<{ url: string; message: string }> = [
      { url: 'https://reader:s3cret@private.example/feed', message: "cyberbrief feeds: 'https://***@private.example/feed' carries a user name or password, which would be stored and logged in clear (and is never sent)." },
      { url: `https://long.example/${'a'.repeat(2048)}`, message: `cyberbrief feeds: 'https://long.example/${'a'.repeat(178)}…' is longer than 2048 characters.` },
    ];
    expect(await cli('add', 'https://ok.example/feed', '--title', 'x'.repeat(201))).toMatchObject({
      code: 2,
      stderr: 'cyberbrief feeds add: --title is 201 characters; keep it to 200.',
    });
    for (const c of cases) {
      const r = await cli('add', c.url);
      expect(r).toMatchObject({ code: 2, stdout: '', stderr: c.message });
    }
    const opml = path.join(dir, 'secret.opml');
    writeFileSync(opml, '<opml><body><outline xmlUrl="https://reader:s3cret@private.example/feed"/><outline xmlUrl="https://ok.example/feed"/></body></opml>');
    const r = await cli('import', opml);
    expect(r.stdout).toBe(`Imported 2 feeds from ${opml}: 1 added, 0 already present, 1 skipped (not http(s), too long or with credentials: https://***@private.example/feed).`);
    expect(r.stdout).not.toContain('s3cret');
    expect((await cli('list')).stdout).not.toContain('private.example');
  });

  it.each([
    ['cut short', 'cut.opml', '<opml version="2.0"><body><outline xmlUrl="https://a.example/rss"/><outline xmlUrl="https://b.ex', 'ends before </opml> (cut short?); nothing was imported; export the OPML again.'],
    ['with no feeds', 'none.opml', '<opml version="2.0"><body><outline text="a folder"/></body></opml>', 'lists no feeds (outlines with an xmlUrl); nothing was imported.'],
    ['self-closed and empty', 'empty.opml', '<opml/>', 'lists no feeds (outlines with an xmlUrl); nothing was imported.'],
    // Cut inside its first outline, it was said to list no feeds: the operator looked for a folder of the wrong kind.
    ['cut short inside its first outline', 'cut-first.opml', '<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" xmlUrl="https://a.example/rss"', 'ends before </opml> (cut short?); nothing was imported; export the OPML again.'],
    ['cut short after its body', 'cut-body.opml', '<opml version="2.0"><body><outline xmlUrl="https://a.example/rss"/></body>', 'ends before </opml> (cut short?); nothing was imported; export the OPML again.'],
  ])('an OPML file %s is a usage error in one sentence and adds nothing', async (_name, name, text, message) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const r = await cli('import', file);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `cyberbrief feeds import: ${file} ${message}` });
    expect((await cli('list')).stdout).toMatch(/No feeds yet/);
  });

  it.each([
    // Standard input was named '-' in the messages ("Imported 1 feed(s) from -").
    { name: 'imported', text: '<opml version="2.0"><body><outline xmlUrl="https://a.example/rss"/></body></opml>', code: 0, stdout: 'Imported 1 feed from standard input: 1 added, 0 already present.', stderr: '' },
    { name: 'cut short', text: '<opml version="2.0"><body><outline xmlUrl="https://a.ex', code: 2, stdout: '', stderr: 'cyberbrief feeds import: standard input ends before </opml> (cut short?); nothing was imported; export the OPML again.' },
    { name: 'with no feeds', text: '<opml version="2.0"><body/></opml>', code: 2, stdout: '', stderr: 'cyberbrief feeds import: standard input lists no feeds (outlines with an xmlUrl); nothing was imported.' },
  ])('OPML on standard input ($name) is named so (the built CLI)', ({ text, code, stdout, stderr }) => {
    const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../bin/cyberbrief'), 'feeds', 'import', '-'], { cwd: dir, input: text, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 30_000 });
    expect({ code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() }).toEqual({ code, stdout, stderr });
  });

  it('a file that is not OPML is a usage error in one sentence and adds nothing', async () => {
    const notOpml = path.join(dir, 'feed.xml');
    writeFileSync(notOpml, '<rss version="2.0"><channel><title>t</title></channel></rss>');
    const r = await cli('import', notOpml);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'cyberbrief feeds import: the file is not OPML (no <opml> element); export your subscriptions as OPML.' });
    expect((await cli('list')).stdout).toMatch(/No feeds yet/);
  });

  it('lists, exports and re-imports a feed stored with escape sequences in its title without any control character', async () => {
    // A row as older versions stored it, written past every cleaning step.
    const storage = await openStorage(env.DATABASE_URL!);
    await storage.feeds.add({ url: 'https://dirty.example/rss', title: DIRTY_TITLE, source: 'cli' });
    await storage.close();

    const list = await cli('list');
    expect(list.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(list.stdout).toContain(`${CLEAN_TITLE}  https://dirty.example/rss`);
    const json = JSON.parse((await cli('list', '--json')).stdout) as { title: string };
    expect(json.title).toBe(CLEAN_TITLE);

    const exported = (await cli('export')).stdout;
    expect(exported).not.toMatch(NOT_XML_CHAR);
    expect(exported).toContain(`title="${CLEAN_TITLE}"`);
    expect(parseOpml(exported)).toEqual([{ url: 'https://dirty.example/rss', title: CLEAN_TITLE }]);
  });

  it.each([
    { how: 'feeds add --title', run: async (c: (...a: string[]) => Promise<unknown>) => c('add', 'https://dirty.example/rss', '--title', DIRTY_TITLE) },
    {
      how: 'feeds import',
      run: async (c: (...a: string[]) => Promise<unknown>, d: string) => {
        const file = path.join(d, 'dirty.opml');
        // The title as an OPML file can carry it: C0 controls as character references, the rest raw.
        const attr = [...DIRTY_TITLE].map((ch) => (ch.charCodeAt(0) < 0x20 ? `&#${ch.charCodeAt(0)};` : ch)).join('');
        writeFileSync(file, `<opml><body><outline title="${attr}" xmlUrl="https://dirty.example/rss"/></body></opml>`);
        return c('import', file);
      },
    },
  ])('$how stores the title clean', async ({ run }) => {
    await run(cli, dir);
    const storage = await openStorage(env.DATABASE_URL!);
    try {
      expect((await storage.feeds.getByUrl('https://dirty.example/rss'))?.title).toBe(CLEAN_TITLE);
    } finally {
      await storage.close();
    }
  });

  it.each([
    // The new title was dropped without a word: "Feed 1 already exists" read as if it had been taken.
    { name: 'another title', title: 'New', stderr: "cyberbrief feeds add: note: feed 1 keeps its title 'Old'; --title names a feed only when it is added." },
    { name: 'the same title', title: 'Old', stderr: '' },
  ])('feeds add --title of a feed that exists, with $name, says what title it keeps', async ({ title, stderr }) => {
    await cli('add', 'https://a.example/rss', '--title', 'Old');
    expect(await cli('add', 'https://a.example/rss', '--title', title)).toMatchObject({ code: 0, stdout: 'Feed 1 already exists: https://a.example/rss', stderr });
    expect((await cli('list')).stdout).toMatch(/^ {3}1 {2}new {10}Old {2}https:\/\/a\.example\/rss/);
  });

  it('feeds add --title with nothing visible is one clear sentence and adds nothing', async () => {
    expect(await cli('add', 'https://a.example/rss', '--title', '\u001b[2J\u200b')).toMatchObject({ code: 2, stderr: 'cyberbrief feeds add: --title has no visible characters; give a plain title or leave it out.' });
    expect((await cli('list')).stdout).toMatch(/No feeds yet/);
  });

  it('shows the feeds of the configuration, as the bot polls them, and will not remove one', async () => {
    writeFileSync(path.join(dir, 'config.yaml'), 'feeds:\n  - url: https://configured.example/rss\n    title: Configured Wire\n');
    const list = await cli('list');
    expect(list.stdout).not.toMatch(/No feeds yet/);
    expect(list.stdout).toMatch(/^ {3}1 {2}new {10}Configured Wire {2}https:\/\/configured\.example\/rss {2}\(configured\)$/m);
    await cli('add', 'https://mine.example/rss');
    const json = (await cli('list', '--json')).stdout.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json.map((f) => [f.url, f.configured])).toEqual([['https://configured.example/rss', true], ['https://mine.example/rss', false]]);
    expect(json[0]!.id).toBe(1);
    const mine = json[1]!.id as number;
    expect((await cli('export')).stdout).toContain('xmlUrl="https://configured.example/rss"');

    const r = await cli('remove', '1');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe("cyberbrief feeds remove: feed 1 (https://configured.example/rss) is listed under feeds: in the configuration, so the bot would add it again at its next start; remove it there, or stop polling it with 'cyberbrief feeds disable 1'.");
    expect((await cli('disable', '1')).stdout).toBe('Disabled feed 1: https://configured.example/rss');
    expect((await cli('list')).stdout).toMatch(/^ {3}1 {2}disabled {5}Configured Wire/m);
    expect((await cli('remove', String(mine))).stdout).toBe(`Removed feed ${mine}: https://mine.example/rss`);
  });

  it('a missing OPML file is one clear sentence', async () => {
    const r = await cli('import', 'nope.opml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cyberbrief feeds import: cannot read nope.opml: there is no such file (ENOENT); check the path.');
  });
});

describe.each(testDatabases)('cyberbrief feeds on $name: a feed named by what names none', (db) => {
  notePostgresSkip();
  it.each([
    // Digits past any row id reached the database (PostgreSQL: "unexpected error: invalid input syntax for type bigint: "1e+22"").
    { name: 'an id past any row', argv: ['disable', '9999999999999999999999'], stderr: "cyberbrief feeds: no feed '9999999999999999999999'; run 'cyberbrief feeds list' for ids and URLs." },
    { name: 'an id past any row, to remove', argv: ['remove', '99999999999999999999'], stderr: "cyberbrief feeds: no feed '99999999999999999999'; run 'cyberbrief feeds list' for ids and URLs." },
    { name: 'id 0', argv: ['enable', '0'], stderr: "cyberbrief feeds: no feed '0'; run 'cyberbrief feeds list' for ids and URLs." },
    // A pasted blob was echoed whole: a message of 20,000 characters.
    { name: 'a pasted blob', argv: ['remove', 'x'.repeat(20_000)], stderr: `cyberbrief feeds: no feed '${'x'.repeat(79)}…'; run 'cyberbrief feeds list' for ids and URLs.` },
  ])('$name: one short sentence, exit 2, the feed untouched', async ({ argv, stderr }) => {
    const { storage, url, cleanup } = await freshStorage(db);
    try {
      const { feed } = await storage.feeds.add({ url: 'https://a.example/rss', title: 'A', source: 'cli' });
      const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-feeds-'));
      writeFileSync(path.join(dir, 'config.yaml'), 'feeds: []\n');
      const r = await runCli(['feeds', ...argv], { DATABASE_URL: url, CYBERBRIEF_CONFIG: path.join(dir, 'config.yaml'), LOG_LEVEL: 'silent' });
      expect(r).toMatchObject({ code: 2, stdout: '', stderr });
      expect(await storage.feeds.get(feed.id)).toMatchObject({ url: 'https://a.example/rss', enabled: true });
    } finally {
      await cleanup();
    }
  });
});
