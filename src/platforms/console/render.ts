// Plain-text rendering for the console adapter: one block of lines per story.
import type { BriefView, DigestView, FollowUpView, Reply, StoryView } from '../../domain/chat.ts';
import { shownTime } from '../../domain/shown-time.ts';
import { ALSO_TITLE_MAX, cleanFeedText, safeHttpUrl } from '../text.ts';

export function storyText(story: StoryView): string {
  const lines = [
    `■ ${cleanFeedText(story.title, 300)}`,
    `  ${cleanFeedText(story.source, 100)}${story.publishedAt ? ` · ${shownTime(story.publishedAt)}` : ''}${story.fromExcerpt ? ' · from the feed excerpt' : ''}`,
  ];
  const url = safeHttpUrl(story.url);
  if (url) lines.push(`  ${url}`);
  const summary = cleanFeedText(story.summary, 1200);
  if (summary) lines.push(...summary.split('\n').map((l) => `  ${l}`));
  if (story.topics.length) lines.push(`  Topics: ${story.topics.map((t) => t.name).join(', ')}`);
  if (story.alsoCoveredBy.length) {
    lines.push('  Also covered by:');
    for (const c of story.alsoCoveredBy) {
      const url = safeHttpUrl(c.url);
      lines.push(`    ${cleanFeedText(c.source, 80)}: ${cleanFeedText(c.title || c.source, ALSO_TITLE_MAX)}${url ? ` <${url}>` : ''}`);
    }
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

/** A brief as plain text (the console's one message, and `cyberbrief brief --dry-run`). */
export function briefText(brief: BriefView): string {
  const lines = [`■ ${cleanFeedText(brief.title, 100)}: ${cleanFeedText(brief.subtitle, 300)}`];
  for (const g of brief.groups) {
    lines.push('', `  ${cleanFeedText(g.label, 200)}`);
    for (const s of g.stories) {
      const meta = [cleanFeedText(s.source, 100), s.relevance !== null ? `relevance ${s.relevance.toFixed(2)}` : null, s.outlets > 1 ? `${s.outlets} outlets` : null].filter(Boolean).join(' · ');
      lines.push(`  • ${cleanFeedText(s.title, 250)} (${meta})`);
      const url = safeHttpUrl(s.url);
      if (url) lines.push(`    ${url}`);
      const summary = cleanFeedText(s.summary, 300);
      if (summary) lines.push(`    ${summary}`);
      if (s.alsoCoveredBy.length) {
        lines.push(`    Also covered by: ${s.alsoCoveredBy.map((c) => `${cleanFeedText(c.source, 80)}${safeHttpUrl(c.url) ? ` <${safeHttpUrl(c.url)}>` : ''}`).join(', ')}`);
      }
    }
    if (g.more > 0) lines.push(`    +${g.more} more on ${cleanFeedText(g.label, 200)}`);
  }
  lines.push('', `  ${cleanFeedText(brief.footer, 500)}`);
  return lines.join('\n');
}

export function followUpText(f: FollowUpView): string {
  const url = safeHttpUrl(f.coverage.url);
  return `Also covered by ${cleanFeedText(f.coverage.source, 100)}: ${cleanFeedText(f.coverage.title, 250)}${url ? ` <${url}>` : ''}`;
}
