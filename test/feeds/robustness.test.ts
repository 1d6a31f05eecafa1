// Every file of the shared feed corpus (../shared/data/feeds, 321 real and test feeds) ends in items or a
// classified error, with no exception escaping; every real news capture parses with titles and links.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseFeed } from '../../src/feeds/normalise.ts';
import { parseFeed } from '../../src/feeds/parser.ts';
import { CyberbriefError } from '../../src/lib/errors.ts';

const ROOT = path.resolve(process.cwd(), '..', 'shared', 'data', 'feeds');
const present = existsSync(path.join(ROOT, 'MANIFEST.tsv'));
if (!present) console.log(`Feed corpus robustness tests skipped: ${ROOT}/MANIFEST.tsv not found.`);

const files = present
  ? readFileSync(path.join(ROOT, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!)
  : [];

/** The real news captures in sample-feeds: each folder's index.md names the original URL. */
function newsCaptures(): Array<{ title: string; url: string; file: string }> {
  const dir = path.join(ROOT, 'sample-feeds', 'content', 'real-world');
  const out = [];
  for (const h of readdirSync(dir)) {
    const d = path.join(dir, h);
    if (!statSync(d).isDirectory()) continue;
    const md = readFileSync(path.join(d, 'index.md'), 'utf8');
    const file = readdirSync(d).find((f) => f !== 'index.md');
    if (!file) continue;
    out.push({ title: /title: "([^"]*)"/.exec(md)?.[1] ?? h, url: /original: "([^"]*)"/.exec(md)?.[1] ?? 'https://example.invalid/', file: path.join(d, file) });
  }
  return out;
}

describe.skipIf(!present)('feed corpus robustness', () => {
  it('has the 321 files the manifest lists', () => {
    expect(files).toHaveLength(321);
  });

  it('every file yields items or a classified error, and no exception escapes', async () => {
    const tally = { withItems: 0, empty: 0, classified: 0 };
    const escaped: string[] = [];
    for (const f of files) {
      const feedUrl = 'https://feeds.example.com/feed';
      try {
        const parsed = await parseFeed(readFileSync(path.join(ROOT, f)), { url: f });
        const items = normaliseFeed(parsed, { feedId: 1, feedUrl });
        if (items.length) tally.withItems++;
        else tally.empty++;
        for (const it of items) expect(it.key).toMatch(/^[guh]:/);
      } catch (err) {
        if (err instanceof CyberbriefError && err.code === 'parse') tally.classified++;
        else escaped.push(`${f}: ${String(err)}`);
      }
    }
    console.log(`feed corpus: ${tally.withItems} with items, ${tally.empty} valid but empty, ${tally.classified} classified parse errors, of ${files.length}.`);
    expect(escaped).toEqual([]);
    expect(tally.withItems + tally.empty + tally.classified).toBe(files.length);
    expect(tally.withItems).toBeGreaterThanOrEqual(210);
  });

  it.each(present ? newsCaptures().map((c) => [c.title, c] as const) : [])('%s parses with titles and links', async (_title, c) => {
    const parsed = await parseFeed(readFileSync(c.file), { url: c.url });
    const items = normaliseFeed(parsed, { feedId: 1, feedUrl: c.url });
    expect(items.length).toBeGreaterThan(0);
    for (const it of items) {
      expect(it.title.trim()).not.toBe('');
      expect(it.url).toMatch(/^https?:\/\/[^/]+\//);
    }
  });
});
