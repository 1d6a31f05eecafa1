// Reading a YAML settings file (the configuration, a topics file): a regular file of bounded size, parsed,
// each problem one ConfigError that names the file and says what to do.
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../lib/errors.ts';
import { fileErrorText } from './file-error-text.ts';
import { yamlProblem } from './issue-text.ts';

/** What a settings file is, for its errors. */
export interface YamlFileKind {
  /** Its errors' prefix: `config`, `topics`. */
  prefix: string;
  /** What names its path: "CYBERBRIEF_CONFIG must name a YAML file". */
  namedBy: string;
  /** What to check when it cannot be read: "check CYBERBRIEF_CONFIG". */
  check: string;
  /** Largest file read: a device or a runaway file must not be read without end. */
  maxBytes: number;
  /** Why a larger one is refused: "a configuration file holds settings, not data". */
  holds: string;
  /** The yaml parser's alias bound (its default otherwise). */
  maxAliasCount?: number;
}

/** The parsed document (null or undefined when the file holds none). */
export async function readYamlFile(file: string, kind: YamlFileKind): Promise<unknown> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new ConfigError(`${kind.prefix}: ${file} is not a regular file; ${kind.namedBy} must name a YAML file.`);
    if (st.size > kind.maxBytes) throw new ConfigError(`${kind.prefix}: ${file} is larger than ${kind.maxBytes / (1024 * 1024)} MiB; ${kind.holds}.`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${kind.prefix}: cannot read ${file}: ${fileErrorText(err)}; ${kind.check}.`);
  }
  try {
    return parseYaml(text, kind.maxAliasCount === undefined ? {} : { maxAliasCount: kind.maxAliasCount });
  } catch (err) {
    throw new ConfigError(`${kind.prefix}: ${file} is not valid YAML: ${yamlProblem(err)}; fix the file.`);
  }
}
