// cyberbrief feeds: list, add, remove, enable, disable; import and export OPML.
// The feeds listed in the configuration are added first, as `cyberbrief run` does at start-up, so the
// CLI shows (and exports, enables, disables) the same feeds the bot polls; they are marked as configured.
import type { Config } from '../config/schema.ts';
import type { FeedAudience } from '../domain/tenancy.ts';
import { feedHealth, feedNeedsAttention, quietRule, quietSince, type Feed, type QuietRule } from '../domain/types.ts';
import { syncConfigFeeds } from '../feeds/config-feeds.ts';
import { createAddressGuard } from '../feeds/address-guard.ts';
import { checkFeedUrl, MAX_FEED_URL_LENGTH, storedFeedUrl } from '../feeds/feed-url.ts';
import { canonicalUrl } from '../feeds/normalise.ts';
import { cleanFeedTitle, MAX_FEED_TITLE_CHARS } from '../feeds/feed-title.ts';
import { MAX_OPML_BYTES, parseOpml, renderOpml } from '../feeds/opml.ts';
import { closest } from '../lib/closest.ts';
import { errorMessage, UsageError } from '../lib/errors.ts';
import { plainLine } from '../lib/terminal-text.ts';
import type { Storage, WebSubSubscription } from '../storage/index.ts';
import { readInput } from './read-input.ts';
import { echoed, rowId, when } from './format.ts';
import { printJsonLines } from './json-lines.ts';
import type { CliCommand } from './types.ts';

/** Stored text shown as one plain line (titles and errors may hold whatever a feed or server sent). */
const shown = (text: string | null): string | null => (text === null ? null : plainLine(text));

/** The feed's WebSub subscription, as `feeds list --json` shows it (never its secret or callback id). */
function pushJson(p: WebSubSubscription | undefined) {
  if (!p) return null;
  return {
    state: p.state,
    hub: shown(p.hubUrl),
    topic: shown(p.topicUrl),
    lease_expires_at: p.leaseExpiresAt?.toISOString() ?? null,
    last_push_at: p.lastPushAt?.toISOString() ?? null,
    last_error: shown(p.lastError),
    error_count: p.errorCount,
    next_try_at: p.state === 'active' ? null : p.nextActionAt.toISOString(),
  };
}

function pushLine(p: WebSubSubscription | undefined): string[] {
  if (!p) return [];
  const what =
    p.state === 'active'
      ? `pushed by ${shown(p.hubUrl)} (lease until ${when(p.leaseExpiresAt)}, last push ${when(p.lastPushAt)})`
      : p.state === 'failed'
        ? `push failed at ${shown(p.hubUrl)}, polled as usual; next try ${when(p.nextActionAt)}${p.lastError ? `: ${shown(p.lastError)}` : ''}`
        : p.state === 'unsubscribing' && p.lastError
          ? `unsubscribing at ${shown(p.hubUrl)}; ${p.errorCount} ${p.errorCount === 1 ? 'try' : 'tries'} failed, next try ${when(p.nextActionAt)}: ${shown(p.lastError)}`
          : `${p.state} at ${shown(p.hubUrl)}`;
  return [`      push: ${what}`];
}

function feedJson(f: Feed, audience: FeedAudience | undefined, configured: boolean, quiet: QuietRule, push?: WebSubSubscription) {
  return {
    id: f.id,
    url: f.url,
    title: cleanFeedTitle(f.title),
    configured,
    enabled: f.enabled,
    global: f.global,
    health: feedHealth(f, quiet),
    owners: audience?.tenants ?? [],
    last_success_at: f.lastSuccessAt?.toISOString() ?? null,
    last_new_item_at: f.lastNewItemAt?.toISOString() ?? null,
    last_error: shown(f.lastError),
    last_error_at: f.lastErrorAt?.toISOString() ?? null,
    error_count: f.errorCount,
    next_check_at: f.nextCheckAt.toISOString(),
    disabled_reason: shown(f.disabledReason),
    push: pushJson(push),
  };
}

/** Who gets the feed's stories: every channel, or the channels of the workspaces and servers that added it. */
function reachLine(f: Feed, audience: FeedAudience | undefined): string {
  const owners = (audience?.tenants ?? []).map((t) => plainLine(t));
  if (f.global) return `      for every channel (global)${owners.length ? `; also added by ${owners.join(', ')}` : ''}`;
  return `      for the channels of ${owners.join(', ') || 'nobody'}`;
}

function feedLines(f: Feed, audience: FeedAudience | undefined, configured: boolean, quiet: QuietRule, push?: WebSubSubscription): string[] {
  const health = feedHealth(f, quiet);
  const state = health === 'failing' ? `failing x${f.errorCount}` : health;
  const lines = [`${String(f.id).padStart(4)}  ${state.padEnd(12)} ${cleanFeedTitle(f.title) ?? '(no title)'}  ${f.url}${configured ? '  (configured)' : ''}`];
  lines.push(`      last success ${when(f.lastSuccessAt)}   next check ${f.enabled ? when(f.nextCheckAt) : '- (disabled)'}`);
  if (health === 'quiet') {
    lines.push(`      quiet: ${f.lastNewItemAt ? `nothing new since ${when(f.lastNewItemAt)}` : `nothing at all since it was added ${when(quietSince(f))}`} (polling.quiet_after_days: ${quiet.afterDays}); check that the site still publishes here`);
  }
  if (f.lastError) lines.push(`      last error ${when(f.lastErrorAt)}: ${shown(f.lastError)}`);
  if (f.disabledReason) lines.push(`      disabled: ${shown(f.disabledReason)}`);
  lines.push(...pushLine(push));
  lines.push(reachLine(f, audience));
  return lines;
}

/** URLs of the feeds the configuration lists. */
const configuredUrls = (config: Config) => new Set(config.feeds.map((f) => f.url));

async function findFeed(storage: Storage, ref: string): Promise<Feed> {
  // A URL as typed, or in its stored form (HTTP://Example.com/feed#top is http://example.com/feed).
  const stored = storedFeedUrl(ref);
  // Digits are an id (one too long for any row names none, and never reaches the database).
  const id = /^\d+$/.test(ref) ? rowId(ref) : undefined;
  const feed = id !== undefined ? id && (await storage.feeds.get(id)) : ((await storage.feeds.getByUrl(ref)) ?? (stored && stored !== ref ? await storage.feeds.getByUrl(stored) : null));
  if (!feed) throw new UsageError(`cyberbrief feeds: no feed '${echoed(redactUserinfo(ref))}'; run 'cyberbrief feeds list' for ids and URLs.`);
  return feed;
}

/** Why a URL cannot be a feed, or null: http(s) only, bounded, and no credentials (they would be logged). */
function feedUrlProblem(raw: string): string | null {
  if (raw.trim().length > MAX_FEED_URL_LENGTH) return `is longer than ${MAX_FEED_URL_LENGTH} characters`;
  if (!canonicalUrl(raw)) return 'is not an http(s) URL';
  const u = new URL(raw.trim());
  if (u.username || u.password) return 'carries a user name or password, which would be stored and logged in clear (and is never sent)';
  return null;
}

/** The URL with any user name and password replaced, for messages. */
function redactUserinfo(raw: string): string {
  return raw.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

function httpUrl(raw: string): string {
  const problem = feedUrlProblem(raw);
  if (problem) throw new UsageError(`cyberbrief feeds: '${echoed(redactUserinfo(raw), 200)}' ${problem}.`);
  // feedUrlProblem parsed it: a URL, so never null.
  return storedFeedUrl(raw)!;
}

export const command: CliCommand = {
  name: 'feeds',
  summary: 'list, add, remove, enable feeds; import/export OPML',
  usage: [
    'Usage: cyberbrief feeds <action> [...]',
    '',
    'Actions:',
    '  list [--json] [--failing]  every feed: state (ok, new, quiet, failing, disabled), who gets it, last success,',
    '                         last error, next check, push; quiet: it answers but brought nothing new for',
    '                         polling.quiet_after_days (30) days;',
    '                         --failing: only the feeds failing or disabled; --json: one JSON object per feed',
    '  add URL [--title T]    add a global feed, for every channel (polled at the next tick)',
    '  remove URL|ID          remove a feed and its items, for everyone (also workspaces\' own)',
    '  enable ID|URL          re-enable a feed (resets its error count, due now)',
    '  disable ID|URL         stop polling a feed',
    '  import FILE.opml       add every feed in an OPML file (- for standard input)',
    '  export                 print the feed list as OPML 2.0',
    '',
    'The feeds listed under feeds: in the configuration are added first, as `cyberbrief run` does, and',
    'marked (configured); remove them from the configuration (or disable them), not with `remove`.',
  ].join('\n'),
  options: {
    json: { type: 'boolean' },
    failing: { type: 'boolean' },
    title: { type: 'string' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [action, ...rest] = ctx.args.positionals;
    const need = (n: number, what: string) => {
      if (rest.length !== n) throw new UsageError(`cyberbrief feeds ${action}: expected ${what}; run 'cyberbrief feeds --help'.`);
    };
    // Every action sees the configured feeds, as the bot does.
    // Reading actions (`existing`) refuse a SQLite file that is not there rather than create it.
    const withFeeds = <T>(fn: (s: Storage, configured: Set<string>, config: Config) => Promise<T>, opts: { existing?: boolean } = {}) =>
      ctx.withStorage(async (s, config) => {
        await syncConfigFeeds(s.feeds, config.feeds);
        return fn(s, configuredUrls(config), config);
      }, opts);
    switch (action) {
      case 'list':
        need(0, 'no arguments');
        return withFeeds(async (s, configured, config) => {
          const [every, audiences, subs] = await Promise.all([s.feeds.list(), s.feeds.audiences(), s.websub.list()]);
          const quiet = quietRule(new Date(), config.polling.quiet_after_days);
          const failing = ctx.args.values.failing === true;
          const feeds = failing ? every.filter(feedNeedsAttention) : every;
          const push = new Map(subs.map((p) => [p.feedId, p]));
          const none = failing ? `No feed is failing or disabled (of ${every.length}).` : 'No feeds yet. Add one with `cyberbrief feeds add URL` or `cyberbrief feeds import FILE.opml`, or list it under feeds: in the configuration.';
          if (ctx.args.values.json) printJsonLines(ctx, feeds.map((f) => feedJson(f, audiences.get(f.id), configured.has(f.url), quiet, push.get(f.id))), none);
          else if (feeds.length === 0) ctx.stdout(none);
          else for (const f of feeds) for (const l of feedLines(f, audiences.get(f.id), configured.has(f.url), quiet, push.get(f.id))) ctx.stdout(l);
          return 0;
        }, { existing: true });
      case 'add': {
        need(1, 'one URL');
        const url = httpUrl(rest[0]!);
        const raw = typeof ctx.args.values.title === 'string' ? ctx.args.values.title : '';
        // Escape sequences, controls and invisible characters are dropped; what is left is the title.
        const title = plainLine(raw) || null;
        if (raw.trim() && !title) throw new UsageError('cyberbrief feeds add: --title has no visible characters; give a plain title or leave it out.');
        if (title && Array.from(title).length > MAX_FEED_TITLE_CHARS) {
          throw new UsageError(`cyberbrief feeds add: --title is ${Array.from(title).length} characters; keep it to ${MAX_FEED_TITLE_CHARS}.`);
        }
        return withFeeds(async (s, _configured, config) => {
          const { feed, created, madeGlobal } = await s.feeds.add({ url, title, source: 'cli' });
          ctx.stdout(created ? `Added feed ${feed.id}: ${feed.url}` : madeGlobal ? `Feed ${feed.id} is global now (before, only the workspaces or servers that added it got it): ${feed.url}` : `Feed ${feed.id} already exists: ${feed.url}`);
          // A feed that exists keeps its title: say so rather than seem to have taken the new one.
          const kept = cleanFeedTitle(feed.title);
          if (!created && title && kept && kept !== title) ctx.stderr(`cyberbrief feeds add: note: feed ${feed.id} keeps its title '${kept}'; --title names a feed only when it is added.`);
          // The operator may add what chat users may not, but a private address is refused at every poll
          // until it is allowed: say so now rather than at the first poll.
          try {
            checkFeedUrl(feed.url, createAddressGuard(config.polling.allow_hosts));
          } catch (err) {
            const why = errorMessage(err).replace(/\.$/, '').replace('the operator must allow it', 'allow it');
            ctx.stderr(`cyberbrief feeds add: note: ${why}; until then every poll of it is refused.`);
          }
          return 0;
        });
      }
      case 'remove':
        need(1, 'a feed URL or id');
        return withFeeds(async (s, configured) => {
          const feed = await findFeed(s, rest[0]!);
          if (configured.has(feed.url)) {
            throw new UsageError(`cyberbrief feeds remove: feed ${feed.id} (${feed.url}) is listed under feeds: in the configuration, so the bot would add it again at its next start; remove it there, or stop polling it with 'cyberbrief feeds disable ${feed.id}'.`);
          }
          await s.feeds.remove(feed.id);
          ctx.stdout(`Removed feed ${feed.id}: ${feed.url}`);
          return 0;
        }, { existing: true });
      case 'enable':
      case 'disable':
        need(1, 'a feed id or URL');
        return withFeeds(async (s) => {
          const feed = await findFeed(s, rest[0]!);
          await s.feeds.setEnabled(feed.id, action === 'enable');
          ctx.stdout(`${action === 'enable' ? 'Enabled' : 'Disabled'} feed ${feed.id}: ${feed.url}`);
          return 0;
        }, { existing: true });
      case 'import': {
        need(1, 'one OPML file (or - for standard input)');
        const file = rest[0]!;
        const text = await readInput(ctx, file, 'cyberbrief feeds import', MAX_OPML_BYTES);
        let entries;
        try {
          entries = parseOpml(text);
        } catch (err) {
          // A file that is not OPML is the user's input, like a bad flag: exit 2, nothing changed.
          throw new UsageError(`cyberbrief feeds import: ${errorMessage(err).replace(/^opml: /, '')}`);
        }
        const shown = file === '-' ? 'standard input' : file;
        // A file cut short (a failed download or copy) would import only the feeds before the cut; cut inside
        // its first outline it lists none, and is still said to be cut short.
        if (!/<\/opml\s*>|<opml\b[^>]*\/>/i.test(text)) throw new UsageError(`cyberbrief feeds import: ${shown} ends before </opml> (cut short?); nothing was imported; export the OPML again.`);
        if (entries.length === 0) throw new UsageError(`cyberbrief feeds import: ${shown} lists no feeds (outlines with an xmlUrl); nothing was imported.`);
        return withFeeds(async (s, _configured, config) => {
          let added = 0;
          const skipped: string[] = [];
          const refused: string[] = [];
          const guard = createAddressGuard(config.polling.allow_hosts);
          for (const e of entries) {
            if (feedUrlProblem(e.url)) {
              skipped.push(e.url);
              continue;
            }
            const r = await s.feeds.add({ url: storedFeedUrl(e.url)!, title: e.title, source: 'opml' });
            if (r.created) added++;
            try {
              checkFeedUrl(r.feed.url, guard);
            } catch {
              refused.push(r.feed.url);
            }
          }
          ctx.stdout(`Imported ${entries.length} ${entries.length === 1 ? 'feed' : 'feeds'} from ${shown}: ${added} added, ${entries.length - added - skipped.length} already present${skipped.length ? `, ${skipped.length} skipped (not http(s), too long or with credentials: ${skipped.slice(0, 3).map((u) => echoed(redactUserinfo(u), 200)).join(', ')})` : ''}.`);
          // As for add: a feed at a private address or localhost is refused at every poll until allowed.
          if (refused.length) ctx.stderr(`cyberbrief feeds import: note: ${refused.length} of these feeds ${refused.length === 1 ? 'is' : 'are'} at a private address or this machine (${refused.slice(0, 3).join(', ')}${refused.length > 3 ? ', ...' : ''}); every poll of ${refused.length === 1 ? 'it' : 'them'} is refused until allowed (polling.allow_hosts or CYBERBRIEF_ALLOW_HOSTS).`);
          return 0;
        });
      }
      case 'export':
        need(0, 'no arguments');
        return withFeeds(async (s) => {
          const feeds = await s.feeds.list();
          ctx.stdout(renderOpml(feeds.map((f) => ({ url: f.url, title: f.title, siteUrl: f.siteUrl }))));
          return 0;
        }, { existing: true });
      default:
        {
          const meant = action ? closest(action, ['list', 'add', 'remove', 'enable', 'disable', 'import', 'export']) : null;
          ctx.stderr(`cyberbrief feeds: ${action ? `unknown action '${echoed(action)}'` : 'an action is required'} (${meant ? `did you mean '${meant}'? ` : ''}list, add, remove, enable, disable, import, export); run 'cyberbrief feeds --help'.`);
        }
        return 2;
    }
  },
};
