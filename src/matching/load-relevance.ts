// Builds the relevance scorer from configuration: topics (already loaded), the threat-actor list and the
// model file. With `scorer: rules`, neither file is read and the topics' rules decide alone.
import { topicsToFile } from '../config/topics.ts';
import type { Topic } from '../domain/types.ts';
import { compileTopics } from './compile-topics.ts';
import { loadActorsFile } from './knowledge/actors.ts';
import { Knowledge } from './knowledge/index.ts';
import { RelevanceScorer, withFittedRules } from './relevance.ts';
import { loadModelFile } from './scorer/model-file.ts';

export interface RelevanceSettings {
  scorer: 'model' | 'rules';
  model_file: string;
  actors_file: string;
}

export interface LoadedRelevance {
  scorer: RelevanceScorer;
  /** A sentence for the operator when the configuration and the model disagree, else null. */
  notice: string | null;
}

/**
 * The scorer the configuration asks for. A model fitted with none of the loaded topics (another team's
 * topics) judges another beat: then the topics' rules decide, and the notice says so. Otherwise the model reads
 * its rule features with the rules it was fitted with (kept in its file), so that editing the topics changes
 * which topics a story is filed under, not whether it is in scope. A model file from before the rules were kept
 * reads them with the loaded topics, and the notice names the fitted topics they lack.
 */
export async function loadRelevance(topics: Topic[], settings: RelevanceSettings): Promise<LoadedRelevance> {
  return (await relevanceFactory(settings))(topics);
}

/**
 * Reads the model and the threat-actor list once and returns a function that builds the scorer for a list
 * of topics (the topics file, or a version saved on the dashboard), with the notice loadRelevance gives.
 */
export async function relevanceFactory(settings: RelevanceSettings): Promise<(topics: Topic[]) => LoadedRelevance> {
  if (settings.scorer === 'rules') return (topics) => ({ scorer: new RelevanceScorer(compileTopics(topics), null, null), notice: null });
  const [actors, model] = await Promise.all([loadActorsFile(settings.actors_file), loadModelFile(settings.model_file)]);
  const knowledge = new Knowledge(actors);
  return (topics) => {
    const matcher = compileTopics(topics);
    const have = new Set(topics.map((t) => t.id));
    const missing = model.file.topics.filter((t) => !have.has(t));
    if (missing.length === model.file.topics.length && missing.length > 0) {
      return {
        scorer: new RelevanceScorer(matcher, null, null),
        notice: `matching: the relevance model was fitted with other topics (${missing.join(', ')}), so the topics' rules decide what is in scope; fit a model for these topics with cyberbrief model fit, or set matching.scorer: rules to say so.`,
      };
    }
    if (model.rules) {
      // The loaded topics' rules the same as the fitted ones: one matcher serves both. Otherwise one matcher over
      // the topics in force and the fitted topics that differ from them.
      const edited = topicsEditedSinceFit(topics, model.rules);
      const scan = edited.length === 0 ? null : { matcher: compileTopics(withFittedRules(topics, model.rules, edited)), edited };
      return { scorer: new RelevanceScorer(matcher, knowledge, model, undefined, scan), notice: null };
    }
    const notice = missing.length
      ? `matching: the relevance model was fitted with topics ${missing.join(', ')}, which the topics file lacks; their rule features count as zero. Refit it with cyberbrief model fit, or set matching.scorer: rules.`
      : null;
    return { scorer: new RelevanceScorer(matcher, knowledge, model), notice };
  };
}

/**
 * The ids of the topics whose rules differ between the topics in force and a model's fitted rules (either side's),
 * each compared as the topics file's text without its name and description, which match nothing.
 */
export function topicsEditedSinceFit(topics: readonly Topic[], fitted: readonly Topic[]): string[] {
  const text = (list: readonly Topic[]) =>
    new Map(topicsToFile(list).topics.map(({ name: _name, description: _description, ...rules }) => [rules.id, JSON.stringify(rules)]));
  const now = text(topics);
  const then = text(fitted);
  return [...new Set([...now.keys(), ...then.keys()])].filter((id) => now.get(id) !== then.get(id));
}

/** Loads the knowledge lists alone (model fitting, actors list). */
export async function loadKnowledge(actorsFile: string): Promise<Knowledge> {
  return new Knowledge(await loadActorsFile(actorsFile));
}
