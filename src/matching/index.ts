// Public API of topic matching: compile topics and channel keywords, match documents, derive topics.
export { compileTopics, DEFAULT_FIELD_WEIGHTS } from './compile-topics.ts';
export type { CompileOptions, FieldWeights, MatchDoc, MatchResult, TopicMatcher } from './compile-topics.ts';
export { evaluate, parseLabels } from './evaluate.ts';
export type { Evaluation, Label } from './evaluate.ts';
