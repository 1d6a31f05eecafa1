// The evaluation data beside the project (../shared/data) as the matching quality tests read it, and the
// settings that load the shipped relevance model. Tests that use the data skip, saying so, when it is absent.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseItemLine, type ItemLine } from '../../src/matching/index.ts';

const ROOT = process.cwd();
export const SHARED_DATA = path.resolve(ROOT, '..', 'shared', 'data');
export const NEWS_ITEMS = path.join(SHARED_DATA, 'news_items.jsonl');

/** The items of news_items.jsonl that `keep` accepts, in file order. */
export function readNewsItems(keep: (item: ItemLine) => boolean): ItemLine[] {
  return readFileSync(NEWS_ITEMS, 'utf8')
    .split('\n')
    .map((line, i) => (line.trim() === '' ? null : parseItemLine(line, `news_items.jsonl:${i + 1}`)))
    .filter((x): x is ItemLine => x !== null && keep(x));
}

/** Relevance settings for the shipped model and threat-actor list, with the scorer asked for. */
export const shippedRelevance = (scorer: 'model' | 'rules') => ({
  scorer,
  model_file: path.join(ROOT, 'config', 'relevance-model.json'),
  actors_file: path.join(ROOT, 'config', 'threat-actors.jsonl'),
});
