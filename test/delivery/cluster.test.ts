import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clusterStream,
  contentWords,
  decodeSignature,
  DEFAULT_CLUSTER_OPTIONS,
  encodeSignature,
  findCluster,
  minhash,
  shingles,
  similarity,
  storySignature,
  SIGNATURE_SIZE,
} from '../../src/delivery/cluster.ts';

const sig = (title: string, summary = '') => storySignature({ title, summary });
const sim = (a: string, b: string) => similarity(decodeSignature(sig(a)), decodeSignature(sig(b)));
const day = 24 * 3600_000;

describe('story shingles and signatures', () => {
  it('reduces text to content words: stopwords dropped, accents folded, plurals trimmed, U.S. joined', () => {
    expect(contentWords('The U.S. and China agree to hold talks on cyberespionage')).toEqual(['us', 'china', 'agree', 'hold', 'talk', 'cyberespionage']);
    expect(contentWords('Café hackers’ <b>attacks</b> on São Paulo')).toEqual(['cafe', 'hacker', 'attack', 'sao', 'paulo']);
  });

  it('adds title bigrams to the unigrams', () => {
    const s = shingles({ title: 'Routers banned', summary: 'The regulator banned routers.' });
    expect([...s].sort()).toEqual(['bann', 'regulator', 'router', 'router bann'].sort());
  });

  it('round-trips a signature through hex', () => {
    const raw = minhash(new Set(['alpha', 'beta']));
    const hex = encodeSignature(raw);
    expect(hex).toHaveLength(SIGNATURE_SIZE * 8);
    expect(decodeSignature(hex)).toEqual(raw);
    expect(() => decodeSignature('abc')).toThrow(/cluster: signature must be/);
  });

  const cases: { name: string; a: string; b: string; same: boolean }[] = [
    { name: 'identical titles', a: 'Regulator bans foreign-made routers over espionage fears', b: 'Regulator bans foreign-made routers over espionage fears', same: true },
    { name: 'reworded headline of one story', a: 'Regulator bans new foreign-made routers over espionage risk', b: 'New foreign-made routers banned by regulator citing espionage risk', same: true },
    { name: 'different stories', a: 'Regulator bans new foreign-made routers over espionage risk', b: 'Hospital chain discloses ransomware attack affecting patients', same: false },
    { name: 'stories sharing one name only', a: 'Microsoft patches Office zero-day', b: 'Microsoft reports record cloud revenue', same: false },
  ];
  it.each(cases)('$name', ({ a, b, same }) => {
    const s = sim(a, b);
    if (same) expect(s).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_OPTIONS.threshold);
    else expect(s).toBeLessThan(DEFAULT_CLUSTER_OPTIONS.threshold);
  });

  it('never calls two empty stories the same', () => {
    expect(sim('', '')).toBe(0);
  });
});

describe('findCluster', () => {
  const at = new Date('2026-03-01T12:00:00Z');
  const story = sig('Regulator bans new foreign-made routers over espionage risk', 'The regulator said the routers pose a national security risk.');
  const same = sig('New foreign-made routers banned by regulator citing espionage risk', 'Routers made abroad pose a security risk, the regulator said.');
  const other = sig('Hospital chain discloses ransomware attack affecting patients');
  const opts = { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: 3 * day };

  it('joins the most similar recent cluster from another feed', () => {
    const choice = findCluster({ signature: same, feedId: 2, at }, [
      { id: 1, signature: other, lastItemAt: at, feedIds: [1] },
      { id: 2, signature: story, lastItemAt: new Date(at.getTime() - day), feedIds: [1] },
    ], opts);
    expect(choice?.clusterId).toBe(2);
    expect(choice!.similarity).toBeGreaterThanOrEqual(opts.threshold);
  });

  it('ignores clusters outside the window and clusters that already hold the same feed', () => {
    expect(findCluster({ signature: same, feedId: 2, at }, [{ id: 2, signature: story, lastItemAt: new Date(at.getTime() - 4 * day), feedIds: [1] }], opts)).toBeNull();
    expect(findCluster({ signature: same, feedId: 1, at }, [{ id: 2, signature: story, lastItemAt: at, feedIds: [1] }], opts)).toBeNull();
  });

  it('clusterStream groups a stream the same way', () => {
    const t = (h: number) => new Date(at.getTime() + h * 3600_000);
    const ids = clusterStream([
      { title: 'Regulator bans new foreign-made routers over espionage risk', summary: '', feedId: 1, at: t(0) },
      { title: 'Hospital chain discloses ransomware attack affecting patients', summary: '', feedId: 1, at: t(1) },
      { title: 'New foreign-made routers banned by regulator citing espionage risk', summary: '', feedId: 2, at: t(2) },
      { title: 'Regulator bans new foreign-made routers over espionage risk', summary: '', feedId: 3, at: t(24 * 5) },
    ]);
    expect(ids[2]).toBe(ids[0]);
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[3]).not.toBe(ids[0]);
  });
});

// Measurement over the real news items: how many clusters form, with a sample. Feeds are the items'
// sources; times their dates; the window and threshold are the defaults.
const DATA = path.resolve(process.cwd(), '..', 'shared', 'data', 'news_items.jsonl');
const haveData = existsSync(DATA);
if (!haveData) console.log(`cluster measurement skipped: ${DATA} is absent`);

describe.skipIf(!haveData)('clusters over shared/data/news_items.jsonl', () => {
  it('forms multi-feed clusters of one story each', () => {
    interface Row { source: string; title: string | null; description: string | null; date: string | null }
    const rows = readFileSync(DATA, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
    const feeds = new Map<string, number>();
    const stories = rows
      .map((r) => {
        if (!feeds.has(r.source)) feeds.set(r.source, feeds.size);
        const d = new Date(r.date ?? '');
        return { title: r.title ?? '', summary: r.description ?? '', feedId: feeds.get(r.source)!, at: Number.isNaN(d.getTime()) ? new Date(0) : d, source: r.source };
      })
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const ids = clusterStream(stories);
    const groups = new Map<number, number[]>();
    ids.forEach((c, i) => groups.set(c, [...(groups.get(c) ?? []), i]));
    const multi = [...groups.values()].filter((g) => g.length > 1);
    console.log(`clusters: ${stories.length} items -> ${groups.size} clusters, ${multi.length} with more than one item (largest ${Math.max(...multi.map((g) => g.length))})`);
    const step = Math.max(1, Math.floor(multi.length / 5));
    for (const g of multi.filter((_, i) => i % step === 0).slice(0, 5)) {
      console.log(`cluster of ${g.length}:\n${g.map((i) => `  [${stories[i]!.source.replace(/^.*:/, '')}] ${stories[i]!.title}`).join('\n')}`);
    }
    expect(multi.length).toBeGreaterThan(0);
    // A cluster never holds two items of one feed, and all its items fall in one window.
    for (const g of multi) {
      expect(new Set(g.map((i) => stories[i]!.feedId)).size).toBe(g.length);
    }
    expect(groups.size).toBeGreaterThan(stories.length * 0.9);
  });
});
