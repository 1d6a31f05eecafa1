// /news feeds list|add <url>|remove <url|id>: the feeds the bot watches. Changing them is for admins.
import { UsageError } from '../lib/errors.ts';
import { reply, type CommandModule } from './types.ts';

const LIST_MAX = 30;

export const feeds: CommandModule = {
  name: 'feeds',
  usage: '/news feeds list|add <url>|remove <url or id>',
  summary: 'the feeds the bot watches (adding and removing is for workspace or server admins)',
  permission: (args) => (args[0]?.toLowerCase() === 'add' || args[0]?.toLowerCase() === 'remove' ? 'admin' : 'anyone'),
  action: 'add or remove feeds',
  async run({ cmd, deps, usage }) {
    const [actionRaw, ...rest] = cmd.args;
    const action = (actionRaw ?? 'list').toLowerCase();
    if (action === 'list' && rest.length === 0) {
      const all = await deps.feeds.list();
      if (all.length === 0) return reply('No feeds are configured; an admin can add one with /news feeds add <url>.');
      const lines = all.slice(0, LIST_MAX).map((f) => {
        const state = !f.enabled ? ` (disabled: ${f.disabledReason ?? 'by an operator'})` : f.errorCount > 0 ? ` (failing ${f.errorCount}x)` : '';
        return `${f.id}. ${f.title ? `${f.title} ` : ''}${f.url}${state}`;
      });
      const more = all.length > LIST_MAX ? `\n…and ${all.length - LIST_MAX} more.` : '';
      return reply(`Watching ${all.length} feed(s):\n${lines.join('\n')}${more}`);
    }
    const target = rest[0];
    if ((action !== 'add' && action !== 'remove') || rest.length !== 1 || !target) throw new UsageError(`Usage: ${usage}.`);
    if (action === 'add') {
      const { feed, created } = await deps.addFeed(target);
      return reply(created ? `Added feed ${feed.id}: ${feed.url}; it will be checked within a few minutes.` : `Feed ${feed.id} (${feed.url}) was already watched.`);
    }
    const all = await deps.feeds.list();
    const feed = /^\d+$/.test(target) ? all.find((f) => f.id === Number(target)) : all.find((f) => f.url === target);
    if (!feed) throw new UsageError(`No feed matches "${target.slice(0, 200)}"; see /news feeds list for ids and URLs.`);
    await deps.feeds.remove(feed.id);
    return reply(`Removed feed ${feed.id}: ${feed.url}.`);
  },
};
