// The claims that lease due work to one instance (feeds, alerts, briefs, WebSub subscriptions) share one
// shape: `update T set lease_owner, lease_until where id in (select the due ids ... order by ... limit n
// [for update of a skip locked]) returning ...`. Each runs many times a cycle (a poll cycle claims every feed,
// 47 claims for 10,000), with only its values changing, so each is compiled to SQL once per dialect and kept:
// a call binds its values to the kept text instead of running Kysely's builder and compiler again. The kept
// text is the same on every call, so SQLite's per-connection statement cache prepares it once too.
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './db.ts';
import type { Database } from './schema.ts';

/** A value bound when the statement runs, by name (the same name may appear several times). */
class Slot {
  constructor(readonly name: string) {}
}

/** A placeholder in a kept statement, filled from the values of each run. */
export const slot = (name: string): RawBuilder<unknown> => sql`${new Slot(name)}`;

/**
 * `alias`'s lease is free at the slot `now`: never taken, or run out. Every claim starts from it; the text is the
 * same wherever it is used, so a claim's kept statement is too.
 */
export const leaseFree = (alias: string): RawBuilder<unknown> => sql`(${sql.raw(alias)}.lease_until is null or ${sql.raw(alias)}.lease_until < ${slot('now')})`;

interface Kept {
  sql: string;
  /** The slot each placeholder takes its value from, in the order the dialect numbers them. */
  names: string[];
}

const kept = new Map<string, Kept>();

/** Compiles `build()` once for `key` on `dialect` (every placeholder a slot) and runs it with `values`. */
export async function runKept<Row>(db: Kysely<Database>, dialect: Dialect, key: string, build: () => RawBuilder<Row>, values: Readonly<Record<string, unknown>>): Promise<Row[]> {
  const cacheKey = `${dialect}\u0000${key}`;
  let k = kept.get(cacheKey);
  if (!k) {
    const compiled = build().compile(db);
    const names = compiled.parameters.map((p) => {
      if (!(p instanceof Slot)) throw new Error(`storage: the kept statement ${key} has a value that is not a slot (${String(p)}); every value must come from slot()`);
      return p.name;
    });
    k = { sql: compiled.sql, names };
    kept.set(cacheKey, k);
  }
  const params = k.names.map((n) => {
    const v = values[n];
    if (v === undefined) throw new Error(`storage: no value for ${n} in the kept statement ${key}`);
    return v;
  });
  return (await db.executeQuery<Row>(CompiledQuery.raw(k.sql, params))).rows;
}

export interface LeaseClaim {
  /** Names the kept statement (one per table, and per number of platforms where that varies). */
  key: string;
  table: string;
  /** The alias of `table` in `source`: the rows locked with SKIP LOCKED on PostgreSQL. */
  alias: string;
  /** The inner select's `from ... where ...` (values as slots: `now`, and any the caller adds). */
  source: () => RawBuilder<unknown>;
  /** The inner select's order: the oldest due first. */
  orderBy: string;
  /** What the update returns (`*`, or a column list). */
  returning: string;
}

/** What every claim is asked: rows due at `now`, at most `limit`, leased to `owner` until `leaseUntil`. */
export interface ClaimRequest {
  now: Date;
  limit: number;
  owner: string;
  leaseUntil: Date;
}

/**
 * Leases up to `limit` rows of `claim.source` to `owner` until `leaseUntil` and returns them. Safe across
 * instances: PostgreSQL skips rows another instance is claiming (FOR UPDATE OF alias SKIP LOCKED); SQLite has
 * one writer. The order of the rows returned is the database's: callers sort them. `slots` holds the values of
 * any slots of the claim's own besides `now`.
 */
export function claimLeases<Row>(db: Kysely<Database>, dialect: Dialect, claim: LeaseClaim, request: ClaimRequest, slots: Readonly<Record<string, unknown>> = {}): Promise<Row[]> {
  const values = { ...slots, now: request.now.getTime(), limit: request.limit, owner: request.owner, leaseUntil: request.leaseUntil.getTime() };
  return runKept<Row>(db, dialect, claim.key, () => {
    const lock = dialect === 'postgres' ? sql.raw(` for update of ${claim.alias} skip locked`) : sql``;
    return sql<Row>`
      update ${sql.raw(claim.table)} set lease_owner = ${slot('owner')}, lease_until = ${slot('leaseUntil')}
      where id in (
        select ${sql.raw(claim.alias)}.id from ${claim.source()}
        order by ${sql.raw(claim.orderBy)}
        limit ${slot('limit')}${lock}
      )
      returning ${sql.raw(claim.returning)}`;
  }, values);
}

/** `n` slots for a list (`in (...)`), named `${name}0` on: one kept statement per length of list. */
export const listSlots = (name: string, n: number): RawBuilder<unknown> => sql.join(Array.from({ length: n }, (_, i) => slot(`${name}${i}`)));

/** The values of listSlots(name, values.length). */
export function listValues(name: string, values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((v, i) => (out[`${name}${i}`] = v));
  return out;
}

/** A claim of rows that belong to a channel (alerts, briefs): only those of unpaused channels on given platforms. */
export interface ChannelLeaseClaim extends Omit<LeaseClaim, 'source'> {
  /** The conditions on `alias`'s rows besides their channel's (values as slots: `now`). */
  where: () => RawBuilder<unknown>;
}

/**
 * claimLeases for rows of unpaused channels on `platforms`: `table alias join channels c ... where c.paused = 0
 * and c.platform in (...) and where()`, one kept statement per number of platforms.
 */
export function claimChannelLeases<Row>(
  db: Kysely<Database>,
  dialect: Dialect,
  claim: ChannelLeaseClaim,
  opts: ClaimRequest & { platforms: readonly string[] },
): Promise<Row[]> {
  const n = opts.platforms.length;
  const a = sql.raw(claim.alias);
  const source = () => sql`${sql.raw(claim.table)} ${a} join channels c on c.id = ${a}.channel_id
        where c.paused = 0 and c.platform in (${listSlots('platform', n)})
          and ${claim.where()}`;
  return claimLeases<Row>(db, dialect, { ...claim, key: `${claim.key}/${n}`, source }, opts, listValues('platform', opts.platforms));
}
