// openStorage with waitWhileUnreachable (what `run` uses at start-up) against a closed port: it says once
// that start-up waits, then that it is still waiting at each interval (a minute in the bot, 1 s here), never
// gives up on its own, and stops when told to, closing what it opened.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { openStorage } from '../../src/storage/index.ts';
import { freePort as closedPort } from '../helpers/ports.ts';

describe('openStorage waiting for PostgreSQL', () => {
  it('says once that it waits, then every interval that it still waits, until aborted', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg));
        done();
      },
    });
    const logger = createLogger({ level: 'info', pretty: false, secrets: [], destination });
    const stop = new AbortController();
    const opening = openStorage(`postgres://postgres@127.0.0.1:${port}/x`, { logger, waitWhileUnreachable: stop.signal, stillWaitingEveryMs: 1000 });
    const outcome = opening.then(
      () => 'opened',
      (err: unknown) => (err as Error).message,
    );
    await new Promise((r) => setTimeout(r, 3500));
    stop.abort();
    expect(await outcome).toBe(`storage: start-up stopped while waiting for PostgreSQL 127.0.0.1:${port}/x to answer.`);
    const waits = lines.filter((l) => l.startsWith('storage: start-up waits for'));
    const still = lines.filter((l) => l.startsWith(`storage: still waiting for PostgreSQL 127.0.0.1:${port}/x to answer after `));
    expect(waits).toHaveLength(1);
    expect(still.length).toBeGreaterThanOrEqual(2);
    expect(still.length).toBeLessThanOrEqual(4);
    expect(still[0]).toMatch(/after \d s \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); check that the server is up/);
    expect(lines.filter((l) => l.includes('is not answering'))).toHaveLength(1);
  });
});
