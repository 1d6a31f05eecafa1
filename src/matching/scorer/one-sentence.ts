// Whether a story tells its kind of story in one place: the title alone, or the title with one sentence of
// the description. A story no topic's rules matched rests on the model alone, and there a kind assembled from
// words far apart in a long text ("state-affiliated" accounts in one sentence, a "breach" of a convention in
// another, a "warning" in a third) is how general news passes for the beat. The relevant stories that path
// lets in say it in one sentence: a named group with its attack, a state with its cyber act.
import { splitSentences } from '../../summarize/sentences.ts';
import type { Knowledge } from '../knowledge/index.ts';
import { extractFeatures, leadOf, titleOf, type FeatureSet, type ScoreDoc } from './features.ts';

/** Sentences of a lead looked at, at most: a lead is bounded (features.ts MAX_LEAD_CHARS) and so is this. */
const MAX_SENTENCES = 60;

function hasKind(knowledge: Knowledge, title: string, sentence: string | null, families: FeatureSet): boolean {
  // No rule inputs: the stories this is asked about are those no topic's rules matched.
  return extractFeatures(knowledge, { title, description: sentence, content: null }, families, [], false).values.has('fact:kind');
}

/**
 * The place where a kind of story (features.ts STORY_KINDS) is found: '' for the title alone, a sentence of
 * the lead (description, or the start of the content) when the title with that sentence holds one; null
 * when only words from several sentences together make one.
 */
export function kindInOneSentence(knowledge: Knowledge, doc: ScoreDoc, families: FeatureSet): string | null {
  const title = titleOf(doc);
  if (hasKind(knowledge, title, null, families)) return '';
  const sentences = splitSentences(leadOf(doc)).slice(0, MAX_SENTENCES);
  for (const s of sentences) if (hasKind(knowledge, title, s, families)) return s;
  return null;
}

/**
 * The condition a story no topic's rules matched must meet before the model alone lets it in: the whole story
 * is of a kind (its features `values` hold `fact:kind`) and that kind is told in one sentence.
 */
export function toldInOneSentence(knowledge: Knowledge, doc: ScoreDoc, values: ReadonlyMap<string, number>, families: FeatureSet): boolean {
  return values.has('fact:kind') && kindInOneSentence(knowledge, doc, families) !== null;
}
