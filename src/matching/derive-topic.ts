// derive-topics: proposes a topic from reference documents. Candidate words and phrases (1-3 words) are
// ranked by TF-IDF against a background (a JSONL corpus, or a built-in list of common English words), and
// the best become weighted terms in YAML a user can edit.
import type { Topic, WeightedTerm } from '../domain/types.ts';
import { COMMON_WORDS, STOP_WORDS } from './stopwords.ts';
import { tokenize, type SimpleToken } from './text.ts';

export interface Background {
  /** What it was built from, for the YAML comments. */
  label: string;
  /** Inverse document frequency of a candidate (key: stems joined by spaces). */
  idf(key: string, words: readonly string[]): number;
}

export interface DeriveOptions {
  id?: string;
  name?: string;
  description?: string;
  background?: Background;
  /** How many terms to propose (default 20). */
  maxTerms?: number;
}

export interface DerivedTerm extends WeightedTerm {
  /** Occurrences across the documents (titles count twice) and in how many documents. */
  count: number;
  docs: number;
  score: number;
}

export interface DerivedTopic {
  topic: Topic;
  terms: DerivedTerm[];
  background: string;
  /** Paragraphs dropped as boilerplate (repeated in several documents, or bylines). */
  droppedParagraphs: number;
}

const MAX_N = 3;

function keyOf(tokens: readonly SimpleToken[]): string {
  return tokens.map((t) => t.stem).join(' ');
}

function isContentWord(t: SimpleToken): boolean {
  return t.lower.length >= 2 && /[a-z]/.test(t.lower) && !STOP_WORDS.has(t.lower);
}

/** Every candidate n-gram (1..3 words) of a token run: edges are content words, a middle "of"/"and" is allowed. */
function* candidates(tokens: readonly SimpleToken[]): Generator<SimpleToken[]> {
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i];
    if (!first || !isContentWord(first)) continue;
    for (let n = 1; n <= MAX_N && i + n <= tokens.length; n++) {
      const gram = tokens.slice(i, i + n);
      const last = gram[gram.length - 1];
      if (!last || !isContentWord(last)) continue;
      const middleOk = gram.slice(1, -1).every((t) => isContentWord(t) || t.lower === 'of' || t.lower === 'and');
      if (middleOk) yield gram;
    }
  }
}

/** Background from a corpus of short texts (e.g. titles + descriptions of news items). */
export function buildBackground(texts: Iterable<string>, label: string): Background {
  const df = new Map<string, number>();
  let n = 0;
  for (const text of texts) {
    n++;
    const seen = new Set<string>();
    for (const gram of candidates(tokenize(text))) seen.add(keyOf(gram));
    for (const k of seen) df.set(k, (df.get(k) ?? 0) + 1);
  }
  return {
    label,
    idf: (key) => Math.log((n + 1) / ((df.get(key) ?? 0) + 1)) + 1,
  };
}

/** Background from the built-in lists: common news words weigh less; every other word counts as rare. */
export function builtinBackground(): Background {
  const wordIdf = (w: string) => (STOP_WORDS.has(w) ? 0.1 : COMMON_WORDS.has(w) ? 1 : 4);
  return {
    label: 'the built-in list of common English news words (no background corpus given)',
    idf: (_key, words) => words.reduce((s, w) => s + wordIdf(w), 0) / Math.max(1, words.length) + (words.length > 1 ? 0.5 : 0),
  };
}

function paragraphs(doc: string): string[] {
  return doc
    .split(/\r?\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '');
}

/** Word 5-gram shingles of a paragraph, to find near-identical paragraphs (bylines, author bios). */
function shingles(p: string): string[] {
  const words = tokenize(p).map((t) => t.lower);
  const out = new Set<string>();
  for (let i = 0; i + 5 <= words.length; i++) out.add(words.slice(i, i + 5).join(' '));
  return [...out];
}

/** Proposes a topic from `docs` (plain text, first line taken as the title). */
export function deriveTopicDetailed(docs: readonly string[], opts: DeriveOptions = {}): DerivedTopic {
  const background = opts.background ?? builtinBackground();
  const maxTerms = opts.maxTerms ?? 20;
  // Boilerplate: paragraphs mostly repeated in another document (bylines, author bios), and short lines
  // other than the title (datelines, "2 min read").
  const perDoc = docs.map(paragraphs);
  const shingleDocs = new Map<string, Set<number>>();
  const shinglesOf = perDoc.map((ps, d) =>
    ps.map((p) => {
      const sh = shingles(p);
      for (const x of sh) {
        let set = shingleDocs.get(x);
        if (!set) shingleDocs.set(x, (set = new Set()));
        set.add(d);
      }
      return sh;
    }),
  );
  let dropped = 0;
  const stats = new Map<
    string,
    { count: number; docs: Set<number>; perDoc: Map<number, number>; forms: Map<string, number>; words: string[] }
  >();
  perDoc.forEach((ps, d) => {
    ps.forEach((p, i) => {
      const tokens = tokenize(p);
      const sh = shinglesOf[d]?.[i] ?? [];
      const shared = sh.filter((x) => (shingleDocs.get(x)?.size ?? 0) > 1).length;
      const repeated = docs.length > 1 && i > 0 && sh.length > 0 && shared / sh.length >= 0.5;
      if (repeated || (i > 0 && tokens.length < 6)) {
        dropped++;
        return;
      }
      const factor = i === 0 ? 2 : 1;
      // Phrases never span punctuation: "Secretary of State John Kerry, ..." gives no "State John".
      for (const clause of p.split(/[.,;:!?()[\]"\u201c\u201d\u2014\u2013]+/)) {
        for (const gram of candidates(tokenize(clause))) {
          const key = keyOf(gram);
          let s = stats.get(key);
          if (!s) {
            s = { count: 0, docs: new Set(), perDoc: new Map(), forms: new Map(), words: gram.map((t) => t.lower) };
            stats.set(key, s);
          }
          s.count += factor;
          s.docs.add(d);
          s.perDoc.set(d, (s.perDoc.get(d) ?? 0) + factor);
          const form = gram.map((t) => t.form).join(' ');
          s.forms.set(form, (s.forms.get(form) ?? 0) + 1);
        }
      }
    });
  });

  const scored: DerivedTerm[] = [];
  for (const [key, s] of stats) {
    // A key phrase recurs within a document (or sits in its title); once per document is incidental.
    if (Math.max(...s.perDoc.values()) < 2) continue;
    const n = s.words.length;
    const idf = background.idf(key, s.words);
    const coverage = 1 + (s.docs.size - 1) / Math.max(1, docs.length - 1);
    const form = [...s.forms].sort((a, b) => b[1] - a[1])[0]?.[0] ?? key;
    // Capitalised phrases are mostly names of people and papers: proposed, but lower.
    const names = n > 1 && form.split(' ').every((w) => /^[A-Z]/.test(w)) ? 0.6 : 1;
    const score = (1 + Math.log(s.count)) * idf * coverage * (1 + 0.3 * (n - 1)) * names;
    scored.push({ term: form, weight: 0, count: s.count, docs: s.docs.size, score });
  }
  scored.sort((a, b) => b.score - a.score || a.term.localeCompare(b.term));

  // Keep the best, skipping a candidate contained in (or containing) one already kept with a similar count.
  const chosen: DerivedTerm[] = [];
  for (const c of scored) {
    if (chosen.length >= maxTerms) break;
    const lc = ` ${c.term.toLowerCase()} `;
    const overlaps = chosen.some((k) => {
      const lk = ` ${k.term.toLowerCase()} `;
      return (lk.includes(lc) || lc.includes(lk)) && c.count <= k.count * 1.5;
    });
    if (!overlaps) chosen.push(c);
  }
  const top = chosen[0]?.score ?? 1;
  for (const c of chosen) c.weight = Math.max(1, Math.round((1 + (4 * c.score) / top) * 2) / 2);
  const weights = chosen.map((c) => c.weight).sort((a, b) => a - b);
  const median = weights[Math.floor(weights.length / 2)] ?? 1;
  // Suggested threshold: about two typical terms in a description (field weight 2).
  const threshold = Math.round(2 * 2 * median);
  const firstTitle = perDoc[0]?.[0] ?? 'Derived topic';
  const topic: Topic = {
    id: opts.id ?? 'derived-topic',
    name: opts.name ?? firstTitle.slice(0, 100),
    description: opts.description ?? `Proposed from ${docs.length} reference document(s); edit before use.`,
    terms: chosen.map((c) => ({ term: c.term, weight: c.weight })),
    threshold,
  };
  return { topic, terms: chosen, background: background.label, droppedParagraphs: dropped };
}

export function deriveTopic(docs: readonly string[], opts: DeriveOptions = {}): Topic {
  return deriveTopicDetailed(docs, opts).topic;
}

/** YAML for config/topics.yaml, with comments saying how it was derived. */
export function renderDerivedTopicYaml(derived: DerivedTopic, sources: readonly string[]): string {
  const q = (s: string) => JSON.stringify(s);
  const t = derived.topic;
  const lines = [
    '# Proposed by `cyberbrief derive-topics` from:',
    ...sources.map((s) => `#   - ${s}`),
    `# Candidates (words and 2-3 word phrases) ranked by TF-IDF against ${derived.background}.`,
    `# ${derived.droppedParagraphs} paragraph(s) were skipped as boilerplate (repeated across documents, or bylines).`,
    '# Weights are scaled 1-5; the threshold asks for about two typical terms in a description.',
    '# Edit before use: drop names and one-off words, add synonyms and spellings for other countries and',
    '# years, and add groups (all_of) to require, say, a state angle together with a cyber one.',
    'topics:',
    `  - id: ${t.id}`,
    `    name: ${q(t.name)}`,
    `    description: ${q(t.description)}`,
    `    threshold: ${t.threshold}`,
    '    terms:',
    ...derived.terms.map(
      (d) => `      - { term: ${q(d.term)}, weight: ${d.weight} }  # ${d.count}x in ${d.docs}/${sources.length || 1} document(s)`,
    ),
  ];
  return lines.join('\n') + '\n';
}

/** YAML for any topics, in the layout of config/topics.yaml; `header` lines become comments. */
export function renderTopicsYaml(topics: readonly Topic[], header: readonly string[] = []): string {
  const q = (s: string) => JSON.stringify(s);
  const opts = (x: { case?: string; notBeforeTarget?: true }) => `${x.case ? `, case: ${x.case}` : ''}${x.notBeforeTarget ? ', not_before_target: true' : ''}`;
  const entry = (g: string | { term: string; case?: string; notBeforeTarget?: true }) => (typeof g === 'string' ? q(g) : `{ term: ${q(g.term)}${opts(g)} }`);
  const lines = [...header.map((h) => `# ${h}`.trimEnd()), 'topics:'];
  for (const t of topics) {
    lines.push(`  - id: ${t.id}`, `    name: ${q(t.name)}`, `    description: ${q(t.description)}`, `    threshold: ${t.threshold}`, '    terms:');
    for (const term of t.terms) {
      lines.push(`      - { term: ${q(term.term)}, weight: ${term.weight}${opts(term)} }`);
    }
    const g = t.groups;
    if (g && (g.allOf || g.anyOf || g.noneOf)) {
      lines.push('    groups:');
      if (g.allOf) {
        lines.push('      all_of:');
        for (const list of g.allOf) lines.push(`        - [${list.map(entry).join(', ')}]`);
      }
      if (g.anyOf) lines.push(`      any_of: [${g.anyOf.map(entry).join(', ')}]`);
      if (g.noneOf) lines.push(`      none_of: [${g.noneOf.map(entry).join(', ')}]`);
    }
  }
  return lines.join('\n') + '\n';
}
