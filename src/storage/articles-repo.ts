// Cache of extracted article text by URL, so a page is fetched once. A null text records "tried, nothing
// usable" so a bad page is not fetched again on every poll.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export class ArticlesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** `undefined`: never tried; `null`: tried, nothing usable; else the text. */
  async get(url: string): Promise<string | null | undefined> {
    const r = await this.db.selectFrom('article_cache').select('text').where('url', '=', url).executeTakeFirst();
    return r === undefined ? undefined : r.text;
  }

  async put(url: string, text: string | null, now = new Date()): Promise<void> {
    await this.db
      .insertInto('article_cache')
      .values({ url, text, fetched_at: now.getTime() })
      .onConflict((oc) => oc.column('url').doUpdateSet({ text, fetched_at: now.getTime() }))
      .execute();
  }
}
