// Loads configuration: config/default.yaml, then the file named by CYBERBRIEF_CONFIG (deep-merged, arrays
// replaced), then environment variables. Validated once, here. This module and main.ts are the only
// readers of process.env: everything else is handed the Config it needs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { clipText } from '../lib/bounded-text.ts';
import { closest } from '../lib/closest.ts';
import { ConfigError } from '../lib/errors.ts';
import { redactText, redactUrl, urlPasswords } from '../lib/redact.ts';
import { allowedText, show, valueAt } from './issue-text.ts';
import { configSchema, type Config, type Secrets } from './schema.ts';
import { readYamlFile } from './yaml-file.ts';

export type Env = Record<string, string | undefined>;

/** The repository root (where config/default.yaml lives), whatever the working directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config', 'default.yaml');

export interface LoadOptions {
  env: Env;
  /** Resolve relative paths (override file, SQLite file, topics file) against this. */
  cwd?: string;
  /** Replaces config/default.yaml (tests). */
  defaultFile?: string;
}

export async function loadConfig(opts: LoadOptions): Promise<Config> {
  const cwd = opts.cwd ?? process.cwd();
  const defaultFile = opts.defaultFile ?? DEFAULT_CONFIG_FILE;
  const sources = [defaultFile];
  let raw = await readYamlObject(defaultFile);
  const override = nonEmpty(opts.env.CYBERBRIEF_CONFIG);
  if (override) {
    const file = path.resolve(cwd, override);
    sources.push(file);
    raw = deepMerge(raw, await readYamlObject(file));
  }
  raw = applyEnv(raw, opts.env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssue(parsed.error.issues[0]!, raw, sources));
  const cfg = parsed.data;
  const secrets = readSecrets(opts.env);
  // Topics file is relative to the project root when it is the shipped default, else to cwd.
  cfg.topics.file = resolveFrom(cfg.topics.file, cwd);
  cfg.matching.model_file = resolveFrom(cfg.matching.model_file, cwd);
  cfg.matching.actors_file = resolveFrom(cfg.matching.actors_file, cwd);
  return { ...cfg, secrets, sources };
}

/** Files shipped in config/: found in the project whatever the working directory, unless overridden. */
const SHIPPED = new Set(['config/topics.yaml', 'config/relevance-model.json', 'config/threat-actors.jsonl']);

function resolveFrom(p: string, cwd: string): string {
  if (path.isAbsolute(p)) return p;
  const fromCwd = path.resolve(cwd, p);
  return SHIPPED.has(p) && cwd !== PROJECT_ROOT ? path.join(PROJECT_ROOT, p) : fromCwd;
}

/** Largest configuration file read (a device or a runaway file must not be read without end). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

async function readYamlObject(file: string): Promise<Record<string, unknown>> {
  const doc = await readYamlFile(file, {
    prefix: 'config',
    namedBy: 'CYBERBRIEF_CONFIG',
    check: 'check CYBERBRIEF_CONFIG',
    maxBytes: MAX_CONFIG_BYTES,
    holds: 'a configuration file holds settings, not data',
  });
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config: ${file} must hold a mapping of keys at the top level.`);
  return doc as Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function nonEmpty(v: string | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

/** Deployment settings from the environment win over files. */
function applyEnv(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const over: Record<string, unknown> = {};
  const set = (section: string, key: string, value: unknown) => {
    over[section] = { ...((over[section] as object) ?? {}), [key]: value };
  };
  const dbUrl = nonEmpty(env.DATABASE_URL);
  if (dbUrl) set('database', 'url', dbUrl);
  const level = nonEmpty(env.LOG_LEVEL);
  if (level) set('log', 'level', level);
  const port = nonEmpty(env.PORT);
  // A number as typed (-1, 3000.5) is checked as one, so the sentence says what is wrong with it.
  if (port) set('server', 'port', /^-?\d+(\.\d+)?$/.test(port) ? Number(port) : port);
  const allow = nonEmpty(env.CYBERBRIEF_ALLOW_HOSTS);
  if (allow) {
    const current = (isPlainObject(raw.polling) && Array.isArray(raw.polling.allow_hosts) ? raw.polling.allow_hosts : []) as unknown[];
    const extra = allow.split(',').map((s) => s.trim()).filter(Boolean);
    set('polling', 'allow_hosts', [...current, ...extra]);
  }
  const publicUrl = nonEmpty(env.CYBERBRIEF_PUBLIC_URL);
  if (publicUrl) set('server', 'public_url', publicUrl);
  const dashboardUrl = nonEmpty(env.DASHBOARD_URL);
  if (dashboardUrl) set('web', 'public_url', dashboardUrl);
  const llmUrl = nonEmpty(env.LLM_BASE_URL);
  const llmModel = nonEmpty(env.LLM_MODEL);
  if (llmUrl || llmModel) {
    const llm = { ...(isPlainObject(raw.summary) && isPlainObject(raw.summary.llm) ? raw.summary.llm : {}) };
    if (llmUrl) llm.base_url = llmUrl;
    if (llmModel) llm.model = llmModel;
    over.summary = { llm };
  }
  return deepMerge(raw, over);
}

function readSecrets(env: Env): Secrets {
  return {
    slackBotToken: nonEmpty(env.SLACK_BOT_TOKEN),
    slackSigningSecret: nonEmpty(env.SLACK_SIGNING_SECRET),
    slackAppToken: nonEmpty(env.SLACK_APP_TOKEN),
    slackApiUrl: apiUrl(env, 'SLACK_API_URL'),
    discordToken: nonEmpty(env.DISCORD_TOKEN),
    discordApplicationId: nonEmpty(env.DISCORD_APPLICATION_ID),
    discordApiUrl: apiUrl(env, 'DISCORD_API_URL'),
    llmApiKey: nonEmpty(env.LLM_API_KEY),
    dashboardPassword: dashboardPassword(env),
    dashboardSessionSecret: dashboardSessionSecret(env),
    slackClientId: nonEmpty(env.SLACK_CLIENT_ID),
    slackClientSecret: nonEmpty(env.SLACK_CLIENT_SECRET),
    discordClientSecret: nonEmpty(env.DISCORD_CLIENT_SECRET),
    encryptionKey: encryptionKey(env),
    previousEncryptionKeys: previousEncryptionKeys(env),
    metricsToken: metricsToken(env),
  };
}

/** Longest operator password: the sign-in form takes no more (src/web/password.ts). */
export const DASHBOARD_PASSWORD_MAX = 512;
const DASHBOARD_PASSWORD_MIN = 12;
/** Shortest key the session cookies are signed with (HMAC-SHA256). */
const SESSION_SECRET_MIN = 32;

/** DASHBOARD_PASSWORD: the operator's, which opens every channel, feed and topic; long enough to be one (never shown). */
function dashboardPassword(env: Env): string | null {
  const v = nonEmpty(env.DASHBOARD_PASSWORD);
  if (v && v.length < DASHBOARD_PASSWORD_MIN) {
    throw new ConfigError(`config: DASHBOARD_PASSWORD is too short: expected at least ${DASHBOARD_PASSWORD_MIN} characters (make one with: openssl rand -base64 18).`);
  }
  if (v && v.length > DASHBOARD_PASSWORD_MAX) {
    throw new ConfigError(`config: DASHBOARD_PASSWORD is too long: expected at most ${DASHBOARD_PASSWORD_MAX} characters (the sign-in form takes no more).`);
  }
  return v;
}

/** DASHBOARD_SESSION_SECRET: the session cookies' signing key, or null to have one generated (never shown). */
function dashboardSessionSecret(env: Env): string | null {
  const v = nonEmpty(env.DASHBOARD_SESSION_SECRET);
  if (v && v.length < SESSION_SECRET_MIN) {
    throw new ConfigError(
      `config: DASHBOARD_SESSION_SECRET is too short: expected at least ${SESSION_SECRET_MIN} characters (make one with: openssl rand -hex 32), or leave it unset to have one generated and kept in the database.`,
    );
  }
  return v;
}

/** METRICS_TOKEN: a bearer token (RFC 6750 characters) long enough to be a secret, or a one-sentence error (never shown). */
function metricsToken(env: Env): string | null {
  const v = nonEmpty(env.METRICS_TOKEN);
  if (!v) return null;
  if (v.length < 16 || !/^[A-Za-z0-9._~+/-]+=*$/.test(v)) {
    throw new ConfigError('config: METRICS_TOKEN is invalid: expected at least 16 characters, letters, digits and - . _ ~ + / only (make one with: openssl rand -hex 32).');
  }
  return v;
}

/** 64 hex digits, or base64 of 32 bytes. */
const isKey = (v: string) => /^[0-9a-f]{64}$/i.test(v) || (/^[A-Za-z0-9+/_-]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32);

/** CYBERBRIEF_ENCRYPTION_KEY: 32 bytes as 64 hex digits or base64, or a one-sentence error (the value never shown). */
function encryptionKey(env: Env): string | null {
  const v = nonEmpty(env.CYBERBRIEF_ENCRYPTION_KEY);
  if (!v) return null;
  if (!isKey(v)) throw new ConfigError('config: CYBERBRIEF_ENCRYPTION_KEY is invalid: expected 32 bytes as 64 hex digits or base64 (make one with: openssl rand -hex 32).');
  return v;
}

/**
 * CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS: keys that values sealed before a rotation still open with (comma-separated,
 * each as CYBERBRIEF_ENCRYPTION_KEY); a bad one, or previous keys without a current key, is a one-sentence error
 * that names the key by its position, never by its value.
 */
function previousEncryptionKeys(env: Env): string[] {
  const v = nonEmpty(env.CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS);
  if (!v) return [];
  const keys = v.split(',').map((k) => k.trim());
  const bad = keys.findIndex((k) => !isKey(k));
  if (bad >= 0) {
    const which = keys.length > 1 ? `key ${bad + 1} of ${keys.length}` : 'its key';
    const what = keys[bad] === '' ? 'is empty' : 'is not 32 bytes as 64 hex digits or base64';
    throw new ConfigError(`config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is invalid: ${which} ${what} (list the old keys separated by commas, each as CYBERBRIEF_ENCRYPTION_KEY was).`);
  }
  if (!nonEmpty(env.CYBERBRIEF_ENCRYPTION_KEY)) {
    throw new ConfigError('config: CYBERBRIEF_PREVIOUS_ENCRYPTION_KEYS is set but CYBERBRIEF_ENCRYPTION_KEY is not; set the new key that values are to be sealed with.');
  }
  return keys;
}

/**
 * An API base URL from the environment: http(s) without credentials, or a one-sentence error (its password
 * never shown). A user name or password in it was never sent usefully (the clients authenticate with the
 * token), so it is refused rather than taken and left to fail at the first call.
 */
function apiUrl(env: Env, name: 'SLACK_API_URL' | 'DISCORD_API_URL'): string | null {
  const v = nonEmpty(env[name]);
  if (!v) return null;
  let url: URL | null = null;
  try {
    url = new URL(v);
  } catch {
    url = null;
  }
  const shown = JSON.stringify(clipText(redactUrl(v), 200));
  if (!url || !['http:', 'https:'].includes(url.protocol)) throw new ConfigError(`config: ${name} = ${shown} is invalid: expected an http(s) URL.`);
  if (url.username || url.password) {
    const token = name === 'SLACK_API_URL' ? 'Slack reads SLACK_BOT_TOKEN' : 'Discord reads DISCORD_TOKEN';
    throw new ConfigError(`config: ${name} = ${shown} is invalid: expected no user name or password in the URL (they are never used: ${token}; remove them).`);
  }
  return v;
}

/**
 * Every secret value, for the logger and the CLI to scrub: tokens (the metrics token too), the signing secret,
 * the API key, the encryption keys (current and previous), and the password of each URL-valued setting (DATABASE_URL,
 * SLACK_API_URL, DISCORD_API_URL, LLM_BASE_URL).
 */
export function secretValues(cfg: Pick<Config, 'secrets' | 'database'> & { summary?: Pick<Config['summary'], 'llm'> }): string[] {
  const s = cfg.secrets;
  const out = [s.slackBotToken, s.slackSigningSecret, s.slackAppToken, s.discordToken, s.llmApiKey, s.dashboardPassword, s.dashboardSessionSecret, s.slackClientSecret, s.discordClientSecret, s.encryptionKey, s.metricsToken, ...s.previousEncryptionKeys].filter(
    (v): v is string => !!v,
  );
  for (const url of [cfg.database.url, s.slackApiUrl, s.discordApiUrl, cfg.summary?.llm.base_url]) out.push(...urlPasswords(url));
  return out;
}

const ENV_FOR: Record<string, string> = {
  'database.url': 'DATABASE_URL',
  'log.level': 'LOG_LEVEL',
  'server.port': 'PORT',
  'server.public_url': 'CYBERBRIEF_PUBLIC_URL',
  'polling.allow_hosts': 'CYBERBRIEF_ALLOW_HOSTS',
  'summary.llm.base_url': 'LLM_BASE_URL',
  'summary.llm.model': 'LLM_MODEL',
  'web.public_url': 'DASHBOARD_URL',
};

/** One sentence naming the key, the value and what is allowed; a password inside the value is not shown. */
export function describeIssue(issue: z.core.$ZodIssue, raw: unknown, sources: string[]): string {
  return redactText(issueSentence(issue, raw, sources), []);
}

function issueSentence(issue: z.core.$ZodIssue, raw: unknown, sources: string[]): string {
  const where = sources.length > 1 ? ` (in ${sources.slice(1).join(', ')} over the defaults)` : '';
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.map(String).join('.');
    const keys = issue.keys.map((k) => (parent ? `${parent}.${k}` : k)).join(', ');
    const allowed = allowedKeys(issue.path);
    // One key mistyped (concurrencyy): the one meant, named, as the CLI does for an option.
    const meant = issue.keys.length === 1 ? closest(String(issue.keys[0]), allowed) : null;
    const guess = meant ? ` (did you mean ${parent ? `${parent}.${meant}` : meant}?)` : '';
    return `config: unknown key ${keys}${where}${guess}; allowed here: ${allowed.join(', ')}.`;
  }
  const key = issue.path.map(String).join('.') || '(root)';
  const value = valueAt(raw, issue.path);
  const env = ENV_FOR[key.replace(/\.\d+$/, '')];
  const from = env ? ` (check ${env} or the config files)` : where;
  if (value === undefined) return `config: ${key} is missing${from}: ${allowedText(issue)}.`;
  return `config: ${key} = ${show(value)} is invalid${from}: ${allowedText(issue)}.`;
}

function allowedKeys(keyPath: PropertyKey[]): string[] {
  // Walk the schema along the path to list the keys of the object that had the unknown one.
  let schema: unknown = configSchema;
  for (const k of keyPath) {
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown } }).def;
    if (!def) return [];
    if (def.type === 'object' && def.shape) schema = def.shape[k as string];
    else if (def.type === 'array') schema = def.element;
    else return [];
    while ((schema as { def?: { innerType?: unknown } })?.def?.innerType) schema = (schema as { def: { innerType: unknown } }).def.innerType;
  }
  const def = (schema as { def?: { shape?: Record<string, unknown> } }).def;
  return def?.shape ? Object.keys(def.shape) : [];
}
