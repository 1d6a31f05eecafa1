// cyberbrief run: the long-running bot. Shuts down cleanly on SIGINT/SIGTERM (no new work, fetches in flight
// given up, other in-flight work finished or released, database closed, exit 0) within
// server.shutdown_grace_seconds, else exits 1 naming what was still stopping; a second signal exits at once
// (130 or 143).
// In JSON log mode (log.format json, or auto with stdout not a terminal) every line written is a JSON
// record: the start-up lines, console alerts, Node's warnings and a start-up failure go through the logger.
import { secretValues } from '../config/load.ts';
import { CyberbriefError, errorMessage } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { createApp } from '../main.ts';
import { routeProcessOutput } from './process-output.ts';
import type { CliCommand } from './types.ts';

export const command: CliCommand = {
  name: 'run',
  summary: 'run the bot: scheduler, HTTP server (health, Slack) and chat adapters',
  usage: [
    'Usage: cyberbrief run',
    '',
    'Runs the bot: migrates the database, polls the feeds on schedule, matches, summarises and delivers',
    'alerts, serves /healthz (and /slack/events when Slack is configured) on PORT, and connects every chat',
    'adapter whose tokens are set (the console adapter when none are). Stops cleanly on SIGINT/SIGTERM within',
    'server.shutdown_grace_seconds (fetches in flight given up at once); past it, exits 1 naming what still ran.',
  ].join('\n'),
  options: {},
  async run(ctx) {
    const config = await ctx.loadConfig();
    const pretty = config.log.format === 'pretty' || (config.log.format === 'auto' && !!process.stdout.isTTY);
    const logger = createLogger({ level: config.log.level, pretty, secrets: secretValues(config) });
    if (!pretty) routeProcessOutput(logger);
    const app = createApp({
      config,
      logger,
      cwd: ctx.cwd,
      announce: (lines) => lines.forEach((l) => (pretty ? ctx.stdout(l) : logger.info(l))),
      ...(pretty ? {} : { consoleWrite: (text: string) => logger.info({ platform: 'console' }, text) }),
      // An operator at a terminal can type /news commands to the console adapter.
      ...(process.stdin.isTTY ? { consoleInput: process.stdin } : {}),
    });

    const grace = config.server.shutdown_grace_seconds;
    let signalled = 0;
    const done = new Promise<number>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => {
        signalled += 1;
        if (signalled > 1) {
          logger.warn({ signal: sig }, 'shutdown: second signal, exiting now');
          // As a shell reports a process a signal ended, and as `poll --once` exits: 130 (SIGINT) or 143 (SIGTERM).
          process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
        }
        logger.info({ signal: sig }, `shutdown: ${sig} received, finishing in-flight work`);
        // A bound on the whole stop, below the orchestrator's kill: what is still under way then is left to
        // its lease (taken back at the next start). Unref'd: a stop that ends lets the process end at once.
        setTimeout(() => {
          const held = app.stoppingComponent ? `${app.stoppingComponent} did not stop` : 'the bot stopped but something still held the process open';
          logger.error({ grace_seconds: grace, component: app.stoppingComponent }, `shutdown: ${held} within ${grace} s (server.shutdown_grace_seconds); exiting now: work still under way is released by its leases and taken up again at the next start.`);
          process.exit(1);
        }, grace * 1000).unref();
        app.stop().then(
          () => resolve(0),
          () => resolve(1),
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });

    try {
      await app.start();
    } catch (err) {
      // A signal during start-up (e.g. while waiting for PostgreSQL) is a clean stop, not a failure.
      if (signalled) return done;
      await app.stop();
      if (pretty) throw err;
      logger.fatal(err instanceof CyberbriefError ? err.message : `cyberbrief run: ${errorMessage(err)}`);
      return err instanceof CyberbriefError && err.code === 'usage' ? 2 : 1;
    }
    return done;
  },
};
