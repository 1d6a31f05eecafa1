// Relevance: the fitted scorer decides whether a story is in scope; the topics' rules decide which topics
// it belongs to. Every decision carries its reasons: the model's largest contributions (named features,
// with what fired them) and the rule hits, so an alert can be explained in one line.
import type { Topic } from '../domain/types.ts';
import { clipText } from '../lib/bounded-text.ts';
import type { MatchDoc, MatchResult, PreparedField, TopicMatcher } from './compile-topics.ts';
import type { Knowledge } from './knowledge/index.ts';
import { fieldTokens, prepare } from './knowledge/tokens.ts';
import { extractFeatures, leadOf, titleOf, type RuleInput } from './scorer/features.ts';
import { toldInOneSentence } from './scorer/one-sentence.ts';
import { FIELD_BIT } from './term-index.ts';
import { isShouting } from './text.ts';
import type { RelevanceModel } from './scorer/model-file.ts';

export interface Contribution {
  feature: string;
  /** weight x value */
  points: number;
  /** What fired it, when the name alone does not say. */
  evidence: string | null;
}

export interface RelevanceDecision {
  inScope: boolean;
  /** The model's probability; null when rules alone decide (no model). */
  probability: number | null;
  threshold: number | null;
  /** Rule results per topic, in the topics' order. */
  rules: MatchResult[];
  /** Topics the story is filed under: rule matches, or the closest topic when only the model said yes. */
  topicIds: string[];
  /** The model's largest contributions toward (and against) the decision, largest first. */
  contributions: Contribution[];
  /** One line: the decision and its main reasons. */
  summary: string;
}

const TOP = 4;

/** The prefix of a fitted rule's id in a combined matcher (no topic id may hold a colon). */
const FITTED = 'fitted:';
/** A rule feature's evidence when the fitted rules match other topics than the topics in force. */
const FITTED_EVIDENCE = 'fitted rules';

/**
 * The topics in force followed by those of a model's fitted rules that differ from them (`edited`, by id), ids
 * prefixed: the `scan` of RelevanceScorer. A fitted topic whose rules are the ones in force is not matched twice:
 * its result is the topic in force's.
 */
export function withFittedRules(topics: readonly Topic[], fitted: readonly Topic[], edited: readonly string[]): Topic[] {
  const differs = new Set(edited);
  return [...topics, ...fitted.filter((t) => differs.has(t.id)).map((t) => ({ ...t, id: `${FITTED}${t.id}` }))];
}

/** What RelevanceScorer needs when the model's rules differ from the topics in force. */
export interface FittedScan {
  /** One matcher over `withFittedRules`: one pass gives the filing and the model's rule features. */
  matcher: TopicMatcher;
  /** The topics whose rules differ (load-relevance.ts topicsEditedSinceFit), the `edited` of `withFittedRules`. */
  edited: readonly string[];
}

const FACT_LABELS: Readonly<Record<string, string>> = {
  kind: 'kind of story',
  kinds2: 'more than one kind of story',
  state: 'names a state',
  state_title: 'a state or group in the title',
  state_agent: 'a state as the actor',
  state_victim: 'a state as the place or victim',
  victim_only: 'states only as the place or victim',
  title_product: 'a title about a product or patch',
  title_crime: 'a title about crime',
  two_states: 'two states',
  one_state_only: 'one state, no actor named',
  cyber_power: 'a state with many known threat actors',
  cluster: 'a tracked threat cluster',
  no_cyber_angle: 'no cyber angle',
  state_cluster: 'a state-backed cluster',
};

const clip = (s: string, max = 70) => clipText(s, max);

/** A feature name as a person reads it in a reason: "named group (APT28: Russia-sponsored group (MISP galaxy))". */
export function describeFeature(name: string, evidence: string | null): string {
  const [kind, ...rest] = name.split(':');
  const what = rest.join(':');
  const ev = evidence ? clip(evidence) : null;
  switch (kind) {
    case 'word':
      return `word "${evidence ?? what}"`;
    case 'bigram':
      return `words "${evidence ?? what}"`;
    case 'title':
      return `"${evidence ?? what}" in the title`;
    case 'state':
      return `names ${what}`;
    case 'rule':
      // A topic's own match names no evidence but its id, unless the model's fitted rules are not the topics in force.
      return what.endsWith(':matched') ? `topic ${what.slice(0, -':matched'.length)} matched${ev === FITTED_EVIDENCE ? ` (${FITTED_EVIDENCE})` : ''}` : what === 'any' ? `a topic matched${ev ? ` (${ev})` : ''}` : `topic ${what} score`;
    case 'kind':
      return `${what.replace(/_/g, ' ')}${ev ? ` (${ev})` : ''}`;
    case 'fact':
      if (what.startsWith('actor')) return ev ?? 'a threat actor';
      return `${FACT_LABELS[what] ?? what.replace(/_/g, ' ')}${ev ? ` (${ev})` : ''}`;
    case 'concept':
      return `${what.replace('@title', ' in the title').replace(/_/g, ' ')}${ev ? ` (${ev})` : ''}`;
    default:
      return ev ? `${name} (${ev})` : name;
  }
}

function fmt(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}

export class RelevanceScorer {
  readonly topics: readonly Topic[];
  private readonly thresholds: number[];
  private readonly featureThresholds: number[];
  private readonly featureAt: number[];
  private readonly scan: TopicMatcher | null;
  /** The topics whose rules differ from those the model was fitted with (doctor and the dashboard name them). */
  readonly editedSinceFit: readonly string[];

  constructor(
    /** The topics in force: they say which topics a story is filed under. */
    private readonly matcher: TopicMatcher,
    readonly knowledge: Knowledge | null,
    readonly model: RelevanceModel | null,
    /** The topic a story goes to when the model says yes and no topic's rules have any hit. */
    private readonly fallbackTopicId: string | null = matcher.topics[0]?.id ?? null,
    /**
     * When the model was fitted with other rules than the topics in force (load-relevance.ts): one matcher over
     * the topics in force followed by the fitted ones that differ (`withFittedRules`), so that one pass gives the
     * filing and the model's rule features, and editing the topics moves filings, not the scorer. Null: the
     * topics in force are the model's rules.
     */
    fitted: FittedScan | null = null,
  ) {
    this.topics = matcher.topics;
    this.thresholds = matcher.topics.map((t) => t.threshold);
    this.scan = fitted?.matcher ?? null;
    this.editedSinceFit = fitted?.edited ?? [];
    const n = matcher.topics.length;
    const scanned = fitted ? fitted.matcher.topics : matcher.topics;
    if (scanned.slice(0, n).some((t, i) => t.id !== matcher.topics[i]!.id)) throw new Error('relevance: the combined rules must start with the topics in force');
    if (fitted && !model?.rules) throw new Error('relevance: combined rules need a model that keeps the rules it was fitted with');
    const at = new Map(scanned.map((t, i) => [t.id, i]));
    // Each rule feature's place in a match's results: the fitted copy when there is one, else the topic in force.
    this.featureAt = (fitted ? model!.rules! : matcher.topics).map(({ id }) => {
      const i = at.get(`${FITTED}${id}`) ?? at.get(id);
      if (i === undefined) throw new Error(`relevance: the fitted topic ${id} is neither in force nor among the combined rules`);
      return i;
    });
    this.featureThresholds = this.featureAt.map((i) => scanned[i]!.threshold);
    if (model && !knowledge) throw new Error('relevance: a model needs the knowledge lists it was fitted with');
  }

  /** `explain`: compute every contribution's evidence even when the story is out of scope. */
  decide(doc: MatchDoc, explain = false): RelevanceDecision {
    // One tokenisation of the title and lead serves the rules and the knowledge lists.
    const title = titleOf(doc);
    const lead = leadOf(doc);
    const prepared = { title: fieldTokens(title), lead: fieldTokens(lead) };
    const description = doc.description ?? '';
    // A description longer than the lead is matched whole (match re-reads the story); otherwise the prepared
    // title and lead serve the rules too, with the content when there is one.
    const whole = description !== '' && description.trim() !== lead;
    const fields: PreparedField[] = [prepare(prepared.title, FIELD_BIT.title, isShouting(title))];
    if (description && !whole) fields.push(prepare(prepared.lead, FIELD_BIT.description, isShouting(lead)));
    if (doc.content && !whole) fields.push(prepare(fieldTokens(doc.content), FIELD_BIT.content, isShouting(doc.content)));
    const m = this.scan ?? this.matcher;
    const all = whole ? m.match(doc) : m.matchPrepared(fields);
    const rules = this.scan ? all.slice(0, this.topics.length) : all;
    const ruleTopics = rules.filter((r) => r.matched).map((r) => r.topicId);
    if (!this.model || !this.knowledge) {
      const inScope = ruleTopics.length > 0;
      return {
        inScope,
        probability: null,
        threshold: null,
        rules,
        topicIds: ruleTopics,
        contributions: [],
        summary: inScope ? `matched ${ruleTopics.join(', ')} (rules)` : 'no topic matched (rules)',
      };
    }
    // The model's rule features, read with the rules it was fitted with.
    const featureRules = this.scan ? this.featureAt.map((i) => (i < this.topics.length ? all[i]! : { ...all[i]!, topicId: all[i]!.topicId.slice(FITTED.length) })) : rules;
    const inputs: RuleInput[] = featureRules.map((r, i) => ({ topicId: r.topicId, score: r.score, matched: r.matched, threshold: this.featureThresholds[i]! }));
    const ruleMatched = featureRules.some((r) => r.matched);
    const w = this.model.fitted.weights;
    // A story no topic's rules matched rests on the model alone, and needs its stricter threshold.
    const threshold = ruleMatched ? this.model.file.threshold : Math.max(this.model.file.threshold, this.model.file.threshold_without_rules ?? 0);
    const alone = threshold > this.model.file.threshold ? ' without a rule match' : '';
    // Most stories are out of scope: score them without building the reasons' text, then build it only for
    // the ones that need it (in scope, or asked to explain).
    let x = extractFeatures(this.knowledge, doc, this.model.config.families, inputs, explain, prepared);
    let z = this.model.fitted.bias;
    for (const [name, v] of x.values) z += (w.get(name) ?? 0) * v;
    const probability = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    // Without a rule match the model alone decides, and then only for a kind of story told in one sentence
    // (scorer/one-sentence.ts): looked at only for the few stories that pass the threshold.
    const scattered = probability >= threshold && !ruleMatched && this.model.file.one_sentence_without_rules === true && !toldInOneSentence(this.knowledge, doc, x.values, this.model.config.families);
    const inScope = probability >= threshold && !scattered;
    const versus = scattered ? `>= ${threshold.toFixed(2)}${alone}, but no kind of story told in its title and one sentence` : `${inScope ? '>=' : '<'} ${threshold.toFixed(2)}${alone}`;
    if (!inScope && !explain) {
      return { inScope, probability, threshold, rules, topicIds: [], contributions: [], summary: `out of scope: relevance ${probability.toFixed(2)} ${versus}` };
    }
    if (!explain) x = extractFeatures(this.knowledge, doc, this.model.config.families, inputs, true, prepared);
    const contributions: Contribution[] = [];
    // When the rules the model was fitted with match other topics than the ones in force, its rule features say
    // so: the reason names the fitted rules, and the filing the topics in force.
    const matchedIds = (list: MatchResult[]) => list.filter((r) => r.matched).map((r) => r.topicId).sort().join(',');
    const asFitted = featureRules !== rules && matchedIds(featureRules) !== matchedIds(rules);
    for (const [name, v] of x.values) {
      const weight = w.get(name);
      if (weight === undefined || weight * v === 0) continue;
      const evidence = x.evidence.get(name) ?? null;
      const fitted = name === 'rule:any' ? `${FITTED_EVIDENCE}: ${evidence ?? ''}` : FITTED_EVIDENCE;
      contributions.push({ feature: name, points: weight * v, evidence: asFitted && name.startsWith('rule:') ? fitted : evidence });
    }
    contributions.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || (a.feature < b.feature ? -1 : 1));
    const topicIds = inScope ? (ruleTopics.length > 0 ? ruleTopics : this.closestTopic(rules)) : [];
    // One line: the largest contributions toward the decision, a repeated piece of evidence shown once.
    const shown = new Set<string>();
    const toward = contributions.filter((c) => {
      if (inScope ? c.points <= 0 : c.points >= 0) return false;
      const key = c.evidence ?? c.feature;
      if (shown.has(key)) return false;
      shown.add(key);
      return true;
    }).slice(0, TOP);
    const main = toward.map((c) => `${describeFeature(c.feature, c.evidence)} ${fmt(c.points)}`).join('; ');
    const summary = `${inScope ? 'in scope' : 'out of scope'}: relevance ${probability.toFixed(2)} ${versus}${main ? `; ${main}` : ''}`;
    return { inScope, probability, threshold, rules, topicIds, contributions, summary };
  }

  /**
   * The topic whose rules came closest: among topics whose groups held (their reasons name no unmet group),
   * the best score against its threshold; the fallback topic (the first, the broadest by default) otherwise.
   */
  private closestTopic(rules: MatchResult[]): string[] {
    let best: { id: string; ratio: number } | null = null;
    rules.forEach((r, i) => {
      if (r.score <= 0 || r.reasons.some((x) => x.includes(' not met') || x.startsWith('vetoed'))) return;
      const t = this.thresholds[i]!;
      const ratio = t > 0 ? r.score / t : r.score;
      if (!best || ratio > best.ratio) best = { id: r.topicId, ratio };
    });
    const chosen = best as { id: string; ratio: number } | null;
    if (chosen) return [chosen.id];
    return this.fallbackTopicId ? [this.fallbackTopicId] : [];
  }
}
