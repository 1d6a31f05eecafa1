// What the Node.js process itself would print, routed through the logger for `cyberbrief run` in JSON
// log mode, so every line on stdout and stderr is a JSON object: process warnings (deprecations,
// experimental features, listener leaks; Node prints them as "(node:123) Warning: ...") and a crash.
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** Routes warnings and uncaught exceptions to `logger`; returns a function that undoes it. */
export function routeProcessOutput(logger: Logger): () => void {
  // Node's own printer is a 'warning' listener installed at start-up; ours replaces it.
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (w: Error & { code?: string }) => logger.warn({ warning: w.name, ...(w.code ? { code: w.code } : {}) }, `node: ${w.message}`);
  // A crash is still a crash (exit 1), said as one record instead of a bare stack trace.
  const onCrash = (err: unknown) => {
    logger.fatal({ err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, `crashed: ${errorMessage(err)}`);
    process.exit(1);
  };
  process.on('warning', onWarning);
  process.on('uncaughtException', onCrash);
  return () => {
    process.off('warning', onWarning);
    process.off('uncaughtException', onCrash);
    for (const l of previous) process.on('warning', l as (w: Error) => void);
  };
}
