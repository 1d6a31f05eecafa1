import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cronLogger } from '../../src/lib/cron-logger.ts';
import { createLogger } from '../../src/lib/logger.ts';

describe('cronLogger', () => {
  it("turns node-cron's messages into records at a fitting level", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const log = cronLogger(createLogger({ level: 'debug', pretty: false, secrets: [], destination }), 'feed-poll');
    log.warn('missed execution at Mon Nov 23 2026 12:00:01! Possible blocking IO or high CPU user at the same process used by node-cron.');
    log.warn('task still running, new execution blocked by overlap prevention!');
    log.error('Task failed with error!', new Error('boom'));
    log.error(new Error('bare error'));
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({ level: 'warn', component: 'node-cron', task: 'feed-poll', msg: expect.stringMatching(/^node-cron: missed execution at /) }),
      expect.objectContaining({ level: 'debug', component: 'node-cron', msg: 'node-cron: task still running, new execution blocked by overlap prevention!' }),
      expect.objectContaining({ level: 'error', err: 'boom', msg: 'node-cron: Task failed with error!' }),
      expect.objectContaining({ level: 'error', err: 'bare error', msg: 'node-cron: bare error' }),
    ]);
  });
});
