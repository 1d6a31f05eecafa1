// openStorage with waitWhileUnreachable (what `run` uses at start-up) against a port where nothing answers
// (held by a listener that resets each connection, so no other process can start answering there): it says
// once that start-up waits, then that it is still waiting at each interval (a minute in the bot, 1 s here),
// never gives up on its own, and stops when told to, closing what it opened.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { openStorage } from '../../src/storage/index.ts';
import { waitFor } from '../emulators/http-util.ts';
import { heldClosedPort } from '../helpers/ports.ts';

describe('openStorage waiting for PostgreSQL', () => {
  it('says once that it waits, then every interval that it still waits, until aborted', async () => {
    const closed = await heldClosedPort();
    const { port } = closed;
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
    const stillWaiting = () => lines.filter((l) => l.startsWith(`storage: still waiting for PostgreSQL 127.0.0.1:${port}/x to answer after `));
    try {
      // Two intervals said, however slowly they come on a busy machine; then told to stop.
      await waitFor('two "still waiting" lines', () => stillWaiting().length >= 2, 30_000);
      stop.abort();
      expect(await outcome).toBe(`storage: start-up stopped while waiting for PostgreSQL 127.0.0.1:${port}/x to answer.`);
    } finally {
      stop.abort();
      await closed.close();
    }
    const waits = lines.filter((l) => l.startsWith('storage: start-up waits for'));
    const still = stillWaiting();
    expect(waits).toHaveLength(1);
    // One line an interval, not one a connection attempt: the seconds waited grow from line to line.
    const seconds = still.map((l) => Number(/ after (\d+) s /.exec(l)?.[1]));
    expect(seconds.every((s, i) => i === 0 || s > seconds[i - 1]!), still.join('\n')).toBe(true);
    expect(closed.attempts()).toBeGreaterThan(still.length);
    expect(still[0]).toMatch(/after \d+ s \((?:connect|read|write) ECONNRESET(?: 127\.0\.0\.1:\d+)?\); check that the server is up/);
    expect(lines.filter((l) => l.includes('is not answering'))).toHaveLength(1);
  });
});
