import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from '../../src/feeds/write-batcher.ts';
import { StorageError } from '../../src/lib/errors.ts';

/** A commit that records each batch it was given and answers every entry doubled. */
function recorder(opts: { fail?: (batch: number[]) => unknown } = {}) {
  const batches: number[][] = [];
  const commit = async (entries: number[]) => {
    batches.push([...entries]);
    const err = opts.fail?.(entries);
    if (err) throw err;
    return entries.map((e) => e * 2);
  };
  return { batches, commit };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('write batcher', () => {
  it('commits once maxEntries are waiting, without waiting for the timer', async () => {
    const r = recorder();
    const b = createWriteBatcher({ commit: r.commit, maxEntries: 3, maxDelayMs: 60_000 });
    const results = await Promise.all([1, 2, 3].map((e) => b.add(e)));
    expect(results).toEqual([2, 4, 6]);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it('commits what is waiting once the oldest entry has waited maxDelayMs', async () => {
    const r = recorder();
    const b = createWriteBatcher({ commit: r.commit, maxEntries: 100, maxDelayMs: 20 });
    const p = [b.add(1), b.add(2)];
    await tick(0);
    expect(r.batches).toEqual([]);
    expect(b.pending()).toBe(2);
    expect(await Promise.all(p)).toEqual([2, 4]);
    expect(r.batches).toEqual([[1, 2]]);
    expect(b.pending()).toBe(0);
  });

  it('entries added while a commit runs go into the next batch, at most maxEntries each', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const batches: number[][] = [];
    const b = createWriteBatcher({
      commit: async (e: number[]) => {
        batches.push([...e]);
        if (batches.length === 1) await gate;
        return e;
      },
      maxEntries: 2,
      maxDelayMs: 60_000,
    });
    const first = [b.add(1), b.add(2)];
    const later = [b.add(3), b.add(4), b.add(5)];
    expect(b.pending()).toBe(5);
    open();
    await Promise.all([...first, ...later.slice(0, 2)]);
    await b.flush();
    expect(await Promise.all(later)).toEqual([3, 4, 5]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('flush and close commit everything waiting; close refuses later entries', async () => {
    const r = recorder();
    const b = createWriteBatcher({ commit: r.commit, maxEntries: 100, maxDelayMs: 60_000 });
    const p = b.add(7);
    await b.flush();
    expect(await p).toBe(14);
    const q = b.add(8);
    await b.close();
    expect(await q).toBe(16);
    expect(r.batches).toEqual([[7], [8]]);
    await expect(b.add(9)).rejects.toThrow(/closed; the poll outcome was not written/);
  });

  it('a storage error rejects every entry of the batch (nothing was written)', async () => {
    const outage = new StorageError('unavailable', 'storage: the database is not answering');
    const r = recorder({ fail: () => outage });
    const b = createWriteBatcher({ commit: r.commit, maxEntries: 3, maxDelayMs: 60_000 });
    const settled = await Promise.allSettled([1, 2, 3].map((e) => b.add(e)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it('any other failure is retried entry by entry: one bad entry fails alone', async () => {
    const r = recorder({ fail: (batch) => (batch.includes(2) ? new Error('constraint failed') : null) });
    const b = createWriteBatcher({ commit: r.commit, maxEntries: 3, maxDelayMs: 60_000 });
    const settled = await Promise.allSettled([1, 2, 3].map((e) => b.add(e)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('constraint failed') },
      { status: 'fulfilled', value: 6 },
    ]);
    expect(r.batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('refuses maxEntries below 1', () => {
    expect(() => createWriteBatcher({ commit: async (e: number[]) => e, maxEntries: 0, maxDelayMs: 1 })).toThrow(/maxEntries must be at least 1/);
  });
});
