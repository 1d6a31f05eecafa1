// cyberbrief actors: the threat-actor list the scorer knows (MISP galaxy). `list` shows what is loaded;
// `import FILE` refreshes it from a newer MISP galaxy threat-actor.json (or the project's JSON Lines form).
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../lib/errors.ts';
import { actorState, aliasRule, loadActorsFile, parseActorsJsonl, parseMispGalaxy, renderActorsJsonl, type ThreatActor } from '../matching/knowledge/actors.ts';
import { readInput } from './read-input.ts';
import { didYouMean, echoed } from './format.ts';
import { printJsonLines } from './json-lines.ts';
import type { CliCommand, CliContext } from './types.ts';

const USAGE = [
  'Usage: cyberbrief actors list [--state STATE] [--json]',
  '       cyberbrief actors import FILE [--out FILE] [--dry-run]',
  '',
  'The threat actors the relevance scorer recognises, with their suspected state sponsor or country of',
  'origin, from the MISP galaxy (CC0 1.0 or 2-clause BSD; see config/threat-actors.NOTICE.md).',
  '',
  '  list            what is loaded from matching.actors_file: counts per state, then each actor',
  '  import FILE     read a MISP galaxy clusters/threat-actor.json (or a JSON Lines actors file), keep the',
  '                  actors with a state sponsor or country, and replace matching.actors_file with them',
  '',
  'Options:',
  '  --state STATE   list only the actors of this state (e.g. China, "North Korea")',
  '  --json          one JSON object per actor',
  '  --out FILE      write the imported list here instead of matching.actors_file',
  '  --dry-run       import: say what would change, write nothing',
].join('\n');

function rulesOf(a: ThreatActor): string {
  const marks = [a.name, ...a.aliases].map((n) => {
    const r = aliasRule(n);
    return r === null ? `${n} (ignored)` : r.context === 'cue' ? `${n} (with an actor cue)` : r.context === 'cyber' ? `${n} (in cyber stories)` : n;
  });
  return marks.join(', ');
}

async function list(ctx: CliContext, file: string): Promise<number> {
  const actors = await loadActorsFile(file);
  const want = ctx.args.values.state;
  const shown = typeof want === 'string' ? actors.filter((a) => actorState(a)?.toLowerCase() === want.toLowerCase()) : actors;
  if (ctx.args.values.json) {
    printJsonLines(ctx, shown.map((a) => ({ name: a.name, aliases: a.aliases, state_sponsor: a.stateSponsor, origin: a.origin })), `No actor is listed for ${String(want)}.`);
    return 0;
  }
  const perState = new Map<string, number>();
  for (const a of actors) perState.set(actorState(a)!, (perState.get(actorState(a)!) ?? 0) + 1);
  const aliases = actors.reduce((n, a) => n + a.aliases.length, 0);
  ctx.stdout(`${actors.length} threat actors (${aliases} aliases) from ${file}`);
  ctx.stdout(`  ${[...perState].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  if (typeof want === 'string' && shown.length === 0) {
    ctx.stdout(`No actor is listed for ${want}.`);
    return 0;
  }
  if (typeof want === 'string') {
    for (const a of shown) ctx.stdout(`${a.name}  [${a.stateSponsor ? `sponsor ${a.stateSponsor}` : `origin ${a.origin}`}]  ${rulesOf(a)}`);
  }
  return 0;
}

/**
 * A MISP galaxy file, rather than our JSON Lines: it names "values", or the whole file is one JSON value
 * that is not an actor line ({} or [] say "no values list", not "line 1 needs a name").
 */
function looksLikeGalaxy(text: string): boolean {
  const start = text.trimStart();
  if (start.startsWith('{') && text.includes('"values"')) return true;
  if (!start.startsWith('{') && !start.startsWith('[')) return false;
  try {
    const doc = JSON.parse(text) as unknown;
    return typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('name' in doc);
  } catch {
    return false;
  }
}

async function importFile(ctx: CliContext, source: string, target: string): Promise<number> {
  const text = await readInput(ctx, source, 'actors import', 20 * 1024 * 1024);
  let actors: ThreatActor[];
  try {
    actors = looksLikeGalaxy(text) ? parseMispGalaxy(text, source) : parseActorsJsonl(text, source);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (actors.length === 0) throw new UsageError(`actors import: ${source} has no actor with a state sponsor or country; nothing was changed.`);
  let before: ThreatActor[] = [];
  try {
    before = await loadActorsFile(target);
  } catch {
    before = [];
  }
  const old = new Set(before.map((a) => a.name));
  const now = new Set(actors.map((a) => a.name));
  const added = actors.filter((a) => !old.has(a.name)).length;
  const removed = before.filter((a) => !now.has(a.name)).length;
  const sponsored = actors.filter((a) => a.stateSponsor).length;
  const summary = `${actors.length} actors with a state (${sponsored} with a suspected sponsor), ${actors.reduce((n, a) => n + a.aliases.length, 0)} aliases; ${added} new, ${removed} gone`;
  if (ctx.args.values['dry-run']) {
    ctx.stdout(`actors import: would write ${summary} to ${target}.`);
    return 0;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  await writeFile(tmp, renderActorsJsonl(actors));
  await rename(tmp, target);
  ctx.stdout(`actors import: wrote ${summary} to ${target}. Restart the bot to use them.`);
  return 0;
}

export const command: CliCommand = {
  name: 'actors',
  summary: 'the threat actors the scorer knows (MISP galaxy): list, import',
  usage: USAGE,
  allowPositionals: true,
  options: { state: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(ctx) {
    const [sub, ...rest] = ctx.args.positionals;
    const config = await ctx.loadConfig();
    if (sub === 'list') {
      if (rest.length) throw new UsageError(`actors list: unexpected argument "${echoed(rest[0]!)}"; see cyberbrief actors --help.`);
      return list(ctx, config.matching.actors_file);
    }
    if (sub === 'import') {
      if (rest.length !== 1) throw new UsageError('actors import: give one file, a MISP galaxy threat-actor.json; see cyberbrief actors --help.');
      const out = ctx.args.values.out;
      return importFile(ctx, rest[0]!, typeof out === 'string' ? path.resolve(ctx.cwd, out) : config.matching.actors_file);
    }
    throw new UsageError(sub ? `actors: unknown subcommand "${echoed(sub)}"${didYouMean(sub, ['list', 'import'], '"')}; use list or import.` : 'actors: say list or import; see cyberbrief actors --help.');
  },
};
