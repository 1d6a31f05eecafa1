// Public API of topic matching: compile topics and channel keywords, match documents, derive topics.
export { compileTopics, DEFAULT_FIELD_WEIGHTS } from './compile-topics.ts';
export type { CompileOptions, FieldWeights, MatchDoc, MatchResult, TopicMatcher } from './compile-topics.ts';
export { evaluate, parseLabels } from './evaluate.ts';
export type { Evaluation, Label } from './evaluate.ts';
export {
  acceptsForChannel,
  assertKeywordCapacity,
  compileKeywords,
  MAX_KEYWORD_LENGTH,
  MAX_KEYWORD_WORDS,
  MAX_KEYWORDS_PER_CHANNEL,
  parseKeyword,
} from './keywords.ts';
export type { ChannelDecision, Keyword, KeywordFilter, KeywordTest } from './keywords.ts';
export {
  buildBackground,
  builtinBackground,
  deriveTopic,
  deriveTopicDetailed,
  renderDerivedTopicYaml,
  renderTopicsYaml,
} from './derive-topic.ts';
export type { Background, DerivedTopic, DerivedTerm, DeriveOptions } from './derive-topic.ts';
export { decideItem, matchItem, parseItemLine, toMatchDoc } from './match-items.ts';
export { describeFeature, RelevanceScorer } from './relevance.ts';
export type { Contribution, RelevanceDecision } from './relevance.ts';
export { loadKnowledge, loadRelevance } from './load-relevance.ts';
export type { RelevanceSettings } from './load-relevance.ts';
export type { ItemLine, ItemResult } from './match-items.ts';
export { stripMarkup } from './text.ts';
