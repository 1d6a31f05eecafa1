// /news feeds list [page N]|add [global] <url>|remove [global] <url|id>: the feeds the bot watches (30 a page), by owner
// (domain/tenancy.ts). A workspace's or server's admins add and remove its own feeds, whose stories reach
// only its channels; the bot's operators add and remove global feeds (`global`), which reach every
// channel. A caller sees the global feeds and its own tenant's, never another tenant's, and cannot touch
// a feed it cannot see or a global one. The console has no tenants: its feed commands act on the global
// feeds (the console user is an operator).
import { shownTime } from '../domain/shown-time.ts';
import { feedHealth, quietRule, type QuietRule } from '../domain/types.ts';
import { isTenant, type Tenant } from '../domain/tenancy.ts';
import { storedFeedUrl } from '../feeds/feed-url.ts';
import { UsageError } from '../lib/errors.ts';
import { counted } from '../lib/not-shown.ts';
import type { VisibleFeed } from '../storage/feeds-repo.ts';
import { tenantNoun } from './permissions.ts';
import { reply, type CommandContext, type CommandModule } from './types.ts';
import { typedQuoted, typedUsage } from './typed-text.ts';
import { unknownAction } from './unknown-action.ts';

/** Feeds on one page of `/news feeds list`. */
const PAGE_SIZE = 30;
const GLOBAL = 'global';

/** The action and its operands: `add global <url>` names the global scope. */
function parse(args: readonly string[]): { action: string; global: boolean; operands: string[] } {
  const [actionRaw, ...rest] = args;
  const global = rest[0]?.toLowerCase() === GLOBAL;
  return { action: (actionRaw ?? 'list').toLowerCase(), global, operands: global ? rest.slice(1) : rest };
}

const changes = (action: string) => action === 'add' || action === 'remove';

/** The feeds a caller may see: global ones and its tenant's own (the console: global ones). */
async function visible(ctx: CommandContext): Promise<VisibleFeed[]> {
  return ctx.deps.feeds.visibleTo(ctx.tenant);
}

function stateOf(f: VisibleFeed, quiet: QuietRule): string {
  if (!f.enabled) return `disabled: ${f.disabledReason ?? 'by an operator'}`;
  if (f.errorCount > 0) return `failing ${f.errorCount}x`;
  if (feedHealth(f, quiet) === 'quiet') {
    return f.lastNewItemAt ? `quiet: nothing new since ${shownTime(f.lastNewItemAt)}` : 'quiet: nothing at all yet';
  }
  return '';
}

const plural = (n: number) => counted(n, ['feed', 'feeds']);
/** "feeds 31-60", "feed 61" (positions in the list, counted from 1). */
const span = (first: number, last: number) => (first === last ? `feed ${first}` : `feeds ${first}-${last}`);

/**
 * The page `list` asks for: none (1), `N` or `page N`, checked against the pages there are; anything else
 * is one sentence showing the form.
 */
function pageOf(operands: readonly string[], count: number): number {
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const words = operands[0]?.toLowerCase() === 'page' ? operands.slice(1) : operands;
  const typed = operands.length - words.length === 1 ? 'page ' : '';
  if (words.length === 0 && typed === '') return 1;
  const example = `/news feeds list page ${Math.min(2, pages)}`;
  if (words.length === 0) throw new UsageError(`Say which page, e.g. ${example} (there ${pages === 1 ? 'is 1' : `are ${pages}`}).`);
  const raw = words[0]!;
  if (!/^\d{1,9}$/.test(raw)) throw typedUsage(`${typedQuoted(raw)} is not a page number; ask for page 1${pages > 1 ? ` to ${pages}` : ''}, e.g. ${example}.`, typedQuoted(raw));
  if (words.length > 1) throw typedUsage(`${typedQuoted(words[1]!)} is one word too many after /news feeds list ${typed}${raw}; leave it out.`, typedQuoted(words[1]!));
  const page = Number(raw);
  if (page < 1 || page > pages) {
    throw new UsageError(`There ${pages === 1 ? 'is 1 page' : `are ${pages} pages`} of feeds (${plural(count)}); ask for page 1${pages > 1 ? ` to ${pages}` : ''}, e.g. /news feeds list page ${pages}.`);
  }
  return page;
}

/** One page of the feeds a caller sees, saying how many there are and how to see the rest. */
function list(feeds: readonly VisibleFeed[], operands: readonly string[], ctx: CommandContext) {
  const noun = tenantNoun(ctx.cmd.platform);
  if (feeds.length === 0) {
    if (operands.length > 0) throw new UsageError(`No feeds are watched for this ${noun}, so there are no pages; an admin can add one with /news feeds add <url>.`);
    return reply(`No feeds are watched for this ${noun}; an admin can add one with /news feeds add <url>.`);
  }
  const page = pageOf(operands, feeds.length);
  const pages = Math.ceil(feeds.length / PAGE_SIZE);
  const from = (page - 1) * PAGE_SIZE;
  const shown = feeds.slice(from, from + PAGE_SIZE);
  const quiet = quietRule(ctx.now, ctx.deps.quietAfterDays);
  const lines = shown.map((f) => {
    const notes = [f.global ? 'global' : `this ${noun}'s`, stateOf(f, quiet)].filter((x) => x !== '');
    return `${f.id}. ${f.title ? `${f.title} ` : ''}${f.url} (${notes.join('; ')})`;
  });
  const which = pages > 1 ? `; ${span(from + 1, from + shown.length)} shown (page ${page} of ${pages})` : '';
  const rest = span(from + shown.length + 1, feeds.length);
  const next = page < pages ? `\n${rest[0]!.toUpperCase()}${rest.slice(1)}: /news feeds list page ${page + 1} (of ${pages}).` : '';
  // Titles, URLs and reasons are the feeds' text, quoted (Slack makes them inert; our text stays as written).
  const quoted = shown.flatMap((f) => [f.title ?? '', f.url, f.disabledReason ?? '']);
  return reply(`Watching ${plural(feeds.length)} for this ${noun}'s channels${which}:\n${lines.join('\n')}${next}`, { quoted });
}

async function addGlobal(ctx: CommandContext, raw: string) {
  const url = ctx.deps.checkFeedUrl(raw);
  const { feed, created, madeGlobal } = await ctx.deps.feeds.add({ url, source: 'user' }, ctx.now);
  const quoted = [feed.url];
  if (created) return reply(`Added global feed ${feed.id}: ${feed.url}; it is first checked within a few minutes, and every subscribed channel gets the stories it publishes after that.`, { quoted });
  if (madeGlobal) return reply(`Feed ${feed.id} (${feed.url}) is global now: every subscribed channel gets its stories.`, { quoted });
  return reply(`Feed ${feed.id} (${feed.url}) was already global.`, { quoted });
}

async function addForTenant(ctx: CommandContext, tenant: Tenant, raw: string) {
  const noun = tenantNoun(tenant.platform);
  const url = ctx.deps.checkFeedUrl(raw, 'chat');
  // The same answer whether the feed row is new or another tenant's too: nothing here says who else watches a URL.
  const { feed, linked } = await ctx.deps.feeds.addForTenant({ url, source: 'user' }, tenant, ctx.cmd.userId, ctx.now);
  const quoted = [feed.url];
  if (feed.global) return reply(`Feed ${feed.id} (${feed.url}) is a global feed: this ${noun}'s channels get its stories already.`, { quoted });
  if (linked) return reply(`Added feed ${feed.id}: ${feed.url}, for this ${noun}'s channels only; it will be checked within a few minutes.`, { quoted });
  return reply(`Feed ${feed.id} (${feed.url}) was already watched for this ${noun}.`, { quoted });
}

/** The ways a typed URL may name a stored feed: as typed, unwrapped from Slack's <url|label>, and as add stores it (no #fragment). */
function urlForms(target: string): string[] {
  const unwrapped = target.trim().replace(/^<([^<>|]*)(?:\|[^<>]*)?>$/, '$1');
  // Text that is not a URL has no stored form: only an exact match can name it.
  const stored = storedFeedUrl(unwrapped);
  return stored ? [target, unwrapped, stored] : [target, unwrapped];
}

function find(feeds: readonly VisibleFeed[], target: string): VisibleFeed {
  const forms = urlForms(target);
  const feed = /^\d+$/.test(target) ? feeds.find((f) => f.id === Number(target)) : feeds.find((f) => forms.includes(f.url));
  // A feed of another tenant gets the same answer as no feed at all.
  if (!feed) throw typedUsage(`No feed matches ${typedQuoted(target, 200)}; see /news feeds list for ids and URLs.`, typedQuoted(target, 200));
  return feed;
}

async function removeGlobal(ctx: CommandContext, target: string) {
  const feed = find(await visible(ctx), target);
  const noun = tenantNoun(ctx.cmd.platform);
  if (!feed.global) throw new UsageError(`Feed ${feed.id} is not a global feed; remove this ${noun}'s own with /news feeds remove ${feed.id}.`);
  const { deleted } = await ctx.deps.feeds.removeGlobal(feed.id);
  return reply(`Removed global feed ${feed.id}: ${feed.url}.${deleted ? '' : ' Workspaces or servers that added it themselves keep it for their channels.'}`, { quoted: [feed.url] });
}

async function removeForTenant(ctx: CommandContext, tenant: Tenant, target: string) {
  const feed = find(await visible(ctx), target);
  const noun = tenantNoun(tenant.platform);
  if (!feed.owned) {
    const hint = ctx.cmd.userIsOperator ? ` As an operator you can, with /news feeds remove global ${feed.id}.` : '';
    throw new UsageError(`Feed ${feed.id} is a global feed, which only the bot's operators can remove; this ${noun} can remove only the feeds it added.${hint}`);
  }
  await ctx.deps.feeds.removeForTenant(feed.id, tenant);
  return reply(`Removed feed ${feed.id} (${feed.url}) from this ${noun}.${feed.global ? ` It is also a global feed, so this ${noun}'s channels still get its stories.` : ''}`, { quoted: [feed.url] });
}

export const feeds: CommandModule = {
  name: 'feeds',
  usage: '/news feeds list [page N]|add <url>|remove <url or id> (operators: add|remove global ...)',
  summary: "the feeds this workspace or server watches: the global ones and its own (its admins add and remove its own)",
  permission: (args) => {
    const { action, global } = parse(args);
    if (!changes(action)) return 'anyone';
    return global ? 'operator' : 'admin';
  },
  action: (args) => (parse(args).global ? 'add or remove global feeds, which reach every channel' : 'add or remove feeds'),
  async run(ctx) {
    const { action, global, operands } = parse(ctx.cmd.args);
    if (action === 'list') return list(await visible(ctx), operands, ctx);
    const target = operands[0];
    if (action !== 'list' && !changes(action)) throw unknownAction('feeds', action, ['list', 'add', 'remove'], ctx.usage);
    if (!changes(action) || operands.length !== 1 || !target) throw new UsageError(`Usage: ${ctx.usage}.`);
    // Console commands have no tenant: they manage the global feeds. A chat command always has one; one
    // without (which the platforms do not send) changes nothing.
    const console = ctx.cmd.platform === 'console';
    if (!console && !isTenant(ctx.tenant)) throw new UsageError('Feeds can be changed only from a channel of a workspace or server.');
    if (global || console) return action === 'add' ? addGlobal(ctx, target) : removeGlobal(ctx, target);
    return action === 'add' ? addForTenant(ctx, ctx.tenant, target) : removeForTenant(ctx, ctx.tenant, target);
  },
};
