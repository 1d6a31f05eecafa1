// node-cron's messages through our logger. Left to itself node-cron prints coloured lines with
// console.warn/error ("missed execution at ...", "task still running, new execution blocked by overlap
// prevention!"), which break a JSON log; given this logger, they become records like any other, with
// component "node-cron".
import type { Logger as CronLogger } from 'node-cron';
import { errorMessage } from './errors.ts';
import type { Logger } from './logger.ts';

/** Said on every tick while a slow one runs; the scheduler skips such ticks on purpose, so it is debug. */
const EXPECTED = /new execution blocked by overlap prevention/;

export function cronLogger(logger: Logger, task: string): CronLogger {
  const log = logger.child({ component: 'node-cron', task });
  const text = (m: string | Error) => `node-cron: ${errorMessage(m)}`;
  const withErr = (err?: Error) => (err ? { err: errorMessage(err) } : {});
  return {
    info: (m) => log.info(text(m)),
    warn: (m) => (EXPECTED.test(m) ? log.debug(text(m)) : log.warn(text(m))),
    error: (m, err) => log.error(withErr(err ?? (m instanceof Error ? m : undefined)), text(m)),
    debug: (m, err) => log.debug(withErr(err), text(m)),
  };
}
