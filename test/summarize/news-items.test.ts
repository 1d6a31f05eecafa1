// Robustness on real feed excerpts (../shared/data/news_items.jsonl: RSS descriptions with raw HTML, null,
// one-liners): every summary fits the budget, carries no markup, and is empty only when the input has no text.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanText, extractiveSummary, splitSentences, withoutPublisherFooter, withoutReadOn } from '../../src/summarize/index.ts';

const FILE = path.resolve(process.cwd(), '..', 'shared', 'data', 'news_items.jsonl');
const exists = existsSync(FILE);
if (!exists) console.log(`summarize news-items test skipped: ${FILE} not found`);

const HTML_TAG = /<\/?(?:p|a|img|br|div|span|strong|em|b|i|ul|li|figure|iframe|script|style)\b[^>]*>/i;
const ENTITY = /&(?:amp|lt|gt|quot|nbsp|#\d+|#x[0-9a-f]+);/i;

describe.skipIf(!exists)('summaries of real feed excerpts', () => {
  const rows = exists
    ? readFileSync(FILE, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { id: string; title: string | null; description: string | null })
    : [];

  it('fit 400 characters, carry no HTML, end on a sentence or an ellipsis', () => {
    expect(rows.length).toBeGreaterThan(1000);
    const problems: string[] = [];
    for (const r of rows) {
      const text = r.description ?? '';
      const out = extractiveSummary(text, { title: r.title ?? '' });
      if (out.length > 400) problems.push(`${r.id}: ${out.length} chars`);
      if (HTML_TAG.test(out) || ENTITY.test(out)) problems.push(`${r.id}: markup in ${JSON.stringify(out.slice(0, 80))}`);
      const cleaned = cleanText(text);
      if (!out && /\p{L}/u.test(cleaned)) problems.push(`${r.id}: empty summary`);
      // Either whole sentences from the text, or the text cut at a word boundary with an ellipsis.
      if (out && !out.endsWith('…')) {
        const sentences = new Set(splitSentences(text));
        const flat = cleaned.replace(/\s+/g, ' ');
        const whole = splitSentences(out).every((s) => sentences.has(s) || flat.includes(s) || flat.includes(s.replace(/\.$/, '')));
        if (!whole) problems.push(`${r.id}: not whole sentences: ${JSON.stringify(out.slice(0, 80))}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  }, 60_000);

  // WordPress's "The post <title> appeared first on <site>." ends many real excerpts (the summarizer drops it).
  it("lose the publisher's footer where they end with one, and nothing where they do not", () => {
    const footer = /(?:^|\s)The post \S[^\n]* appeared first on [^\n]{1,120}$/;
    const problems: string[] = [];
    let footers = 0;
    for (const r of rows) {
      const cleaned = cleanText(r.description ?? '');
      const out = withoutPublisherFooter(cleaned);
      if (footer.test(cleaned)) {
        footers++;
        if (out.includes('appeared first on') || !cleaned.startsWith(out)) problems.push(`${r.id}: kept ${JSON.stringify(out.slice(-80))}`);
      } else if (!/(?:appeared first|first appeared) on/.test(cleaned) && out !== cleaned) problems.push(`${r.id}: changed`);
    }
    expect(footers).toBeGreaterThan(100);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  // "[...]" ends BleepingComputer's excerpts, "Continue reading..." the Guardian's: the summarizer drops them.
  it('lose the link to the rest where they end with one, and nothing else', () => {
    const marker = /(?:\[\s*(?:…|\.{3})\s*\]|\b(?:continue reading|read more)\W*)$/i;
    const problems: string[] = [];
    let markers = 0;
    for (const r of rows) {
      const text = withoutPublisherFooter(cleanText(r.description ?? '')).trimEnd();
      const out = withoutReadOn(text);
      if (out === text) continue;
      markers++;
      if (!marker.test(text)) problems.push(`${r.id}: changed ${JSON.stringify(text.slice(-60))}`);
      // What is left is the text's start, or its start with "…" where a cut sentence lost its "[…]".
      if (!text.startsWith(out) && !(out.endsWith('…') && text.startsWith(out.slice(0, -1)))) problems.push(`${r.id}: rewrote ${JSON.stringify(out.slice(-60))}`);
      if (marker.test(out)) problems.push(`${r.id}: kept ${JSON.stringify(out.slice(-60))}`);
    }
    expect(markers).toBeGreaterThan(1000);
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
