import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clusterStream,
  contentWords,
  decodeFingerprint,
  decodeSignature,
  DEFAULT_CLUSTER_OPTIONS,
  encodeSignature,
  minhash,
  shingles,
  similarity,
  storySignature,
  storyWords,
  SIGNATURE_SIZE,
  WORDS_MAX,
} from '../../src/delivery/cluster.ts';
import { ClusterIndex, type RankedCluster } from '../../src/delivery/cluster-index.ts';
import type { FeedAudience } from '../../src/domain/tenancy.ts';

/** A cluster listed for an item: `feedIds` holds the item's feed when that feed already has an item in it. */
interface ClusterCandidate {
  id: number;
  signature: string;
  lastItemAt: Date;
  feedIds: readonly number[];
}
const GLOBAL: FeedAudience = { global: true, tenants: [] };

/** Places an item among `candidates` as the pipeline does: a ClusterIndex of them, the best its feed is not in. */
function findCluster(
  item: { signature: string; feedId: number; at: Date; inScope?: boolean },
  candidates: readonly (ClusterCandidate & { firstAt?: Date; firstInScope?: boolean })[],
  opts: { threshold: number; windowMs: number; minSharedRare?: number; minSharedSpecific?: number; scopeMinSpecific?: number },
): RankedCluster | null {
  const index = new ClusterIndex();
  index.setAudiences(new Map([[0, GLOBAL]]));
  for (const c of candidates) {
    index.enter({ id: c.id, signature: c.signature, lastItemAt: c.lastItemAt.getTime(), firstFeedId: 0, firstAt: (c.firstAt ?? c.lastItemAt).getTime(), firstInScope: c.firstInScope });
  }
  const own = new Set(candidates.filter((c) => c.feedIds.includes(item.feedId)).map((c) => c.id));
  return index.rank({ fingerprint: decodeFingerprint(item.signature), at: item.at.getTime(), audience: GLOBAL, inScope: item.inScope }, opts).find((r) => !own.has(r.clusterId)) ?? null;
}

const sig = (title: string, summary = '') => storySignature({ title, summary });
const sim = (a: string, b: string) => similarity(decodeSignature(sig(a)), decodeSignature(sig(b)));
const day = 24 * 3600_000;

describe('story shingles and signatures', () => {
  it('reduces text to content words: stopwords dropped, accents folded, plurals trimmed, U.S. joined', () => {
    expect(contentWords('The U.S. and China agree to hold talks on cyberespionage')).toEqual(['us', 'china', 'agree', 'hold', 'talk', 'cyberespionage']);
    expect(contentWords('Café hackers’ <b>attacks</b> on São Paulo')).toEqual(['cafe', 'hacker', 'attack', 'sao', 'paulo']);
  });

  it('reads past 200 KB of unclosed tags in linear time (the 10 s timeout catches a quadratic path)', () => {
    // An unclosed '<' no longer rescans to the end (200 KB of '<a' was quadratic).
    expect(contentWords(`Spies ${'<a'.repeat(100_000)} leave`, 5)).toEqual(['spy', 'leave']);
  }, 10_000);

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

  it('stores the MinHash signature and the hashed words, and still reads signatures stored without words', () => {
    const story = { title: 'Acme VPN flaw CVE-2026-4417 exploited', summary: 'Acme told customers to patch.' };
    const stored = storySignature(story);
    const [minhashPart, wordsPart] = stored.split('.');
    expect(minhashPart).toHaveLength(SIGNATURE_SIZE * 8);
    const f = decodeFingerprint(stored);
    expect(f.sig).toEqual(decodeSignature(stored));
    expect(f.words).toEqual(storyWords(story));
    expect(wordsPart).toHaveLength(f.words!.length * 8);
    // acme, vpn, flaw, cve, 2026, 4417, exploit, told, customer, patch: distinct, sorted.
    expect(f.words).toHaveLength(10);
    expect([...f.words!]).toEqual([...f.words!].sort((a, b) => a - b));
    expect(decodeFingerprint(minhashPart!)).toEqual({ sig: f.sig, words: null });
    expect(() => decodeFingerprint(`${minhashPart}.abc`)).toThrow(/cluster: the words of a signature/);
    const many = { title: Array.from({ length: 100 }, (_, i) => `word${i}x`).join(' '), summary: '' };
    expect(storyWords(many)).toHaveLength(WORDS_MAX);
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

describe('near misses: MinHash and the distinctive-word check together', () => {
  const at = new Date('2026-03-01T12:00:00Z');
  const opts = { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: 3 * 24 * 3600_000 };
  const join = (a: { title: string; summary?: string }, b: { title: string; summary?: string }, window: ClusterCandidate[] = [], minSharedRare?: number) =>
    findCluster(
      { signature: storySignature({ title: a.title, summary: a.summary ?? '' }), feedId: 2, at },
      [{ id: 1, signature: storySignature({ title: b.title, summary: b.summary ?? '' }), lastItemAt: at, feedIds: [1] }, ...window],
      { ...opts, ...(minSharedRare !== undefined ? { minSharedRare } : {}) },
    )?.clusterId === 1;

  const cases: { name: string; a: { title: string; summary?: string }; b: { title: string; summary?: string }; same: boolean }[] = [
    {
      name: 'two vendors\' patch days in one month (only the beat\'s words shared)',
      a: { title: 'SAP fixes critical flaws exploited in January attacks' },
      b: { title: 'Microsoft fixes critical flaws exploited in January attacks' },
      same: false,
    },
    {
      name: 'two breaches disclosed the same way',
      a: { title: 'Healthcare firm Brightmed discloses data breach affecting 2 million people' },
      b: { title: 'Retailer Shopwell discloses data breach affecting 2 million customers' },
      same: false,
    },
    {
      name: 'two ransomware attacks on different victims',
      a: { title: 'Ransomware attack hits hospital network, disrupting patient care' },
      b: { title: 'Ransomware attack hits city network, disrupting public services' },
      same: false,
    },
    {
      name: 'one story reworded by another outlet',
      a: { title: 'Regulator bans foreign-made routers over espionage fears' },
      b: { title: 'Foreign-made routers banned by regulator citing espionage risk' },
      same: true,
    },
    {
      name: 'one flaw, named by its CVE number in different words',
      a: { title: 'Attackers exploit Acme VPN flaw CVE-2026-4417', summary: 'Acme urged customers to patch the gateway flaw now.' },
      b: { title: 'Acme warns VPN gateway flaw CVE-2026-4417 is exploited', summary: 'Customers should patch now, Acme said.' },
      same: true,
    },
    {
      name: 'one patch day, headline and column',
      a: { title: 'Microsoft January Patch Tuesday fixes 114 flaws, 3 zero-days' },
      b: { title: 'Patch Tuesday, January edition: Microsoft fixes three zero-days' },
      same: true,
    },
  ];
  it.each(cases)('$name: same story = $same', ({ a, b, same }) => {
    expect(join(a, b)).toBe(same);
    // The pairs that must stay apart are the ones MinHash alone merges: only the new check separates them.
    if (!same) expect(join(a, b, [], 0)).toBe(true);
  });

  it('a vendor that fills the window is not distinctive: its two different stories stay apart', () => {
    const exchange = { title: 'Microsoft patches Exchange zero-day exploited in attacks' };
    const defender = { title: 'Microsoft patches Defender zero-day exploited in attacks' };
    const filler = (i: number, vendor: string): ClusterCandidate => ({
      id: 100 + i,
      signature: storySignature({ title: `${vendor} story number${i} about subject${i}`, summary: '' }),
      lastItemAt: at,
      feedIds: [3],
    });
    // A quiet window: "microsoft" is rare, so MinHash decides (and merges them; the fixed list cannot tell).
    const quiet = Array.from({ length: 24 }, (_, i) => filler(i, 'Globex'));
    expect(join(exchange, defender, quiet)).toBe(true);
    // A Patch Tuesday week: a third of the window is about Microsoft.
    const busy = Array.from({ length: 24 }, (_, i) => filler(i, i % 3 === 0 ? 'Microsoft' : 'Globex'));
    expect(join(exchange, defender, busy)).toBe(false);
    // The same story still joins in that week: it shares "exchange" and "cve".
    expect(join({ title: 'Microsoft patches Exchange zero-day CVE-2026-2100' }, { title: 'Exchange zero-day CVE-2026-2100 exploited, Microsoft patches it' }, busy)).toBe(true);
  });

  it('judges a cluster stored before words were kept by MinHash alone', () => {
    const a = storySignature({ title: 'SAP fixes critical flaws exploited in January attacks', summary: '' });
    const old = storySignature({ title: 'Microsoft fixes critical flaws exploited in January attacks', summary: '' }).split('.')[0]!;
    expect(findCluster({ signature: a, feedId: 2, at }, [{ id: 7, signature: old, lastItemAt: at, feedIds: [1] }], opts)?.clusterId).toBe(7);
  });
});

// Outlets tell one story in their own words, under the MinHash threshold; the looser rule joins them when they
// share several specific words (docs/cluster-check), and only when the window is large enough to tell which
// words are specific.
describe('the looser rule: a lower similarity and several specific words', () => {
  const at = new Date('2026-03-01T12:00:00Z');
  const opts = { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: 3 * day };
  // Similarity about 0.15; shared distinctive words: kestrel, nightjar, sign, kernel, driver.
  const a = { title: 'Kestrel group hides Nightjar backdoor with signed kernel driver', summary: 'A new sample of the Nightjar backdoor, typical of Kestrel espionage campaigns, was loaded by a kernel driver in attacks on ministries.' };
  const b = { title: 'Ostravian APT caught using kernel-mode rootkit', summary: 'The threat actor Kestrel uses a signed driver with two shellcodes to run its Nightjar backdoor.' };
  // Similarity about 0.11: under the loose threshold, though it shares kestrel and nightjar.
  const far = { title: 'Ostravian APT caught using Nightjar tooling', summary: 'Kestrel, researchers say, keeps at it.' };
  /**
   * `n` unrelated stories (one feed's, so they never join each other), the first `using` of which also use `words`;
   * long enough that sharing those words leaves them under the loose threshold with the pair.
   */
  const window = (n: number, using = 0, words = 'signed kernel driver') =>
    Array.from({ length: n }, (_, i) => ({ title: `Globex story number${i} about subject${i} in region${i} for client${i} and topic${i}${i < using ? ` ${words}` : ''}`, summary: '' }));
  const cases: { name: string; other: typeof a; window: (typeof a)[]; rule?: number; same: boolean }[] = [
    { name: 'five specific words shared, in a window of 24 stories', other: b, window: window(24), same: true },
    { name: 'the same pair with the looser rule off', other: b, window: window(24), rule: 0, same: false },
    { name: 'the same pair in a quiet window (word frequencies say too little)', other: b, window: window(5), same: false },
    { name: 'three of the words used by three other stories: two specific words left', other: b, window: window(24, 3), same: false },
    { name: 'three of the words used by two other stories: still specific', other: b, window: window(24, 2), same: true },
    { name: 'under the loose threshold', other: far, window: window(24), same: false },
  ];
  it('the pairs are where the cases say (similarity between the two thresholds, or under both)', () => {
    const s = (x: typeof a, y: typeof a) => similarity(decodeSignature(storySignature(x)), decodeSignature(storySignature(y)));
    expect(s(a, b)).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_OPTIONS.looseThreshold);
    expect(s(a, b)).toBeLessThan(DEFAULT_CLUSTER_OPTIONS.threshold);
    expect(s(a, far)).toBeLessThan(DEFAULT_CLUSTER_OPTIONS.looseThreshold);
  });
  it.each(cases)('$name: same story = $same', ({ other, window: w, rule, same }) => {
    const rules = rule !== undefined ? { minSharedSpecific: rule } : {};
    const candidates: ClusterCandidate[] = w.map((x, i) => ({ id: 100 + i, signature: storySignature(x), lastItemAt: at, feedIds: [3] }));
    const placed = findCluster({ signature: storySignature(a), feedId: 2, at }, [{ id: 1, signature: storySignature(other), lastItemAt: at, feedIds: [1] }, ...candidates], { ...opts, ...rules });
    expect(placed?.clusterId === 1).toBe(same);
    // clusterStream, the in-memory clusterer, decides the same.
    const ids = clusterStream([...w.map((x) => ({ ...x, feedId: 3, at })), { ...other, feedId: 1, at }, { ...a, feedId: 2, at }], { ...DEFAULT_CLUSTER_OPTIONS, ...rules });
    expect(ids.at(-1) === ids.at(-2)).toBe(same);
  });
});

// Between two stories the relevance scorer let in, a lower similarity and two specific words suffice when the
// story came within a day of the cluster's first one (docs/cluster-check, session 29).
describe('the in-scope rule: two stories in scope, within a day', () => {
  const at = new Date('2026-03-01T12:00:00Z');
  const h = (hours: number) => new Date(at.getTime() + hours * 3600_000);
  const opts = { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs: 3 * day };
  // Similarity about 0.10, under the loose threshold; three specific words shared (kestrel, nightjar, espionage).
  const a = { title: 'Kestrel group hides Nightjar backdoor with signed kernel driver', summary: 'A new sample of the Nightjar backdoor, typical of Kestrel espionage campaigns, was loaded by a kernel driver in attacks on ministries.' };
  const b = { title: 'Ostravian APT caught using Nightjar tooling', summary: 'Kestrel espionage, researchers say, keeps at it.' };
  // Similarity about 0.13, but only kestrel in common.
  const c = { title: 'Kestrel group caught using new tooling', summary: 'Researchers say the group keeps at it.' };
  const window = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `Globex story number${i} about subject${i} in region${i} for client${i} and topic${i}`, summary: '' }));
  const cases: { name: string; other?: typeof a; first?: boolean; story?: boolean; hours?: number; window?: number; rule?: number; same: boolean }[] = [
    { name: 'both in scope, 20 hours apart', hours: 20, same: true },
    { name: 'both in scope, the story 20 hours before the first one', hours: -20, same: true },
    { name: 'both in scope, exactly a day apart', hours: 24, same: true },
    { name: 'both in scope, 25 hours apart', hours: 25, same: false },
    { name: 'the cluster\'s first story out of scope', first: false, same: false },
    { name: 'the story out of scope', story: false, same: false },
    { name: 'one specific word shared', other: c, same: false },
    { name: 'a quiet window (word frequencies say too little)', window: 5, same: false },
    { name: 'the rule off', rule: 0, same: false },
  ];
  it('the pairs are where the cases say (under the loose threshold or short of its words, over the in-scope one)', () => {
    const s = (x: typeof a, y: typeof a) => similarity(decodeSignature(storySignature(x)), decodeSignature(storySignature(y)));
    expect(s(a, b)).toBeLessThan(DEFAULT_CLUSTER_OPTIONS.looseThreshold);
    expect(s(a, b)).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_OPTIONS.scopeThreshold);
    expect(s(a, c)).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_OPTIONS.scopeThreshold);
    expect(s(a, c)).toBeLessThan(DEFAULT_CLUSTER_OPTIONS.threshold);
  });
  it.each(cases)('$name: same story = $same', ({ other = b, first = true, story = true, hours = 1, window: n = 24, rule, same }) => {
    const rules = rule !== undefined ? { scopeMinSpecific: rule } : {};
    const w = window(n);
    const candidates: ClusterCandidate[] = w.map((x, i) => ({ id: 100 + i, signature: storySignature(x), lastItemAt: at, feedIds: [3] }));
    const placed = findCluster(
      { signature: storySignature(a), feedId: 2, at: h(hours), inScope: story },
      [{ id: 1, signature: storySignature(other), lastItemAt: at, feedIds: [1], firstInScope: first }, ...candidates],
      { ...opts, ...rules },
    );
    expect(placed?.clusterId === 1).toBe(same);
    // clusterStream, the in-memory clusterer, decides the same.
    const stream = [...w.map((x) => ({ ...x, feedId: 3, at })), { ...other, feedId: 1, at, inScope: first }, { ...a, feedId: 2, at: h(hours), inScope: story }].sort((x, y) => x.at.getTime() - y.at.getTime());
    const ids = clusterStream(stream, { ...DEFAULT_CLUSTER_OPTIONS, ...rules });
    const [ia, ib] = [stream.findIndex((x) => x.feedId === 2), stream.findIndex((x) => x.feedId === 1)];
    expect(ids[ia] === ids[ib]).toBe(same);
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

  // Edge cases of the window and of ties; the answer must not depend on the order storage lists clusters in.
  const storyOnly = story.slice(0, story.indexOf('.'));
  const inWindow = (id: number, signature = story, feedIds = [1]): ClusterCandidate => ({ id, signature, lastItemAt: at, feedIds });
  it.each<{ name: string; signature?: string; candidates: ClusterCandidate[]; want: number | null }>([
    { name: 'no candidates at all', candidates: [], want: null },
    { name: 'an empty window (every candidate too old or too new)', candidates: [{ ...inWindow(3), lastItemAt: new Date(at.getTime() - 4 * day) }, { ...inWindow(4), lastItemAt: new Date(at.getTime() + 4 * day) }], want: null },
    { name: 'equal scores: the lower id, listed second', candidates: [inWindow(9), inWindow(5)], want: 5 },
    { name: 'equal scores: the lower id, listed first', candidates: [inWindow(5), inWindow(9)], want: 5 },
    { name: 'equal scores, the lower id holds the same feed: the other', candidates: [inWindow(5, story, [2]), inWindow(9)], want: 9 },
    { name: 'the same cluster listed twice', candidates: [inWindow(6), inWindow(6)], want: 6 },
    { name: 'a cluster stored without words (MinHash alone) ties with one with words', candidates: [inWindow(8), inWindow(7, storyOnly)], want: 7 },
    { name: 'an item fingerprinted without words', signature: same.slice(0, same.indexOf('.')), candidates: [inWindow(12), inWindow(11, storyOnly)], want: 11 },
  ])('$name -> $want', ({ signature, candidates, want }) => {
    expect(findCluster({ signature: signature ?? same, feedId: 2, at }, candidates, opts)?.clusterId ?? null).toBe(want);
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
    // The distinctive-word check only vetoes merges carried by the beat's common words: with the feeds'
    // descriptions, it keeps nearly every multi-item cluster MinHash alone forms; with titles only (short
    // texts, where those words weigh most) it changes a few, printed for review. Both sides without the looser
    // rule, which needs words.
    const key = (g: number[]) => g.join(',');
    const multiOf = (list: number[]) => {
      const m = new Map<number, number[]>();
      list.forEach((c, i) => m.set(c, [...(m.get(c) ?? []), i]));
      return [...m.values()].filter((g) => g.length > 1);
    };
    const strict = { ...DEFAULT_CLUSTER_OPTIONS, minSharedSpecific: 0 };
    const checked = multiOf(clusterStream(stories, strict));
    const plain = multiOf(clusterStream(stories, { ...strict, minSharedRare: 0 }));
    const kept = new Set(checked.map(key));
    const keptShare = plain.filter((g) => kept.has(key(g))).length / plain.length;
    console.log(`distinctive-word check: ${checked.length} multi-item clusters with it, ${plain.length} without; ${(keptShare * 100).toFixed(1)}% of those kept unchanged`);
    expect(keptShare).toBeGreaterThanOrEqual(0.95);
    // The looser rule gathers coverage told in other words: more items in multi-item clusters than the strict
    // rule alone (docs/cluster-check: 926 to 2,064 items here; 36 of 40 changed groups read were one story).
    console.log(`looser rule: ${multi.length} multi-item clusters (${multi.flat().length} items), ${checked.length} (${checked.flat().length} items) without it`);
    expect(multi.flat().length).toBeGreaterThan(checked.flat().length * 1.5);
    const titles = stories.map((st) => ({ ...st, summary: '' }));
    const tWith = multiOf(clusterStream(titles, strict));
    const tWithout = multiOf(clusterStream(titles, { ...strict, minSharedRare: 0 }));
    const tWithKeys = new Set(tWith.map(key));
    const tWithoutKeys = new Set(tWithout.map(key));
    const show = (g: number[]) => g.map((i) => stories[i]!.title).join(' || ');
    console.log(`titles only: ${tWith.length} multi-item clusters with the check, ${tWithout.length} without`);
    for (const g of tWithout.filter((x) => !tWithKeys.has(key(x)))) console.log(`  split by the check: ${show(g)}`);
    for (const g of tWith.filter((x) => !tWithoutKeys.has(key(x)))) console.log(`  formed instead: ${show(g)}`);
    expect(groups.size).toBeGreaterThan(stories.length * 0.9);
  }, 120_000);
});

// The pipeline places each item through the ClusterIndex it keeps (clusters enter when made, move when
// joined); clusterStream is a separate, incremental implementation of the same rules. Placing a stream item
// by item that way must give clusterStream's clusters.
function placeOneByOne(stories: readonly { title: string; summary: string; feedId: number; at: Date; inScope?: boolean }[]): number[] {
  const clusters: { id: number; feedIds: Set<number> }[] = [];
  const windowMs = DEFAULT_CLUSTER_OPTIONS.windowMs;
  const index = new ClusterIndex();
  index.setAudiences(new Map([[0, GLOBAL]]));
  return stories.map((s) => {
    const signature = sig(s.title, s.summary);
    const ranked = index.rank({ fingerprint: decodeFingerprint(signature), at: s.at.getTime(), audience: GLOBAL, inScope: s.inScope }, { threshold: DEFAULT_CLUSTER_OPTIONS.threshold, windowMs });
    const choice = ranked.find((r) => !clusters[r.clusterId]!.feedIds.has(s.feedId));
    if (!choice) {
      clusters.push({ id: clusters.length, feedIds: new Set([s.feedId]) });
      index.enter({ id: clusters.length - 1, signature, lastItemAt: s.at.getTime(), firstFeedId: 0, firstAt: s.at.getTime(), firstInScope: s.inScope });
      return clusters.length - 1;
    }
    const c = clusters[choice.clusterId]!;
    c.feedIds.add(s.feedId);
    index.touch(c.id, s.at.getTime());
    return c.id;
  });
}

describe('the cluster index against clusterStream', () => {
  it('places a dense synthetic stream (thousands of stories in one window) the same way', () => {
    // Stories drawn from a few hundred words, many sharing a named company, a product and a CVE number, so
    // that MinHash, the distinctive-word check and the window's word counts all decide some placements.
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const names = Array.from({ length: 60 }, (_, i) => `Vendor${String.fromCharCode(97 + (i % 26))}${i}`);
    const things = ['router', 'gateway', 'firewall', 'vpn', 'mail server', 'browser', 'hypervisor', 'database', 'phone', 'printer'];
    const verbs = ['patches', 'warns of', 'confirms', 'investigates', 'discloses'];
    const extra = ['critical', 'flaw', 'exploited', 'attack', 'hackers', 'state', 'espionage', 'campaign', 'ministry', 'energy'];
    const t0 = new Date('2026-03-01T00:00:00Z').getTime();
    const stories = Array.from({ length: 2500 }, (_, i) => {
      const name = pick(names);
      const cve = `CVE-2026-${1000 + Math.floor(rand() * 40)}`;
      const title = `${name} ${pick(verbs)} ${pick(things)} ${pick(extra)} ${cve}`;
      const summary = Array.from({ length: 8 }, () => pick(extra)).join(' ') + ` ${pick(things)} ${name}`;
      return { title, summary, feedId: Math.floor(rand() * 40), at: new Date(t0 + i * 60_000) };
    });
    const expected = clusterStream(stories);
    expect(new Set(expected).size).toBeLessThan(stories.length * 0.9); // many stories join others
    expect(placeOneByOne(stories)).toEqual(expected);
  });
});

describe.skipIf(!haveData)('the cluster index against clusterStream over shared/data/news_items.jsonl', () => {
  it('places the security-news items (2025-26, dense in time) the same way', () => {
    interface Row { id: string; source: string; title: string | null; description: string | null; date: string | null }
    const rows = readFileSync(DATA, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row).filter((r) => r.id.startsWith('cybernews-'));
    const feeds = new Map<string, number>();
    const stories = rows
      .map((r) => {
        if (!feeds.has(r.source)) feeds.set(r.source, feeds.size);
        const d = new Date(r.date ?? '');
        return { title: r.title ?? '', summary: r.description ?? '', feedId: feeds.get(r.source)!, at: Number.isNaN(d.getTime()) ? new Date(0) : d };
      })
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const expected = clusterStream(stories);
    expect(new Set(expected).size).toBeLessThan(stories.length);
    expect(placeOneByOne(stories)).toEqual(expected);
    // With about a third of the stories in scope (chosen by a seeded draw: the comparison, not the scorer, is
    // under test), the in-scope rule decides some placements, and both decide them alike.
    let seed = 29;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const scoped = stories.map((s) => ({ ...s, inScope: rand() < 0.35 }));
    const expectedScoped = clusterStream(scoped);
    expect(expectedScoped.filter((c, i) => c !== expected[i]).length).toBeGreaterThan(0);
    expect(placeOneByOne(scoped)).toEqual(expectedScoped);
  }, 120_000);
});
