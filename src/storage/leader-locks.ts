// Leadership for work that one instance must do alone (the Discord gateway connection: one session per
// bot token, or every instance would answer each interaction). On PostgreSQL a session advisory lock held
// on a dedicated connection of its own (not a pool slot); it goes with the connection or the process, so
// a follower takes over. SQLite serves one bot (`run` holds the file's run lock, sqlite-run-lock.ts), so
// there the lock is only exclusive within this process.
import { describeTarget, type DatabaseTarget } from './db.ts';
import { pgDriver } from './drivers.ts';
import { asStorageError, postgresFailure } from './failures.ts';

export interface Leadership {
  /** Gives the lock up. Idempotent. */
  release(): Promise<void>;
  /** Resolves when the lock was lost without release() (the connection dropped). */
  readonly lost: Promise<void>;
}

export interface LeaderLocksOptions {
  /**
   * How often a held lock's connection is checked (default 15 s). A check that gets no answer within this
   * time counts as the lock lost: a connection that hangs (network partition, database failover) must
   * not leave this instance leading while another one may already hold the lock.
   */
  checkEveryMs?: number;
}

export class LeaderLocks {
  private readonly local = new Set<string>();

  constructor(
    private readonly target: DatabaseTarget,
    private readonly opts: LeaderLocksOptions = {},
  ) {}

  /** Takes the lock named `name` if no one holds it; null when another holder has it. */
  async tryAcquire(name: string): Promise<Leadership | null> {
    if (this.local.has(name)) return null;
    if (this.target.dialect === 'sqlite') {
      this.local.add(name);
      let released = false;
      return {
        lost: new Promise<void>(() => {}),
        release: async () => {
          if (released) return;
          released = true;
          this.local.delete(name);
        },
      };
    }
    return this.tryAcquirePostgres(name);
  }

  private async tryAcquirePostgres(name: string): Promise<Leadership | null> {
    const key = `cyberbrief:${name}`;
    const client = new (pgDriver().Client)({ connectionString: this.target.location });
    let released = false;
    let markLost!: () => void;
    const lost = new Promise<void>((resolve) => {
      markLost = resolve;
    });
    // A dropped connection surfaces here (and must be handled, or it would crash the process).
    const onGone = () => {
      if (!released) markLost();
    };
    client.on('error', onGone);
    client.on('end', onGone);
    // The database not answering is said once by the storage monitor; here it is only a StorageError.
    const storageFailure = (err: unknown) => asStorageError(err, postgresFailure(err), describeTarget(this.target));
    try {
      await client.connect();
    } catch (err) {
      throw storageFailure(err);
    }
    let ok = false;
    try {
      const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
      ok = !!r.rows[0]?.ok;
    } catch (err) {
      throw storageFailure(err);
    } finally {
      if (!ok) {
        released = true;
        await client.end().catch(() => {});
      }
    }
    if (!ok) return null;
    this.local.add(name);
    const checkEveryMs = this.opts.checkEveryMs ?? 15_000;
    const check = setInterval(() => {
      const unanswered = setTimeout(onGone, checkEveryMs);
      unanswered.unref();
      client.query('select 1').then(() => clearTimeout(unanswered), onGone);
    }, checkEveryMs);
    check.unref();
    void lost.then(() => {
      clearInterval(check);
      this.local.delete(name);
      client.end().catch(() => {});
    });
    return {
      lost,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(check);
        this.local.delete(name);
        await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
        await client.end().catch(() => {});
      },
    };
  }
}
