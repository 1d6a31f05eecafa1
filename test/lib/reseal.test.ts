// Re-sealing over an in-memory kind: which values are re-sealed, counted current or unreadable, which values
// stored unencrypted are sealed, in transactions of at most the batch size, and nothing replaced on a dry run.
import { describe, expect, it } from 'vitest';
import { resealKind, surveySealed, type SealedKind } from '../../src/lib/reseal.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';

const NEW = '11'.repeat(32);
const OLD = '22'.repeat(32);
const OTHER = '33'.repeat(32);

/** Rows keyed by id in a Map; `replace` records each call's size and compares-and-sets. */
function memoryKind(values: Array<[string, string | null]>, plainIds: string[] = []) {
  const rows = new Map(values.map(([id, key]) => [id, key ? createSecretBox(key).seal(`plain-${id}`, `p:${id}`) : 'not-a-sealed-value']));
  for (const id of plainIds) rows.set(id, `plain:plain-${id}`);
  const calls: number[] = [];
  const kind: SealedKind<string> = {
    name: 'things',
    read: async () => {
      const all = [...rows];
      return {
        rows: all.filter(([, v]) => !v.startsWith('plain:')).map(([id, sealed]) => ({ key: id, label: `thing ${id}`, sealed, purpose: `p:${id}` })),
        plain: all.filter(([, v]) => v.startsWith('plain:')).map(([id, stored]) => ({ key: id, label: `thing ${id}`, stored, plaintext: stored.slice(6), purpose: `p:${id}` })),
      };
    },
    async replace(changes) {
      calls.push(changes.length);
      let n = 0;
      for (const c of changes) {
        if (rows.get(c.key) !== c.from) continue;
        rows.set(c.key, c.to);
        n += 1;
      }
      return n;
    },
    remedy: 'do something',
  };
  return { kind, rows, calls };
}

describe('resealKind', () => {
  const box = createSecretBox(NEW, [OLD]);
  const mix: Array<[string, string | null]> = [['a', OLD], ['b', OLD], ['c', NEW], ['d', OTHER], ['e', OLD], ['f', null], ['g', OLD], ['h', OLD]];

  it.each([
    { name: 'a run in batches of 2', dryRun: false, batchSize: 2, calls: [2, 2, 1, 2, 1], resealed: 5, plainSealed: 3 },
    { name: 'a run in one batch', dryRun: false, batchSize: 100, calls: [5, 3], resealed: 5, plainSealed: 3 },
    { name: 'a dry run', dryRun: true, batchSize: 2, calls: [], resealed: 5, plainSealed: 3 },
  ])('$name', async ({ dryRun, batchSize, calls, resealed, plainSealed }) => {
    const m = memoryKind(mix, ['p', 'q', 'r']);
    const before = new Map(m.rows);
    const report = await resealKind(m.kind, box, { dryRun, batchSize });
    expect(report).toEqual({ name: 'things', resealed, current: 1, unreadable: [{ label: 'thing d', remedy: 'do something' }, { label: 'thing f', remedy: 'do something' }], changedMeanwhile: 0, plain: 3, plainSealed });
    expect(m.calls).toEqual(calls);
    for (const id of ['c', 'd', 'f']) expect(m.rows.get(id)).toBe(before.get(id));
    const survey = await surveySealed(m.kind, box);
    expect(survey.previous.length).toBe(dryRun ? 5 : 0);
    expect(survey.plain.length).toBe(dryRun ? 3 : 0);
    if (!dryRun) for (const id of ['a', 'b', 'e', 'g', 'h', 'p', 'q', 'r']) expect(createSecretBox(NEW).open(m.rows.get(id)!, `p:${id}`)).toBe(`plain-${id}`);
    if (dryRun) for (const id of ['p', 'q', 'r']) expect(m.rows.get(id)).toBe(`plain:plain-${id}`);
  });
});
