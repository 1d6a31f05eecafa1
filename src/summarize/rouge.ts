// ROUGE-1, ROUGE-2 (unigram / bigram overlap F1) and ROUGE-L (longest-common-subsequence F1), computed on
// the shared tokenisation (tokens.ts: lowercase letter/digit runs, no stemming, stop words kept). ROUGE-L is
// the LCS of the two whole token sequences (like rouge-score's "rougeL", not the per-sentence "rougeLsum").
import { tokenize } from './tokens.ts';

export interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

export function rouge(candidate: string, reference: string): RougeScores {
  return rougeTokens(tokenize(candidate), tokenize(reference));
}

export function rougeTokens(cand: readonly string[], ref: readonly string[]): RougeScores {
  return {
    rouge1: ngramF1(cand, ref, 1),
    rouge2: ngramF1(cand, ref, 2),
    rougeL: f1(lcsLength(cand, ref), cand.length, ref.length),
  };
}

function f1(overlap: number, candTotal: number, refTotal: number): number {
  if (overlap === 0 || candTotal === 0 || refTotal === 0) return 0;
  const p = overlap / candTotal;
  const r = overlap / refTotal;
  return (2 * p * r) / (p + r);
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? (tokens[i] as string) : tokens.slice(i, i + n).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function ngramF1(cand: readonly string[], ref: readonly string[], n: number): number {
  const c = ngramCounts(cand, n);
  const r = ngramCounts(ref, n);
  let overlap = 0;
  for (const [gram, count] of c) overlap += Math.min(count, r.get(gram) ?? 0);
  return f1(overlap, Math.max(0, cand.length - n + 1), Math.max(0, ref.length - n + 1));
}

/** LCS length with two rolling rows: O(n*m) time, O(m) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Uint32Array(b.length + 1);
  let curr = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      curr[j] = ai === b[j - 1] ? (prev[j - 1] as number) + 1 : Math.max(prev[j] as number, curr[j - 1] as number);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length] as number;
}

/** Mean of per-item scores. */
export function meanScores(scores: readonly RougeScores[]): RougeScores {
  const n = scores.length || 1;
  return {
    rouge1: scores.reduce((s, x) => s + x.rouge1, 0) / n,
    rouge2: scores.reduce((s, x) => s + x.rouge2, 0) / n,
    rougeL: scores.reduce((s, x) => s + x.rougeL, 0) / n,
  };
}
