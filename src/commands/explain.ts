// The explanation port (/news why): the relevance scorer's decision with its reasons, or the topic rules'
// alone (in scope when any topic matches, no model score).
import type { Topic } from '../domain/types.ts';
import { describeFeature, type RelevanceScorer } from '../matching/relevance.ts';
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

/** The scorer's decision, explained: its probability against the threshold, its largest contributions, and each topic's rules. */
export function relevanceExplainer(scorer: RelevanceScorer, topics: readonly Topic[]): ExplainPort {
  const names = new Map(topics.map((t) => [t.id, t.name]));
  return (doc): Explanation => {
    const d = scorer.decide({ title: doc.title, description: doc.description, content: doc.content }, true);
    if (d.probability === null) return rulesExplainer(() => d.rules, topics)(doc);
    const filed = d.topicIds.map((id) => names.get(id) ?? id);
    const summary = d.inScope
      ? `In scope: relevance ${d.probability.toFixed(2)} reaches the threshold ${d.threshold!.toFixed(2)}; filed under ${filed.join(', ')}.`
      : `Out of scope: relevance ${d.probability.toFixed(2)} is below the threshold ${d.threshold!.toFixed(2)}.`;
    return {
      inScope: d.inScope,
      score: Math.round(d.probability * 100) / 100,
      summary,
      topics: d.rules.map((r) => ({ id: r.topicId, matched: d.topicIds.includes(r.topicId), score: r.score, reasons: [...r.reasons] })),
      reasons: d.contributions.slice(0, 6).map((c) => `${describeFeature(c.feature, c.evidence)} ${c.points >= 0 ? '+' : ''}${c.points.toFixed(2)}`),
    };
  };
}
