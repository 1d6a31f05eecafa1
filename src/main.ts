// The composition root: config -> storage -> platforms -> pipeline. Nothing else picks concrete
// implementations or wires components together.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Config } from './config/schema.ts';
import { createHttpServer, type HealthReport, type HttpServer } from './http/server.ts';
import { errorMessage } from './lib/errors.ts';
import type { Logger } from './lib/logger.ts';
import { openStorage, type Storage } from './storage/index.ts';

export interface App {
  /** Starts every component; resolves once the bot is running. */
  start(): Promise<void>;
  /** No new work; in-flight work finishes or is released; the database is closed. Idempotent. */
  stop(): Promise<void>;
  /** The port the HTTP server listens on (after start). */
  readonly port: number | null;
  readonly storage: Storage | null;
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  cwd?: string;
  /** Printed to the operator at start-up (a few lines: feeds, topics, where alerts go). */
  announce?: (lines: string[]) => void;
}

/** One id per process, used as the lease owner on feeds and alerts. */
export const INSTANCE_ID = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export function createApp(opts: AppOptions): App {
  const { config, logger } = opts;
  let storage: Storage | null = null;
  let http: HttpServer | null = null;
  let port: number | null = null;
  let stopping: Promise<void> | null = null;
  const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];

  const health = async (): Promise<HealthReport> => {
    const checks: HealthReport['checks'] = {};
    try {
      if (!storage) throw new Error('not open');
      await storage.ping();
      checks.database = { ok: true };
    } catch (err) {
      checks.database = { ok: false, detail: errorMessage(err) };
    }
    checks.running = { ok: stopping === null };
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };

  return {
    get port() {
      return port;
    },
    get storage() {
      return storage;
    },
    async start() {
      storage = await openStorage(config.database.url, { cwd: opts.cwd, poolSize: config.database.pool_size });
      stoppers.push({ name: 'storage', stop: () => storage!.close() });
      logger.info({ database: storage.description }, `storage: ${storage.description} ready`);

      for (const f of config.feeds) {
        await storage.feeds.add({ url: f.url, title: f.title ?? null, intervalSeconds: f.interval_seconds ?? null, source: 'config' });
      }

      http = createHttpServer({ host: config.server.host, port: config.server.port, health, logger });
      ({ port } = await http.start());
      stoppers.push({ name: 'http', stop: () => http!.stop() });

      const feeds = await storage.feeds.list();
      const enabled = feeds.filter((f) => f.enabled);
      opts.announce?.([
        `cyberbrief is running (instance ${INSTANCE_ID}), storing in ${storage.description}.`,
        `Watching ${enabled.length} feed(s): ${enabled.slice(0, 5).map((f) => f.title ?? f.url).join(', ')}${enabled.length > 5 ? `, and ${enabled.length - 5} more` : ''}.`,
        `Health at http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}/healthz. Stop with Ctrl-C.`,
      ]);
    },
    stop() {
      stopping ??= (async () => {
        // Reverse start order: stop taking work, let in-flight work finish, close the database last.
        for (const s of [...stoppers].reverse()) {
          try {
            await s.stop();
          } catch (err) {
            logger.error({ err, component: s.name }, `shutdown: ${s.name} did not stop cleanly`);
          }
        }
        logger.info('shutdown: stopped cleanly');
      })();
      return stopping;
    },
  };
}
