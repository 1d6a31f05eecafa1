// The kept claim statements (src/storage/lease-claim.ts): compiled once per dialect and key, values bound per
// call (a name used twice gets its value twice), due rows leased and leased rows skipped, and a statement
// with a value that is not a slot refused with a sentence. The repositories' own tests hold each claim's
// meaning on SQLite and PostgreSQL.
import Sqlite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/schema.ts';
import { claimLeases, listSlots, listValues, runKept, slot, type LeaseClaim } from '../../src/storage/lease-claim.ts';

const raw = new Sqlite(':memory:');
raw.exec('create table jobs (id integer primary key, kind text not null, due_at integer not null, lease_owner text, lease_until integer)');
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
afterAll(() => db.destroy());
// Every case starts from the same five rows, none leased; a case about leases taken earlier takes them itself.
beforeEach(() => {
  raw.exec(`delete from jobs;
    insert into jobs (id, kind, due_at) values (1, 'a', 10), (2, 'b', 20), (3, 'a', 30), (4, 'c', 5), (5, 'a', 99);`);
});

// How many times each family of kept statements (its key's prefix) was built. The statements are kept by key
// for the whole run, so a case that counts builds uses a prefix of its own.
const built = new Map<string, number>();
const claim = (kinds: number, prefix = 'test.jobs'): LeaseClaim => ({
  key: `${prefix}/${kinds}`,
  table: 'jobs',
  alias: 'j',
  source: () => {
    built.set(prefix, (built.get(prefix) ?? 0) + 1);
    return sql`jobs j where j.kind in (${listSlots('kind', kinds)}) and j.due_at <= ${slot('now')} and (j.lease_until is null or j.lease_until < ${slot('now')})`;
  },
  orderBy: 'j.due_at, j.id',
  returning: 'id',
});

describe('claimLeases', () => {
  // leased: rows already leased (to 'me', until 1050) when the case claims.
  const steps: Array<{ name: string; leased: number[]; kinds: string[]; now: number; limit: number; ids: number[] }> = [
    { name: 'the due rows of the kinds asked, oldest first, up to the limit', leased: [], kinds: ['a', 'c'], now: 50, limit: 2, ids: [4, 1] },
    { name: 'leased rows are skipped', leased: [4, 1], kinds: ['a', 'c'], now: 50, limit: 5, ids: [3] },
    { name: 'another number of kinds is another statement', leased: [4, 1, 3], kinds: ['b'], now: 50, limit: 5, ids: [2] },
    { name: 'once the leases run out the rows are due again', leased: [4, 1, 3, 2], kinds: ['a', 'c'], now: 2_000, limit: 10, ids: [4, 1, 3, 5] },
  ];
  it.each(steps)('$name', async ({ leased, kinds, now, limit, ids }) => {
    for (const id of leased) raw.prepare("update jobs set lease_owner = 'me', lease_until = 1050 where id = ?").run(id);
    const rows = await claimLeases<{ id: number }>(db, 'sqlite', claim(kinds.length), { now: new Date(now), limit, owner: 'me', leaseUntil: new Date(now + 1_000) }, listValues('kind', kinds));
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    for (const id of ids) expect(raw.prepare('select lease_owner, lease_until from jobs where id = ?').get(id)).toEqual({ lease_owner: 'me', lease_until: now + 1_000 });
  });

  it('ran the builder once per statement (two numbers of kinds), however many calls', async () => {
    for (const kinds of [['a', 'c'], ['a', 'c'], ['b'], ['a', 'c'], ['b']]) {
      await claimLeases(db, 'sqlite', claim(kinds.length, 'test.jobs-built'), { now: new Date(50), limit: 5, owner: 'me', leaseUntil: new Date(1_050) }, listValues('kind', kinds));
    }
    expect(built.get('test.jobs-built')).toBe(2);
  });

  it('refuses a statement with a value that is not a slot, and a call that leaves a slot without a value', async () => {
    await expect(runKept(db, 'sqlite', 'test.bad', () => sql`select ${1} as x`, {})).rejects.toThrow(/the kept statement test\.bad has a value that is not a slot \(1\)/);
    await expect(runKept(db, 'sqlite', 'test.missing', () => sql`select ${slot('x')} as x`, {})).rejects.toThrow(/no value for x in the kept statement test\.missing/);
  });
});
