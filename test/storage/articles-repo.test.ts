import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { freshStorage, notePostgresSkip, testDatabases } from '../helpers/databases.ts';

notePostgresSkip();

describe.each(testDatabases)('ArticlesRepo on $name', (database) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ storage, cleanup } = await freshStorage(database));
  });
  afterEach(async () => cleanup());

  it('tells never-tried, tried-and-empty and cached text apart, and replaces on put', async () => {
    const url = 'https://news.example/a';
    expect(await storage.articles.get(url)).toBeUndefined();
    await storage.articles.put(url, null);
    expect(await storage.articles.get(url)).toBeNull();
    await storage.articles.put(url, 'The full text.');
    expect(await storage.articles.get(url)).toBe('The full text.');
    expect(await storage.articles.get('https://news.example/b')).toBeUndefined();
  });
});
