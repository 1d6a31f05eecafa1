// `PRAGMA quick_check` on a SQLite file, bounded in time. better-sqlite3 is synchronous and a check reads
// the whole file, so it runs on a worker thread over a read-only connection of its own; past the deadline
// the worker is abandoned (terminated, and unref'd so it cannot keep the process alive) and the result
// says the check did not finish.
import { Worker } from 'node:worker_threads';
import { sqliteDriverPath } from './drivers.ts';

export type IntegrityResult =
  | { status: 'ok'; ms: number }
  /**
   * The check found problems (SQLite's own words, at most `maxProblems`), or stopped on damage it could
   * not read past (SQLITE_CORRUPT, SQLITE_NOTADB: its message).
   */
  | { status: 'damaged'; problems: string[]; ms: number }
  /** The file could not be checked (missing, no permission, ...): SQLite's message. */
  | { status: 'unreadable'; message: string; code: string | null; ms: number }
  | { status: 'timeout'; ms: number };

export interface IntegrityOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Problems reported at most (default 10). */
  maxProblems?: number;
}

// The worker runs plain CommonJS (no TypeScript loader in a worker thread).
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  const rows = db.prepare('pragma quick_check(' + workerData.maxProblems + ')').all();
  parentPort.postMessage({ lines: rows.map((r) => String(Object.values(r)[0])) });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e), code: e && typeof e.code === 'string' ? e.code : null });
} finally {
  try { db && db.close(); } catch {}
}
`;

export function checkSqliteIntegrity(file: string, opts: IntegrityOptions = {}): Promise<IntegrityResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const maxProblems = Math.max(1, Math.floor(opts.maxProblems ?? 10));
  const driver = sqliteDriverPath();
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, maxProblems } });
    worker.unref();
    let settled = false;
    const finish = (r: IntegrityResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ status: 'timeout', ms: ms() }), timeoutMs);
    worker.on('message', (m: { lines?: string[]; error?: string; code?: string | null }) => {
      if (m.error !== undefined) {
        const code = m.code ?? null;
        if (code && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) return finish({ status: 'damaged', problems: [`${m.error} (${code})`], ms: ms() });
        return finish({ status: 'unreadable', message: m.error, code, ms: ms() });
      }
      const lines = m.lines ?? [];
      if (lines.length === 1 && lines[0] === 'ok') return finish({ status: 'ok', ms: ms() });
      finish({ status: 'damaged', problems: lines, ms: ms() });
    });
    worker.on('error', (err) => finish({ status: 'unreadable', message: err.message, code: null, ms: ms() }));
    worker.on('exit', () => finish({ status: 'unreadable', message: 'the check stopped without an answer', code: null, ms: ms() }));
  });
}
