// The cyberbrief command line: finds the subcommand, parses its flags strictly, runs it. An unknown command
// or flag prints one line and exits 2. Subcommand modules, the configuration loader (zod, yaml), the logger
// and storage (kysely, the database drivers) load only when a command runs, so `--help` loads none of them.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.ts';
import { closest } from '../lib/closest.ts';
import { CyberbriefError, UsageError, errorMessage } from '../lib/errors.ts';
import { redactText, redactUrlPasswords, redactValues, secretList } from '../lib/redact.ts';
import { terminalSafe } from '../lib/terminal-text.ts';
import { didYouMeanFlag, echoed } from './format.ts';
import { MAX_INPUT_BYTES } from './read-input.ts';
import type { CliCommand, CliContext } from './types.ts';

/**
 * Every subcommand with its one-line summary and its module (which exports `command`), imported only when the
 * command runs. Each import names its file, so the bundler (scripts/build.mjs) can follow it.
 */
export const SUBCOMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => Promise<{ command: CliCommand }> }> = [
  { name: 'run', summary: 'run the bot: scheduler, HTTP server (health, Slack) and chat adapters', load: () => import('./run.ts') },
  { name: 'poll', summary: 'poll feeds once and print one line per feed (--once [--all] [--json])', load: () => import('./poll.ts') },
  { name: 'match', summary: 'match items (JSONL) against topics; --eval prints precision/recall/F1', load: () => import('./match.ts') },
  { name: 'summarize', summary: 'summarise articles (JSONL); --eval prints ROUGE against references', load: () => import('./summarize.ts') },
  { name: 'model', summary: 'the relevance scorer: fit it on labelled stories (and feedback), show it', load: () => import('./model.ts') },
  { name: 'actors', summary: 'the threat actors the scorer knows (MISP galaxy): list, import', load: () => import('./actors.ts') },
  { name: 'derive-topics', summary: 'propose a topic (YAML) from reference documents', load: () => import('./derive-topics.ts') },
  { name: 'feeds', summary: 'list, add, remove, enable and disable feeds; import/export OPML', load: () => import('./feeds.ts') },
  { name: 'alerts', summary: 'list alerts (--failed for dead letters) and retry them', load: () => import('./alerts.ts') },
  { name: 'brief', summary: "what a channel's next brief would hold (--channel ID --dry-run)", load: () => import('./brief.ts') },
  { name: 'db', summary: 'database tasks: migrate, compact', load: () => import('./db.ts') },
  { name: 'secrets', summary: 'values encrypted at rest: rekey (re-seal them under the current key)', load: () => import('./secrets.ts') },
  { name: 'doctor', summary: 'check configuration, database and tokens; exit 1 when something is wrong', load: () => import('./doctor.ts') },
];

function version(): string {
  try {
    // src/cli/ and dist/cli/ alike sit two levels below the project root.
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function topLevelHelp(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.name.length));
  return [
    'Usage: cyberbrief <command> [options]',
    '',
    'Watches news feeds for cyber-diplomacy stories and posts sourced summaries to Slack and Discord.',
    '',
    'Commands:',
    ...SUBCOMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `cyberbrief <command> --help` for a command\'s options.',
    'Configuration: config/default.yaml, the file named by CYBERBRIEF_CONFIG, and the environment (.env.example).',
  ].join('\n');
}

/**
 * node:util parseArgs's message as one clause in our words (lower case, as every other CLI sentence): an
 * unknown flag names the one meant when exactly one of the command's `flags` (long names, no dashes) is near
 * (`--jsn`: did you mean '--json'?), its advice on positionals is dropped, and its three-line "argument is
 * ambiguous" (a value that starts with a dash, `--sentences -1`) becomes one line saying how to give one.
 */
export function parseArgsProblem(message: string, flags: readonly string[] = []): string {
  const ambiguous = /^Option '(--?[\w-]+)' argument is ambiguous\./.exec(message);
  if (ambiguous) return `option '${echoed(ambiguous[1]!)}' needs a value; to give one that starts with a dash, write ${echoed(ambiguous[1]!)}=VALUE`;
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) {
    const typed = unknown[1]!;
    return `unknown option '${echoed(typed)}'${didYouMeanFlag(typed, flags)}`;
  }
  const missing = /^Option '(?:-\w, )?(--?[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `option '${missing[1]}' needs a value`;
  const noValue = /^Option '(--?[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `option '${noValue[1]}' takes no value`;
  const stray = /^Unexpected argument '([^']*)'\. This command does not take positional arguments/.exec(message);
  if (stray) return `unexpected argument '${echoed(stray[1]!)}' (this command takes none)`;
  // Anything else node says: what it quotes was typed, so shown short.
  return message
    .replace(/\. To specify a positional argument.*$/s, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '')
    .replace(/'([^']{81,})'/g, (_, typed: string) => `'${echoed(typed)}'`);
}

/**
 * A command's own sentence starts as every CLI sentence does, `cyberbrief match: ...`: some commands say
 * `match: ...` or `model fit: ...`. Sentences of other modules (`config: ...`, `storage: ...`) are left.
 */
export function ownSentence(command: string, message: string): string {
  return message.startsWith(`${command}:`) || new RegExp(`^${command} [a-z-]+:`).test(message) ? `cyberbrief ${message}` : message;
}

export interface MainIo {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The subcommand named `name`, null when there is none. */
const subcommand = (name: string) => SUBCOMMANDS.find((c) => c.name === name) ?? null;

/** Reads standard input whole, but never more than `maxBytes`: past that it stops reading and fails. */
function readStdin(maxBytes: number = MAX_INPUT_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (c: Buffer) => {
      total += c.length;
      if (total > maxBytes) {
        process.stdin.off('data', onData);
        process.stdin.pause();
        reject(new UsageError(`cyberbrief: standard input is larger than ${maxBytes} bytes; split it into smaller files.`));
        return;
      }
      chunks.push(c);
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** `cyberbrief feeds list | head` closes our stdout early: that is not an error, so end quietly. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  if (!io.stdout) exitQuietlyOnClosedPipe(process.stdout);
  const writeOut = io.stdout ?? ((s: string) => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
  const writeErr = io.stderr ?? ((s: string) => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`));
  // Everything printed is scrubbed of secrets: the configured ones once the configuration is loaded, and
  // any password inside a URL. Standard output keeps ordinary query strings (feed URLs, OPML export).
  let secrets: string[] = [];
  // Nor can anything printed steer the terminal: escape sequences, controls and bidi overrides in feed
  // titles, server messages or input files are dropped on the way out, line by line, so a sequence left
  // open on one line cannot swallow the next (a command may print many lines in one write).
  // A block that cleaning leaves as it is, as a whole, needs no line cleaned (nothing either step removes spans a
  // line break), so `poll`'s 10,000 lines are split only when one of them holds something to remove.
  const cleanOut = (line: string) => terminalSafe(redactUrlPasswords(redactValues(line, secrets)));
  const cleanBlock = (s: string) => (cleanOut(s) === s ? s : s.split('\n').map(cleanOut).join('\n'));
  const stdout = (s: string) => writeOut(s.includes('\n') ? cleanBlock(s) : cleanOut(s));
  const stderr = (s: string) => writeErr(terminalSafe(redactText(s, secrets)));
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const [first, ...rest] = argv;

  // `cyberbrief help feeds` is `cyberbrief feeds --help`, as `/news help brief` is in chat.
  if (first === 'help' && rest.length > 0) {
    const name = rest[0]!;
    const entry = subcommand(name);
    if (rest.length > 1 || !entry) {
      const meant = rest.length === 1 ? closest(name, SUBCOMMANDS.map((c) => c.name)) : null;
      stderr(`cyberbrief help: unknown command '${echoed(rest.join(' '))}'; ${meant ? `did you mean 'cyberbrief help ${meant}'? Run` : 'run'} 'cyberbrief --help' for the list of commands.`);
      return 2;
    }
    stdout((await entry.load()).command.usage);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    stdout(topLevelHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    stdout(version());
    return 0;
  }
  const entry = subcommand(first);
  if (!entry) {
    if (first.startsWith('-')) {
      stderr(`cyberbrief: unknown option '${echoed(first)}'${didYouMeanFlag(first, ['help', 'version'])}; run 'cyberbrief --help' for the list of commands.`);
      return 2;
    }
    const meant = closest(first, SUBCOMMANDS.map((c) => c.name));
    stderr(`cyberbrief: unknown command '${echoed(first)}'; ${meant ? `did you mean '${meant}'? Run` : 'run'} 'cyberbrief --help' for the list of commands.`);
    return 2;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout(command.usage);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (err) {
    stderr(`cyberbrief ${first}: ${parseArgsProblem(errorMessage(err), Object.keys(command.options))}; run 'cyberbrief ${first} --help'.`);
    return 2;
  }
  // Every command reads the configuration and may log; storage loads when a command opens it.
  const [{ loadConfig, secretValues }, { createLogger }] = await Promise.all([import('../config/load.ts'), import('../lib/logger.ts')]);
  const ctx: CliContext = {
    args: { values: parsed.values as CliContext['args']['values'], positionals: parsed.positionals },
    stdout,
    stderr,
    env,
    cwd,
    loadConfig: async () => {
      const config = await loadConfig({ env, cwd });
      secrets = secretList(secretValues(config));
      return config;
    },
    openStorage: async (config: Config, o?: { migrate?: boolean; existing?: boolean; backgroundCheckpoint?: boolean }) => {
      const { openStorage } = await import('../storage/index.ts');
      return openStorage(config.database.url, { cwd, poolSize: config.database.pool_size, migrate: o?.migrate, existing: o?.existing, backgroundCheckpoint: o?.backgroundCheckpoint });
    },
    createLogger: (config: Config) =>
      createLogger({
        level: config.log.level,
        pretty: config.log.format === 'pretty' || (config.log.format === 'auto' && !!process.stdout.isTTY),
        secrets: secretValues(config),
        destination: process.stderr,
      }),
    readStdin,
    withStorage: async (fn, o) => {
      const config = await ctx.loadConfig();
      const storage = await ctx.openStorage(config, { existing: o?.existing });
      try {
        return await fn(storage, config);
      } finally {
        await storage.close();
      }
    },
  };
  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof CyberbriefError) {
      stderr(ownSentence(first, err.message));
      return err.code === 'usage' ? 2 : 1;
    }
    stderr(`cyberbrief ${first}: unexpected error: ${errorMessage(err)}`);
    if (env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace') stderr(String((err as Error)?.stack ?? ''));
    return 1;
  }
}
