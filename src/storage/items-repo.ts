// Items and the seen-set. An item is stored once per (feed, key); the schema's unique constraint is the
// guarantee. `processed = 0` hands an item to the pipeline (match, summarise, route). A known item that
// comes back under a new key (a changed guid) is found by canonical URL, else by content hash; only a
// material change (content hash) updates it and hands it to the pipeline again. Items are never pruned
// here, so an item still in a feed is always recognised.
import type { Kysely, Selectable } from 'kysely';
import type { Item, NewItem } from '../domain/types.ts';
import type { Dialect } from './db.ts';
import type { Database, ItemsTable } from './schema.ts';
import { flag, toDate, toMs } from './rows.ts';

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

const CHUNK = 200;

/** What a feed entry says, as columns: written on insert and again when the entry changes materially. */
function contentColumns(it: NewItem) {
  return {
    guid: it.guid,
    url: it.url,
    title: it.title,
    summary: it.summary,
    content: it.content,
    html: it.html,
    author: it.author,
    published_at: toMs(it.publishedAt),
    content_hash: it.contentHash,
  };
}

export class ItemsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Stores one poll's items for one feed in a transaction; see the class comment for the rules. */
  async storeForFeed(feedId: number, items: readonly NewItem[], opts: StoreItemsOptions): Promise<StoreItemsResult> {
    if (items.length === 0) return { inserted: [], updated: [], unchanged: 0 };
    return this.db.transaction().execute((trx) => ItemsRepo.storeIn(trx, feedId, items, opts));
  }

  /**
   * The work of storeForFeed inside a transaction the caller holds. New rows go in with one multi-row
   * INSERT ... ON CONFLICT DO NOTHING per chunk; a row another writer inserted meanwhile counts as unchanged.
   */
  static async storeIn(trx: Kysely<Database>, feedId: number, items: readonly NewItem[], opts: StoreItemsOptions): Promise<StoreItemsResult> {
    return (await ItemsRepo.storeManyIn(trx, [{ feedId, items, options: opts }]))[0]!;
  }

  /**
   * storeIn for many feeds at once (the poll write batcher's transaction): one query for the known items of
   * every feed and one INSERT for every feed's new rows (per chunk), instead of two statements per feed. The
   * rules are storeIn's, feed by feed. One result per entry, in order. A feed listed twice is stored entry
   * after entry (its second list must see what the first stored).
   */
  static async storeManyIn(trx: Kysely<Database>, writes: ReadonlyArray<{ feedId: number; items: readonly NewItem[]; options: StoreItemsOptions }>): Promise<StoreItemsResult[]> {
    if (new Set(writes.map((w) => w.feedId)).size < writes.length) {
      const out: StoreItemsResult[] = [];
      for (const w of writes) out.push((await ItemsRepo.storeManyIn(trx, [w]))[0]!);
      return out;
    }
    const known = await findExisting(trx, writes);
    const results: StoreItemsResult[] = [];
    const rows: Array<{ feedId: number; item: NewItem; options: StoreItemsOptions; result: StoreItemsResult }> = [];
    for (const w of writes) {
      const result: StoreItemsResult = { inserted: [], updated: [], unchanged: 0 };
      results.push(result);
      for (const item of await matchKnown(trx, w.items, known.get(w.feedId) ?? [], result)) rows.push({ feedId: w.feedId, item, options: w.options, result });
    }
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const ins = await trx
        .insertInto('items')
        .values(
          chunk.map(({ feedId, item: it, options }) => ({
            feed_id: feedId,
            key: it.key,
            ...contentColumns(it),
            fetched_at: options.fetchedAt.getTime(),
            digest_from_excerpt: 0,
            processed: flag(options.alertKeys ? !options.alertKeys.has(it.key) : false),
          })),
        )
        .onConflict((oc) => oc.columns(['feed_id', 'key']).doNothing())
        .returning(['id', 'feed_id', 'key'])
        .execute();
      const ids = new Map(ins.map((r) => [`${Number(r.feed_id)} ${r.key}`, Number(r.id)]));
      for (const { feedId, item, result } of chunk) {
        const id = ids.get(`${feedId} ${item.key}`);
        if (id === undefined) result.unchanged++;
        else result.inserted.push(id);
      }
    }
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
 * keys, links or content hashes. One query per chunk of items: three lists of (feed_id, column) pairs, each
 * answered from its own index (SQLite: a multi-index OR).
 */
async function findExisting(trx: Kysely<Database>, writes: ReadonlyArray<{ feedId: number; items: readonly NewItem[] }>): Promise<Map<number, Existing[]>> {
  const byFeed = new Map<number, Map<number, Existing>>();
  const all = writes.flatMap((w) => w.items.map((it) => ({ feedId: w.feedId, it })));
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = all.slice(i, i + CHUNK);
    const pairs = (values: Array<[number, string]>) => [...new Map(values.map((v) => [`${v[0]} ${v[1]}`, v])).values()];
    const keys = pairs(chunk.map(({ feedId, it }) => [feedId, it.key]));
    const urls = pairs(chunk.filter(({ it }) => it.url).map(({ feedId, it }) => [feedId, it.url!]));
    const hashes = pairs(chunk.map(({ feedId, it }) => [feedId, it.contentHash]));
    const rows = await trx
      .selectFrom('items')
      .select(['id', 'feed_id', 'key', 'url', 'content_hash'])
      .where((eb) => {
        const within = (column: 'key' | 'url' | 'content_hash', list: Array<[number, string]>) => eb(eb.refTuple('feed_id', column), 'in', list.map(([f, v]) => eb.tuple(f, v)));
        return eb.or([within('key', keys), ...(urls.length ? [within('url', urls)] : []), within('content_hash', hashes)]);
      })
      .execute();
    for (const { feed_id, ...r } of rows) {
      const feedId = Number(feed_id);
      const known = byFeed.get(feedId) ?? new Map<number, Existing>();
      byFeed.set(feedId, known);
      known.set(Number(r.id), r);
    }
  }
  return new Map([...byFeed].map(([feedId, known]) => [feedId, [...known.values()].sort((a, b) => Number(a.id) - Number(b.id))]));
}
