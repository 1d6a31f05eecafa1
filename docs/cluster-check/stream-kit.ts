// What the end-to-end experiments of docs/cluster-check share: the security items of news_items.jsonl in time
// order, one feed per outlet; the shipped clusterer's loop (clusterStream's) with a hook for a candidate rule;
// and the item pairs a clustering joins. The loop is checked against clusterStream with no hook. Stories carry no
// scorer decision here, so "shipped" means the text rules; the in-scope rule (session 29) is the hook of
// in-scope-experiment.ts with HOURS.
import { readFileSync } from 'node:fs';
import * as cl from '../../src/delivery/cluster.ts';

export interface Story extends cl.StoryText {
  id: string;
  src: string;
  at: Date;
  feedId: number;
}

/** The security items (cybernews-*) with a readable date, oldest first, each outlet a feed. */
export function loadStories(file: string): Story[] {
  interface Row { id: string; source: string; title: string | null; description: string | null; date: string | null }
  const sources = new Map<string, number>();
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row)
    .filter((o) => o.id.startsWith('cybernews-'))
    .map((o) => ({ id: o.id, src: o.source.replace(/^.*:/, ''), title: o.title ?? '', summary: o.description ?? '', at: new Date(o.date ?? '') }))
    .filter((s) => !Number.isNaN(s.at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1))
    .map((s) => ({ ...s, feedId: sources.get(s.src) ?? (sources.set(s.src, sources.size), sources.size - 1) }));
}

/**
 * A candidate's say on story `k` against a cluster whose first story is `first` (similarity `sim`, `counts` the
 * window's other stories): 'apart' vetoes the join, 'same' joins when the shipped rules do not, null leaves it to them.
 */
export type Hook = (k: number, first: number, sim: number, f: cl.Fingerprint, cf: cl.Fingerprint, counts: cl.WordCounts) => 'apart' | 'same' | null;

/** clusterStream's loop, each cluster remembering its first story, with `hook` (lowest: the least similarity it may join at). */
export function cluster(stories: readonly Story[], hook: Hook | null = null, lowest = 1): number[] {
  const opts = cl.DEFAULT_CLUSTER_OPTIONS;
  interface Live { id: number; first: number; f: cl.Fingerprint; lastItemAt: number; feedIds: number[] }
  let live: Live[] = [];
  const counts = new cl.WordCounts();
  const out: number[] = [];
  let nextId = 0;
  const floor = Math.min(cl.lowestSimilarity(opts), lowest);
  stories.forEach((s, k) => {
    const f: cl.Fingerprint = { sig: cl.minhash(cl.shingles(s, opts.summaryWords)), words: cl.storyWords(s, opts.summaryWords) };
    const at = s.at.getTime();
    if (live.some((c) => at - c.lastItemAt > opts.windowMs)) {
      live = live.filter((c) => {
        const keep = at - c.lastItemAt <= opts.windowMs;
        if (!keep) counts.remove(c.f.words!);
        return keep;
      });
    }
    let best: Live | null = null;
    let bestSim = 0;
    for (const c of live) {
      if (c.feedIds.includes(s.feedId)) continue;
      const sim = cl.similarity(f.sig, c.f.sig);
      if (sim <= bestSim || sim < floor) continue;
      counts.remove(c.f.words!);
      const say = hook ? hook(k, c.first, sim, f, c.f, counts) : null;
      const same = say === 'apart' ? false : cl.sameStory(sim, f.words, c.f.words, counts, opts) || say === 'same';
      counts.add(c.f.words!);
      if (!same) continue;
      best = c;
      bestSim = sim;
    }
    if (best) {
      best.feedIds.push(s.feedId);
      if (at > best.lastItemAt) best.lastItemAt = at;
      out.push(best.id);
    } else {
      const id = nextId++;
      live.push({ id, first: k, f, lastItemAt: at, feedIds: [s.feedId] });
      counts.add(f.words!);
      out.push(id);
    }
  });
  return out;
}

/** The shipped clustering, by the loop above, after checking it against clusterStream. */
export function shippedClusters(stories: readonly Story[]): number[] {
  const base = cluster(stories);
  const shipped = cl.clusterStream(stories);
  if (base.some((c, i) => c !== shipped[i])) throw new Error('the copy of the clusterer loop differs from clusterStream');
  return base;
}

/** The item pairs a clustering joins, as "idA idB" (A the earlier). */
export function pairs(stories: readonly Story[], ids: readonly number[]): Set<string> {
  const by = new Map<number, number[]>();
  ids.forEach((c, i) => by.set(c, [...(by.get(c) ?? []), i]));
  const out = new Set<string>();
  for (const m of by.values()) for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.add(`${stories[m[i]!]!.id} ${stories[m[j]!]!.id}`);
  return out;
}

/** Multi-item clusters of a clustering: how many, and the items in them. */
export function multi(ids: readonly number[]): { clusters: number; items: number } {
  const n = new Map<number, number>();
  ids.forEach((c) => n.set(c, (n.get(c) ?? 0) + 1));
  const sizes = [...n.values()].filter((x) => x > 1);
  return { clusters: sizes.length, items: sizes.reduce((x, y) => x + y, 0) };
}
