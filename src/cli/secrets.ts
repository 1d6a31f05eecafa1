// cyberbrief secrets rekey [--dry-run] [--json]: after a key rotation, re-seals every value kept sealed in
// the database (Slack installations, WebSub secrets) under CYBERBRIEF_ENCRYPTION_KEY, so that
// CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS can be removed, and seals the values stored unencrypted before a key was
// set. Safe while instances run: rows are replaced by
// compare-and-set in short transactions. Exits 1 when a value opens with no configured key (left as it is).
import { ConfigError } from '../lib/errors.ts';
import { resealKind, type ResealReport } from '../lib/reseal.ts';
import { configuredSecretBox } from '../lib/secret-box.ts';
import { slackInstallations, webSubSecrets } from './sealed-values.ts';
import { didYouMean, echoed } from './format.ts';
import type { CliCommand } from './types.ts';

function countsLine(r: ResealReport, dryRun: boolean): string {
  const parts = [`${r.resealed} ${dryRun ? 'to re-seal' : 're-sealed'}`, `${r.current} already current`, `${r.unreadable.length} unreadable`];
  if (r.changedMeanwhile) parts.push(`${r.changedMeanwhile} changed meanwhile by a running instance (left to that write)`);
  if (r.plain) parts.push(`${r.plain} stored unencrypted, ${r.plainSealed} of them ${dryRun ? 'to seal' : 'sealed'}`);
  return `  ${r.name}: ${parts.join(', ')}`;
}

export const command: CliCommand = {
  name: 'secrets',
  summary: 'values encrypted at rest: rekey (re-seal them under the current key)',
  usage: [
    'Usage: cyberbrief secrets rekey [--dry-run] [--json]',
    '',
    'rekey: after rotating CYBERBRIEF_ENCRYPTION_KEY (the old key moved to CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS),',
    'seals every Slack installation and WebSub secret in the database under the current key, and prints per',
    'kind how many were re-sealed, already current, and unreadable. WebSub secrets stored unencrypted (made before',
    'a key was set) are sealed under it too. A value that opens with no configured key',
    'is left as it is and named by its row (team/enterprise id, feed id) with what to do; the exit code is 1',
    'then. Safe while instances run (each row is replaced only if it still holds the value read); a second',
    'run re-seals nothing. Once it exits 0, remove CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS and restart.',
    '',
    'Options:',
    '  --dry-run   only count; change nothing',
    '  --json      one JSON object: the database, and the counts and unreadable rows per kind',
  ].join('\n'),
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx) {
    const [action, ...extra] = ctx.args.positionals;
    if (action !== 'rekey' || extra.length > 0) {
      ctx.stderr(`cyberbrief secrets: expected 'rekey'${action ? `, got '${echoed([action, ...extra].join(' '))}'${extra.length ? '' : didYouMean(action, ['rekey'])}` : ''}; run 'cyberbrief secrets --help'.`);
      return 2;
    }
    const dryRun = ctx.args.values['dry-run'] === true;
    const config = await ctx.loadConfig();
    const box = configuredSecretBox(config.secrets);
    if (!box) throw new ConfigError('secrets rekey: CYBERBRIEF_ENCRYPTION_KEY is not set; set the new key and move the old one to CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS.');
    const storage = await ctx.openStorage(config, { existing: true });
    const reports: ResealReport[] = [];
    try {
      reports.push(await resealKind(slackInstallations(storage), box, { dryRun }));
      reports.push(await resealKind(webSubSecrets(storage), box, { dryRun }));
    } finally {
      await storage.close();
    }
    const unreadable = reports.flatMap((r) => r.unreadable);
    const changed = reports.reduce((n, r) => n + r.changedMeanwhile, 0);
    if (ctx.args.values.json) {
      ctx.stdout(JSON.stringify({ database: storage.description, dryRun, kinds: reports }));
    } else {
      ctx.stdout(`secrets rekey: ${storage.description}${dryRun ? ' (dry run: nothing changed)' : ''}`);
      for (const r of reports) ctx.stdout(countsLine(r, dryRun));
      for (const u of unreadable) ctx.stdout(`  unreadable: ${u.label} opens with no configured key: ${u.remedy}.`);
      if (changed) ctx.stdout(`  ${changed} ${changed === 1 ? 'value' : 'values'} changed while this ran; run 'cyberbrief secrets rekey' again to check them.`);
      if (!unreadable.length && !changed && !dryRun) ctx.stdout('  Every sealed value opens with the current key: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS can be removed.');
    }
    return unreadable.length || changed ? 1 : 0;
  },
};
