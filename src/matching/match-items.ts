// The `match` command's core: JSONL items in, one result line per item out, in the same order.
import { UsageError } from '../lib/errors.ts';
import type { MatchDoc, TopicMatcher } from './compile-topics.ts';
import type { RelevanceScorer } from './relevance.ts';
import { stripMarkup } from './text.ts';

export interface ItemLine {
  id: string;
  title: string;
  description?: string | null;
  content?: string | null;
}

export interface ItemResult {
  id: string;
  /** In scope: the scorer said yes (or, with rules alone, a topic matched). */
  matched: boolean;
  /** The model's probability and threshold; absent when rules alone decide. */
  relevance?: number;
  threshold?: number;
  /** Topics the story is filed under. */
  filed?: string[];
  /** One line: the decision and its main reasons. */
  why?: string;
  /** The model's contributions, largest first (with --explain). */
  contributions?: { feature: string; points: number; evidence: string | null }[];
  /** Topics that matched or had at least one term hit, best score first. */
  topics: { id: string; score: number; matched: boolean; reasons: string[] }[];
}

/** Parses one input line; throws UsageError naming the line when it is not an item. */
export function parseItemLine(line: string, where: string): ItemLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new UsageError(`match: ${where} is not valid JSON; expected {"id", "title", "description"?, "content"?}.`);
  }
  const o = v as Record<string, unknown>;
  const okText = (x: unknown) => x === undefined || x === null || typeof x === 'string';
  if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || typeof o.title !== 'string' || !okText(o.description) || !okText(o.content)) {
    throw new UsageError(`match: ${where} needs a string "id" and "title" (and string or null "description", "content").`);
  }
  return { id: o.id, title: o.title, description: o.description as string | null | undefined, content: o.content as string | null | undefined };
}

/** Feed text may carry markup and entities; the matcher wants text. */
export function toMatchDoc(item: ItemLine): MatchDoc {
  return {
    title: stripMarkup(item.title),
    description: item.description ? stripMarkup(item.description) : null,
    content: item.content ? stripMarkup(item.content) : null,
  };
}

export function matchItem(matcher: TopicMatcher, item: ItemLine): ItemResult {
  const results = matcher.match(toMatchDoc(item));
  const topics = results
    .filter((r) => r.matched || r.score !== 0)
    .sort((a, b) => Number(b.matched) - Number(a.matched) || b.score - a.score)
    .map((r) => ({ id: r.topicId, score: r.score, matched: r.matched, reasons: r.reasons }));
  return { id: item.id, matched: results.some((r) => r.matched), topics };
}

/** The scorer's decision for one item: in scope or not, the topics it is filed under, and why. */
export function decideItem(scorer: RelevanceScorer, item: ItemLine, explain = false): ItemResult {
  const d = scorer.decide(toMatchDoc(item), explain);
  const topics = d.rules
    .filter((r) => r.matched || r.score !== 0)
    .sort((a, b) => Number(b.matched) - Number(a.matched) || b.score - a.score)
    .map((r) => ({ id: r.topicId, score: r.score, matched: r.matched, reasons: r.reasons }));
  return {
    id: item.id,
    matched: d.inScope,
    ...(d.probability !== null ? { relevance: Math.round(d.probability * 10000) / 10000, threshold: d.threshold! } : {}),
    filed: d.topicIds,
    why: d.summary,
    ...(explain ? { contributions: d.contributions.map((c) => ({ ...c, points: Math.round(c.points * 1000) / 1000 })) } : {}),
    topics,
  };
}
