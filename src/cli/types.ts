// The shape of one CLI subcommand: src/cli/<name>.ts exports `command`. The dispatcher (index.ts) parses
// arguments strictly with node:util parseArgs, so an unknown flag never reaches `run`.
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { Storage } from '../storage/index.ts';

export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CliContext {
  args: ParsedArgs;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Loads and validates configuration (throws ConfigError with one sentence). */
  loadConfig: () => Promise<Config>;
  /**
   * Opens (and, unless told otherwise, migrates) the configured database. The caller closes it. `existing`:
   * a SQLite file that is not there is refused, naming it, and nothing is created (commands that only read).
   */
  openStorage: (config: Config, opts?: { migrate?: boolean; existing?: boolean; backgroundCheckpoint?: boolean }) => Promise<Storage>;
  createLogger: (config: Config) => Logger;
  /** Reads standard input whole (for `-` as a file name), failing past `maxBytes`. */
  readStdin: (maxBytes?: number) => Promise<string>;
  /** Loads the configuration, opens (and migrates) the database, runs `fn`, closes the database (`existing`: see openStorage). */
  withStorage: <T>(fn: (storage: Storage, config: Config) => Promise<T>, opts?: { existing?: boolean }) => Promise<T>;
}

export interface CliCommand {
  name: string;
  /** One line for `cyberbrief --help`. */
  summary: string;
  /** Full usage text for `cyberbrief <name> --help`. */
  usage: string;
  options: ParseArgsOptionsConfig;
  /** Allow positional arguments (default false: a stray word is an error). */
  allowPositionals?: boolean;
  /** Exit code: 0 fine, 1 failure, 2 usage. */
  run(ctx: CliContext): Promise<number>;
}
