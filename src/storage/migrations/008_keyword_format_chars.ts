// Channel keywords may no longer hold invisible format characters (Unicode Cf: zero-width space and
// joiners, bidi marks and overrides, BOM...): /news keywords add refuses them, and feed text has them
// removed before matching. Keywords stored before that rule are brought under it: the characters are
// removed, and a keyword that then repeats one the channel already has is dropped. Data only; `down`
// cannot put the removed characters back and leaves the rows as they are.
import { sql, type Kysely, type Migration } from 'kysely';

const FORMAT = /\p{Cf}/u;

export function keywordFormatCharsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const { rows } = await sql<{ channel_id: number | string; term: string }>`select channel_id, term from channel_keywords order by channel_id, term`.execute(db);
      const terms = new Map<number, Set<string>>();
      for (const r of rows) {
        const id = Number(r.channel_id);
        if (!terms.has(id)) terms.set(id, new Set());
        if (!FORMAT.test(r.term)) terms.get(id)!.add(r.term);
      }
      for (const r of rows) {
        if (!FORMAT.test(r.term)) continue;
        const id = Number(r.channel_id);
        const clean = r.term.replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
        const kept = terms.get(id)!;
        if (clean === '' || kept.has(clean)) {
          await sql`delete from channel_keywords where channel_id = ${id} and term = ${r.term}`.execute(db);
        } else {
          await sql`update channel_keywords set term = ${clean} where channel_id = ${id} and term = ${r.term}`.execute(db);
          kept.add(clean);
        }
      }
    },
    async down() {
      // Nothing to undo.
    },
  };
}
