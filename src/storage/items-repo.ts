// Items and the seen-set. An item is stored once per (feed, key); the schema's unique constraint is the
// guarantee. `processed = 0` hands an item to the pipeline (match, summarise, route). A known item that
// comes back under a new key (a changed guid) is found by canonical URL, else by content hash; only a
// material change (content hash) updates it and hands it to the pipeline again. Items are never pruned
// here, so an item still in a feed is always recognised.
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import { oldestFirst } from '../domain/story-order.ts';
import type { Item, NewItem } from '../domain/types.ts';
import type { Dialect } from './db.ts';
import type { Database, ItemsTable } from './schema.ts';
import { toDate, toMs } from './rows.ts';

export function itemFromRow(r: Selectable<ItemsTable>): Item {
  return {
    id: Number(r.id),
    feedId: Number(r.feed_id),
    key: r.key,
    guid: r.guid,
    url: r.url,
    title: r.title,
    summary: r.summary,
    content: r.content,
    html: r.html,
    author: r.author,
    publishedAt: toDate(r.published_at),
    contentHash: r.content_hash,
    fetchedAt: toDate(r.fetched_at)!,
    clusterId: r.cluster_id === null ? null : Number(r.cluster_id),
    articleText: r.article_text,
    digest: r.digest,
    digestFromExcerpt: !!r.digest_from_excerpt,
  };
}

export interface StoreItemsOptions {
  fetchedAt: Date;
  /**
   * Keys of new items to hand to the pipeline (processed = 0); other new items are stored as already
   * processed (a new feed's backlog). Omit to hand every new item over.
   */
  alertKeys?: ReadonlySet<string>;
}

export interface StoreItemsResult {
  /** Ids of rows inserted. */
  inserted: number[];
  /** Ids of rows whose title or content changed materially (handed to the pipeline again). */
  updated: number[];
  /** Known items with nothing material changed. */
  unchanged: number;
}

type Existing = Pick<Selectable<ItemsTable>, 'id' | 'key' | 'url' | 'content_hash'>;

/** Items per query (one JSON parameter each, so the statements' text never changes with the count). */
const CHUNK = 500;

/**
 * The batch store's two statements, fixed text over one JSON array parameter, so each is prepared once per
 * connection (SQLite keeps it in the connection's statement cache) instead of built by Kysely and prepared
 * anew for every batch, whose row count changed its text. `known`: the rows matching any of [feed, key, link,
 * hash]; `insert`: rows of insertCells, a row already there (feed, key) skipped, the ids of the new ones
 * returned. A JSON string cell arrives as text and a number as an integer; null as NULL.
 */
const STATEMENTS: Record<Dialect, { known: string; insert: string; lastNew: string }> = {
  sqlite: {
    lastNew: `update feeds set last_new_item_at = max(coalesce(feeds.last_new_item_at, 0), v.at)
from (select cast(value->>0 as integer) as id, cast(value->>1 as integer) as at from json_each(?)) as v where feeds.id = v.id`,
    known: `with q(feed_id, key, url, hash) as materialized (select cast(value->>0 as integer), value->>1, value->>2, value->>3 from json_each(?))
select id, feed_id, key, url, content_hash from items where id in (
  select items.id from q join items on items.feed_id = q.feed_id and items.key = q.key
  union all select items.id from q join items on items.feed_id = q.feed_id and items.url = q.url
  union all select items.id from q join items on items.feed_id = q.feed_id and items.content_hash = q.hash)`,
    insert: `insert into items (feed_id, key, guid, url, title, summary, content, html, author, published_at, content_hash, fetched_at, digest_from_excerpt, processed)
select cast(value->>0 as integer), value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8,
  cast(value->>9 as integer), value->>10, cast(value->>11 as integer), 0, cast(value->>12 as integer)
from json_each(?) where true
on conflict (feed_id, key) do nothing
returning id, feed_id, key`,
  },
  postgres: {
    lastNew: `update feeds set last_new_item_at = greatest(coalesce(feeds.last_new_item_at, 0), v.at)
from (select (e->>0)::bigint as id, (e->>1)::bigint as at from json_array_elements($1::json) as j(e)) as v where feeds.id = v.id`,
    known: `with q as materialized (select (v->>0)::bigint as feed_id, v->>1 as key, v->>2 as url, v->>3 as hash from json_array_elements($1::json) as j(v))
select id, feed_id, key, url, content_hash from items where id in (
  select items.id from q join items on items.feed_id = q.feed_id and items.key = q.key
  union all select items.id from q join items on items.feed_id = q.feed_id and items.url = q.url
  union all select items.id from q join items on items.feed_id = q.feed_id and items.content_hash = q.hash)`,
    insert: `insert into items (feed_id, key, guid, url, title, summary, content, html, author, published_at, content_hash, fetched_at, digest_from_excerpt, processed)
select (v->>0)::bigint, v->>1, v->>2, v->>3, v->>4, v->>5, v->>6, v->>7, v->>8, (v->>9)::bigint, v->>10, (v->>11)::bigint, 0, (v->>12)::integer
from json_array_elements($1::json) with ordinality as j(v, n) order by n
on conflict (feed_id, key) do nothing
returning id, feed_id, key`,
  },
};

/**
 * When a feed last had something new, for its stored items: the fetch time, except on its first poll (the
 * backlog stored silently, `alertKeys` set), where it is the newest publication date among the items (no later
 * than the fetch): a feed that stopped publishing a year ago shows as quiet at once, not a month after it was
 * added.
 */
function newItemTime(items: readonly NewItem[], options: StoreItemsOptions): number {
  const fetched = options.fetchedAt.getTime();
  if (!options.alertKeys) return fetched;
  let newest = -Infinity;
  for (const it of items) {
    const t = it.publishedAt?.getTime();
    if (t !== undefined && Number.isFinite(t) && t > newest) newest = t;
  }
  return Number.isFinite(newest) ? Math.min(newest, fetched) : fetched;
}

/**
 * A new row's cells for the batch INSERT of STATEMENTS, in its order: feed, key, what the feed entry says
 * (guid to content_hash: see contentColumns), when it was fetched, whether it is processed.
 */
function insertCells(feedId: number, it: NewItem, fetchedAt: number, processed: 0 | 1) {
  return [feedId, it.key, it.guid, it.url, it.title, it.summary, it.content, it.html, it.author, toMs(it.publishedAt), it.contentHash, fetchedAt, processed] as const;
}

/** What a feed entry says, as columns (written on insert: insertCells), written again when the entry changes materially. */
function contentColumns(it: NewItem) {
  const [, , guid, url, title, summary, content, html, author, published_at, content_hash] = insertCells(0, it, 0, 0);
  return { guid, url, title, summary, content, html, author, published_at, content_hash };
}

export class ItemsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Stores one poll's items for one feed in a transaction; see the class comment for the rules. */
  async storeForFeed(feedId: number, items: readonly NewItem[], opts: StoreItemsOptions): Promise<StoreItemsResult> {
    if (items.length === 0) return { inserted: [], updated: [], unchanged: 0 };
    return this.db.transaction().execute((trx) => ItemsRepo.storeIn(trx, this.dialect, feedId, items, opts));
  }

  /**
   * The work of storeForFeed inside a transaction the caller holds. New rows go in oldest first with one multi-row
   * INSERT ... ON CONFLICT DO NOTHING per chunk; a row another writer inserted meanwhile counts as unchanged.
   */
  static async storeIn(trx: Kysely<Database>, dialect: Dialect, feedId: number, items: readonly NewItem[], opts: StoreItemsOptions): Promise<StoreItemsResult> {
    return (await ItemsRepo.storeManyIn(trx, dialect, [{ feedId, items, options: opts }]))[0]!;
  }

  /**
   * storeIn for many feeds at once (the poll write batcher's transaction): one query for the known items of
   * every feed and one INSERT for every feed's new rows (per chunk), instead of two statements per feed. The
   * rules are storeIn's, feed by feed. One result per entry, in order. A feed listed twice is stored entry
   * after entry (its second list must see what the first stored).
   */
  static async storeManyIn(trx: Kysely<Database>, dialect: Dialect, writes: ReadonlyArray<{ feedId: number; items: readonly NewItem[]; options: StoreItemsOptions }>): Promise<StoreItemsResult[]> {
    if (new Set(writes.map((w) => w.feedId)).size < writes.length) {
      const out: StoreItemsResult[] = [];
      for (const w of writes) out.push((await ItemsRepo.storeManyIn(trx, dialect, [w]))[0]!);
      return out;
    }
    const sql = STATEMENTS[dialect];
    const known = await findExisting(trx, sql.known, writes);
    const results: StoreItemsResult[] = [];
    const rows: Array<{ feedId: number; item: NewItem; options: StoreItemsOptions; result: StoreItemsResult }> = [];
    for (const w of writes) {
      const result: StoreItemsResult = { inserted: [], updated: [], unchanged: 0 };
      results.push(result);
      // New rows oldest first, so ids follow the feed's own order of events (domain/story-order.ts).
      for (const item of oldestFirst(await matchKnown(trx, w.items, known.get(w.feedId) ?? [], result))) rows.push({ feedId: w.feedId, item, options: w.options, result });
    }
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const cells = chunk.map(({ feedId, item: it, options }) => insertCells(feedId, it, options.fetchedAt.getTime(), options.alertKeys ? (options.alertKeys.has(it.key) ? 0 : 1) : 0));
      const ins = await trx.executeQuery<{ id: number | string; feed_id: number | string; key: string }>(CompiledQuery.raw(sql.insert, [JSON.stringify(cells)]));
      const ids = new Map(ins.rows.map((r) => [`${Number(r.feed_id)} ${r.key}`, Number(r.id)]));
      for (const { feedId, item, result } of chunk) {
        const id = ids.get(`${feedId} ${item.key}`);
        if (id === undefined) result.unchanged++;
        else result.inserted.push(id);
      }
    }
    // Each feed that got an item new to the bot: when (one statement for all of them).
    const lastNew: Array<[number, number]> = [];
    writes.forEach((w, i) => {
      if (results[i]!.inserted.length) lastNew.push([w.feedId, newItemTime(w.items, w.options)]);
    });
    if (lastNew.length) await trx.executeQuery(CompiledQuery.raw(sql.lastNew, [JSON.stringify(lastNew)]));
    return results;
  }

  async get(id: number): Promise<Item | null> {
    const r = await this.db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? itemFromRow(r) : null;
  }

  /** Items the pipeline has not handled yet, oldest first. */
  async listUnprocessed(limit: number): Promise<Item[]> {
    const rows = await this.db.selectFrom('items').selectAll().where('processed', '=', 0).orderBy('id').limit(limit).execute();
    return rows.map(itemFromRow);
  }

  async markProcessed(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.db.updateTable('items').set({ processed: 1 }).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
    }
  }

  /** A feed's items, newest first (by published date, then id). */
  async listByFeed(feedId: number, limit = 100): Promise<Item[]> {
    const rows = await this.db
      .selectFrom('items')
      .selectAll()
      .where('feed_id', '=', feedId)
      .orderBy('published_at', (ob) => ob.desc().nullsLast())
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(itemFromRow);
  }

  async countByFeed(feedId: number): Promise<number> {
    const r = await this.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).where('feed_id', '=', feedId).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

/**
 * Applies storeIn's rules to one feed's items against its known rows (sorted by id): updates the known items
 * that changed (in the transaction) and counts the unchanged ones in `result`; returns the items to insert.
 */
async function matchKnown(trx: Kysely<Database>, items: readonly NewItem[], existing: Existing[], result: StoreItemsResult): Promise<NewItem[]> {
  const byKey = new Map(existing.map((r) => [r.key, r]));
  const byUrl = new Map(existing.filter((r) => r.url).map((r) => [r.url!, r]));
  const byHash = new Map(existing.map((r) => [r.content_hash, r]));
  const claimed = new Set<number>();
  // New rows wait here (under negative ids) until one INSERT writes them all.
  const pending = new Map<number, NewItem>();
  let nextPending = -1;
  for (const it of items) {
    let match = byKey.get(it.key);
    if (!match && it.url) match = byUrl.get(it.url);
    if (!match) match = byHash.get(it.contentHash);
    if (match && claimed.has(Number(match.id)) && match.key !== it.key) match = undefined;
    if (match) {
      const id = Number(match.id);
      claimed.add(id);
      if (id < 0) {
        // The same key twice in one document: the later entry is what gets stored.
        if (match.content_hash !== it.contentHash) pending.set(id, it);
        result.unchanged++;
        continue;
      }
      const keyChanged = match.key !== it.key && !byKey.has(it.key);
      if (match.content_hash !== it.contentHash) {
        await trx
          .updateTable('items')
          .set({ ...(keyChanged ? { key: it.key } : {}), ...contentColumns(it), processed: 0 })
          .where('id', '=', id)
          .execute();
        match.content_hash = it.contentHash;
        result.updated.push(id);
      } else {
        if (keyChanged) await trx.updateTable('items').set({ key: it.key, guid: it.guid }).where('id', '=', id).execute();
        result.unchanged++;
      }
      if (keyChanged) {
        byKey.delete(match.key);
        match.key = it.key;
        byKey.set(it.key, match);
      }
      continue;
    }
    const id = nextPending--;
    pending.set(id, it);
    const added: Existing = { id, key: it.key, url: it.url, content_hash: it.contentHash };
    claimed.add(id);
    byKey.set(it.key, added);
    if (it.url) byUrl.set(it.url, added);
    byHash.set(it.contentHash, added);
  }
  return [...pending.values()];
}

/**
 * The known items of many feeds, by feed, each list sorted by id: rows of the feed with one of its items'
 * keys, links or content hashes. One query per chunk of items, its (feed, key, link, hash) rows as one JSON
 * parameter; each of the three lookups is answered from its own index.
 */
async function findExisting(trx: Kysely<Database>, sql: string, writes: ReadonlyArray<{ feedId: number; items: readonly NewItem[] }>): Promise<Map<number, Existing[]>> {
  const byFeed = new Map<number, Map<number, Existing>>();
  const all: Array<[number, string, string | null, string]> = [];
  for (const w of writes) for (const it of w.items) all.push([w.feedId, it.key, it.url, it.contentHash]);
  for (let i = 0; i < all.length; i += CHUNK) {
    const { rows } = await trx.executeQuery<Existing & { feed_id: number | string }>(CompiledQuery.raw(sql, [JSON.stringify(all.slice(i, i + CHUNK))]));
    for (const { feed_id, ...r } of rows) {
      const feedId = Number(feed_id);
      const known = byFeed.get(feedId) ?? new Map<number, Existing>();
      byFeed.set(feedId, known);
      known.set(Number(r.id), r);
    }
  }
  return new Map([...byFeed].map(([feedId, known]) => [feedId, [...known.values()].sort((a, b) => Number(a.id) - Number(b.id))]));
}
