// Migration 008: keywords stored before invisible format characters were refused are cleaned, on both
// databases. The rows are written as an older version wrote them, then the migration runs again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { forgetMigration, freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('migration 008 (keyword format characters) on $name', (database) => {
  let storage: Storage;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, url, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('removes invisible characters from stored keywords and drops those that then repeat one', async () => {
    const a = await storage.channels.upsert({ platform: 'slack', externalId: 'C1', workspaceId: 'T1', name: 'a' });
    const b = await storage.channels.upsert({ platform: 'discord', externalId: 'D1', workspaceId: 'G1', name: 'b' });
    const rows: Array<[number, string, boolean]> = [
      [a.id, 'espi\u200bonage', false], // cleaned to a new term
      [a.id, 'ransom\u2060ware', true], // cleaned, exclude kept
      [a.id, 'volt', false],
      [a.id, 'vo\u200dlt', false], // repeats "volt": dropped
      [a.id, '\u202estate hackers', false],
      [b.id, 'vo\ufefflt', false], // another channel: cleaned, not dropped
    ];
    for (const [channel, term, exclude] of rows) await storage.channels.addKeyword(channel, term, exclude, 'U1');

    await forgetMigration(url, '008_keyword_format_chars');
    expect(await storage.pending()).toEqual(['008_keyword_format_chars']);
    expect(await storage.migrate()).toEqual(['008_keyword_format_chars']);

    expect(await storage.channels.keywords(a.id)).toEqual([
      { channelId: a.id, term: 'espionage', exclude: false },
      { channelId: a.id, term: 'state hackers', exclude: false },
      { channelId: a.id, term: 'volt', exclude: false },
      { channelId: a.id, term: 'ransomware', exclude: true },
    ]);
    expect(await storage.channels.keywords(b.id)).toEqual([{ channelId: b.id, term: 'volt', exclude: false }]);
  });
});
