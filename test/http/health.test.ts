// /healthz on the public port: fixed words about the database, never the storage sentence (which names
// the PostgreSQL host and database, or the SQLite file's path); that sentence goes to the log, once per
// change of the answer.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthCheck, HEALTH_REUSE_MS, publicDatabaseReason, type DatabaseHealth } from '../../src/http/health.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';
import { heldClosedPort } from '../helpers/ports.ts';
import { captureLog } from '../helpers/log-capture.ts';



/** Makes a file unwritable even for root (chattr +i), or by its mode otherwise; returns the undo. */
function unwritable(file: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', file]);
    return () => execFileSync('chattr', ['-i', file]);
  }
  chmodSync(file, 0o444);
  return () => chmodSync(file, 0o644);
}

describe('publicDatabaseReason', () => {
  it.each<{ name: string; health: DatabaseHealth | null; want: string | undefined }>([
    { name: 'healthy', health: { ok: true }, want: undefined },
    { name: 'healthy, writes waiting for a lock (the note names the file)', health: { ok: true, detail: 'writes have waited 3 s for a lock another process holds on SQLite file /srv/x.db' }, want: 'writes waiting for a lock' },
    { name: 'not open yet', health: null, want: 'database not open yet' },
    { name: 'PostgreSQL not answering', health: { ok: false, failure: 'unavailable', detail: 'storage: PostgreSQL db.internal:5432/prod is not answering' }, want: 'database unreachable' },
    { name: 'a failure of unknown kind', health: { ok: false, detail: 'something' }, want: 'database unreachable' },
    ...(['busy', 'full', 'corrupt', 'readonly', 'io'] as const).map((failure) => ({ name: `SQLite ${failure}`, health: { ok: false, failure, detail: 'storage: SQLite file /srv/x.db ...' }, want: 'database not writable' })),
  ])('$name -> $want', ({ health, want }) => {
    expect(publicDatabaseReason(health)).toBe(want);
  });
});

describe('GET /healthz with a database that cannot be used', () => {
  let server: HttpServer | null = null;
  let storage: Storage | null = null;
  const cleanups: Array<() => void> = [];
  afterEach(async () => {
    await server?.stop();
    await storage?.close();
    server = null;
    storage = null;
    for (const c of cleanups.splice(0).reverse()) c();
  });

  it.each<{ name: string; open: () => Promise<{ storage: Storage; secrets: string[]; reason: string }> }>([
    {
      name: 'SQLite: a file that cannot be written',
      open: async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'cyberbrief-health-secret-dir-'));
        cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
        const file = path.join(dir, 'private-name.db');
        await (await openStorage(file)).close();
        cleanups.push(unwritable(file));
        const s = await openStorage(file, { migrate: false });
        // A write finds out (the storage monitor keeps it until a write succeeds).
        await expect(s.feeds.add({ url: 'https://wire.example/rss', source: 'cli' })).rejects.toThrow(/SQLITE_READONLY/);
        return { storage: s, secrets: [dir, 'private-name', 'secret-dir'], reason: 'database not writable' };
      },
    },
    {
      name: 'PostgreSQL: a URL to a closed port',
      open: async () => {
        const closed = await heldClosedPort();
        cleanups.push(() => void closed.close());
        const { port } = closed;
        const s = await openStorage(`postgres://postgres@127.0.0.1:${port}/private_db_name`, { migrate: false });
        return { storage: s, secrets: ['127.0.0.1', String(port), 'private_db_name', 'postgres'], reason: 'database unreachable' };
      },
    },
  ])('$name: 503 with a generic reason; the host, name or path only in the log, once', async ({ open }) => {
    const { lines, logger } = captureLog('info');
    const opened = await open();
    storage = opened.storage;
    const db = storage;
    server = createHttpServer({ host: '127.0.0.1', port: 0, logger, health: createHealthCheck({ database: () => db, stopping: () => false, logger }) });
    const { port } = await server.start();
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      bodies.push(await res.text());
    }
    for (const body of bodies) {
      expect(JSON.parse(body)).toEqual({ ok: false, checks: { database: { ok: false, detail: opened.reason }, running: { ok: true } } });
      for (const secret of opened.secrets) expect(body).not.toContain(secret);
    }
    // The operator's sentence is in the log, once for the three requests.
    const said = lines.filter((l) => l.msg.startsWith(`health: /healthz reports "${opened.reason}" (503): storage: `));
    expect(said).toHaveLength(1);
    expect(said[0]!.msg).toContain(opened.secrets[0]);
  });
});

// Anyone may ask /healthz as often as they like; each check may be a round trip through the pool the bot's
// own work uses. A flood costs at most one check in flight, and one per HEALTH_REUSE_MS.
describe.each(testDatabases)('a flood of /healthz on $name', (tdb) => {
  notePostgresSkip();
  let server: HttpServer | null = null;
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await server?.stop();
    await cleanup?.();
    server = null;
    cleanup = null;
  });

  it.each([
    { name: '300 requests at once', waves: 1, perWave: 300, gapMs: 0 },
    { name: '3 waves of 100, 1.1 s apart', waves: 3, perWave: 100, gapMs: HEALTH_REUSE_MS + 100 },
  ])('$name: one database check per wave and per second it lasts, one at a time', async ({ waves, perWave, gapMs }) => {
    const fresh = await freshStorage(tdb);
    cleanup = fresh.cleanup;
    let checks = 0;
    let running = 0;
    let mostAtOnce = 0;
    const counted = {
      async health() {
        checks++;
        mostAtOnce = Math.max(mostAtOnce, ++running);
        try {
          return await fresh.storage.health();
        } finally {
          running--;
        }
      },
    };
    const logger = captureLog('info').logger;
    server = createHttpServer({ host: '127.0.0.1', port: 0, logger, health: createHealthCheck({ database: () => counted, stopping: () => false, logger }) });
    const { port } = await server.start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    // A wave may last longer than HEALTH_REUSE_MS on a busy machine: one more check per period it lasts.
    let maxChecks = 0;
    try {
      for (let w = 0; w < waves; w++) {
        if (w > 0) await new Promise((r) => setTimeout(r, gapMs));
        const started = performance.now();
        const statuses = await Promise.all(
          Array.from({ length: perWave }, () => new Promise<number>((resolve, reject) => http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0))).on('error', reject))),
        );
        expect(statuses.every((s) => s === 200)).toBe(true);
        maxChecks += 1 + Math.floor((performance.now() - started) / HEALTH_REUSE_MS);
      }
    } finally {
      agent.destroy();
    }
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(checks).toBeLessThanOrEqual(maxChecks);
    expect(checks).toBeLessThan(waves * perWave / 10);
    expect(mostAtOnce).toBe(1);
  });
});
