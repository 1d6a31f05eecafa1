// Plain-text rendering for the console adapter: one block of lines per story.
import type { DigestView, Reply, StoryView } from '../../domain/chat.ts';
import { cleanFeedText, formatUtc, safeHttpUrl } from '../text.ts';

export function storyText(story: StoryView): string {
  const lines = [
    `■ ${cleanFeedText(story.title, 300)}`,
    `  ${cleanFeedText(story.source, 100)}${story.publishedAt ? ` · ${formatUtc(story.publishedAt)}` : ''}${story.fromExcerpt ? ' · from the feed excerpt' : ''}`,
  ];
  const url = safeHttpUrl(story.url);
  if (url) lines.push(`  ${url}`);
  const summary = cleanFeedText(story.summary, 1200);
  if (summary) lines.push(...summary.split('\n').map((l) => `  ${l}`));
  if (story.topics.length) lines.push(`  Topics: ${story.topics.map((t) => t.name).join(', ')}`);
  if (story.alsoCoveredBy.length) {
    lines.push(`  Also covered by: ${story.alsoCoveredBy.map((c) => `${cleanFeedText(c.source, 80)}${safeHttpUrl(c.url) ? ` <${safeHttpUrl(c.url)}>` : ''}`).join(', ')}`);
  }
  if (story.feedbackAlertId !== undefined) lines.push(`  Feedback: type "relevant ${story.feedbackAlertId}" or "not relevant ${story.feedbackAlertId}"`);
  return lines.join('\n');
}

export function digestText(digest: DigestView): string {
  const n = digest.stories.length;
  return [`■ ${n} more ${n === 1 ? 'story' : 'stories'}:`, ...digest.stories.map((s) => `  • ${cleanFeedText(s.title, 200)} (${cleanFeedText(s.source, 60)})`)].join('\n');
}

export function replyText(reply: Reply): string {
  return [reply.text, ...(reply.stories ?? []).map(storyText)].join('\n');
}
