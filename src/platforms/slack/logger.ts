// Bolt's logger interface on top of our pino logger, so Bolt's lines come out structured and redacted.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../lib/logger.ts';

export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack' });
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug(`slack: ${text(msg)}`),
    info: (...msg) => log.info(`slack: ${text(msg)}`),
    warn: (...msg) => log.warn(`slack: ${text(msg)}`),
    error: (...msg) => log.error(`slack: ${text(msg)}`),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
