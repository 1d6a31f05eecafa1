// The storage monitor: one log line when an outage begins and one when it is over, however many queries
// fail or how often the database flaps; status for /healthz; a probe with backoff while the database does
// not answer; ready() for callers that must wait.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/lib/errors.ts';
import { createStorageMonitor, type StorageMonitor } from '../../src/storage/monitor.ts';
import { captureLog } from '../helpers/log-capture.ts';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const down = () => new StorageError('unavailable', 'storage: PostgreSQL db:5432/x is not answering (Connection terminated unexpectedly); retrying with backoff until it is back: check that the server is up and that DATABASE_URL reaches it.');
const full = () => new StorageError('full', 'storage: cannot write SQLite file /d/x.db: its disk is full (database or disk is full, SQLITE_FULL); free space on that disk: writes are retried and nothing is lost meanwhile.');

describe('storage monitor', () => {
  let monitor: StorageMonitor | null = null;
  afterEach(() => monitor?.close());

  it('logs an outage once however often the database flaps, and once more when it has been quiet', async () => {
    const { lines, logger } = captureLog();
    const m = (monitor = createStorageMonitor({ database: 'PostgreSQL db:5432/x', logger, quietMs: 150 }));
    expect(m.status()).toEqual({ ok: true, failure: null, detail: null, since: null });
    // A storm: failures and answers interleaved, as when every connection is terminated every 50 ms.
    for (let i = 0; i < 20; i++) {
      m.failed(down());
      expect(m.status().ok).toBe(false);
      m.answered(false);
      expect(m.status().ok).toBe(true);
      m.connectionDropped();
      await sleep(5);
    }
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines[0]!.msg).toContain('is not answering');
    expect(lines.some((l) => l.msg.includes('answers again'))).toBe(false);
    await sleep(400);
    const back = lines.filter((l) => l.msg.includes('answers again'));
    expect(back).toHaveLength(1);
    expect(back[0]!.msg).toMatch(/the outage lasted \d+\.\d s, 20 failed query\(s\) or dropped connection\(s\)/);
    expect(m.counters()).toEqual({ connectionErrors: 40, outages: 1, lockWaits: 0 });
    // The next failure is a new outage.
    m.failed(down());
    expect(m.counters().outages).toBe(2);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });

  it('keeps a write failure until a write succeeds (reads still answer on a full disk)', () => {
    const m = (monitor = createStorageMonitor({ database: 'SQLite file /d/x.db' }));
    m.failed(full());
    m.answered(false);
    expect(m.status()).toMatchObject({ ok: false, failure: 'full', detail: expect.stringContaining('its disk is full') });
    m.answered(true);
    expect(m.status().ok).toBe(true);
  });

  it('on a full disk, a small write that still fits does not clear it until the disk has room', () => {
    let room = false;
    const m = (monitor = createStorageMonitor({ database: 'SQLite file /d/x.db', hasRoom: () => room }));
    m.failed(full());
    m.answered(true);
    expect(m.status()).toMatchObject({ ok: false, failure: 'full' });
    room = true;
    m.answered(true);
    expect(m.status().ok).toBe(true);
  });

  it('probes with backoff while the database does not answer, and stops once it answers', async () => {
    // Fake timers: the gaps are the monitor's own schedule, not the machine's timer slack.
    vi.useFakeTimers({ now: 0 });
    try {
      let probes = 0;
      let up = false;
      const at: number[] = [];
      const m: StorageMonitor = (monitor = createStorageMonitor({
        database: 'PostgreSQL db:5432/x',
        probeBaseMs: 20,
        probeMaxMs: 80,
        probe: async () => {
          probes++;
          at.push(Date.now());
          if (up) m.answered(false);
          else m.failed(down());
        },
      }));
      m.failed(down());
      await vi.advanceTimersByTimeAsync(400);
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      // 20 ms, then doubling (40) up to the 80 ms cap, and staying there.
      expect([at[0], ...gaps.slice(0, 4)]).toEqual([20, 40, 80, 80, 80]);
      up = true;
      await vi.advanceTimersByTimeAsync(200);
      expect(m.status().ok).toBe(true);
      const after = probes;
      await vi.advanceTimersByTimeAsync(1000);
      expect(probes).toBe(after);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ready() waits for the database to answer, and resolves at once when it does or on abort', async () => {
    const m = (monitor = createStorageMonitor({ database: 'PostgreSQL db:5432/x' }));
    await m.ready();
    m.failed(down());
    let resolved = false;
    const waiting = m.ready().then(() => (resolved = true));
    await sleep(50);
    expect(resolved).toBe(false);
    m.answered(false);
    await waiting;
    m.failed(down());
    const ctl = new AbortController();
    const aborted = m.ready(ctl.signal);
    ctl.abort();
    await aborted;
  });

  it('ready() backs off between failed writes', async () => {
    const m = (monitor = createStorageMonitor({ database: 'SQLite file /d/x.db' }));
    m.failed(full());
    let t = Date.now();
    await m.ready();
    const first = Date.now() - t;
    m.failed(full());
    t = Date.now();
    await m.ready();
    const second = Date.now() - t;
    expect(first).toBeGreaterThanOrEqual(400);
    expect(second).toBeGreaterThanOrEqual(900);
  });

  it('says while writes wait for another process lock, and counts each wait once', () => {
    const m = (monitor = createStorageMonitor({ database: 'SQLite file /d/x.db' }));
    m.lockWait(Date.now() - 3000);
    m.lockWait(Date.now() - 3000);
    expect(m.status()).toMatchObject({ ok: true, detail: expect.stringMatching(/writes have waited 3 s for a lock another process holds on SQLite file \/d\/x\.db/) });
    m.lockWait(null);
    expect(m.status()).toEqual({ ok: true, failure: null, detail: null, since: null });
    expect(m.counters().lockWaits).toBe(1);
  });
});
