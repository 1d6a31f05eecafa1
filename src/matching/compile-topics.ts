// Topics compiled into one TermIndex: a document is scanned once for every term of every topic, then
// each topic is scored (term weight x field weight, once per field) and its groups checked.
import type { GroupTerm, MatchField, Topic, TopicMatch } from '../domain/types.ts';
import { clipText } from '../lib/bounded-text.ts';
import { FIELDS, FIELD_BIT, TermIndex, type MatchDoc, type TokenizedField } from './term-index.ts';

export type { MatchDoc } from './term-index.ts';

export type MatchResult = TopicMatch & { matched: boolean };

/** A field already tokenised (knowledge/tokens.ts), with its FIELD_BIT and whether its text is shouting. */
export type PreparedField = TokenizedField;

export interface TopicMatcher {
  /** One result per topic, in the order the topics were given. */
  match(doc: MatchDoc): MatchResult[];
  /** The same over fields already tokenised (the relevance scorer tokenises once for everything). */
  matchPrepared(fields: readonly PreparedField[]): MatchResult[];
  readonly topics: readonly Topic[];
}

export type FieldWeights = Record<MatchField, number>;

/** Title counts above description, description above body. */
export const DEFAULT_FIELD_WEIGHTS: FieldWeights = { title: 3, description: 2, content: 1 };

export interface CompileOptions {
  fieldWeights?: Partial<FieldWeights>;
}

interface CompiledTopic {
  topic: Topic;
  terms: { id: number; weight: number; text: string }[];
  allOf: number[][];
  anyOf: number[];
  noneOf: number[];
  /** Every term id the topic uses, terms and groups. */
  ids: number[];
}

/** Compiles topics; throws Error naming the topic and term when a term cannot be compiled. */
export function compileTopics(topics: Topic[], options: CompileOptions = {}): TopicMatcher {
  const weights: FieldWeights = { ...DEFAULT_FIELD_WEIGHTS, ...options.fieldWeights };
  const index = new TermIndex();
  const addGroup = (topic: Topic, g: GroupTerm) => (typeof g === 'string' ? add(topic, g) : add(topic, g.term, g.case, g.notBeforeTarget));
  const add = (topic: Topic, term: string, mode?: 'auto' | 'exact' | 'fold', notBeforeTarget?: true) => {
    try {
      return index.add(term, mode ?? 'auto', notBeforeTarget ? { notBeforeTarget } : {});
    } catch (err) {
      throw new Error(`matcher: topic "${topic.id}": term "${term}" ${(err as Error).message}.`, { cause: err });
    }
  };
  const compiled: CompiledTopic[] = topics.map((topic) => {
    const terms = topic.terms.map((t) => ({ id: add(topic, t.term, t.case, t.notBeforeTarget), weight: t.weight, text: t.term }));
    const allOf = (topic.groups?.allOf ?? []).map((list) => list.map((g) => addGroup(topic, g)));
    const anyOf = (topic.groups?.anyOf ?? []).map((g) => addGroup(topic, g));
    const noneOf = (topic.groups?.noneOf ?? []).map((g) => addGroup(topic, g));
    const ids = [...new Set([...terms.map((t) => t.id), ...allOf.flat(), ...anyOf, ...noneOf])];
    return { topic, terms, allOf, anyOf, noneOf, ids };
  });
  index.build();

  return {
    topics,
    match(doc: MatchDoc): MatchResult[] {
      const { masks } = index.scan(doc);
      return compiled.map((c) => scoreTopic(c, masks, weights, index));
    },
    matchPrepared(fields: readonly PreparedField[]): MatchResult[] {
      const { masks } = index.scanPrepared(fields);
      return compiled.map((c) => scoreTopic(c, masks, weights, index));
    },
  };
}

function fieldsOf(mask: number): MatchField[] {
  return FIELDS.filter((f) => (mask & FIELD_BIT[f]) !== 0);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n * 100) / 100);
}

function scoreTopic(c: CompiledTopic, masks: Uint8Array, weights: FieldWeights, index: TermIndex): MatchResult {
  // Most documents touch no term of most topics: answer those without building any text.
  // (With no hit, a group cannot be met and the score is 0, so the topic cannot match.)
  if (!c.ids.some((id) => (masks[id] ?? 0) !== 0)) return { topicId: c.topic.id, score: 0, reasons: [], matched: false };
  let score = 0;
  const reasons: string[] = [];
  for (const t of c.terms) {
    const mask = masks[t.id] ?? 0;
    if (mask === 0) continue;
    const fields = fieldsOf(mask);
    let fieldSum = 0;
    for (const f of fields) fieldSum += weights[f];
    const points = t.weight * fieldSum;
    score += points;
    const { text, phrase } = index.foundSpelling(t.id);
    reasons.push(`"${text}" in ${fields.join(', ')} (${phrase ? `term "${phrase}", ` : ''}${points >= 0 ? '+' : ''}${formatNumber(points)})`);
  }
  score = Math.round(score * 1000) / 1000;
  let groupsOk = true;
  const hitOf = (ids: number[]) => ids.find((id) => (masks[id] ?? 0) !== 0);
  c.allOf.forEach((list, i) => {
    const hit = hitOf(list);
    if (hit === undefined) {
      groupsOk = false;
      reasons.push(`all_of group ${i + 1} not met (none of ${preview(list, index)})`);
    } else if (!c.terms.some((t) => t.id === hit)) {
      reasons.push(`all_of group ${i + 1}: ${foundIn(index, hit, masks)}`);
    }
  });
  if (c.anyOf.length > 0) {
    const hit = hitOf(c.anyOf);
    if (hit === undefined) {
      groupsOk = false;
      reasons.push(`any_of not met (none of ${preview(c.anyOf, index)})`);
    }
  }
  const veto = hitOf(c.noneOf);
  if (veto !== undefined) {
    groupsOk = false;
    reasons.push(`vetoed by none_of ${foundIn(index, veto, masks)}`);
  }
  const hasGroups = c.allOf.length > 0 || c.anyOf.length > 0;
  const matched = groupsOk && score >= c.topic.threshold && (score > 0 || hasGroups);
  if (!matched && groupsOk && score < c.topic.threshold && reasons.length > 0) {
    reasons.push(`score ${formatNumber(score)} below threshold ${formatNumber(c.topic.threshold)}`);
  }
  return { topicId: c.topic.id, score, reasons, matched };
}

/** `"Cyber-espionage" in title, description (term "cyberespionage")`: a group term's hit. */
function foundIn(index: TermIndex, id: number, masks: Uint8Array): string {
  const { text, phrase } = index.foundSpelling(id);
  return `"${text}" in ${fieldsOf(masks[id] ?? 0).join(', ')}${phrase ? ` (term "${phrase}")` : ''}`;
}

function preview(ids: number[], index: TermIndex): string {
  const names = ids.slice(0, 2).map((id) => `"${clipText(index.termText(id), 40)}"`);
  return names.join(', ') + (ids.length > 2 ? `, ${ids.length - 2} more` : '');
}
