// cyberbrief db migrate | compact [--dry-run]: database upkeep.
import { didYouMean, echoed } from './format.ts';
import type { CliCommand } from './types.ts';

const DAY_MS = 86_400_000;

export const command: CliCommand = {
  name: 'db',
  summary: 'database tasks: migrate, compact',
  usage: [
    'Usage: cyberbrief db migrate',
    '       cyberbrief db compact [--dry-run]',
    '',
    'migrate: applies pending migrations to the database named by DATABASE_URL (or database.url in the',
    'config): a SQLite file by default (data/cyberbrief.db), PostgreSQL for postgres:// URLs. `cyberbrief run`',
    'also migrates at start-up.',
    '',
    'compact: items fetched more than storage.compact_after_days ago whose alerts are all sent or dead keep',
    'what deduplication needs (ids, URL, title, content hash, dates, story, digest) and lose their HTML, text',
    'and extracted article; article-cache rows as old are deleted. `cyberbrief run` does this at start-up and',
    'daily. --dry-run counts without changing anything.',
  ].join('\n'),
  options: { 'dry-run': { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx) {
    const [action, ...extra] = ctx.args.positionals;
    const dryRun = ctx.args.values['dry-run'] === true;
    if ((action !== 'migrate' && action !== 'compact') || extra.length > 0 || (action === 'migrate' && dryRun)) {
      const what = action === 'migrate' && dryRun && extra.length === 0 ? `--dry-run applies to 'compact' only` : `expected 'migrate' or 'compact'${action ? `, got '${echoed([action, ...extra].join(' '))}'${extra.length ? '' : didYouMean(action, ['migrate', 'compact'])}` : ''}`;
      ctx.stderr(`cyberbrief db: ${what}; run 'cyberbrief db --help'.`);
      return 2;
    }
    const config = await ctx.loadConfig();
    if (action === 'compact') {
      const days = config.storage.compact_after_days;
      if (days === 0) {
        ctx.stdout('db compact: compaction is disabled (storage.compact_after_days = 0); nothing done.');
        return 0;
      }
      // Compacting a file that is not there would create an empty one: refused, naming it.
      const storage = await ctx.openStorage(config, { existing: true });
      try {
        const r = await storage.compaction.compact({ before: new Date(Date.now() - days * DAY_MS), dryRun });
        ctx.stdout(`${storage.description}: ${dryRun ? 'would compact' : 'compacted'} ${r.items} ${r.items === 1 ? 'item' : 'items'} and ${dryRun ? 'delete' : 'deleted'} ${r.articleCache} ${r.articleCache === 1 ? 'article-cache row' : 'article-cache rows'} older than ${days} days.`);
        return 0;
      } finally {
        await storage.close();
      }
    }
    const storage = await ctx.openStorage(config, { migrate: false });
    try {
      const applied = await storage.migrate();
      ctx.stdout(`${storage.description}: schema is up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}.`);
      return 0;
    } finally {
      await storage.close();
    }
  },
};
