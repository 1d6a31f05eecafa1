// The slash commands, platform-neutral: a Command in, a Reply out.
export { createCommandHandler } from './handler.ts';
export { createFeedbackHandler, FEEDBACK_TEXT } from './feedback.ts';
export { relevanceExplainer, rulesExplainer } from './explain.ts';
export { parseCommandText, tokenizeArgs } from './parse-text.ts';
export { COMMANDS, replyIsPublic } from './registry.ts';
export { storyViewOf, LATEST_MAX } from './latest.ts';
export type { CommandDeps, ChannelsPort, LatestPort, FeedsPort, KeywordParser, CommandModule, Permission, FeedbackDeps, FeedbackPort, StoryLookupPort, ExplainPort, ExplainDoc, Explanation } from './types.ts';
