// Keeps the database small on a small machine. An old item keeps its dedupe identity (feed, key, guid,
// URL, title, content hash, dates, cluster, digest), so the poller still recognises it while it stays in
// its feed, but its bulky text (html, content, summary, article text) is emptied once nothing can still
// need it: it was processed, no alert of it is pending, being sent, held for a brief or waiting for an edit, and no analyst
// gave feedback on it (its text is what a refit with --with-feedback learns from). Old
// article-cache rows are deleted (a page is fetched again if it is ever needed). Work goes in batches so
// a first compaction of a large database never holds a long write lock.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Dialect } from './db.ts';
import type { Database } from './schema.ts';

export interface CompactOptions {
  /** Items fetched and cache rows written before this instant are compacted. */
  before: Date;
  /** Count what would be compacted; change nothing. */
  dryRun?: boolean;
  /** Rows per batch (default 500). */
  batchSize?: number;
}

export interface CompactResult {
  /** Items whose bulky text was emptied (or would be, with dryRun). */
  items: number;
  /** Article-cache rows deleted (or that would be). */
  articleCache: number;
}

type ItemsEb = ExpressionBuilder<Database, 'items'>;

export class CompactionRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** The conditions under which an item may lose its bulky columns (see the file comment). */
  private compactable(eb: ItemsEb, before: number) {
    return eb.and([
      eb('items.fetched_at', '<', before),
      eb('items.processed', '=', 1),
      eb.or([eb('items.html', 'is not', null), eb('items.article_text', 'is not', null), eb('items.content', '!=', ''), eb('items.summary', '!=', '')]),
      eb.not(
        eb.exists(
          eb
            .selectFrom('alerts')
            .select(sql<number>`1`.as('one'))
            .whereRef('alerts.item_id', '=', 'items.id')
            .where((a) => a.or([a('alerts.status', 'in', ['pending', 'sending', 'held']), a.and([a('alerts.status', '=', 'sent'), a('alerts.needs_update', '>', 0)])])),
        ),
      ),
      eb.not(eb.exists(eb.selectFrom('feedback').select(sql<number>`1`.as('one')).whereRef('feedback.item_id', '=', 'items.id'))),
    ]);
  }

  async compact(opts: CompactOptions): Promise<CompactResult> {
    const before = opts.before.getTime();
    const batch = Math.max(1, opts.batchSize ?? 500);
    if (opts.dryRun) {
      const items = await this.db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => this.compactable(eb, before))
        .executeTakeFirstOrThrow();
      const cache = await this.db
        .selectFrom('article_cache')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('fetched_at', '<', before)
        .executeTakeFirstOrThrow();
      return { items: Number(items.n), articleCache: Number(cache.n) };
    }
    let items = 0;
    for (;;) {
      const ids = await this.db
        .selectFrom('items')
        .select('id')
        .where((eb) => this.compactable(eb, before))
        .orderBy('id')
        .limit(batch)
        .execute();
      if (ids.length === 0) break;
      // The conditions are checked again in the update itself, so an alert queued in between wins.
      const r = await this.db
        .updateTable('items')
        .set({ html: null, content: '', summary: '', article_text: null })
        .where(
          'id',
          'in',
          ids.map((x) => Number(x.id)),
        )
        .where((eb) => this.compactable(eb, before))
        .executeTakeFirst();
      items += Number(r.numUpdatedRows);
      if (ids.length < batch) break;
    }
    let articleCache = 0;
    for (;;) {
      const urls = await this.db.selectFrom('article_cache').select('url').where('fetched_at', '<', before).limit(batch).execute();
      if (urls.length === 0) break;
      const r = await this.db
        .deleteFrom('article_cache')
        .where(
          'url',
          'in',
          urls.map((u) => u.url),
        )
        .where('fetched_at', '<', before)
        .executeTakeFirst();
      articleCache += Number(r.numDeletedRows);
      if (urls.length < batch) break;
    }
    // SQLite reuses the freed pages for new rows; on a database created with auto_vacuum = INCREMENTAL
    // this also hands them back to the file system. A no-op otherwise.
    if (this.dialect === 'sqlite' && items + articleCache > 0) await sql`pragma incremental_vacuum`.execute(this.db);
    return { items, articleCache };
  }
}
