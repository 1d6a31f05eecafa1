// The explanation port as the topic rules answer it: in scope when any topic matches, no model score.
// main.ts wires this today; a fitted relevance scorer replaces it by satisfying the same ExplainPort.
import type { Topic } from '../domain/types.ts';
import type { Explanation, ExplainDoc, ExplainPort } from './types.ts';

/** One topic's result, as TopicMatcher.match returns it. */
export interface RuleResult {
  topicId: string;
  score: number;
  reasons: string[];
  matched: boolean;
}

const score1 = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n * 100) / 100));

export function rulesExplainer(match: (doc: ExplainDoc) => readonly RuleResult[], topics: readonly Topic[]): ExplainPort {
  const names = new Map(topics.map((t) => [t.id, t.name]));
  return (doc): Explanation => {
    const results = match(doc);
    const matched = results.filter((r) => r.matched);
    const summary = matched.length
      ? `In scope: ${matched.map((r) => `${names.get(r.topicId) ?? r.topicId} (score ${score1(r.score)})`).join(', ')} matched.`
      : 'Out of scope: no topic reached its threshold.';
    return {
      inScope: matched.length > 0,
      score: null,
      summary,
      topics: results.map((r) => ({ id: r.topicId, matched: r.matched, score: r.score, reasons: [...r.reasons] })),
      reasons: [],
    };
  };
}
