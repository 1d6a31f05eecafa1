// cyberbrief doctor: checks configuration, database, chat tokens and push (WebSub). Prints one line per check, never a
// secret, and exits 1 when something is wrong.
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { loadTopicsFile } from '../config/topics.ts';
import { loadRelevance } from '../matching/load-relevance.ts';
import { CyberbriefError, errorMessage, isStorageFailure } from '../lib/errors.ts';
import { redactText, redactUrl } from '../lib/redact.ts';
import type { IntegrityResult, Storage } from '../storage/index.ts';
import { checkPush } from './check-push.ts';
import { newSqliteFile } from './new-sqlite-file.ts';
import { checkSealedValues } from './check-sealed-values.ts';
import type { CliCommand, CliContext } from './types.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** Warnings do not fail the run. */
  warn?: boolean;
  detail: string;
}

const TIMEOUT_MS = 5_000;
/** The SQLite integrity check reads the whole file; past this it is abandoned (and reported, not failed). */
export const INTEGRITY_TIMEOUT_MS = 20_000;

/** fetch() hides the reason in `cause`; show it. */
function netError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return redactText(cause?.code ?? cause?.message ?? errorMessage(err), []);
}

export const command: CliCommand = {
  name: 'doctor',
  summary: 'check configuration, database and tokens; exit 1 when something is wrong',
  usage: [
    'Usage: cyberbrief doctor [--json] [--offline]',
    '',
    'Checks, one line each: the configuration files and environment, the topics file, the relevance model and',
    'threat-actor list (matching.*), the database (reachable, schema up to date; a SQLite file also gets',
    'PRAGMA quick_check, abandoned after 20 s; one not there yet is a warning, never created), each chat token',
    "that is set (its shape, and with the platform: Slack auth.test, Discord /users/@me), and push (WebSub): off,",
    'or server.public_url well-formed, https unless on this machine, and subscription secrets encrypted (the URL',
    'is not fetched). Secrets are never printed.',
    'Exits 1 when a check fails.',
    '',
    'Options:',
    '  --json      one JSON object per check',
    '  --offline   skip the calls to the Slack and Discord APIs',
  ].join('\n'),
  options: { json: { type: 'boolean' }, offline: { type: 'boolean' } },
  async run(ctx) {
    const checks = await runChecks(ctx);
    for (const c of checks) {
      if (ctx.args.values.json) ctx.stdout(JSON.stringify(c));
      // Errors from the config and topics loaders already start with their module's name.
      else ctx.stdout(`${c.ok ? (c.warn ? 'warn' : ' ok ') : 'FAIL'}  ${c.detail.startsWith(`${c.name}: `) ? c.detail : `${c.name}: ${c.detail}`}`);
    }
    const failed = checks.filter((c) => !c.ok);
    if (!ctx.args.values.json) ctx.stdout(failed.length ? `${failed.length} ${failed.length === 1 ? 'problem' : 'problems'} found.` : 'All checks passed.');
    return failed.length ? 1 : 0;
  },
};

async function runChecks(ctx: CliContext): Promise<Check[]> {
  const checks: Check[] = [];
  let config: Config;
  try {
    config = await ctx.loadConfig();
    checks.push({ name: 'config', ok: true, detail: `loaded ${config.sources.join(' + ')}; ${config.feeds.length} ${config.feeds.length === 1 ? 'feed' : 'feeds'} configured` });
  } catch (err) {
    checks.push({ name: 'config', ok: false, detail: errorMessage(err) });
    return checks;
  }
  checks.push(await checkTopics(config));
  checks.push(await checkMatching(config));
  const { check: database, upToDate = false } = await checkDatabase(ctx, config);
  checks.push(database);
  // Values sealed at rest that still need the previous encryption keys (none without a key, nor before the
  // schema that holds them exists).
  const sealed = upToDate ? await checkSealedValues(ctx, config) : null;
  if (sealed) checks.push(sealed);
  checks.push(...(await checkTokens(config, !!ctx.args.values.offline)));
  checks.push(checkPush({ publicUrl: config.server.public_url, enabled: config.websub.enabled, encryptionKeySet: !!config.secrets.encryptionKey }));
  return checks;
}

async function checkTopics(config: Config): Promise<Check> {
  try {
    const topics = await loadTopicsFile(config.topics.file);
    return { name: 'topics', ok: true, detail: `${topics.length} ${topics.length === 1 ? 'topic' : 'topics'} in ${config.topics.file}: ${topics.map((t) => t.id).join(', ')}` };
  } catch (err) {
    // loadTopicsFile says what is wrong in one sentence: missing file, bad YAML, or a bad key or value.
    return { name: 'topics', ok: false, detail: errorMessage(err) };
  }
}

/** The relevance scorer as the bot would load it: threat-actor list, model file, and whether they fit the topics. */
async function checkMatching(config: Config): Promise<Check> {
  let topics;
  try {
    topics = await loadTopicsFile(config.topics.file);
  } catch {
    // The topics check says what is wrong with the file; saying it twice would count one problem twice.
    return { name: 'matching', ok: true, warn: true, detail: 'not checked: the relevance model is checked against the topics, which did not load (see topics)' };
  }
  try {
    const { scorer, notice } = await loadRelevance(topics, config.matching);
    if (config.matching.scorer === 'rules') return { name: 'matching', ok: true, detail: "matching.scorer is rules: the topics' rules decide what is in scope" };
    if (!scorer.model) return { name: 'matching', ok: true, warn: true, detail: notice ?? 'no relevance model loaded' };
    const m = scorer.model.file;
    const cv = m.figures.cross_validated.metrics;
    const edited = scorer.editedSinceFit;
    const since = edited.length
      ? `; it scores with the rules it was fitted with, and the topics in force differ in ${edited.join(', ')} (they decide filing only; cyberbrief model fit refits with them)`
      : '';
    const detail = `relevance model fitted ${m.fitted_on} (cross-validated F1 ${cv.f1.toFixed(3)}, precision ${cv.precision.toFixed(3)}), ${Object.keys(m.weights).length} weights; ${scorer.knowledge?.entities.actorCount ?? 0} threat actors from ${config.matching.actors_file}${since}`;
    return notice ? { name: 'matching', ok: true, warn: true, detail: `${detail}; ${notice.replace(/^matching: /, '')}` } : { name: 'matching', ok: true, detail };
  } catch (err) {
    return { name: 'matching', ok: false, detail: errorMessage(err) };
  }
}

/** Storage messages start with their module's name; the check's own name says it here. */
const plain = (message: string) => message.replace(/^storage: /, '');

/** What the integrity check found wrong, as the line to print (null when nothing). */
function integrityProblem(storage: Storage, r: IntegrityResult | null): string | null {
  if (!r || r.status === 'ok' || r.status === 'timeout') return null;
  const file = storage.target.location;
  if (r.status === 'unreadable') {
    return `${storage.description} could not be checked (${r.message}${r.code && !r.message.includes(r.code) ? `, ${r.code}` : ''}); check that the file exists and that this user may read it`;
  }
  return `${storage.description} is damaged: PRAGMA quick_check found ${r.problems.length} ${r.problems.length === 1 ? 'problem' : 'problems'}, the first: ${JSON.stringify(r.problems[0] ?? '')}; stop cyberbrief, keep a copy of the file, then restore a backup or recover it with: sqlite3 ${file} .recover | sqlite3 recovered.db`;
}

function integrityNote(r: IntegrityResult | null): string {
  if (!r) return '';
  if (r.status === 'timeout') return `; its integrity check did not finish within ${INTEGRITY_TIMEOUT_MS / 1000} s: run PRAGMA quick_check with sqlite3 while the bot is stopped`;
  return `; integrity check passed (quick_check, ${r.ms} ms)`;
}

/** The database line, and whether its schema is up to date (what the sealed-values count reads needs it). */
async function checkDatabase(ctx: CliContext, config: Config): Promise<{ check: Check; upToDate?: true }> {
  const { describeTarget, parseDatabaseUrl } = await import('../storage/index.ts');
  let storage: Storage;
  try {
    // Opening a SQLite file that is not there would create it (and its folders): doctor changes nothing, and a
    // mistyped path must not pass as a new, empty database.
    const target = parseDatabaseUrl(config.database.url, ctx.cwd);
    if (target.dialect === 'sqlite' && target.location !== ':memory:' && !existsSync(target.location)) {
      const where = newSqliteFile(target.location);
      if (!where.ok) return { check: { name: 'database', ok: false, detail: `${describeTarget(target)} cannot be created: ${where.problem}; check DATABASE_URL` } };
      const missing = where.missingFolder ? `, nor does its folder ${where.missingFolder}` : '';
      const creates = where.missingFolder ? 'creates them' : 'creates it';
      return { check: { name: 'database', ok: true, warn: true, detail: `${describeTarget(target)} does not exist yet${missing}; 'cyberbrief run' or 'cyberbrief db migrate' ${creates} (if it should exist, check DATABASE_URL)` } };
    }
    storage = await ctx.openStorage(config, { migrate: false });
  } catch (err) {
    return { check: { name: 'database', ok: false, detail: plain(errorMessage(err)) } };
  }
  try {
    // First, as it names the most specific problem: a damaged file may still answer a ping.
    const integrity = await storage.integrityCheck({ timeoutMs: INTEGRITY_TIMEOUT_MS });
    const damaged = integrityProblem(storage, integrity);
    if (damaged) return { check: { name: 'database', ok: false, detail: damaged } };
    await storage.ping();
    const pending = await storage.pending();
    const note = integrityNote(integrity);
    if (pending.length) return { check: { name: 'database', ok: true, warn: true, detail: `${storage.description} is reachable${note}; ${pending.length} ${pending.length === 1 ? 'migration' : 'migrations'} pending (applied at start-up or by 'cyberbrief db migrate')` } };
    return { check: { name: 'database', ok: true, ...(integrity?.status === 'timeout' ? { warn: true } : {}), detail: `${storage.description} is reachable and up to date${note}` }, upToDate: true };
  } catch (err) {
    if (isStorageFailure(err) && err.failure !== 'unavailable') return { check: { name: 'database', ok: false, detail: plain(err.message) } };
    // A sentence of storage's own that already says what to do (a schema from a newer version).
    if (err instanceof CyberbriefError && err.code === 'storage' && !isStorageFailure(err)) return { check: { name: 'database', ok: false, detail: plain(err.message) } };
    const reason = isStorageFailure(err) ? err.reason : plain(errorMessage(err));
    // A PostgreSQL server that answered and refused (no such database or role, a wrong password) is up: the
    // URL's user, password or database name is what to check. One that did not answer: is it up?
    const { postgresFailure, refusedAdvice } = await import('../storage/failures.ts');
    const refused = storage.description.startsWith('PostgreSQL') && !isStorageFailure(err) && postgresFailure(err) === null;
    const advice = refused ? refusedAdvice(err) : 'check DATABASE_URL and that the server is up';
    return { check: { name: 'database', ok: false, detail: `${storage.description}: ${reason}; ${advice}` } };
  } finally {
    await storage.close();
  }
}

async function getJson(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

async function checkTokens(config: Config, offline: boolean): Promise<Check[]> {
  const s = config.secrets;
  const out: Check[] = [];
  const anySlack = s.slackBotToken || s.slackSigningSecret || s.slackAppToken;
  if (anySlack) {
    if (!s.slackBotToken) out.push({ name: 'slack', ok: false, detail: 'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not; set the bot token (xoxb-...)' });
    else if (!s.slackBotToken.startsWith('xoxb-')) out.push({ name: 'slack', ok: false, detail: 'SLACK_BOT_TOKEN does not look like a bot token (expected it to start with xoxb-)' });
    else if (config.slack.socket_mode && !s.slackAppToken?.startsWith('xapp-')) out.push({ name: 'slack', ok: false, detail: 'slack.socket_mode is on but SLACK_APP_TOKEN is missing or does not start with xapp-' });
    else if (!config.slack.socket_mode && !s.slackSigningSecret) out.push({ name: 'slack', ok: false, detail: 'SLACK_SIGNING_SECRET is not set; the HTTP endpoint cannot verify requests without it' });
    else if (offline) out.push({ name: 'slack', ok: true, detail: 'tokens are set and well-formed (not checked with Slack: --offline)' });
    else {
      const base = (s.slackApiUrl ?? 'https://slack.com/api/').replace(/\/?$/, '/');
      const shown = redactUrl(base);
      try {
        const { body } = await getJson(`${base}auth.test`, { authorization: `Bearer ${s.slackBotToken}` }, 'POST');
        out.push(
          body.ok === true
            ? { name: 'slack', ok: true, detail: `bot token accepted by ${shown} (team ${String(body.team ?? '?')}, bot user ${String(body.user ?? '?')})` }
            : { name: 'slack', ok: false, detail: `Slack refused the bot token (${String(body.error ?? 'no reason given')}); reinstall the app or copy the token again` },
        );
      } catch (err) {
        out.push({ name: 'slack', ok: false, detail: `cannot reach ${shown}: ${netError(err)}; check this machine's network and DNS (or SLACK_API_URL), or run doctor --offline` });
      }
    }
  } else {
    out.push({ name: 'slack', ok: true, warn: true, detail: 'not configured (SLACK_BOT_TOKEN unset)' });
  }
  if (s.discordToken || s.discordApplicationId) {
    if (!s.discordToken) out.push({ name: 'discord', ok: false, detail: 'DISCORD_APPLICATION_ID is set but DISCORD_TOKEN is not' });
    else if (!s.discordApplicationId || !/^\d{5,25}$/.test(s.discordApplicationId)) out.push({ name: 'discord', ok: false, detail: 'DISCORD_APPLICATION_ID is missing or not a numeric id; it is needed to register /news' });
    else if (offline) out.push({ name: 'discord', ok: true, detail: 'token and application id are set (not checked with Discord: --offline)' });
    else {
      const base = (s.discordApiUrl ?? 'https://discord.com/api').replace(/\/$/, '');
      const shown = redactUrl(base);
      try {
        const { status, body } = await getJson(`${base}/v10/users/@me`, { authorization: `Bot ${s.discordToken}` });
        out.push(
          status === 200
            ? { name: 'discord', ok: true, detail: `bot token accepted by ${shown} (bot ${String(body.username ?? '?')})` }
            : { name: 'discord', ok: false, detail: `Discord refused the bot token (HTTP ${status}); reset the token in the developer portal and set DISCORD_TOKEN` },
        );
      } catch (err) {
        out.push({ name: 'discord', ok: false, detail: `cannot reach ${shown}: ${netError(err)}; check this machine's network and DNS (or DISCORD_API_URL), or run doctor --offline` });
      }
    }
  } else {
    out.push({ name: 'discord', ok: true, warn: true, detail: 'not configured (DISCORD_TOKEN unset)' });
  }
  if (config.summary.llm.enabled) {
    out.push({ name: 'llm', ok: true, detail: `LLM summaries on: ${config.summary.llm.model} at ${redactUrl(config.summary.llm.base_url)}${s.llmApiKey ? ' (API key set)' : ' (no API key)'}` });
  }
  return out;
}
