// A real logger (the bot's createLogger, JSON lines) whose lines are kept, parsed, for tests to read.
import { Writable } from 'node:stream';
import type { LevelWithSilent } from 'pino';
import { createLogger } from '../../src/lib/logger.ts';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export function captureLog(level: LevelWithSilent = 'debug'): { lines: LogLine[]; logger: ReturnType<typeof createLogger> } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { lines, logger: createLogger({ level, pretty: false, secrets: [], destination }) };
}
