// Splitting a brief across messages, for every adapter: the brief becomes a list of entries (a topic's
// heading, each story, a topic's "more" line, the closing line) and entries are packed greedily into
// parts, each as full as the platform's limits allow (the adapter renders a candidate part and says
// whether it fits). A story is never split; a heading is never left at the end of a part without a story
// after it, and a topic that goes on in the next part gets its heading again there, marked continued.
import type { BriefGroupView, BriefStoryView, BriefView } from '../domain/chat.ts';

export type BriefEntry =
  | { kind: 'group'; group: BriefGroupView; continued: boolean }
  | { kind: 'story'; group: BriefGroupView; story: BriefStoryView }
  | { kind: 'more'; group: BriefGroupView }
  | { kind: 'footer' };

/** The brief as entries, in reading order. */
export function briefEntries(view: BriefView): BriefEntry[] {
  const out: BriefEntry[] = [];
  for (const group of view.groups) {
    out.push({ kind: 'group', group, continued: false });
    for (const story of group.stories) out.push({ kind: 'story', group, story });
    if (group.more > 0) out.push({ kind: 'more', group });
  }
  out.push({ kind: 'footer' });
  return out;
}

/**
 * Packs the brief's entries into parts. `fits(part)` renders the candidate part (entries as they would be
 * posted) and says whether it is within the platform's limits. An entry that fits in no part on its own
 * is still placed, alone (renderers bound a story's size so this does not happen).
 */
export function packBrief(view: BriefView, fits: (part: readonly BriefEntry[]) => boolean): BriefEntry[][] {
  const entries = briefEntries(view);
  const parts: BriefEntry[][] = [];
  let cur: BriefEntry[] = [];
  const hasContent = (p: readonly BriefEntry[]) => p.some((e) => e.kind !== 'group');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    // A heading goes in only with the entry after it.
    const next = e.kind === 'group' ? entries[i + 1] : undefined;
    const adding = next && next.kind !== 'group' && next.kind !== 'footer' ? [e, next] : [e];
    if (fits([...cur, ...adding])) {
      cur.push(...adding);
      if (adding.length === 2) i++;
      continue;
    }
    if (hasContent(cur)) {
      parts.push(cur);
      // The topic goes on: its heading again, marked continued.
      cur = e.kind === 'story' || e.kind === 'more' ? [{ kind: 'group', group: e.group, continued: true }] : [];
      i--;
      continue;
    }
    // Even alone it does not fit: place it anyway, in a part of its own.
    cur.push(...adding);
    if (adding.length === 2) i++;
  }
  if (cur.length) parts.push(cur);
  return parts.length ? parts : [[{ kind: 'footer' }]];
}
