import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { routeProcessOutput } from '../../src/cli/process-output.ts';
import { createLogger } from '../../src/lib/logger.ts';

describe('routeProcessOutput', () => {
  it("logs Node's warnings as JSON records instead of Node printing them, and can be undone", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', pretty: false, secrets: [], destination });
    const before = process.listeners('warning');
    const crashBefore = process.listeners('uncaughtException');
    const undo = routeProcessOutput(logger);
    try {
      expect(process.listeners('warning').some((l) => before.includes(l))).toBe(false);
      expect(process.listeners('uncaughtException')).toHaveLength(crashBefore.length + 1);
      process.emitWarning('something is deprecated', { type: 'DeprecationWarning', code: 'CB_TEST' });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      undo();
    }
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([expect.objectContaining({ level: 'warn', warning: 'DeprecationWarning', code: 'CB_TEST', msg: 'node: something is deprecated' })]);
    expect(process.listeners('warning')).toEqual(before);
    expect(process.listeners('uncaughtException')).toEqual(crashBefore);
  });
});
