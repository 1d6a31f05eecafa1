// A real SQLite database, damaged the way a disk or a careless copy damages one: pages inside a table
// overwritten with garbage while the header and the schema stay intact, so the file opens, answers a
// ping and lists its migrations, and only reading the damaged table (or an integrity check) shows it.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { openStorage } from '../../src/storage/index.ts';

/** Writes the damaged file into `dir`: one feed (https://wire.example/rss) and 200 items. Returns its path. */
export async function damagedDatabase(dir: string): Promise<string> {
  const file = path.join(dir, 'damaged.db');
  const storage = await openStorage(file);
  try {
    const feed = (await storage.feeds.add({ url: 'https://wire.example/rss', source: 'cli' })).feed;
    const items = Array.from({ length: 200 }, (_, i) => ({
      feedId: feed.id,
      key: `story-${i}`,
      guid: `story-${i}`,
      url: `https://wire.example/story-${i}`,
      title: `Story ${i}`,
      summary: 'A summary.',
      content: `story ${i} `.repeat(150),
      html: null,
      author: null,
      publishedAt: null,
      contentHash: `hash-${i}`,
    }));
    await storage.items.storeForFeed(feed.id, items, { fetchedAt: new Date() });
  } finally {
    await storage.close(); // checkpoints the WAL into the file
  }
  const pageSize = 4096;
  const pages = statSync(file).size / pageSize;
  if (pages < 40) throw new Error(`damaged-sqlite: expected a file of 40 pages or more, got ${pages}`);
  const fd = openSync(file, 'r+');
  try {
    // Pages well inside the items table (page 1 holds the header and schema and stays intact).
    for (const p of [Math.floor(pages / 2), Math.floor(pages / 2) + 1]) writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, p * pageSize);
  } finally {
    closeSync(fd);
  }
  return file;
}
