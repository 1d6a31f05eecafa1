// cyberbrief db migrate: apply pending migrations to the configured database.
import type { CliCommand } from './types.ts';

export const command: CliCommand = {
  name: 'db',
  summary: 'database tasks: migrate',
  usage: [
    'Usage: cyberbrief db migrate',
    '',
    'Applies pending migrations to the database named by DATABASE_URL (or database.url in the config):',
    'a SQLite file by default (data/cyberbrief.db), PostgreSQL for postgres:// URLs. `cyberbrief run`',
    'also migrates at start-up.',
  ].join('\n'),
  options: {},
  allowPositionals: true,
  async run(ctx) {
    const [action, ...extra] = ctx.args.positionals;
    if (action !== 'migrate' || extra.length > 0) {
      ctx.stderr(`cyberbrief db: expected 'migrate'${action ? `, got '${[action, ...extra].join(' ')}'` : ''}; run 'cyberbrief db --help'.`);
      return 2;
    }
    const config = await ctx.loadConfig();
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
